{#-
    What an incremental run (`c360 refresh`) reloads from bronze transactions, shared by the
    incremental silver and gold tables so that they agree on it. Bronze only grows: rows
    arrive with a loaded_at, and nothing already delivered changes. A refresh must give the
    same tables as a full build, so beyond the rows loaded since the table's watermark it
    reloads every row whose classification or keys may have changed:
      - every delivery of a transaction_id re-delivered since (its duplicate versions, and
        whether it conflicts, depend on all of its deliveries);
      - every transaction of a customer whose customer row or attribute change arrived
        since (known customer, account opening date, SCD2 version may all have changed).
    Before loading, refresh_scope_delete() removes those rows from the table, so rows that
    leave it (e.g. quarantined rows of a customer who has now arrived) do not linger.
-#}

{#- The watermark as a SQL timestamp: the newest `column` already in this incremental table,
    minus `lookback_hours`; none on a full build or when the table holds no watermark. -#}
{% macro incremental_since(column, lookback_hours=0) -%}
    {%- if not (is_incremental() and execute) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set watermark = run_query("select max(" ~ column ~ ") from " ~ this).columns[0].values()[0] -%}
    {%- if watermark is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set watermark_sql = "cast('" ~ watermark ~ "' as timestamp)" -%}
    {{ return(dbt.dateadd('hour', -lookback_hours, watermark_sql) if lookback_hours else watermark_sql) }}
{%- endmacro %}


{% macro redelivered_since(since_sql) -%}
    select transaction_id from {{ ref('stg_transactions_duplicates') }}
    where last_loaded_at > {{ since_sql }}
{%- endmacro %}


{% macro customers_loaded_since(since_sql) -%}
    select customer_id from {{ ref('stg_customers') }}
    where loaded_at > {{ since_sql }}
    union
    select customer_id from {{ ref('stg_customer_changes') }}
    where loaded_at > {{ since_sql }}
{%- endmacro %}


{#- How many ids and customers the refresh must reload besides new rows: a branch that
    would select nothing is left out, so the usual refresh reads only the new rows. -#}
{% macro _refresh_scope_sizes(since_sql) -%}
    {%- set sizes = run_query(
        "select (select count(*) from (" ~ redelivered_since(since_sql) ~ ") as ids), "
        ~ "(select count(*) from (" ~ customers_loaded_since(since_sql) ~ ") as customers)"
    ) -%}
    {{ return({'redelivered': sizes.columns[0].values()[0], 'customers': sizes.columns[1].values()[0]}) }}
{%- endmacro %}


{#- The rows of `relation` (with transaction_id, customer_id, loaded_at) to load: all of
    them without a watermark, else the refresh scope above, in disjoint branches (each one
    can use its own filter; an OR of all three would read every row). -#}
{% macro refresh_scope(relation, since_sql) -%}
    {%- if since_sql is none or not execute %}
    select * from {{ relation }}
    {%- else %}
    {%- set sizes = _refresh_scope_sizes(since_sql) %}
    select * from {{ relation }}
    where loaded_at > {{ since_sql }}
    {%- if sizes.redelivered > 0 %}
    union all
    select * from {{ relation }}
    where transaction_id in ({{ redelivered_since(since_sql) }})
        and not coalesce(loaded_at > {{ since_sql }}, false)
    {%- endif %}
    {%- if sizes.customers > 0 %}
    union all
    select * from {{ relation }}
    where customer_id in ({{ customers_loaded_since(since_sql) }})
        and not coalesce(loaded_at > {{ since_sql }}, false)
        and (
            transaction_id is null
            or transaction_id not in ({{ redelivered_since(since_sql) }})
        )
    {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- pre_hook of the incremental tables: remove the rows refresh_scope() will reload
    (everything when the table holds no watermark). Nothing on a full build. -#}
{% macro refresh_scope_delete(column, lookback_hours=0) -%}
    {%- if is_incremental() and execute -%}
        {%- set since_sql = incremental_since(column, lookback_hours) -%}
        {%- if since_sql is none -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }}
            where transaction_id in ({{ redelivered_since(since_sql) }})
                or customer_id in ({{ customers_loaded_since(since_sql) }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
