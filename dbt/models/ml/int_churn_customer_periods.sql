-- Approved and declined activity per customer and 30-day period, counted back from the
-- as-of date: period 0 = the last `ml_period_days` days up to the as-of date, period 1 the
-- ones before, and so on. Cutoffs fall on period boundaries, so every feature window and
-- every outcome window is a whole number of periods: one pass over the transactions
-- serves all cutoffs.
{%- set period = var('ml_period_days') | int %}

with

as_of as (

    select * from {{ ref('build_as_of') }}

),

transactions as (

    select customer_id, category_key, transaction_ts, amount, channel, status
    from {{ ref('fct_transactions') }}

),

categories as (

    select category_key, category_group from {{ ref('dim_merchant_category') }}

),

dated as (

    select
        transactions.customer_id,
        cast(transactions.transaction_ts as date) as transaction_date,
        cast(
            floor(
                {{ dbt.datediff('cast(transactions.transaction_ts as date)', 'as_of.as_of_date', 'day') }}
                / {{ period }}.0
            )
        as integer) as period_index,
        transactions.amount,
        transactions.channel,
        transactions.status = 'Approved' as is_approved,
        categories.category_group,
        {{ iso_day_of_week('transactions.transaction_ts') }} >= 6 as is_weekend

    from transactions
    inner join categories
        on transactions.category_key = categories.category_key
    cross join as_of
    where transactions.transaction_ts < as_of.as_of_end_ts

),

final as (

    select
        customer_id,
        period_index,
        sum(case when is_approved then amount else 0 end) as spend,
        count(case when is_approved then 1 end) as approved_count,
        count(case when not is_approved then 1 end) as declined_count,
        max(case when is_approved then amount end) as max_amount,
        count(distinct case when is_approved then transaction_date end) as active_days,
        max(case when is_approved then transaction_date end) as last_approved_date,
        sum(case when is_approved and category_group = 'Travel' then amount else 0 end)
            as travel_spend,
        sum(case when is_approved and category_group = 'Necessities' then amount else 0 end)
            as necessity_spend,
        sum(case when is_approved and category_group = 'Discretionary' then amount else 0 end)
            as discretionary_spend,
        sum(case when is_approved and category_group = 'Services' then amount else 0 end)
            as services_spend,
        sum(case when is_approved and is_weekend then amount else 0 end) as weekend_spend,
        count(case when is_approved and channel = 'Online' then 1 end) as online_count,
        count(case when is_approved and channel = 'Mobile' then 1 end) as mobile_count,
        count(case when is_approved and channel = 'In-Store' then 1 end) as in_store_count

    from dated
    where period_index >= 0
    group by customer_id, period_index

)

select * from final
