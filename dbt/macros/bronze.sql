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

{#- Folder of the predictions file written by `c360 score` (source c360_ml). -#}
{% macro predictions_path() -%}
    {#- keep identical to external_location in models/staging/_bronze__sources.yml -#}
    {{ return(var('predictions_path', env_var('C360_PREDICTIONS_PATH', env_var('C360_HOME', '../data') ~ '/predictions'))) }}
{%- endmacro %}

{#-
    Where the Parquet files behind a source table are, for engines that register them:
    (folder, file name pattern), the same files DuckDB reads through external_location.
-#}
{% macro source_files(node) -%}
    {%- if node.source_name == 'bronze' -%}
        {{ return((bronze_location(node.identifier), '*.parquet')) }}
    {%- elif node.source_name == 'c360_ml' -%}
        {#- one file per model output, <identifier>.parquet, side by side in one folder -#}
        {{ return((predictions_path(), node.identifier ~ '.parquet')) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro register_bronze_sources() -%}
    {{ return(adapter.dispatch('register_bronze_sources', 'c360')()) }}
{%- endmacro %}

{#- DuckDB: nothing to do, the sources read Parquet directly (external_location). -#}
{% macro default__register_bronze_sources() -%}
    select 1 as bronze_sources_ready
{%- endmacro %}

{#-
    Spark: one external Parquet table per source table (bronze.<dataset>,
    c360_ml.<model output>) over the files DuckDB reads, dropped and created again on
    every run so that a moved folder or a changed file schema is picked up; dropping an
    external table leaves the files alone.
-#}
{% macro spark__register_bronze_sources() -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- set files = source_files(node) -%}
            {%- if files -%}
                {%- set table = node.schema ~ "." ~ node.identifier -%}
                {%- do run_query("create schema if not exists " ~ node.schema) -%}
                {%- do run_query("drop table if exists " ~ table) -%}
                {%- do run_query(
                    "create table " ~ table ~ " using parquet"
                    ~ " options (pathGlobFilter '" ~ files[1] ~ "')"
                    ~ " location '" ~ files[0] ~ "'"
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as bronze_sources_ready
{%- endmacro %}
