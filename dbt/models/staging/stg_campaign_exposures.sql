-- Campaign assignments: one row per customer and campaign, treatment or control.
with

source as (

    select * from {{ source('bronze', 'campaign_exposures') }}

),

renamed as (

    select
        cast(exposure_id as bigint) as exposure_id,
        trim(campaign_id) as campaign_id,
        trim(customer_id) as customer_id,
        lower(trim(assignment_group)) as assignment_group,
        cast(assigned_date as date) as assigned_date,
        cast(contacted_at as timestamp) as contacted_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select distinct * from renamed

)

select * from final
