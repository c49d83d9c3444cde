{#-
    A deterministic surrogate key from one or more columns (hub-free stand-in for
    dbt_utils.generate_surrogate_key): md5 over the '-'-joined text of each field,
    with nulls replaced by a marker so (null, 'a') and ('a', null) differ.
    Deterministic keys keep incremental runs identical to full refreshes.
-#}
{% macro surrogate_key(field_list) -%}
    {%- set parts = [] -%}
    {%- for field in field_list -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.safe_cast(field, api.Column.translate_type('string')) ~ ", '_c360_null_')"
        ) -%}
        {%- if not loop.last -%}{%- do parts.append("'-'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
