-- The latest customer lifetime values written back by `c360 clv`: one row per customer.
with

source as (

    select * from {{ source('c360_ml', 'clv_predictions') }}

),

renamed as (

    select
        trim(customer_id) as customer_id,
        cast(clv_as_of as date) as clv_as_of,
        cast(fitted_at as timestamp) as fitted_at,
        cast(is_scored as boolean) as is_scored,
        cast(probability_alive as double) as probability_alive,
        cast(expected_transactions_12m as double) as expected_transactions_12m,
        cast(expected_spend_per_transaction as double) as expected_spend_per_transaction,
        cast(clv_12m as double) as clv_12m,
        cast(clv_12m_if_retained as double) as clv_12m_if_retained,
        not_scored_reason,
        model_id,
        cast(probability_alive_low as double) as probability_alive_low,
        cast(probability_alive_high as double) as probability_alive_high,
        cast(clv_12m_low as double) as clv_12m_low,
        cast(clv_12m_high as double) as clv_12m_high,
        cast(clv_interval_level as double) as clv_interval_level

    from source

),

final as (

    select * from renamed

)

select * from final
