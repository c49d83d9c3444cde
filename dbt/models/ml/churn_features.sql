-- Churn features per customer and cutoff date T, computed only from what was known
-- before T: transactions in the 180 days before T (whole 30-day periods), the customer
-- version valid just before T (and 90 / 180 days earlier), and campaign contacts before T.
-- One row per customer who had opened an account before T, for every cutoff in
-- churn_cutoffs. Eligibility for modelling and scoring is decided here too.
-- Each column is documented in _ml__models.yml.
{%- set period = var('ml_period_days') | int %}
{%- set max_window = var('ml_max_window_days') | int %}
{%- set window_periods = max_window // period %}
{#- sum over months t of (t - mean t)^2, the denominator of the spend slope -#}
{%- set ns = namespace(sxx=0) %}
{%- for t in range(window_periods) %}{% set ns.sxx = ns.sxx + (t - (window_periods - 1) / 2) ** 2 %}{% endfor %}

with

cutoffs as (

    select * from {{ ref('churn_cutoffs') }}

),

periods as (

    select * from {{ ref('int_churn_customer_periods') }}

),

versions as (

    select customer_id, valid_from, valid_to, card_type, state, employment_status,
        credit_limit
    from {{ ref('dim_customer') }}

),

customers as (

    select customer_id, account_open_date, age
    from {{ ref('dim_customer') }}
    where is_current

),

exposures as (

    select customer_id, contacted_at
    from {{ ref('stg_campaign_exposures') }}
    where assignment_group = 'treatment' and contacted_at is not null

),

customer_cutoffs as (

    select
        customers.customer_id,
        cutoffs.cutoff_date,
        cutoffs.cutoff_index,
        cast(cutoffs.cutoff_date as timestamp) as cutoff_ts,
        customers.age,
        {{ dbt.datediff('customers.account_open_date', 'cutoffs.cutoff_date', 'day') }}
            as tenure_days

    from customers
    cross join cutoffs
    where customers.account_open_date < cutoffs.cutoff_date

),

-- periods before T, relative_period 0 = the 30 days just before T
windowed as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        periods.period_index - customer_cutoffs.cutoff_index as relative_period,
        periods.spend,
        periods.approved_count,
        periods.declined_count,
        periods.max_amount,
        periods.active_days,
        periods.category_bits,
        periods.last_approved_date,
        periods.travel_spend,
        periods.necessity_spend,
        periods.discretionary_spend,
        periods.services_spend,
        periods.weekend_spend,
        periods.online_count,
        periods.mobile_count,
        periods.in_store_count

    from customer_cutoffs
    inner join periods
        on customer_cutoffs.customer_id = periods.customer_id
        and periods.period_index >= customer_cutoffs.cutoff_index
        and periods.period_index < customer_cutoffs.cutoff_index + {{ window_periods }}

),

activity as (

    select
        customer_id,
        cutoff_date,
        max(last_approved_date) as last_approved_date,
        sum(case when relative_period < 1 then approved_count else 0 end) as txn_count_30d,
        sum(case when relative_period < 3 then approved_count else 0 end) as txn_count_90d,
        sum(case when relative_period >= 3 then approved_count else 0 end) as txn_count_prev_90d,
        sum(approved_count) as txn_count_180d,
        sum(case when relative_period < 1 then spend else 0 end) as spend_30d,
        sum(case when relative_period < 3 then spend else 0 end) as spend_90d,
        sum(case when relative_period >= 3 then spend else 0 end) as spend_prev_90d,
        sum(spend) as spend_180d,
        sum(spend * spend) as spend_squares_180d,
        -- twice the trend moment, in exact decimal arithmetic (so every run gives the same bits)
        sum(({{ window_periods }} - 1 - 2 * relative_period) * spend) as spend_trend_moment_x2,
        max(case when relative_period < 3 then max_amount end) as max_txn_value_90d,
        sum(case when relative_period < 1 then active_days else 0 end) as active_days_30d,
        sum(case when relative_period < 3 then active_days else 0 end) as active_days_90d,
        count(case when approved_count > 0 then 1 end) as active_months_6m,
        sum(case when relative_period < 3 then declined_count else 0 end) as declined_count_90d,
        {{ bit_count(bit_or_agg('case when relative_period < 3 then category_bits else 0 end')) }}
            as distinct_categories_90d,
        sum(travel_spend) as travel_spend_180d,
        sum(necessity_spend) as necessity_spend_180d,
        sum(discretionary_spend) as discretionary_spend_180d,
        sum(services_spend) as services_spend_180d,
        sum(weekend_spend) as weekend_spend_180d,
        sum(case when relative_period < 3 then online_count else 0 end) as online_count_90d,
        sum(case when relative_period < 3 then mobile_count else 0 end) as mobile_count_90d,
        sum(case when relative_period < 3 then in_store_count else 0 end) as in_store_count_90d

    from windowed
    group by customer_id, cutoff_date

),

-- the customer version in force just before a moment: valid_from < moment <= valid_to
{%- for label, days_back in [('now', 0), ('90d', 90), ('180d', 180)] %}

version_{{ label }} as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        versions.card_type,
        versions.state,
        versions.employment_status,
        versions.credit_limit

    from customer_cutoffs
    inner join versions
        on customer_cutoffs.customer_id = versions.customer_id
        and versions.valid_from < {{ dbt.dateadd('day', -days_back, 'customer_cutoffs.cutoff_ts') }}
        and (
            versions.valid_to is null
            or versions.valid_to >= {{ dbt.dateadd('day', -days_back, 'customer_cutoffs.cutoff_ts') }}
        )

),
{%- endfor %}

