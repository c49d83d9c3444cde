{#-
    Incremental (DuckDB, Snowflake): a refresh re-counts, over all of bronze, only the ids
    delivered since the newest delivery already here, and replaces their rows. On Spark's
    plain Parquet tables (no delete) it is rebuilt in full, with the same rows.
-#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        unique_key='transaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Transactions delivered more than once: one row per transaction_id and distinct content,
-- with how many rows carried it. Exact re-deliveries have one version; an id delivered
-- with different content has several and is quarantined downstream.
{%- set since_sql = incremental_since('last_loaded_at') %}

with

source as (

    select * from {{ source('bronze', 'transactions') }}

),
{%- if since_sql is not none %}

-- (bronze read directly: DuckDB would write out a CTE used twice, every row of it)
ids_delivered_since as (

    select distinct transaction_id from {{ source('bronze', 'transactions') }}
    where loaded_at > {{ since_sql }}

),

-- every delivery, old or new, of an id delivered since
deliveries_to_count as (

    select source.*
    from {{ source('bronze', 'transactions') }} as source
    inner join ids_delivered_since
        on source.transaction_id = ids_delivered_since.transaction_id

),
{%- endif %}

repeated_ids as (

    {{ repeated_keys('deliveries_to_count' if since_sql is not none else source('bronze', 'transactions'), 'transaction_id') }}

),

repeated_rows as (

    select source.*
    from {{ 'deliveries_to_count' if since_sql is not none else 'source' }} as source
    inner join repeated_ids
        on source.transaction_id = repeated_ids.transaction_id

),

versions as (

    select
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
        merchant_name,
        merchant_category,
        channel,
        status,
        count(*) as delivered_rows,
        min(loaded_at) as first_loaded_at,
        max(loaded_at) as last_loaded_at

    from repeated_rows
    group by
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
        merchant_name,
        merchant_category,
        channel,
        status

),

final as (

    select
        *,
        count(*) over (partition by transaction_id) as versions_delivered

    from versions

)

select * from final
