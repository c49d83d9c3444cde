-- depends_on: {{ ref('stg_transactions') }}
-- The as-of date this build measured everything from: var('as_of_date'), else the
-- environment's C360_AS_OF_DATE (how the CLI passes the bronze manifest's, checked in
-- Python: a var that changes makes dbt parse the whole project again, an env var only
-- the files that read it), else the date of the latest usable transaction; and the first
-- day of transaction history in bronze. One row. macros/as_of.sql refuses anything but
-- a plain YYYY-MM-DD date.
{%- set as_of_var = as_of_date_setting() %}

with

{% if as_of_var %}

resolved as (

    select
        cast('{{ as_of_var }}' as date) as as_of_date,
        'var' as as_of_source

),

{% else %}

transactions as (

    select transaction_ts from {{ ref('stg_transactions') }}

),

resolved as (

    select
        cast(max(transaction_ts) as date) as as_of_date,
        'latest_transaction' as as_of_source

    from transactions

),

{% endif %}

-- read from bronze itself, not from the accounting built after the fact table, so that
-- everything measured from the as-of date can start as soon as the fact table is there
bronze_history as (

    select min(transaction_ts) as first_transaction_ts
    from {{ source('bronze', 'transactions') }}

),

final as (

    select
        resolved.as_of_date,
        cast({{ dbt.dateadd('day', 1, 'resolved.as_of_date') }} as timestamp) as as_of_end_ts,
        cast(bronze_history.first_transaction_ts as date) as history_start_date,
        resolved.as_of_source

    from resolved
    cross join bronze_history

)

select * from final
