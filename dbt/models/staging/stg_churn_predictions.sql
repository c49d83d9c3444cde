-- The latest churn scores written back by `c360 score`: one row per customer.
with

source as (

    select * from {{ source('c360_ml', 'churn_predictions') }}

),

renamed as (

    select
        trim(customer_id) as customer_id,
        cast(scored_as_of as date) as scored_as_of,
        cast(scored_at as timestamp) as scored_at,
        cast(is_scored as boolean) as is_scored,
        cast(churn_probability as double) as churn_probability,
        cast(churn_risk_score as integer) as churn_risk_score,
        churn_risk_tier,
        churn_reasons,
        not_scored_reason,
        model_id

    from source

),

final as (

    select * from renamed

)

select * from final
