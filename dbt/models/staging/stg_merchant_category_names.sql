-- Every name a merchant category has been delivered with, by the key transactions'
-- category spellings are matched on: a renamed category keeps the spellings of its old
-- name. A name later delivered for another category names that one (its latest delivery
-- wins).
with

deliveries as (

    select * from {{ ref('stg_merchant_category_deliveries') }}

),

ranked as (

    select
        category_match_key,
        category_id,
        loaded_at,
        row_number() over (
            partition by category_match_key
            order by loaded_at desc, category_id
        ) as delivery_rank

    from deliveries

),

final as (

    select category_match_key, category_id, loaded_at
    from ranked
    where delivery_rank = 1

)

select * from final
