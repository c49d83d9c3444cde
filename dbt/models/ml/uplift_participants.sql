-- The uplift modelling table: one row per participant of each campaign in uplift_campaigns,
-- with the churn model's features at the campaign's feature cutoff (data from before the
-- assignment only), whether the customer was treated, and the outcome from
-- campaign_outcomes. Participants without features at that cutoff (accounts opened after
-- it) are left out.
with

campaigns as (

    select campaign_id, feature_cutoff_date from {{ ref('uplift_campaigns') }}

),

outcomes as (

    select campaign_id, customer_id, assignment_group, retained, spend_after
    from {{ ref('campaign_outcomes') }}

),

features as (

    select * from {{ ref('churn_features') }}

),

final as (

    select
        features.*,
        outcomes.assignment_group = 'treatment' as treated,
        outcomes.retained,
        outcomes.spend_after,
        outcomes.campaign_id

    from outcomes
    inner join campaigns on outcomes.campaign_id = campaigns.campaign_id
    inner join features
        on features.customer_id = outcomes.customer_id
        and features.cutoff_date = campaigns.feature_cutoff_date

)

select * from final
