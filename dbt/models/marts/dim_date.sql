-- depends_on: {{ ref('stg_customers') }}
-- depends_on: {{ ref('stg_transactions_accounting') }}
-- depends_on: {{ ref('build_as_of') }}
-- One row per calendar day, from 1 January of the year of the earliest account opening
-- or transaction to 31 December of the as-of year. Bounds are read from the data when
-- the model runs; date_key is yyyymmdd.
{%- set start_date, end_date = '2000-01-01', '2001-01-01' -%}
{%- if execute -%}
    {%- set bounds = run_query(
        "select min(first_day), max(last_day) from ("
        ~ " select min(account_open_date) as first_day, null as last_day from " ~ ref('stg_customers')
        ~ " union all select cast(first_transaction_ts as date), cast(last_transaction_ts as date)"
        ~ " from " ~ ref('stg_transactions_accounting')
        ~ " union all select null, as_of_date from " ~ ref('build_as_of')
        ~ ") as bounds"
    ).rows[0] -%}
    {%- if bounds[0] is not none and bounds[1] is not none -%}
        {%- set start_date = bounds[0].year ~ '-01-01' -%}
        {%- set end_date = (bounds[1].year + 1) ~ '-01-01' -%}
    {%- endif -%}
{%- endif %}

with

days as (

    {#- date_spine stops before its end date, so end_date is 1 January of the next year -#}
    {{ dbt.date_spine(
        'day',
        "cast('" ~ start_date ~ "' as date)",
        "cast('" ~ end_date ~ "' as date)"
    ) }}

),

final as (

    select
        {{ date_key('date_day') }} as date_key,
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast({{ iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date

    from days

)

select * from final