version_changes as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        count(*) as attribute_changes_180d

    from customer_cutoffs
    inner join versions
        on customer_cutoffs.customer_id = versions.customer_id
        and versions.valid_from < customer_cutoffs.cutoff_ts
        and versions.valid_from >= {{ dbt.dateadd('day', -180, 'customer_cutoffs.cutoff_ts') }}
    group by customer_cutoffs.customer_id, customer_cutoffs.cutoff_date

),

contacts as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        max(exposures.contacted_at) as last_contacted_at

    from customer_cutoffs
    inner join exposures
        on customer_cutoffs.customer_id = exposures.customer_id
        and exposures.contacted_at < customer_cutoffs.cutoff_ts
    group by customer_cutoffs.customer_id, customer_cutoffs.cutoff_date

),

joined as (

    select
        customer_cutoffs.customer_id,
        customer_cutoffs.cutoff_date,
        customer_cutoffs.tenure_days,
        customer_cutoffs.age,
        coalesce(activity.txn_count_90d, 0) > 0 as has_recent_approved_txn,
        coalesce(
            {{ dbt.datediff('activity.last_approved_date', 'customer_cutoffs.cutoff_date', 'day') }},
            {{ max_window + 1 }}
        ) as days_since_last_txn,
        coalesce(activity.txn_count_30d, 0) as txn_count_30d,
        coalesce(activity.txn_count_90d, 0) as txn_count_90d,
        coalesce(activity.txn_count_prev_90d, 0) as txn_count_prev_90d,
        coalesce(activity.txn_count_180d, 0) as txn_count_180d,
        coalesce(activity.spend_30d, 0) as spend_30d,
        coalesce(activity.spend_90d, 0) as spend_90d,
        coalesce(activity.spend_prev_90d, 0) as spend_prev_90d,
        coalesce(activity.spend_180d, 0) as spend_180d,
        coalesce(activity.spend_squares_180d, 0) as spend_squares_180d,
        coalesce(activity.spend_trend_moment_x2, 0) as spend_trend_moment_x2,
        activity.max_txn_value_90d,
        coalesce(activity.active_days_30d, 0) as active_days_30d,
        coalesce(activity.active_days_90d, 0) as active_days_90d,
        coalesce(activity.active_months_6m, 0) as active_months_6m,
        coalesce(activity.declined_count_90d, 0) as declined_count_90d,
        coalesce(activity.travel_spend_180d, 0) as travel_spend_180d,
        coalesce(activity.necessity_spend_180d, 0) as necessity_spend_180d,
        coalesce(activity.discretionary_spend_180d, 0) as discretionary_spend_180d,
        coalesce(activity.services_spend_180d, 0) as services_spend_180d,
        coalesce(activity.weekend_spend_180d, 0) as weekend_spend_180d,
        coalesce(activity.online_count_90d, 0) as online_count_90d,
        coalesce(activity.mobile_count_90d, 0) as mobile_count_90d,
        coalesce(activity.in_store_count_90d, 0) as in_store_count_90d,
        coalesce(activity.distinct_categories_90d, 0) as distinct_categories_90d,
        version_now.card_type,
        version_now.state,
        version_now.employment_status,
        version_now.credit_limit,
        version_90d.credit_limit as credit_limit_90d_ago,
        version_180d.credit_limit as credit_limit_180d_ago,
        version_180d.card_type as card_type_180d_ago,
        version_180d.state as state_180d_ago,
        coalesce(version_changes.attribute_changes_180d, 0) as attribute_changes_180d,
        contacts.last_contacted_at,
        customer_cutoffs.cutoff_ts

    from customer_cutoffs
    left join activity
        on customer_cutoffs.customer_id = activity.customer_id
        and customer_cutoffs.cutoff_date = activity.cutoff_date
    left join version_now
        on customer_cutoffs.customer_id = version_now.customer_id
        and customer_cutoffs.cutoff_date = version_now.cutoff_date
    left join version_90d
        on customer_cutoffs.customer_id = version_90d.customer_id
        and customer_cutoffs.cutoff_date = version_90d.cutoff_date
    left join version_180d
        on customer_cutoffs.customer_id = version_180d.customer_id
        and customer_cutoffs.cutoff_date = version_180d.cutoff_date
    left join version_changes
        on customer_cutoffs.customer_id = version_changes.customer_id
        and customer_cutoffs.cutoff_date = version_changes.cutoff_date
    left join contacts
        on customer_cutoffs.customer_id = contacts.customer_id
        and customer_cutoffs.cutoff_date = contacts.cutoff_date

),

