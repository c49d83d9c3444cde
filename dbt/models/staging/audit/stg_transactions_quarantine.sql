-- Deduplicated bronze transactions that cannot be used, each with the reason.
-- Nothing leaves silver silently: these rows are kept here for inspection.
with

classified as (

    select * from {{ ref('stg_transactions_classified') }}

),

final as (

    select
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
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
