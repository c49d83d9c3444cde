{#- Generic data tests written in the project (no dbt hub packages). -#}

{#-
    Every row satisfies a boolean SQL expression (like dbt_utils.expression_is_true).
    Returns the violating rows.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}


{#-
    Uniqueness of an integer key, cheap on very large tables.
    DuckDB: one streaming pass that sets a bit per key value (bitstring_agg) and compares
    the number of distinct bits with the number of non-null keys; no 60M-entry hash table.
    Other engines, or a key range too wide for a bitmap: the usual group-by test.
    Fails with one row (duplicate_keys = how many extra rows share a key) when keys repeat.
-#}
{% test unique_integer_key(model, column_name, max_bitmap_range=2000000000) %}
    {{ return(adapter.dispatch('test_unique_integer_key', 'c360')(model, column_name, max_bitmap_range)) }}
{% endtest %}

{% macro default__test_unique_integer_key(model, column_name, max_bitmap_range) %}
    select {{ column_name }}, count(*) as n_records
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}
    having count(*) > 1
{% endmacro %}

{% macro duckdb__test_unique_integer_key(model, column_name, max_bitmap_range) %}
    {%- set bounds = none -%}
    {%- if execute -%}
        {%- set bounds = run_query(
            "select min(" ~ column_name ~ "), max(" ~ column_name ~ ") from " ~ model
        ).rows[0] -%}
    {%- endif -%}
    {%- if bounds is none or bounds[0] is none -%}
        select 1 as duplicate_keys where false
    {%- elif (bounds[1] - bounds[0]) > max_bitmap_range -%}
        {{ default__test_unique_integer_key(model, column_name, max_bitmap_range) }}
    {%- else -%}
        select duplicate_keys
        from (
            select
                count({{ column_name }})
                - bit_count(bitstring_agg({{ column_name }}, {{ bounds[0] }}, {{ bounds[1] }}))
                    as duplicate_keys
            from {{ model }}
        ) as key_counts
        where duplicate_keys <> 0
    {%- endif -%}
{% endmacro %}


{#-
    The model has exactly `expected` rows (e.g. the 50 merchant categories, one-row
    audit tables). Fails with one row giving the actual count.
-#}
{% test expected_row_count(model, expected) %}
    select actual_rows
    from (select count(*) as actual_rows from {{ model }}) as counted
    where actual_rows <> {{ expected }}
{% endtest %}


{#-
    No two rows share the same values in all of `combination_of_columns` (like
    dbt_utils.unique_combination_of_columns). Returns each repeated combination.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_records
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
