-- What a campaign participant's outcome is, in one place: the Campaign Performance page
-- and the uplift model measure the same thing. One row per campaign and participant:
--   window_end          assignment + campaign_outcome_window_days, cut at the day after
--                       the as-of date (exclusive);
--   spend_after         approved spend in [assigned_date, window_end);
--   recent_transactions approved transactions in the window's last
--                       campaign_outcome_active_days days;
--   retained            recent_transactions > 0.
{%- set window_days = var('campaign_outcome_window_days') | int %}
{%- set active_days = var('campaign_outcome_active_days') | int %}

with

as_of as (

    select as_of_date from {{ ref('build_as_of') }}

),

exposures as (

    select campaign_id, customer_id, assignment_group, assigned_date
    from {{ ref('stg_campaign_exposures') }}

),

transactions as (

    select customer_id, transaction_ts, amount
    from {{ ref('fct_transactions') }}
    where status = 'Approved'

),

assigned as (

    select
        exposures.campaign_id,
        exposures.customer_id,
        exposures.assignment_group,
        exposures.assigned_date,
        least(
            cast({{ dbt.dateadd('day', window_days, 'exposures.assigned_date') }} as date),
            cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
        ) as window_end

    from exposures
    cross join as_of

),

outcome as (

    select
        assigned.campaign_id,
        assigned.customer_id,
        cast(sum(transactions.amount) as double) as spend_after,
        cast(sum(
            case
                when transactions.transaction_ts >= cast(
                    {{ dbt.dateadd('day', -active_days, 'assigned.window_end') }} as timestamp
                )
                    then 1
                else 0
            end
        ) as bigint) as recent_transactions

    from assigned
    inner join transactions
        on transactions.customer_id = assigned.customer_id
        and transactions.transaction_ts >= cast(assigned.assigned_date as timestamp)
        and transactions.transaction_ts < cast(assigned.window_end as timestamp)
    group by assigned.campaign_id, assigned.customer_id

),

final as (

    select
        assigned.campaign_id,
        assigned.customer_id,
        assigned.assignment_group,
        assigned.assigned_date,
        assigned.window_end,
        cast(coalesce(outcome.spend_after, 0) as double) as spend_after,
        cast(coalesce(outcome.recent_transactions, 0) as bigint) as recent_transactions,
        coalesce(outcome.recent_transactions, 0) > 0 as retained

    from assigned
    left join outcome
        on assigned.campaign_id = outcome.campaign_id
        and assigned.customer_id = outcome.customer_id

)

select * from final
