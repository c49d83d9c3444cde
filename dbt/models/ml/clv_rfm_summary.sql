-- What `c360 clv` reads: per customer with an approved purchase on or before the as-of
-- date, the RFM summary in the BG/NBD convention (days as the time unit), the same summary
-- at the calibration date, and the purchase days and spend in the holdout window and in
-- the baseline window before it. One scan of the facts.
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

firsts as (

    select
        customer_id,
        min(purchase_date) as first_date,
        min(case when in_calibration then purchase_date end) as first_calibration_date

    from dated
    group by customer_id

),

summary as (

    select
        dated.customer_id,
        cast(count(*) - 1 as bigint) as frequency,
        cast({{ dbt.datediff('firsts.first_date', 'max(dated.purchase_date)', 'day') }} as double)
            as recency,
        cast({{ dbt.datediff('firsts.first_date', 'windows.as_of_date', 'day') }} as double)
            as t_days,
        {{ mean_or_zero('dated.purchase_date > firsts.first_date', 'dated.spend') }}
            as monetary_value,
        cast(sum(dated.spend) as double) as total_spend,
        cast(sum(case when dated.in_calibration then 1 else 0 end) - 1 as bigint)
            as cal_frequency,
        cast({{ dbt.datediff(
            'firsts.first_calibration_date',
            'max(case when dated.in_calibration then dated.purchase_date end)',
            'day'
        ) }} as double) as cal_recency,
        cast({{ dbt.datediff(
            'firsts.first_calibration_date', 'windows.calibration_last_date', 'day'
        ) }} as double) as cal_t_days,
        {{ mean_or_zero(
            'dated.in_calibration and dated.purchase_date > firsts.first_calibration_date',
            'dated.spend'
        ) }} as cal_monetary_value,
        cast(sum(case when dated.in_calibration then 0 else 1 end) as bigint)
            as holdout_transactions,
        cast(sum(case when dated.in_calibration then 0 else dated.spend end) as double)
            as holdout_spend,
        cast(sum(case when dated.in_baseline then 1 else 0 end) as bigint)
            as baseline_transactions,
        cast(sum(case when dated.in_baseline then dated.spend else 0 end) as double)
            as baseline_spend,
        windows.calibration_end_date,
        {{ holdout_days }} as holdout_days

    from dated
    inner join firsts on dated.customer_id = firsts.customer_id
    cross join windows
    group by
        dated.customer_id,
        firsts.first_date,
        firsts.first_calibration_date,
        windows.as_of_date,
        windows.calibration_end_date,
        windows.calibration_last_date

),

final as (

    select * from summary

)

select * from final
