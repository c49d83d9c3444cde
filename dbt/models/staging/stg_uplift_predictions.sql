-- The latest uplift scores written back by `c360 uplift`: one row per customer.
with

source as (

    select * from {{ source('c360_ml', 'uplift_predictions') }}

),

renamed as (

    select
        trim(customer_id) as customer_id,
        cast(uplift_as_of as date) as uplift_as_of,
        cast(fitted_at as timestamp) as fitted_at,
        cast(is_scored as boolean) as is_scored,
        cast(retention_uplift as double) as retention_uplift,
        not_scored_reason,
        campaign_id,
        model_id

    from source

),

final as (

    select * from renamed

)

select * from final
