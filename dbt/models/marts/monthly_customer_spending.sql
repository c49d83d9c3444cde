-- One row per current customer and calendar month, from the month the customer is first
-- observed (account opening, or the start of transaction history if later) to the
-- as-of month; months without spend have zeros. Approved spend only, up to the as-of date.
with

as_of as (

    select * from {{ ref('build_as_of') }}

),

cells as (

    select * from {{ ref('int_customer_activity_cells') }}

),

customers as (

    select customer_id, account_open_date
    from {{ ref('dim_customer') }}
    where is_current

),

months as (

    select distinct month_start_date from {{ ref('dim_date') }}

),

customer_months as (

    select
        customers.customer_id,
        months.month_start_date

    from customers
    cross join as_of
    inner join months
        on months.month_start_date >= {{ dbt.date_trunc('month', 'customers.account_open_date') }}
        and months.month_start_date >= {{ dbt.date_trunc('month', 'as_of.history_start_date') }}
        and months.month_start_date <= {{ dbt.date_trunc('month', 'as_of.as_of_date') }}

),

-- a month is the sum of its cells (the cells hold transactions up to the as-of date)
monthly as (

    select
        customer_id,
        month_start_date,
        sum(spend) as approved_spend,
        sum(approved_count) as approved_transaction_count,
        sum(declined_count) as declined_transaction_count,
        sum(travel_spend) as travel_spend,
        sum(necessity_spend) as necessity_spend,
        sum(discretionary_spend) as discretionary_spend,
        sum(services_spend) as services_spend

    from cells
    group by customer_id, month_start_date

),

final as (

    select
        customer_months.customer_id,
        cast(customer_months.month_start_date as date) as month_start_date,
        cast(coalesce(monthly.approved_spend, 0) as decimal(18, 2)) as approved_spend,
        cast(coalesce(monthly.approved_transaction_count, 0) as bigint)
            as approved_transaction_count,
        cast(coalesce(monthly.declined_transaction_count, 0) as bigint)
            as declined_transaction_count,
        cast(coalesce(monthly.travel_spend, 0) as decimal(18, 2)) as travel_spend,
        cast(coalesce(monthly.necessity_spend, 0) as decimal(18, 2)) as necessity_spend,
        cast(coalesce(monthly.discretionary_spend, 0) as decimal(18, 2)) as discretionary_spend,
        cast(coalesce(monthly.services_spend, 0) as decimal(18, 2)) as services_spend,
        customer_months.month_start_date < {{ dbt.date_trunc('month', 'as_of.as_of_date') }}
            or {{ dbt.last_day('as_of.as_of_date', 'month') }} = as_of.as_of_date
            as is_complete_month

    from customer_months
    cross join as_of
    left join monthly
        on customer_months.customer_id = monthly.customer_id
        and customer_months.month_start_date = monthly.month_start_date

)

select * from final
