-- The 50 merchant categories with their group; one row per category.
with

categories as (

    select * from {{ ref('stg_merchant_categories') }}

),

final as (

    select
        {{ surrogate_key(['category_id']) }} as category_key,
        category_id,
        category_name,
        category_group,
        mcc,
        category_group = 'Travel' as is_travel,
        category_group = 'Necessities' as is_necessity

    from categories

)

select * from final
