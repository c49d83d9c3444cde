-- The customer attribute change feed, typed and trimmed; one row per change.
with

source as (

    select * from {{ source('bronze', 'customer_changes') }}

),

renamed as (

    select
        cast(change_id as bigint) as change_id,
        trim(customer_id) as customer_id,
        cast(changed_at as timestamp) as changed_at,
        lower(trim(attribute)) as attribute,
        nullif(trim(old_value), '') as old_value,
        nullif(trim(new_value), '') as new_value,
        lower(trim(change_reason)) as change_reason,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select distinct * from renamed

)

select * from final
