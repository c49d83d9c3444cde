-- The merchant categories each customer bought from (approved) in each 30-day period
-- (see int_churn_customer_periods), one row per customer, period and category.
{%- set period = var('ml_period_days') | int %}

with

as_of as (

    select * from {{ ref('build_as_of') }}

),

transactions as (

    select customer_id, category_key, transaction_ts
    from {{ ref('fct_transactions') }}
    where status = 'Approved'

),

final as (

    select distinct
        transactions.customer_id,
        cast(
            floor(
                {{ dbt.datediff('cast(transactions.transaction_ts as date)', 'as_of.as_of_date', 'day') }}
                / {{ period }}.0
            )
        as integer) as period_index,
        transactions.category_key

    from transactions
    cross join as_of
    where transactions.transaction_ts < as_of.as_of_end_ts
        and transactions.transaction_ts >= cast(as_of.history_start_date as timestamp)

)

select * from final
