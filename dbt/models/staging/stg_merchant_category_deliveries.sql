-- Every delivered merchant category row, typed and trimmed, with the key dirty spellings
-- are matched on. Reference data may be delivered again, amended or not:
-- stg_merchant_categories keeps each category's latest delivery, and
-- stg_merchant_category_names every name a category has been delivered with.
with

source as (

    select * from {{ source('bronze', 'merchant_categories') }}

),

final as (

    select
        upper(trim(category_id)) as category_id,
        trim(category_name) as category_name,
        trim(category_group) as category_group,
        trim(mcc) as mcc,
        {{ name_match_key('category_name') }} as category_match_key,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from final
