{#-
    What an incremental run (`c360 refresh`) reloads from bronze transactions, shared by the
    incremental silver and gold tables so that they agree on it. Bronze only grows: rows
    arrive with a loaded_at, and nothing already delivered changes. A refresh must give the
    same tables as a full build, so beyond the rows loaded since the table's watermark it
    reloads every row whose classification or keys may have changed:
      - every delivery of a transaction_id re-delivered since (its duplicate versions, and
        whether it conflicts, depend on all of its deliveries);
      - every transaction of a customer whose customer row or attribute change arrived
        since (known customer, account opening date, SCD2 version may all have changed);
      - every transaction when merchant categories arrived since (any spelling may now
        match another category, or none);
      - every transaction at or after the end of the earlier of this build's and the
        previous build's as-of date (macros/as_of.sql): when the as-of date moves forward,
        rows quarantined as after_as_of_date may now be usable; when it moves back, usable
        rows become after_as_of_date. With an unchanged as-of date this is only the rows
        dated after it, which are few.
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


{#- Whether reference data (the merchant categories) arrived since: then everything is
    reloaded. Rare, so no finer scope. -#}
{% macro reference_data_since(since_sql) -%}
    {%- set query = "select count(*) from " ~ ref('stg_merchant_categories') ~ " where loaded_at > " ~ since_sql -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{%- endmacro %}


{% macro customers_loaded_since(since_sql) -%}
    select customer_id from {{ ref('stg_customers') }}
    where loaded_at > {{ since_sql }}
    union
    select customer_id from {{ ref('stg_customer_changes') }}
    where loaded_at > {{ since_sql }}
{%- endmacro %}


{#- The ids and customers the refresh must reload besides new rows, as SQL lists of
    literals: a branch that would select nothing is left out, and the engine can push a list
    of constants down to the Parquet scan and the table's zone maps, which it cannot do with
    a subquery (that cost a pass over every row, about 4 s at the default size). Above
    `inline_limit` keys, the subquery is used instead. -#}
{% macro _refresh_scope_keys(since_sql, inline_limit=10000) -%}
    {%- set keys = {} -%}
    {%- for name, query in [
        ('redelivered', redelivered_since(since_sql)),
        ('customers', customers_loaded_since(since_sql)),
    ] -%}
        {%- set values = run_query("select * from (" ~ query ~ ") as keys order by 1 limit " ~ (inline_limit + 1)).columns[0].values() -%}
        {%- if values | length == 0 -%}
            {%- do keys.update({name: none}) -%}
        {%- elif values | length > inline_limit -%}
            {%- do keys.update({name: query}) -%}
        {%- else -%}
            {%- set literals = [] -%}
            {%- for value in values if value is not none -%}
                {%- do literals.append(value if value is number else "'" ~ (value | replace("'", "''")) ~ "'") -%}
            {%- endfor -%}
            {%- do keys.update({name: literals | join(', ') if literals else none}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}


{#- The rows of `relation` (with transaction_id, customer_id, transaction_ts, loaded_at)
    to load: all of them without a watermark or after new reference data, else the refresh
    scope above, in disjoint branches (each one can use its own filter; an OR of all four
    would read every row). -#}
{% macro refresh_scope(relation, since_sql) -%}
    {%- if since_sql is none or not execute or reference_data_since(since_sql) %}
    select * from {{ relation }}
    {%- else %}
    {%- set keys = _refresh_scope_keys(since_sql) %}
    select * from {{ relation }}
    where loaded_at > {{ since_sql }}
    {%- if keys.redelivered %}
    union all
    select * from {{ relation }}
    where transaction_id in ({{ keys.redelivered }})
        and not coalesce(loaded_at > {{ since_sql }}, false)
    {%- endif %}
    {%- if keys.customers %}
    union all
    select * from {{ relation }}
    where customer_id in ({{ keys.customers }})
        and not coalesce(loaded_at > {{ since_sql }}, false)
        {%- if keys.redelivered %}
        and (transaction_id is null or transaction_id not in ({{ keys.redelivered }}))
        {%- endif %}
    {%- endif %}
    {%- set as_of_window = as_of_window_start() %}
    {%- if as_of_window %}
    union all
    select * from {{ relation }}
    where transaction_ts >= {{ as_of_window }}
        and not coalesce(loaded_at > {{ since_sql }}, false)
        {%- if keys.redelivered %}
        and (transaction_id is null or transaction_id not in ({{ keys.redelivered }}))
        {%- endif %}
        {%- if keys.customers %}
        and (customer_id is null or customer_id not in ({{ keys.customers }}))
        {%- endif %}
    {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- pre_hooks of the incremental tables, one per kind of key (`redelivered` transaction
    ids, `customers`, `as_of`: transaction times from as_of_window_start()), so that each
    delete skips row groups by its own zone maps: remove the rows refresh_scope() will
    reload; everything when the table holds no watermark or reference data arrived since.
    Nothing on a full build. The `as_of` one runs last: it changes no watermark the others
    read. -#}
{% macro refresh_scope_delete(keys_of, column, lookback_hours=0) -%}
    {%- if is_incremental() and execute -%}
        {%- set since_sql = incremental_since(column, lookback_hours) -%}
        {%- if since_sql is none or reference_data_since(since_sql) -%}
            {%- if keys_of == 'redelivered' -%}
            delete from {{ this }}
            {%- endif -%}
        {%- elif keys_of == 'as_of' -%}
            {%- set as_of_window = as_of_window_start() -%}
            {%- if as_of_window -%}
            delete from {{ this }}
            where transaction_ts >= {{ as_of_window }}
            {%- endif -%}
        {%- else -%}
            {%- set keys = _refresh_scope_keys(since_sql)[keys_of] -%}
            {%- if keys -%}
            delete from {{ this }}
            where {{ 'transaction_id' if keys_of == 'redelivered' else 'customer_id' }} in ({{ keys }})
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
