-- One row per customer, attributes as at account opening (later values: stg_customer_changes).
with

source as (

    select * from {{ source('bronze', 'customers') }}

),

renamed as (

    select
        trim(customer_id) as customer_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        nullif(lower(trim(email)), '') as email,
        cast(age as integer) as age,
        upper(trim(state)) as state,
        nullif(trim(city), '') as city,
        nullif(trim(employment_status), '') as employment_status,
        trim(card_type) as card_type,
        cast(credit_limit as integer) as credit_limit,
        cast(account_open_date as date) as account_open_date,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

-- exact re-deliveries of the same customer row collapse to one
final as (

    select distinct * from renamed

)

select * from final
