-- The 50 canonical merchant categories: each category's latest delivery, so a re-delivery
-- never doubles a category.
with

deliveries as (

    select * from {{ ref('stg_merchant_category_deliveries') }}

),

ranked as (

    select
        deliveries.*,
        row_number() over (
            partition by category_id
            order by loaded_at desc, category_name, category_group, mcc
        ) as delivery_rank

    from deliveries

),

final as (

    select category_id, category_name, category_group, mcc, category_match_key, loaded_at
    from ranked
    where delivery_rank = 1

)

select * from final
