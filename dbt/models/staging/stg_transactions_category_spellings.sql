-- Every merchant_category spelling delivered with a transaction (a few hundred dirty
-- variants of 50 names), matched to the canonical category once, not once per transaction.
-- A table for the same reason as stg_transactions_customer_spellings: a known-small
-- join side.
{{ config(materialized='table') }}

with

category_spellings_delivered as (

    select distinct merchant_category from {{ source('bronze', 'transactions') }}

),

categories as (

    select category_id, category_name, category_match_key
    from {{ ref('stg_merchant_categories') }}

),

final as (

    select
        category_spellings_delivered.merchant_category as merchant_category_delivered,
        categories.category_id,
        categories.category_name

    from category_spellings_delivered
    left join categories
        on {{ name_match_key('category_spellings_delivered.merchant_category') }}
        = categories.category_match_key

)

select * from final
