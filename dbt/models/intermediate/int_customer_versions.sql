-- SCD Type 2 versions of every customer: the opening version (attributes as at account
-- opening, valid from the opening date) plus one version per distinct change time.
-- Each attribute takes the latest change at or before the version start, else its
-- opening value. valid_to is the next version's start; null for the current version.
with

customers as (

    select * from {{ ref('stg_customers') }}

),

changes as (

    select * from {{ ref('stg_customer_changes') }}
    where attribute in ('card_type', 'credit_limit', 'state', 'city', 'employment_status')

),

opening_versions as (

    select
        customer_id,
        cast(account_open_date as timestamp) as valid_from

    from customers

),

change_versions as (

    select distinct
        changes.customer_id,
        changes.changed_at as valid_from

    from changes
    inner join customers
        on changes.customer_id = customers.customer_id
    where changes.changed_at > cast(customers.account_open_date as timestamp)

),

version_starts as (

    select * from opening_versions
    union
    select * from change_versions

),

ranked_changes as (

    select
        version_starts.customer_id,
        version_starts.valid_from,
        changes.attribute,
        changes.new_value,
        row_number() over (
            partition by version_starts.customer_id, version_starts.valid_from, changes.attribute
            order by changes.changed_at desc, changes.change_id desc
        ) as recency_rank

    from version_starts
    inner join changes
        on version_starts.customer_id = changes.customer_id
        and changes.changed_at <= version_starts.valid_from

),

changed_attributes as (

    select
        customer_id,
        valid_from,
        max(case when attribute = 'card_type' then 1 else 0 end) as has_card_type,
        max(case when attribute = 'card_type' then new_value end) as card_type,
        max(case when attribute = 'credit_limit' then 1 else 0 end) as has_credit_limit,
        max(case when attribute = 'credit_limit' then new_value end) as credit_limit,
        max(case when attribute = 'state' then 1 else 0 end) as has_state,
        max(case when attribute = 'state' then new_value end) as state,
        max(case when attribute = 'city' then 1 else 0 end) as has_city,
        max(case when attribute = 'city' then new_value end) as city,
        max(case when attribute = 'employment_status' then 1 else 0 end) as has_employment_status,
        max(case when attribute = 'employment_status' then new_value end) as employment_status

    from ranked_changes
    where recency_rank = 1
    group by customer_id, valid_from

),

versions as (

    select
        version_starts.customer_id,
        version_starts.valid_from,
        lead(version_starts.valid_from) over (
            partition by version_starts.customer_id
            order by version_starts.valid_from
        ) as valid_to,
        row_number() over (
            partition by version_starts.customer_id
            order by version_starts.valid_from
        ) as version_number,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.age,
        case
            when changed_attributes.has_state = 1 then upper(changed_attributes.state)
            else customers.state
        end as state,
        case
            when changed_attributes.has_city = 1 then changed_attributes.city
            else customers.city
        end as city,
        case
            when changed_attributes.has_employment_status = 1
                then changed_attributes.employment_status
            else customers.employment_status
        end as employment_status,
        case
            when changed_attributes.has_card_type = 1 then changed_attributes.card_type
            else customers.card_type
        end as card_type,
        case
            when changed_attributes.has_credit_limit = 1
                then cast(changed_attributes.credit_limit as integer)
            else customers.credit_limit
        end as credit_limit,
        customers.account_open_date

    from version_starts
    inner join customers
        on version_starts.customer_id = customers.customer_id
    left join changed_attributes
        on version_starts.customer_id = changed_attributes.customer_id
        and version_starts.valid_from = changed_attributes.valid_from

),

final as (

    select * from versions

)

select * from final
