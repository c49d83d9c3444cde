-- The churn label of every eligible customer at every cutoff T whose outcome window has
-- fully happened (all roles but `score`). Measured only from approved transactions in the
-- outcome window [T, T + 90d), the seed's rule:
--   churned = no approved transaction in [T + 30d, T + 90d)      (60+ days inactive)
--          or monthly spend in [T, T + 90d) < 30 % of the baseline,
--   baseline = approved spend in [T - 180d, T) / 6.
{%- set period = var('ml_period_days') | int %}
{%- set outcome_periods = var('ml_outcome_days') // period %}
{%- set baseline_periods = var('ml_max_window_days') // period %}

with

cutoffs as (

    select * from {{ ref('churn_cutoffs') }}
    where cutoff_role <> 'score'

),

features as (

    select customer_id, cutoff_date
    from {{ ref('churn_features') }}
    where is_eligible

),

periods as (

    select customer_id, period_index, spend, approved_count
    from {{ ref('int_churn_customer_periods') }}

),

customer_cutoffs as (

    select features.customer_id, features.cutoff_date, cutoffs.cutoff_index
    from features
    inner join cutoffs
        on features.cutoff_date = cutoffs.cutoff_date

),

-- relative_period -1 = the 30 days from T, -2 the next 30, ...; 0.. = before T
windowed as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        periods.period_index - customer_cutoffs.cutoff_index as relative_period,
        periods.spend,
        periods.approved_count

    from customer_cutoffs
    inner join periods
        on customer_cutoffs.customer_id = periods.customer_id
        and periods.period_index >= customer_cutoffs.cutoff_index - {{ outcome_periods }}
        and periods.period_index < customer_cutoffs.cutoff_index + {{ baseline_periods }}

),

outcomes as (

    select
        customer_id,
        cutoff_date,
        cast(sum(case when relative_period >= 0 then spend else 0 end) as double)
            / {{ baseline_periods }}.0
            as baseline_monthly_spend,
        cast(sum(case when relative_period < 0 then spend else 0 end) as double)
            / {{ outcome_periods }}.0
            as outcome_monthly_spend,
        sum(case when relative_period < -1 then approved_count else 0 end)
            as late_outcome_txn_count

    from windowed
    group by customer_id, cutoff_date

),

final as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        cast(coalesce(outcomes.baseline_monthly_spend, 0) as double) as baseline_monthly_spend,
        cast(coalesce(outcomes.outcome_monthly_spend, 0) as double) as outcome_monthly_spend,
        cast(coalesce(outcomes.late_outcome_txn_count, 0) as integer) as late_outcome_txn_count,
        case
            when coalesce(outcomes.late_outcome_txn_count, 0) = 0 then 'inactive 60+ days'
            when outcomes.outcome_monthly_spend
                < {{ var('ml_churn_spend_ratio') }} * outcomes.baseline_monthly_spend
                then 'spend below {{ (var("ml_churn_spend_ratio") * 100) | int }}% of baseline'
        end as churn_rule,
        cast(
            coalesce(outcomes.late_outcome_txn_count, 0) = 0
            or outcomes.outcome_monthly_spend
                < {{ var('ml_churn_spend_ratio') }} * outcomes.baseline_monthly_spend
        as integer) as churned

    from customer_cutoffs
    left join outcomes
        on customer_cutoffs.customer_id = outcomes.customer_id
        and customer_cutoffs.cutoff_date = outcomes.cutoff_date

)

select * from final
