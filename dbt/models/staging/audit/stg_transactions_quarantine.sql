-- depends_on: {{ ref('stg_customers') }}
-- depends_on: {{ ref('stg_customer_changes') }}
-- depends_on: {{ ref('stg_transactions_duplicates') }}
-- depends_on: {{ ref('stg_merchant_categories') }}
{#-
    Incremental (DuckDB, Snowflake): a refresh first deletes, then reclassifies, only the
    rows in macros/refresh_scope.sql's scope. On Spark (no delete) it is rebuilt in full.
-#}
{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ refresh_scope_delete('redelivered', 'loaded_at') }}",
            "{{ refresh_scope_delete('customers', 'loaded_at') }}",
            "{{ refresh_scope_delete('as_of', 'loaded_at') }}",
        ]
    )
}}
-- Deduplicated bronze transactions that cannot be used, each with the reason.
-- Nothing leaves silver silently: these rows are kept here for inspection.
with

classified as (

    {{ refresh_scope(ref('stg_transactions_classified'), incremental_since('loaded_at')) }}

),

final as (

    select
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
        amount_delivered,
        merchant_name,
        merchant_category_delivered,
        category_id,
        channel,
        status,
        loaded_at,
        delivered_rows,
        versions_delivered,
        quarantine_reason

    from classified
    where quarantine_reason is not null

)

select * from final
