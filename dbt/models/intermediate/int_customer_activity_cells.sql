-- Approved and declined activity per customer in cells: calendar month x `ml_period_days`
-- period counted back from the as-of date (period 0 = the last `ml_period_days` days up to
-- it) x recent window (0 = the last 30 days, 1 = the 60 before, 2 = the 90 before those,
-- 3 = older). Every as-of-relative aggregate (monthly spending, spending metrics, churn
-- periods) is a sum over whole cells, so the transactions are read once for all three.
-- Days and categories are bit sets (one bigint each): "distinct days / categories" over
-- several cells is an OR, not a count distinct.
{{ config(materialized='table') }}
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

    select
        category_key,
        category_group,
        row_number() over (order by category_id) - 1 as category_number

    from {{ ref('dim_merchant_category') }}

),

aged as (

    select
        transactions.*,
        {{ dbt.datediff('cast(transactions.transaction_ts as date)', 'as_of.as_of_date', 'day') }}
            as days_before_as_of

    from transactions
    cross join as_of
    where transactions.transaction_ts < as_of.as_of_end_ts

),

dated as (

    select
        aged.customer_id,
        cast({{ dbt.date_trunc('month', 'aged.transaction_ts') }} as date) as month_start_date,
        cast(floor(aged.days_before_as_of / {{ period }}.0) as integer) as period_index,
        case
            when aged.days_before_as_of < 30 then 0
            when aged.days_before_as_of < 90 then 1
            when aged.days_before_as_of < 180 then 2
            else 3
        end as recent_window,
        {{ bit_of('aged.days_before_as_of % ' ~ period) }} as day_bit,
        {{ bit_of('categories.category_number') }} as category_bit,
        aged.transaction_ts,
        aged.amount,
        aged.channel,
        aged.status = 'Approved' as is_approved,
        categories.category_group,
        {{ iso_day_of_week('aged.transaction_ts') }} >= 6 as is_weekend

    from aged
    inner join categories
        on aged.category_key = categories.category_key

),

final as (

    select
        customer_id,
        month_start_date,
        period_index,
        recent_window,
        sum(case when is_approved then amount else 0 end) as spend,
        count(case when is_approved then 1 end) as approved_count,
        count(case when not is_approved then 1 end) as declined_count,
        max(case when is_approved then amount end) as max_amount,
        {{ bit_or_agg('case when is_approved then day_bit else 0 end') }} as day_bits,
        {{ bit_or_agg('case when is_approved then category_bit else 0 end') }}
            as category_bits,
        min(case when is_approved then transaction_ts end) as first_approved_at,
        max(case when is_approved then transaction_ts end) as last_approved_at,
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
    group by customer_id, month_start_date, period_index, recent_window

)

select * from final
