-- The cutoff dates T the churn model is built around, every `ml_period_days` back from
-- the day after the as-of date, each with one role:
--   score        T = as-of + 1: features only, the outcome is still in the future;
--   test         the latest cutoff whose whole outcome window [T, T + 90d) has happened;
--   calibration  a cutoff whose outcome window ends before the test cutoff;
--   train        older cutoffs, stacked, whose outcome windows end before calibration's.
-- A cutoff is kept only when the longest feature window fits in the bronze history.
{%- set period = var('ml_period_days') | int %}
{%- set outcome_periods = var('ml_outcome_days') // period %}
{%- set test_k = outcome_periods %}
{%- set calibration_k = test_k + outcome_periods %}
{%- set first_train_k = calibration_k + outcome_periods %}
{%- set roles = [(0, 'score'), (test_k, 'test'), (calibration_k, 'calibration')] %}
{%- for k in range(first_train_k, first_train_k + var('ml_train_cutoffs') | int) %}
    {%- do roles.append((k, 'train')) %}
{%- endfor %}

with

as_of as (

    select * from {{ ref('build_as_of') }}

),

roles as (

    {% for k, role in roles %}
    select {{ k }} as cutoff_index, '{{ role }}' as cutoff_role
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

dated as (

    select
        cast(
            {{ dbt.dateadd('day', '1 - ' ~ period ~ ' * roles.cutoff_index', 'as_of.as_of_date') }}
        as date) as cutoff_date,
        roles.cutoff_index,
        roles.cutoff_role,
        as_of.history_start_date

    from roles
    cross join as_of

),

final as (

    select cutoff_date, cutoff_index, cutoff_role
    from dated
    where {{ dbt.dateadd('day', -var('ml_max_window_days'), 'cutoff_date') }}
        >= cast(history_start_date as timestamp)

)

select * from final
