-- RFM scores and segments, and the behavioural segment, per current customer.
--
-- RFM: recency = days since the last approved transaction, frequency = approved
-- transactions, monetary = approved spend (lifetime_value), all up to the as-of date.
-- Each is scored 1-5 by quintile among customers with at least one approved transaction
-- (5 = most recent / most frequent / highest spend; ties share a score):
-- score = ceil(5 * cume_dist()). Customers without one get no scores.
--
-- Behavioural segment: the first matching rule, thresholds in dbt_project.yml vars.
with

metrics as (

    select * from {{ ref('customer_spending_metrics') }}

),

active as (

    select
        customer_id,
        days_since_last_transaction as recency_days,
        transaction_count as frequency,
        lifetime_value as monetary

    from metrics
    where transaction_count > 0

),

scored as (

    select
        customer_id,
        cast(ceil(5 * cume_dist() over (order by recency_days desc)) as integer)
            as recency_score,
        cast(ceil(5 * cume_dist() over (order by frequency)) as integer) as frequency_score,
        cast(ceil(5 * cume_dist() over (order by monetary)) as integer) as monetary_score

    from active

),

segmented as (

    select
        metrics.customer_id,
        metrics.days_since_last_transaction as recency_days,
        metrics.transaction_count as frequency,
        metrics.lifetime_value as monetary,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        case
            when scored.customer_id is null then 'No Purchases'
            when scored.recency_score >= 4
                and scored.frequency_score >= 4
                and scored.monetary_score >= 4
                then 'Champions'
            when scored.recency_score >= 3 and scored.frequency_score >= 4
                then 'Loyal Customers'
            when scored.recency_score >= 4 and scored.frequency_score >= 2
                then 'Potential Loyalists'
            when scored.recency_score >= 4 then 'New Customers'
            when scored.recency_score = 3 then 'Need Attention'
            when scored.frequency_score >= 4 and scored.monetary_score >= 4
                then 'Cannot Lose Them'
            when scored.frequency_score >= 3 then 'At Risk'
            when scored.recency_score = 2 then 'Hibernating'
            else 'Lost'
        end as rfm_segment,
        case
            when metrics.avg_monthly_spend >= {{ var('segment_high_value_min_avg_monthly_spend') }}
                and metrics.travel_spend_pct >= {{ var('segment_high_value_min_travel_pct') }}
                then 'High-Value Travelers'
            when metrics.spend_change_pct <= {{ var('segment_declining_max_spend_change_pct') }}
                and metrics.spend_prior_90_days >= {{ var('segment_declining_min_prior_90d_spend') }}
                then 'Declining'
            when metrics.tenure_months <= {{ var('segment_new_growing_max_tenure_months') }}
                and (
                    metrics.spend_change_pct >= {{ var('segment_new_growing_min_spend_change_pct') }}
                    or (metrics.spend_prior_90_days = 0 and metrics.spend_last_90_days > 0)
                )
                then 'New & Growing'
            when metrics.avg_monthly_spend < {{ var('segment_budget_max_avg_monthly_spend') }}
                and metrics.necessity_spend_pct >= {{ var('segment_budget_min_necessity_pct') }}
                then 'Budget-Conscious'
            else 'Stable Mid-Spenders'
        end as behavioral_segment

    from metrics
    left join scored
        on metrics.customer_id = scored.customer_id

),

final as (

    select
        customer_id,
        cast(recency_days as integer) as recency_days,
        cast(frequency as bigint) as frequency,
        cast(monetary as decimal(18, 2)) as monetary,
        recency_score,
        frequency_score,
        monetary_score,
        {{ dbt.concat([
            dbt.safe_cast('recency_score', api.Column.translate_type('string')),
            dbt.safe_cast('frequency_score', api.Column.translate_type('string')),
            dbt.safe_cast('monetary_score', api.Column.translate_type('string'))
        ]) }} as rfm_score,
        rfm_segment,
        behavioral_segment

    from segmented

)

select * from final
