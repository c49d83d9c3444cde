-- The campaigns an uplift model can learn from: randomised, with both a treatment and a
-- control group. Each with its first assignment date and the churn cutoff whose features
-- describe its participants (the latest one on or before that date, so the features use
-- only data from before assignment; null when the history before the campaign is too short).
with

campaigns as (

    select campaign_id, cost_per_customer from {{ ref('stg_campaigns') }}

),

exposures as (

    select campaign_id, assignment_group, assigned_date
    from {{ ref('stg_campaign_exposures') }}

),

cutoffs as (

    select cutoff_date from {{ ref('churn_cutoffs') }}

),

arms as (

    select
        campaigns.campaign_id,
        min(exposures.assigned_date) as assigned_date,
        cast(max(campaigns.cost_per_customer) as double) as cost_per_customer,
        cast(sum(case when exposures.assignment_group = 'treatment' then 1 else 0 end)
            as bigint) as treated_customers,
        cast(sum(case when exposures.assignment_group = 'control' then 1 else 0 end)
            as bigint) as control_customers

    from campaigns
    inner join exposures on campaigns.campaign_id = exposures.campaign_id
    group by campaigns.campaign_id

),

final as (

    select
        arms.campaign_id,
        arms.assigned_date,
        arms.cost_per_customer,
        arms.treated_customers,
        arms.control_customers,
        max(cutoffs.cutoff_date) as feature_cutoff_date

    from arms
    left join cutoffs on cutoffs.cutoff_date <= arms.assigned_date
    where arms.treated_customers > 0 and arms.control_customers > 0
    group by
        arms.campaign_id,
        arms.assigned_date,
        arms.cost_per_customer,
        arms.treated_customers,
        arms.control_customers

)

select * from final
