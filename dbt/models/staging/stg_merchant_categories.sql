-- The 50 canonical merchant categories, with the key used to match dirty spellings.
with

source as (

    select * from {{ source('bronze', 'merchant_categories') }}

),

renamed as (

    select
        upper(trim(category_id)) as category_id,
        trim(category_name) as category_name,
        trim(category_group) as category_group,
        trim(mcc) as mcc,
        {{ name_match_key('category_name') }} as category_match_key,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select distinct * from renamed

)

select * from final
