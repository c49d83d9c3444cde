{#-
    Models land in exactly the schema their folder names (silver, intermediate, gold),
    not "<target schema>_<custom schema>": the app and the Python side query
    gold.customer_360_profile whatever the target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
