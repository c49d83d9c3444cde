-- Every customer in dim_customer has exactly one current version (is_current).
-- Returns the customers with none or several.
select
    customer_id,
    count(case when is_current then 1 end) as current_versions

from {{ ref('dim_customer') }}
group by customer_id
having count(case when is_current then 1 end) <> 1
