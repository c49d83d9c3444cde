-- Transactions delivered more than once: one row per transaction_id and distinct content,
-- with how many rows carried it. Exact re-deliveries have one version; an id delivered
-- with different content has several and is quarantined downstream.
with

repeated_ids as (

    {{ repeated_keys(source('bronze', 'transactions'), 'transaction_id') }}

),

source as (

    select * from {{ source('bronze', 'transactions') }}

),

repeated_rows as (

    select source.*
    from source
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
