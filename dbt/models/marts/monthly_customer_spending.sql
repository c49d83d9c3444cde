-- One row per current customer and calendar month, from the month the customer is first
-- observed (account opening, or the start of transaction history if later) to the
-- as-of month; months without spend have zeros. Approved spend only, up to the as-of date.
with

as_of as (

    select * from {{ ref('build_as_of') }}

),

transactions as (

    select customer_id, category_key, transaction_ts, amount, status
    from {{ ref('fct_transactions') }}

),

categories as (

    select category_key, category_group from {{ ref('dim_merchant_category') }}

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

monthly as (

    select
        transactions.customer_id,
        cast({{ dbt.date_trunc('month', 'transactions.transaction_ts') }} as date)
            as month_start_date,
        sum(case when transactions.status = 'Approved' then transactions.amount else 0 end)
            as approved_spend,
        count(case when transactions.status = 'Approved' then 1 end)
            as approved_transaction_count,
        count(case when transactions.status <> 'Approved' then 1 end)
            as declined_transaction_count,
        sum(
            case
                when transactions.status = 'Approved' and categories.category_group = 'Travel'
                    then transactions.amount
                else 0
            end
        ) as travel_spend,
        sum(
            case
                when transactions.status = 'Approved' and categories.category_group = 'Necessities'
                    then transactions.amount
                else 0
            end
        ) as necessity_spend,
        sum(
            case
                when transactions.status = 'Approved' and categories.category_group = 'Discretionary'
                    then transactions.amount
                else 0
            end
        ) as discretionary_spend,
        sum(
            case
                when transactions.status = 'Approved' and categories.category_group = 'Services'
                    then transactions.amount
                else 0
            end
        ) as services_spend

    from transactions
    inner join categories
        on transactions.category_key = categories.category_key
    cross join as_of
    where transactions.transaction_ts < as_of.as_of_end_ts
    group by
        transactions.customer_id,
        cast({{ dbt.date_trunc('month', 'transactions.transaction_ts') }} as date)

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
