-- Every distinct transaction delivered to bronze, cleaned and typed, with the reason it
-- cannot be used (null when it can). stg_transactions and stg_transactions_quarantine
-- split this view, so the two always add up to the deduplicated bronze rows.
-- A view, like the other staging models: fct_transactions (through stg_transactions),
-- the quarantine and the accounting each run it once. Storing its 60M rows as a table
-- cost more (about 15 s to write at the default size) than those passes; and a refresh
-- then classifies only newly loaded rows, which the loaded_at filter reaches in bronze.
--
-- Amounts: bronze delivers a double. A NaN, an infinity, a negative amount or one above
-- var('max_transaction_amount') is quarantined with its own reason (c360 has no refunds:
-- the contract's statuses are Approved and Declined, and spend is a sum of approved
-- amounts, so a negative amount is an error, not a refund). `amount` is the decimal(18,2)
-- value, null when it cannot be one (missing, NaN, infinite, above the maximum);
-- `amount_delivered` keeps the double as delivered, for inspection.
-- Time: with an as-of date set (the CLI always sets one), a transaction after the as-of
-- date is quarantined: it has not happened yet as far as this build is concerned.
{%- set as_of = as_of_date_setting() %}
{%- set max_amount = var('max_transaction_amount') | float %}
{%- if not 0 < max_amount < 1e16 %}
    {{ exceptions.raise_compiler_error("max_transaction_amount must be above 0 and below 1e16 (decimal(18,2)), got " ~ max_amount) }}
{%- endif %}

with

source as (

    select * from {{ source('bronze', 'transactions') }}

),

duplicates as (

    select * from {{ ref('stg_transactions_duplicates') }}

),

customer_spellings as (

    select * from {{ ref('stg_transactions_customer_spellings') }}

),

category_spellings as (

    select * from {{ ref('stg_transactions_category_spellings') }}

),

repeated_ids as (

    select distinct transaction_id from duplicates

),

-- rows whose transaction_id arrived once pass through untouched
single_deliveries as (

    select
        source.transaction_id,
        source.customer_id,
        source.transaction_ts,
        source.amount,
        source.merchant_name,
        source.merchant_category,
        source.channel,
        source.status,
        source.loaded_at,
        1 as delivered_rows,
        1 as versions_delivered

    from source
    left join repeated_ids
        on source.transaction_id = repeated_ids.transaction_id
    where repeated_ids.transaction_id is null

),

-- re-delivered ids keep one row per distinct content, loaded when it first arrived
repeated_deliveries as (

    select
        transaction_id,
        customer_id,
        transaction_ts,
        amount,
        merchant_name,
        merchant_category,
        channel,
        status,
        first_loaded_at as loaded_at,
        delivered_rows,
        versions_delivered

    from duplicates

),

deliveries as (

    select * from single_deliveries
    union all
    select * from repeated_deliveries

),

cleaned as (

    select
        cast(deliveries.transaction_id as bigint) as transaction_id,
        customer_spellings.customer_id,
        cast(deliveries.transaction_ts as timestamp) as transaction_ts,
        case
            when not {{ is_nan('deliveries.amount') }}
                and not {{ is_infinite('deliveries.amount') }}
                and abs(deliveries.amount) <= {{ max_amount }}
                then cast(deliveries.amount as decimal(18, 2))
        end as amount,
        cast(deliveries.amount as double) as amount_delivered,
        nullif(trim(deliveries.merchant_name), '') as merchant_name,
        deliveries.merchant_category as merchant_category_delivered,
        category_spellings.category_id,
        category_spellings.category_name,
        nullif(trim(deliveries.channel), '') as channel,
        trim(deliveries.status) as status,
        cast(deliveries.loaded_at as timestamp) as loaded_at,
        cast(deliveries.delivered_rows as bigint) as delivered_rows,
        cast(deliveries.versions_delivered as integer) as versions_delivered,
        coalesce(customer_spellings.is_known_customer, false) as is_known_customer,
        customer_spellings.account_open_date

    from deliveries
    left join category_spellings
        on deliveries.merchant_category = category_spellings.merchant_category_delivered
    left join customer_spellings
        on deliveries.customer_id = customer_spellings.customer_id_delivered

),

final as (

    select
        *,
        case
            when transaction_id is null then 'missing_transaction_id'
            when versions_delivered > 1 then 'conflicting_versions'
            when transaction_ts is null then 'missing_transaction_ts'
            {%- if as_of %}
            when transaction_ts >= {{ as_of_end_ts(as_of) }} then 'after_as_of_date'
            {%- endif %}
            when amount_delivered is null then 'missing_amount'
            when {{ is_nan('amount_delivered') }} then 'nan_amount'
            when {{ is_infinite('amount_delivered') }} then 'infinite_amount'
            when amount_delivered < 0 then 'negative_amount'
            when amount_delivered > {{ max_amount }} then 'absurd_amount'
            when customer_id is null then 'missing_customer_id'
            when not is_known_customer then 'unknown_customer'
            when transaction_ts < cast(account_open_date as timestamp)
                then 'before_account_opening'
            when category_id is null then 'unknown_category'
            when status is null or status not in ('Approved', 'Declined')
                then 'invalid_status'
        end as quarantine_reason

    from cleaned

)

select * from final
