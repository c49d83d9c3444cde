-- Spending metrics per customer (every current customer, zeros when no spend),
-- measured up to and including the as-of date. Money is approved spend only.
{#-
    The median: DuckDB's median aggregate keeps every value of a group in memory and cannot
    spill, so above var('metrics_median_by_sorting_above_rows') transactions (about 150M
    fit DuckDB's 4 GB default; 600M do not) it is found by sorting only the middle of each
    customer's values: count the values per customer in log-spaced amount buckets, find the
    bucket(s) holding the middle rank(s), and rank only the rows in those buckets (a few %).
    A window sort of every row also worked but spilled tens of GB at 600M rows. Same exact
    value either way; the aggregate is faster at 60M rows.
-#}
{%- set median_by_sorting = median_needs_sorting(ref('fct_transactions'), var('metrics_median_by_sorting_above_rows')) %}

with

as_of as (

    select * from {{ ref('build_as_of') }}

),

cells as (

    select * from {{ ref('int_customer_activity_cells') }}

),

customers as (

    select customer_id, account_open_date, credit_limit
    from {{ ref('dim_customer') }}
    where is_current

),

-- sums, counts, first and last transactions and the recent windows, from the activity cells
-- (the last 30 days = recent window 0, the last 90 = windows 0-1, the 90 before = window 2)
spend as (

    select
        customer_id,
        sum(spend) as lifetime_value,
        sum(approved_count) as transaction_count,
        sum(declined_count) as declined_transaction_count,
        -- the mean (and the median below) in doubles: engines average and interpolate
        -- decimals differently
        {{ ratio('sum(spend)', 'nullif(sum(approved_count), 0)') }} as avg_transaction_value,
        min(first_approved_at) as first_transaction_at,
        max(last_approved_at) as last_transaction_at,
        sum(case when recent_window = 0 then spend else 0 end) as spend_last_30_days,
        sum(case when recent_window <= 1 then spend else 0 end) as spend_last_90_days,
        sum(case when recent_window = 2 then spend else 0 end) as spend_prior_90_days,
        sum(travel_spend) as travel_spend,
        sum(necessity_spend) as necessity_spend

    from cells
    group by customer_id

),

-- the spread of the approved amounts needs every value: the one pass over the transactions
amount_spread as (

    select
        transactions.customer_id,
        {% if median_by_sorting -%}
        cast(null as double)
        {%- else -%}
        {{ median('cast(transactions.amount as double)') }}
        {%- endif %} as median_transaction_value,
        stddev_samp(transactions.amount) as stddev_transaction_value

    from {{ ref('fct_transactions') }} as transactions
    cross join as_of
    where transactions.status = 'Approved'
        and transactions.transaction_ts < as_of.as_of_end_ts
    group by transactions.customer_id

),
{%- if median_by_sorting %}

-- each approved value with its bucket; buckets rise with the amount (log-spaced, 10 a
-- factor of e: one bucket spans about 10 % of the amount, so a customer has a few dozen
-- buckets and the middle one holds a few % of their values; 40 a factor of e made 4x the
-- bucket rows, and the model spilled about 15 GB at 600M transactions). Not materialized,
-- and read from the table, not a CTE: DuckDB writes out a CTE used twice, every row.
approved_amounts as not materialized (

    select
        transactions.customer_id,
        cast(transactions.amount as double) as amount,
        cast(floor(ln(greatest(cast(transactions.amount as double), 1.0)) * 10) as integer)
            as amount_bucket

    from {{ ref('fct_transactions') }} as transactions
    cross join as_of
    where transactions.status = 'Approved'
        and transactions.transaction_ts < as_of.as_of_end_ts

),

bucket_counts as (

    select
        customer_id,
        amount_bucket,
        count(*) as values_in_bucket

    from approved_amounts
    group by customer_id, amount_bucket

),

bucket_ranks as (

    select
        customer_id,
        amount_bucket,
        sum(values_in_bucket) over (
            partition by customer_id order by amount_bucket
            rows between unbounded preceding and current row
        ) - values_in_bucket as values_before_bucket,
        values_in_bucket,
        sum(values_in_bucket) over (partition by customer_id) as values_count

    from bucket_counts

),

-- per customer, the bucket(s) holding the middle rank(s) floor((n + 1) / 2) and
-- floor((n + 2) / 2): one row a customer, so that the engine builds its join on this side
-- (per bucket, DuckDB estimated this as large as the transactions and hashed those instead)
middle_buckets as (

    select
        customer_id,
        min(amount_bucket) as first_bucket,
        max(amount_bucket) as last_bucket,
        min(values_before_bucket) as values_before_first_bucket,
        min(cast(floor((values_count + 1) / 2.0) as bigint)) as lower_middle_rank,
        min(cast(floor((values_count + 2) / 2.0) as bigint)) as upper_middle_rank

    from bucket_ranks
    where values_before_bucket + values_in_bucket >= floor((values_count + 1) / 2.0)
        and values_before_bucket < floor((values_count + 2) / 2.0)
    group by customer_id

),

middle_values as (

    select
        approved_amounts.customer_id,
        approved_amounts.amount,
        middle_buckets.values_before_first_bucket + row_number() over (
            partition by approved_amounts.customer_id
            order by approved_amounts.amount
        ) as value_rank,
        middle_buckets.lower_middle_rank,
        middle_buckets.upper_middle_rank

    from approved_amounts
    inner join middle_buckets
        on approved_amounts.customer_id = middle_buckets.customer_id
        and approved_amounts.amount_bucket >= middle_buckets.first_bucket
        and approved_amounts.amount_bucket <= middle_buckets.last_bucket

),

-- the middle value, or the mean of the two middle values (as the median aggregate does)
medians as (

    select
        customer_id,
        avg(amount) as median_transaction_value

    from middle_values
    where value_rank in (lower_middle_rank, upper_middle_rank)
    group by customer_id

),
{%- endif %}

joined as (

    select
        customers.customer_id,
        customers.account_open_date,
        customers.credit_limit,
        as_of.as_of_date,
        {{ dbt.datediff('customers.account_open_date', 'as_of.as_of_date', 'month') }}
            as tenure_months,
        case
            when customers.account_open_date > as_of.history_start_date
                then customers.account_open_date
            else as_of.history_start_date
        end as observed_from,
        coalesce(spend.lifetime_value, 0) as lifetime_value,
        coalesce(spend.transaction_count, 0) as transaction_count,
        coalesce(spend.declined_transaction_count, 0) as declined_transaction_count,
        spend.avg_transaction_value,
        {{ 'medians' if median_by_sorting else 'amount_spread' }}.median_transaction_value,
        amount_spread.stddev_transaction_value,
        spend.first_transaction_at,
        spend.last_transaction_at,
        coalesce(spend.spend_last_30_days, 0) as spend_last_30_days,
        coalesce(spend.spend_last_90_days, 0) as spend_last_90_days,
        coalesce(spend.spend_prior_90_days, 0) as spend_prior_90_days,
        coalesce(spend.travel_spend, 0) as travel_spend,
        coalesce(spend.necessity_spend, 0) as necessity_spend

    from customers
    cross join as_of
    left join spend
        on customers.customer_id = spend.customer_id
    left join amount_spread
        on customers.customer_id = amount_spread.customer_id
    {%- if median_by_sorting %}
    left join medians
        on customers.customer_id = medians.customer_id
    {%- endif %}

),

final as (

    select
        customer_id,
        as_of_date,
        account_open_date,
        cast(tenure_months as integer) as tenure_months,
        cast(lifetime_value as decimal(18, 2)) as lifetime_value,
        cast(transaction_count as bigint) as transaction_count,
        cast(declined_transaction_count as bigint) as declined_transaction_count,
        cast(avg_transaction_value as double) as avg_transaction_value,
        cast(median_transaction_value as double) as median_transaction_value,
        -- rounded: a parallel standard deviation differs in the last bits from run to run
        cast(round(stddev_transaction_value, 6) as double) as stddev_transaction_value,
        first_transaction_at,
        last_transaction_at,
        cast(
            {{ dbt.datediff('cast(last_transaction_at as date)', 'as_of_date', 'day') }}
        as integer) as days_since_last_transaction,
        cast(spend_last_30_days as decimal(18, 2)) as spend_last_30_days,
        cast(spend_last_90_days as decimal(18, 2)) as spend_last_90_days,
        cast(spend_prior_90_days as decimal(18, 2)) as spend_prior_90_days,
        cast(
            case
                when spend_prior_90_days > 0
                    then {{ ratio('100.0 * (spend_last_90_days - spend_prior_90_days)', 'spend_prior_90_days') }}
            end
        as double) as spend_change_pct,
        cast(
            {{ dbt.datediff('observed_from', 'as_of_date', 'day') }} + 1
        as integer) as observed_days,
        cast(
            cast(lifetime_value as double)
            / case
                when cast({{ dbt.datediff('observed_from', 'as_of_date', 'day') }} + 1 as double)
                    / 30.4375 > 1
                    then cast({{ dbt.datediff('observed_from', 'as_of_date', 'day') }} + 1 as double)
                        / 30.4375
                else 1
            end
        as double) as avg_monthly_spend,
        cast(
            case when lifetime_value > 0 then {{ ratio('100.0 * travel_spend', 'lifetime_value') }} end
        as double) as travel_spend_pct,
        cast(
            case when lifetime_value > 0 then {{ ratio('100.0 * necessity_spend', 'lifetime_value') }} end
        as double) as necessity_spend_pct,
        credit_limit as current_credit_limit,
        cast(
            case when credit_limit > 0 then {{ ratio('100.0 * spend_last_30_days', 'credit_limit') }} end
        as double) as credit_utilization_pct

    from joined

)

select * from final
