-- The 50 canonical merchant categories, with the key used to match dirty spellings.
-- Reference data may be delivered again (amended or not): each category's latest delivery
-- wins, so a re-delivery never doubles a category.
with

source as (

    select * from {{ source('bronze', 'merchant_categories') }}

),

renamed as (

    select
        upper(trim(category_id)) as category_id,
        trim(category_name) as category_name,
        trim(category_group) as category_group,
        trim(mcc) as mcc,
        {{ name_match_key('category_name') }} as category_match_key,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

ranked as (

    select
        renamed.*,
        row_number() over (
            partition by category_id
            order by loaded_at desc, category_name, category_group, mcc
        ) as delivery_rank

    from renamed

),

final as (

    select category_id, category_name, category_group, mcc, category_match_key, loaded_at
    from ranked
    where delivery_rank = 1

)

select * from final
