-- Customer dimension, SCD Type 2: one row per customer version with a surrogate key.
-- Convention: valid_from inclusive, valid_to exclusive, valid_to null for the current version.
with

versions as (

    select * from {{ ref('int_customer_versions') }}

),

final as (

    select
        {{ surrogate_key(['customer_id', 'valid_from']) }} as customer_key,
        customer_id,
        -- bigint on every engine (row_number() is int on Spark)
        cast(version_number as bigint) as version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        first_name,
        last_name,
        email,
        age,
        state,
        city,
        employment_status,
        card_type,
        credit_limit,
        account_open_date

    from versions

)

select * from final
