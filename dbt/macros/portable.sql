{#- Small engine-specific helpers. Everything else uses dbt's cross-database macros. -#}

{#- Median of a numeric expression (nulls ignored), as an aggregate. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'c360')(expression)) }}
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
