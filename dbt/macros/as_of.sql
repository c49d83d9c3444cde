{#-
    The as-of date of this build, and of the build a refresh starts from, as 'YYYY-MM-DD'
    strings ('' when not set). The CLI parses the bronze manifest's as_of_date in Python,
    refuses one far from the data's own range, and passes it as C360_AS_OF_DATE; a refresh
    also passes the served build's as C360_PREVIOUS_AS_OF_DATE. Both are checked again
    here, so that nothing but a plain date ever reaches SQL (a value such as
    "2025-12-31'); drop table ..." stops the build at compile time).
-#}
{% macro _checked_date(value, name) -%}
    {%- set value = (value | string) | trim -%}
    {%- if value and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error(name ~ " must be a date like 2025-12-31, got '" ~ value[:40] ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- var('as_of_date'), else the environment's C360_AS_OF_DATE, else ''. -#}
{% macro as_of_date_setting() -%}
    {{ return(_checked_date(var('as_of_date', '') or env_var('C360_AS_OF_DATE', ''), 'as_of_date')) }}
{%- endmacro %}

{#- The as-of date of the build an incremental run starts from ('' when unknown or when
    that build had none). -#}
{% macro previous_as_of_date_setting() -%}
    {{ return(_checked_date(env_var('C360_PREVIOUS_AS_OF_DATE', ''), 'C360_PREVIOUS_AS_OF_DATE')) }}
{%- endmacro %}

{#- The first instant after the as-of date `day` ('YYYY-MM-DD'), as a SQL timestamp. -#}
{% macro as_of_end_ts(day) -%}
    cast({{ dbt.dateadd('day', 1, "cast('" ~ day ~ "' as date)") }} as timestamp)
{%- endmacro %}

{#-
    Where the rows whose "after the as-of date" classification a refresh may change start:
    the end of the earlier of this build's and the previous build's as-of date, as a SQL
    timestamp; none when neither is set. Every transaction at or after it is reloaded by a
    refresh (refresh_scope), so that rows quarantined as after an as-of date that has since
    moved forward become usable, and usable rows after an as-of date moved back are
    quarantined, exactly as a full build would place them.
-#}
{% macro as_of_window_start() -%}
    {%- set days = [] -%}
    {%- for day in [as_of_date_setting(), previous_as_of_date_setting()] if day -%}
        {%- do days.append(day) -%}
    {%- endfor -%}
    {%- if not days -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(as_of_end_ts(days | min)) }}
{%- endmacro %}
