-- Clean, deduplicated, usable transactions: one row per transaction_id.
-- Rows that cannot be used are in stg_transactions_quarantine instead.
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
        category_id,
        category_name,
        channel,
        status,
        loaded_at,
        delivered_rows

    from classified
    where quarantine_reason is null

)

select * from final
