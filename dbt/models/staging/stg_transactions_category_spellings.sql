-- Every merchant_category spelling delivered with a transaction (a few hundred dirty
-- variants of 50 names), matched to the canonical category once, not once per transaction,
-- by any name the category has been delivered with.
-- A table for the same reason as stg_transactions_customer_spellings: a known-small
-- join side.
{{ config(materialized='table') }}

with

category_spellings_delivered as (

    select distinct merchant_category from {{ source('bronze', 'transactions') }}

),

names as (

    select category_match_key, category_id from {{ ref('stg_merchant_category_names') }}

),

categories as (

    select category_id, category_name from {{ ref('stg_merchant_categories') }}

),

final as (

    select
        category_spellings_delivered.merchant_category as merchant_category_delivered,
        categories.category_id,
        categories.category_name

    from category_spellings_delivered
    left join names
        on {{ name_match_key('category_spellings_delivered.merchant_category') }}
        = names.category_match_key
    left join categories
        on names.category_id = categories.category_id

)

select * from final
