{#-
    Overrides of dbt's own cross-database macros where an adapter's version does not give
    the same answer as on DuckDB and Snowflake. dbt_project.yml's `dispatch` searches
    this project before dbt for the `dbt` namespace, so models keep calling dbt.dateadd,
    dbt.datediff, ... and get these on the named adapter only. Define only
    <adapter>__ versions here, never default__ ones (that would change every engine).
-#}

{#-
    dbt-spark's dateadd goes through unix seconds and to_timestamp, which returns null
    when timestamps have no time zone (spark.sql.timestampType = TIMESTAMP_NTZ, as in the
    profile). timestampadd is exact; the result is a timestamp (no time zone), as
    DuckDB's date + interval is.
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    cast(timestampadd({{ datepart | upper }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }}) as timestamp)
{%- endmacro %}

{#-
    dbt-spark's month difference is months_between plus a correction, which is off by one
    between month ends (2024-01-31 -> 2024-02-29 gives 2). DuckDB and Snowflake count
    calendar boundaries crossed: days between the dates, months between the months, years
    between the years. Other parts fall back to dbt-spark's macro.
-#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart in ('month', 'quarter', 'year') -%}
        {%- set months = {'month': 1, 'quarter': 3, 'year': 12}[datepart] -%}
        {%- set second -%}
            (year({{ second_date }}) * 12 + month({{ second_date }}) - 1)
        {%- endset -%}
        {%- set first -%}
            (year({{ first_date }}) * 12 + month({{ first_date }}) - 1)
        {%- endset -%}
        {%- if months == 1 -%}
            ({{ second }} - {{ first }})
        {%- else -%}
            (floor({{ second }} / {{ months }}) - floor({{ first }} / {{ months }}))
        {%- endif -%}
    {%- else -%}
        {{ dbt.spark__datediff(first_date, second_date, datepart) }}
    {%- endif -%}
{%- endmacro %}