final as (

    select
        customer_id,
        cutoff_date,
        tenure_days >= {{ var('ml_min_tenure_days') }} and has_recent_approved_txn as is_eligible,
        case
            when tenure_days < {{ var('ml_min_tenure_days') }}
                then 'account open less than {{ var("ml_min_tenure_days") }} days'
            when not has_recent_approved_txn
                then 'no approved transaction in the 90 days before the cutoff'
        end as ineligible_reason,

        -- recency, frequency, monetary
        cast(days_since_last_txn as integer) as days_since_last_txn,
        cast(tenure_days as integer) as tenure_days,
        cast(txn_count_30d as integer) as txn_count_30d,
        cast(txn_count_90d as integer) as txn_count_90d,
        cast(txn_count_180d as integer) as txn_count_180d,
        cast(spend_30d as double) as spend_30d,
        cast(spend_90d as double) as spend_90d,
        cast(spend_180d as double) as spend_180d,
        cast(spend_90d as double) / nullif(txn_count_90d, 0) as avg_txn_value_90d,
        cast(spend_180d as double) / nullif(txn_count_180d, 0) as avg_txn_value_180d,
        cast(max_txn_value_90d as double) as max_txn_value_90d,
        cast(active_days_30d as integer) as active_days_30d,
        cast(active_days_90d as integer) as active_days_90d,
        cast(active_months_6m as integer) as active_months_6m,

        -- trends and momentum
        cast(spend_prev_90d as double) as spend_prev_90d,
        case
            when spend_prev_90d > 0
                then cast(100.0 * (spend_90d - spend_prev_90d) as double)
                    / cast(spend_prev_90d as double)
        end as spend_change_90d_pct,
        case
            when txn_count_prev_90d > 0
                then cast(100.0 * (txn_count_90d - txn_count_prev_90d) as double)
                    / txn_count_prev_90d
        end as txn_count_change_90d_pct,
        case
            when spend_90d > 0 then cast(3.0 * spend_30d as double) / cast(spend_90d as double)
        end as spend_30d_vs_90d_ratio,
        -- least-squares slope of monthly spend over the 6 months, per month, relative to
        -- the mean month (sum over months of (t - mean t) * spend / sum of (t - mean t)^2)
        case
            when spend_180d > 0
                then (cast(spend_trend_moment_x2 as double) / 2.0 / {{ ns.sxx }})
                    / (cast(spend_180d as double) / {{ window_periods }}.0)
        end as spend_slope_6m,
        case
            when spend_180d > 0
                then sqrt(
                    greatest(
                        cast(spend_squares_180d as double) / {{ window_periods }}.0
                        - (cast(spend_180d as double) / {{ window_periods }}.0)
                        * (cast(spend_180d as double) / {{ window_periods }}.0),
                        0
                    )
                ) / (cast(spend_180d as double) / {{ window_periods }}.0)
        end as monthly_spend_cv_6m,

        -- mix
        case when spend_180d > 0 then {{ ratio('travel_spend_180d', 'spend_180d') }} end
            as travel_share_180d,
        case when spend_180d > 0 then {{ ratio('necessity_spend_180d', 'spend_180d') }} end
            as necessity_share_180d,
        case when spend_180d > 0 then {{ ratio('discretionary_spend_180d', 'spend_180d') }} end
            as discretionary_share_180d,
        case when spend_180d > 0 then {{ ratio('services_spend_180d', 'spend_180d') }} end
            as services_share_180d,
        case when spend_180d > 0 then {{ ratio('weekend_spend_180d', 'spend_180d') }} end
            as weekend_share_180d,
        case when txn_count_90d > 0 then {{ ratio('online_count_90d', 'txn_count_90d') }} end
            as online_share_90d,
        case when txn_count_90d > 0 then {{ ratio('mobile_count_90d', 'txn_count_90d') }} end
            as mobile_share_90d,
        case when txn_count_90d > 0 then {{ ratio('in_store_count_90d', 'txn_count_90d') }} end
            as in_store_share_90d,
        cast(distinct_categories_90d as integer) as distinct_categories_90d,

        -- declines and credit
        cast(declined_count_90d as integer) as declined_count_90d,
        case
            when txn_count_90d + declined_count_90d > 0
                then {{ ratio('declined_count_90d', '(txn_count_90d + declined_count_90d)') }}
        end as declined_rate_90d,
        cast(credit_limit as integer) as credit_limit,
        case when credit_limit > 0 then {{ ratio('spend_30d', 'credit_limit') }} end
            as utilisation_30d,
        case when credit_limit > 0 then cast(spend_90d as double) / 3.0 / credit_limit end
            as utilisation_90d,

        -- who they are, and what changed (SCD2 versions before T)
        cast(age as integer) as age,
        card_type,
        state,
        employment_status,
        cast(coalesce(credit_limit < credit_limit_90d_ago, false) as integer)
            as had_limit_cut_90d,
        cast(credit_limit - coalesce(credit_limit_180d_ago, credit_limit) as integer)
            as limit_change_180d,
        cast(
            coalesce(card_type_180d_ago = 'Premium' and card_type = 'Standard', false)
        as integer) as had_downgrade_180d,
        cast(coalesce(state_180d_ago <> state, false) as integer) as moved_state_180d,
        cast(attribute_changes_180d as integer) as attribute_changes_180d,

        -- the past campaign, only if contacted before T
        cast(last_contacted_at is not null as integer) as campaign_contacted,
        {{ dbt.datediff('last_contacted_at', 'cutoff_ts', 'day') }} as days_since_campaign_contact

    from joined

)

select * from final
