{#-
    Bronze location. The folder comes from var('bronze_path'), else env C360_BRONZE_PATH,
    else $C360_HOME/bronze; every dataset is <bronze_path>/<dataset>/*.parquet.
    DuckDB reads the files through the sources' `external_location` meta (built from
    the same var); engines without that feature register the folders as tables in the
    bronze schema before the run (on-run-start hook below).
-#}
{% macro bronze_path() -%}
    {#- keep identical to external_location in models/staging/_bronze__sources.yml -#}
    {{ return(var('bronze_path', env_var('C360_BRONZE_PATH', env_var('C360_HOME', '../data') ~ '/bronze'))) }}
{%- endmacro %}

{% macro bronze_location(dataset) -%}
    {{ bronze_path() }}/{{ dataset }}
{%- endmacro %}

{% macro register_bronze_sources() -%}
    {{ return(adapter.dispatch('register_bronze_sources', 'c360')()) }}
{%- endmacro %}

{#- DuckDB: nothing to do, the sources read Parquet directly. -#}
{% macro default__register_bronze_sources() -%}
    select 1 as bronze_sources_ready
{%- endmacro %}

{#- Spark: external Parquet tables over the bronze folders (not yet exercised in CI). -#}
{% macro spark__register_bronze_sources() -%}
    {%- if execute -%}
        {%- do run_query("create schema if not exists bronze") -%}
        {%- for node in graph.sources.values() if node.source_name == 'bronze' -%}
            {%- do run_query(
                "create table if not exists bronze." ~ node.identifier
                ~ " using parquet location '" ~ bronze_location(node.identifier) ~ "'"
            ) -%}
            {%- do run_query("refresh table bronze." ~ node.identifier) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as bronze_sources_ready
{%- endmacro %}
