{#- Small engine-specific helpers. Everything else uses dbt's cross-database macros. -#}

{#- Median of a numeric expression (nulls ignored), as an aggregate. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'c360')(expression)) }}
{%- endmacro %}

{#-
    True when a median over `relation` should be taken by sorting (a window) rather than by
    the median aggregate: only on DuckDB, whose median aggregate cannot spill to disk, and
    only when `relation` has more than `above_rows` rows (0 = always, for tests). Counting
    a DuckDB table's rows reads no data.
-#}
{% macro median_needs_sorting(relation, above_rows) -%}
    {%- if target.type != 'duckdb' or not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if (above_rows | int) <= 0 -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
    {%- if existing is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set rows = run_query("select count(*) from " ~ relation).columns[0].values()[0] -%}
    {{ return(rows > (above_rows | int)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}


{#- ISO day of week: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'c360')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro snowflake__iso_day_of_week(date_expression) -%}
    dayofweekiso({{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    ((dayofweek({{ date_expression }}) + 5) % 7 + 1)
{%- endmacro %}


{#- Integer yyyymmdd key of a date or timestamp, the grain of dim_date. -#}
{% macro date_key(date_expression) -%}
    cast(
        extract(year from {{ date_expression }}) * 10000
        + extract(month from {{ date_expression }}) * 100
        + extract(day from {{ date_expression }})
    as integer)
{%- endmacro %}


{#-
    Key for matching names case- and whitespace-insensitively: lower case with every
    whitespace character removed ('  GROCERY  Stores ' -> 'grocerystores').
    Apply it to the few distinct spellings, never row by row on large tables.
-#}
{% macro name_match_key(expression) -%}
    {{ return(adapter.dispatch('name_match_key', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__name_match_key(expression) -%}
    lower(regexp_replace({{ expression }}, '\\s+', ''))
{%- endmacro %}

{% macro duckdb__name_match_key(expression) -%}
    lower(regexp_replace({{ expression }}, '\s+', '', 'g'))
{%- endmacro %}


{#-
    Keys that occur more than once in `relation`, with how often:
    returns (key_column, delivered_rows). Used to find re-delivered transactions.
    DuckDB: one sort of the key column is ~3x faster than a 60M-group hash aggregate.
-#}
{% macro repeated_keys(relation, key_column) -%}
    {{ return(adapter.dispatch('repeated_keys', 'c360')(relation, key_column)) }}
{%- endmacro %}

{% macro default__repeated_keys(relation, key_column) -%}
    select {{ key_column }}, count(*) as delivered_rows
    from {{ relation }}
    where {{ key_column }} is not null
    group by {{ key_column }}
    having count(*) > 1
{%- endmacro %}

{% macro duckdb__repeated_keys(relation, key_column) -%}
    select {{ key_column }}, count(*) + 1 as delivered_rows
    from (
        select
            {{ key_column }},
            lead({{ key_column }}) over (order by {{ key_column }}) as next_key
        from {{ relation }}
        where {{ key_column }} is not null
    ) as ordered_keys
    where next_key = {{ key_column }}
    group by {{ key_column }}
{%- endmacro %}


{#-
    Bit sets: a set of up to 62 small integers packed into one bigint, so "how many
    distinct days / categories" can be answered by OR-ing sets instead of counting
    distinct values (which is slow on large groups).
-#}
{% macro bit_of(position) -%}
    {{ return(adapter.dispatch('bit_of', 'c360')(position)) }}
{%- endmacro %}

{% macro default__bit_of(position) -%}
    cast(power(2, {{ position }}) as bigint)
{%- endmacro %}

{% macro duckdb__bit_of(position) -%}
    (cast(1 as bigint) << cast({{ position }} as integer))
{%- endmacro %}

{% macro spark__bit_of(position) -%}
    shiftleft(cast(1 as bigint), cast({{ position }} as integer))
{%- endmacro %}

{% macro bit_or_agg(expression) -%}
    {{ return(adapter.dispatch('bit_or_agg', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__bit_or_agg(expression) -%}
    bit_or({{ expression }})
{%- endmacro %}

{% macro snowflake__bit_or_agg(expression) -%}
    bitor_agg({{ expression }})
{%- endmacro %}

{% macro bit_or(left, right) -%}
    {{ return(adapter.dispatch('bit_or', 'c360')(left, right)) }}
{%- endmacro %}

{% macro default__bit_or(left, right) -%}
    ({{ left }} | {{ right }})
{%- endmacro %}

{% macro snowflake__bit_or(left, right) -%}
    bitor({{ left }}, {{ right }})
{%- endmacro %}

{#- Number of set bits; engines without a popcount add the 62 bits up. -#}
{% macro bit_count(expression) -%}
    {{ return(adapter.dispatch('bit_count', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__bit_count(expression) -%}
    bit_count({{ expression }})
{%- endmacro %}

{% macro snowflake__bit_count(expression) -%}
    ({% for i in range(62) %}bitand(bitshiftright({{ expression }}, {{ i }}), 1){% if not loop.last %} + {% endif %}{% endfor %})
{%- endmacro %}


{#-
    numerator / denominator as a double, computed the same way on every engine: both sides
    become doubles first. (DuckDB divides decimals as doubles; Spark and Snowflake keep
    decimals and round to an engine-specific scale, so the same model gave other bits.)
    Callers guard against a zero denominator (engines differ there too: inf or null).
-#}
{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / cast({{ denominator }} as double)
{%- endmacro %}


{#-
    Special floating point values: NaN, and +/- infinity. (DuckDB, Spark and Snowflake
    all order NaN above every number, so a range check alone would let it through as
    "too large"; these name it.)
-#}
{% macro is_nan(expression) -%}
    {{ return(adapter.dispatch('is_nan', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__is_nan(expression) -%}
    ({{ expression }} = cast('NaN' as double))
{%- endmacro %}

{% macro duckdb__is_nan(expression) -%}
    isnan({{ expression }})
{%- endmacro %}

{% macro spark__is_nan(expression) -%}
    isnan({{ expression }})
{%- endmacro %}

{% macro is_infinite(expression) -%}
    {{ return(adapter.dispatch('is_infinite', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__is_infinite(expression) -%}
    ({{ expression }} in (cast('inf' as double), cast('-inf' as double)))
{%- endmacro %}

{% macro duckdb__is_infinite(expression) -%}
    isinf({{ expression }})
{%- endmacro %}

{% macro spark__is_infinite(expression) -%}
    ({{ expression }} in (cast('Infinity' as double), cast('-Infinity' as double)))
{%- endmacro %}


{#-
    Mean of a decimal `value` over the rows where `condition` holds, as a double, 0 when
    there are none: the exact decimal sum divided by the count, so every engine and every
    run gives the same double (a floating-point avg depends on the order it adds in).
-#}
{% macro mean_or_zero(condition, value) -%}
    coalesce(
        cast(sum(case when {{ condition }} then {{ value }} end) as double)
        / nullif(sum(case when {{ condition }} then 1 else 0 end), 0),
        0
    )
{%- endmacro %}
