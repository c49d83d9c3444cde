-- Past marketing campaigns, one row per campaign.
with

source as (

    select * from {{ source('bronze', 'campaigns') }}

),

renamed as (

    select
        trim(campaign_id) as campaign_id,
        trim(campaign_name) as campaign_name,
        lower(trim(campaign_type)) as campaign_type,
        trim(offer) as offer,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(cost_per_customer as decimal(18, 2)) as cost_per_customer,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select distinct * from renamed

)

select * from final
