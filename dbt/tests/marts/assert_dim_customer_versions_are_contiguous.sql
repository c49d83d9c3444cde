-- dim_customer is a proper SCD Type 2: per customer, ordered by valid_from, the first
-- version starts at account opening, each version ends exactly where the next begins
-- (no gap, no overlap), only the last is open-ended, and version_number counts 1, 2, ...
-- Returns one row per violation, with the problem.
with

versions as (

    select
        customer_id,
        customer_key,
        version_number,
        valid_from,
        valid_to,
        account_open_date,
        lead(valid_from) over (partition by customer_id order by valid_from) as next_valid_from,
        row_number() over (partition by customer_id order by valid_from) as position

    from {{ ref('dim_customer') }}

),

problems as (

    select customer_id, customer_key, 'first version does not start at account opening' as problem
    from versions
    where position = 1 and valid_from <> cast(account_open_date as timestamp)

    union all

    select customer_id, customer_key, 'gap or overlap before the next version' as problem
    from versions
    where next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from)

    union all

    select customer_id, customer_key, 'last version is not open-ended' as problem
    from versions
    where next_valid_from is null and valid_to is not null

    union all

    select customer_id, customer_key, 'version_number out of order' as problem
    from versions
    where version_number <> position

)

select * from problems
