-- What `c360 clv` reads: per customer with an approved purchase on or before the as-of
-- date, the RFM summary in the BG/NBD convention (days as the time unit), the same summary
-- at the calibration date, and the purchase days and spend in the holdout window and in
-- the baseline window before it. One scan of the facts, then one group per customer.
--
-- A "transaction" is a day with at least one approved purchase of a positive amount
-- (card holders buy many times a day; BG/NBD counts repeat purchase occasions). For an
-- observation that ends with day L (inclusive):
--   frequency       purchase days up to L, minus one (repeat days);
--   recency         days from the first to the last purchase day;
--   t_days          days from the first purchase day to L (BG/NBD's T);
--   monetary_value  mean spend per repeat purchase day (the first day excluded, as in the
--                   Gamma-Gamma model), 0 without repeat days.
-- Full summary: L = the as-of date. Calibration (cal_*): L = the day before
-- calibration_end_date = as-of + 1 - clv_holdout_days. The holdout is
-- [calibration_end_date, as-of]; the baseline the clv_holdout_days before it.
-- cal_frequency is -1 for customers whose first purchase falls in the holdout.
-- Spend stays decimal until the end and means are sum / count, so every engine (and every
-- run: no floating-point sums in parallel) gives the same doubles.
{%- set holdout_days = var('clv_holdout_days') | int %}

with

as_of as (

    select as_of_date from {{ ref('build_as_of') }}

),

transactions as (

    select customer_id, transaction_ts, amount
    from {{ ref('fct_transactions') }}
    where status = 'Approved' and amount > 0

),

windows as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as timestamp) as observation_end_ts,
        cast({{ dbt.dateadd('day', 1 - holdout_days, 'as_of_date') }} as date)
            as calibration_end_date,
        cast({{ dbt.dateadd('day', -holdout_days, 'as_of_date') }} as date)
            as calibration_last_date,
        cast({{ dbt.dateadd('day', 1 - 2 * holdout_days, 'as_of_date') }} as date)
            as baseline_start_date

    from as_of

),

purchase_days as (

    select
        transactions.customer_id,
        cast(transactions.transaction_ts as date) as purchase_date,
        sum(transactions.amount) as spend

    from transactions
    cross join windows
    where transactions.transaction_ts < windows.observation_end_ts
    group by transactions.customer_id, cast(transactions.transaction_ts as date)

),

dated as (

    select
        purchase_days.customer_id,
        purchase_days.purchase_date,
        purchase_days.spend,
        purchase_days.purchase_date < windows.calibration_end_date as in_calibration,
        purchase_days.purchase_date >= windows.baseline_start_date
        and purchase_days.purchase_date < windows.calibration_end_date as in_baseline

    from purchase_days
    cross join windows

),

-- one pass per customer: the first purchase day's spend is what the repeat-day means leave
-- out (the first calibration day, when there is one, is the first purchase day)
per_customer as (

    select
        customer_id,
        min(purchase_date) as first_date,
        max(purchase_date) as last_date,
        min_by(spend, purchase_date) as first_day_spend,
        count(*) as purchase_day_count,
        sum(spend) as spend,
        max(case when in_calibration then purchase_date end) as cal_last_date,
        sum(case when in_calibration then 1 else 0 end) as cal_day_count,
        sum(case when in_calibration then spend end) as cal_spend,
        sum(case when in_baseline then 1 else 0 end) as baseline_day_count,
        sum(case when in_baseline then spend else 0 end) as baseline_spend

    from dated
    group by customer_id

),

summary as (

    select
        per_customer.customer_id,
        cast(per_customer.purchase_day_count - 1 as bigint) as frequency,
        cast({{ dbt.datediff('per_customer.first_date', 'per_customer.last_date', 'day') }}
            as double) as recency,
        cast({{ dbt.datediff('per_customer.first_date', 'windows.as_of_date', 'day') }}
            as double) as t_days,
        coalesce(
            cast(per_customer.spend - per_customer.first_day_spend as double)
            / nullif(per_customer.purchase_day_count - 1, 0),
            0
        ) as monetary_value,
        cast(per_customer.spend as double) as total_spend,
        cast(per_customer.cal_day_count - 1 as bigint) as cal_frequency,
        cast({{ dbt.datediff('per_customer.first_date', 'per_customer.cal_last_date', 'day') }}
            as double) as cal_recency,
        cast(case when per_customer.cal_day_count > 0 then {{ dbt.datediff(
            'per_customer.first_date', 'windows.calibration_last_date', 'day'
        ) }} end as double) as cal_t_days,
        coalesce(
            cast(per_customer.cal_spend - per_customer.first_day_spend as double)
            / nullif(per_customer.cal_day_count - 1, 0),
            0
        ) as cal_monetary_value,
        cast(per_customer.purchase_day_count - per_customer.cal_day_count as bigint)
            as holdout_transactions,
        cast(per_customer.spend - coalesce(per_customer.cal_spend, 0) as double)
            as holdout_spend,
        cast(per_customer.baseline_day_count as bigint) as baseline_transactions,
        cast(per_customer.baseline_spend as double) as baseline_spend,
        windows.calibration_end_date,
        {{ holdout_days }} as holdout_days

    from per_customer
    cross join windows

),

final as (

    select * from summary

)

select * from final
