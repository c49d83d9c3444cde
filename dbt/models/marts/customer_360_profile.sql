-- One row per current customer: who they are now, how they spend, their segments,
-- recency status and campaign eligibility, as of the build's as-of date.
-- Churn scores come from the latest `c360 score` run, customer lifetime value from
-- `c360 clv` and the retention uplift from `c360 uplift` (each null until it has run).
with

as_of as (

    select * from {{ ref('build_as_of') }}

),

customers as (

    select * from {{ ref('dim_customer') }}
    where is_current

),

metrics as (

    select * from {{ ref('customer_spending_metrics') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

predictions as (

    select * from {{ ref('stg_churn_predictions') }}

),

clv as (

    select * from {{ ref('stg_clv_predictions') }}

),

uplift as (

    select * from {{ ref('stg_uplift_predictions') }}

),

exposures as (

    select * from {{ ref('stg_campaign_exposures') }}

),

campaigns as (

    select campaign_id, campaign_name from {{ ref('stg_campaigns') }}

),

-- each customer's latest campaign assignment up to the as-of date
latest_exposure as (

    select
        exposures.customer_id,
        exposures.campaign_id,
        campaigns.campaign_name,
        exposures.assignment_group,
        exposures.assigned_date,
        exposures.contacted_at,
        row_number() over (
            partition by exposures.customer_id
            order by exposures.assigned_date desc, exposures.exposure_id desc
        ) as recency_rank

    from exposures
    inner join campaigns
        on exposures.campaign_id = campaigns.campaign_id
    cross join as_of
    where exposures.assigned_date <= as_of.as_of_date

),

joined as (

    select
        customers.customer_id,
        customers.customer_key,
        customers.first_name,
        customers.last_name,
        {{ dbt.concat(['customers.first_name', "' '", 'customers.last_name']) }} as full_name,
        customers.email,
        customers.age,
        customers.state,
        customers.city,
        customers.employment_status,
        customers.card_type,
        customers.credit_limit,
        customers.account_open_date,
        metrics.tenure_months,
        metrics.lifetime_value,
        metrics.transaction_count,
        metrics.declined_transaction_count,
        metrics.avg_transaction_value,
        metrics.median_transaction_value,
        metrics.stddev_transaction_value,
        metrics.first_transaction_at,
        metrics.last_transaction_at,
        metrics.days_since_last_transaction,
        metrics.spend_last_30_days,
        metrics.spend_last_90_days,
        metrics.spend_prior_90_days,
        metrics.spend_change_pct,
        metrics.avg_monthly_spend,
        metrics.travel_spend_pct,
        metrics.necessity_spend_pct,
        metrics.credit_utilization_pct,
        segments.recency_score,
        segments.frequency_score,
        segments.monetary_score,
        segments.rfm_score,
        segments.rfm_segment,
        segments.behavioral_segment,
        case
            when metrics.days_since_last_transaction is null then 'Never Active'
            when metrics.days_since_last_transaction <= {{ var('recency_active_max_days') }}
                then 'Active'
            when metrics.days_since_last_transaction <= {{ var('recency_cooling_max_days') }}
                then 'Cooling'
            when metrics.days_since_last_transaction <= {{ var('recency_at_risk_max_days') }}
                then 'At Risk'
            else 'Inactive'
        end as recency_status,
        latest_exposure.campaign_id as last_campaign_id,
        latest_exposure.campaign_name as last_campaign_name,
        latest_exposure.assignment_group as last_campaign_group,
        latest_exposure.contacted_at as last_contacted_at,
        customers.email is not null as is_contactable,
        coalesce(
            latest_exposure.contacted_at >= cast(
                {{ dbt.dateadd('day', -var('campaign_recontact_cooldown_days'), 'as_of.as_of_date') }}
            as timestamp),
            false
        ) as is_in_contact_cooldown,
        predictions.churn_probability,
        predictions.churn_risk_score,
        predictions.churn_risk_tier,
        predictions.churn_reasons,
        case
            when predictions.customer_id is null then 'no churn model has scored this customer yet'
            else predictions.not_scored_reason
        end as churn_not_scored_reason,
        predictions.scored_as_of as churn_scored_as_of,
        predictions.scored_at as churn_scored_at,
        predictions.model_id as churn_model_id,
        clv.clv_12m,
        clv.clv_12m_if_retained,
        clv.probability_alive,
        clv.expected_transactions_12m,
        clv.clv_12m_low,
        clv.clv_12m_high,
        clv.probability_alive_low,
        clv.probability_alive_high,
        clv.clv_interval_level,
        case
            when clv.customer_id is null then 'customer lifetime value not fitted yet'
            else clv.not_scored_reason
        end as clv_not_scored_reason,
        clv.clv_as_of,
        clv.model_id as clv_model_id,
        uplift.retention_uplift,
        uplift.model_id as uplift_model_id,
        as_of.as_of_date

    from customers
    cross join as_of
    inner join metrics
        on customers.customer_id = metrics.customer_id
    inner join segments
        on customers.customer_id = segments.customer_id
    left join latest_exposure
        on customers.customer_id = latest_exposure.customer_id
        and latest_exposure.recency_rank = 1
    left join predictions
        on customers.customer_id = predictions.customer_id
    left join clv
        on customers.customer_id = clv.customer_id
    left join uplift
        on customers.customer_id = uplift.customer_id

),

final as (

    select
        *,
        -- retention: slipping but not gone, reachable, not contacted recently
        is_contactable
        and not is_in_contact_cooldown
        and recency_status in ('Active', 'Cooling', 'At Risk')
        and (
            behavioral_segment = 'Declining'
            or rfm_segment in ('At Risk', 'Cannot Lose Them', 'Need Attention')
            or recency_status in ('Cooling', 'At Risk')
        ) as is_eligible_retention_offer,
        -- upgrade: active Standard card holders who already spend like Premium ones
        is_contactable
        and not is_in_contact_cooldown
        and recency_status = 'Active'
        and card_type = 'Standard'
        and avg_monthly_spend >= {{ var('campaign_premium_upgrade_min_avg_monthly_spend') }}
            as is_eligible_premium_upgrade,
        -- travel: active customers with a real travel habit
        is_contactable
        and not is_in_contact_cooldown
        and recency_status = 'Active'
        and coalesce(travel_spend_pct, 0) >= {{ var('campaign_travel_offer_min_travel_pct') }}
            as is_eligible_travel_offer

    from joined

)

select * from final
