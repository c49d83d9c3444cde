-- depends_on: {{ ref('stg_customers') }}
-- depends_on: {{ ref('stg_customer_changes') }}
-- depends_on: {{ ref('stg_transactions_duplicates') }}
-- depends_on: {{ ref('stg_merchant_categories') }}
{#-
    Spark's plain Parquet tables cannot delete rows, so there is no upsert on transaction_id
    (dbt-spark's merge needs Delta, Iceberg or Hudi): on Spark the table is rebuilt in full
    on every run, which gives the same rows an incremental run would.
    On DuckDB the table is checkpointed after writing, so that later scans do not pay for
    deletes still in the write-ahead log. FORCE: a plain CHECKPOINT fails while another
    model writes in parallel; forced, it waits for the checkpoint lock (DuckDB 1.4+).
-#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        unique_key='transaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=[
            "{{ refresh_scope_delete('redelivered', 'loaded_at', var('fct_transactions_lookback_hours', 0) | int) }}",
            "{{ refresh_scope_delete('customers', 'loaded_at', var('fct_transactions_lookback_hours', 0) | int) }}",
            "{{ refresh_scope_delete('as_of', 'loaded_at', var('fct_transactions_lookback_hours', 0) | int) }}",
        ],
        post_hook=({'sql': 'force checkpoint', 'transaction': false} if target.type == 'duckdb' else [])
    )
}}
-- One row per unique usable transaction, with the customer version valid when it
-- happened (point in time), its category and date keys.
--
-- Incremental runs load the silver rows loaded after the newest loaded_at already here,
-- plus, first deleting them here, every transaction re-delivered since and every
-- transaction of customers whose bronze customer row or attribute changes arrived since,
-- and every transaction at or after the end of the earlier of this and the previous
-- build's as-of date (macros/refresh_scope.sql). An incremental run so gives the same table as a full
-- refresh of the same bronze.
{%- set since_sql = incremental_since('loaded_at', var('fct_transactions_lookback_hours', 0) | int) %}

with

transactions_to_load as (

    {{ refresh_scope(ref('stg_transactions'), since_sql) }}

),

customer_versions as (

    select customer_key, customer_id, valid_from, valid_to
    from {{ ref('dim_customer') }}

),

categories as (

    select category_key, category_id from {{ ref('dim_merchant_category') }}

),

final as (

    select
        transactions_to_load.transaction_id,
        customer_versions.customer_key,
        transactions_to_load.customer_id,
        categories.category_key,
        {{ date_key('transactions_to_load.transaction_ts') }} as date_key,
        transactions_to_load.transaction_ts,
        transactions_to_load.amount,
        transactions_to_load.merchant_name,
        transactions_to_load.channel,
        transactions_to_load.status,
        transactions_to_load.loaded_at

    from transactions_to_load
    left join customer_versions
        on transactions_to_load.customer_id = customer_versions.customer_id
        and transactions_to_load.transaction_ts >= customer_versions.valid_from
        and (
            transactions_to_load.transaction_ts < customer_versions.valid_to
            or customer_versions.valid_to is null
        )
    left join categories
        on transactions_to_load.category_id = categories.category_id

)

select * from final
{#-
    var('fct_transactions_cluster_by_customer'): store the rows sorted by customer, so that a
    one-customer lookup (the app's Customer 360) reads one or two row groups whatever order
    bronze arrived in. Off by default: the sort costs about 26 s at the default size, and
    bronze history that arrives in customer blocks (as the generator's does) is already
    clustered, so lookups take a few ms without it (docs/benchmarks.md).
-#}
{%- if target.type == 'duckdb' and var('fct_transactions_cluster_by_customer', false) %}
order by customer_id, transaction_ts
{%- endif %}
