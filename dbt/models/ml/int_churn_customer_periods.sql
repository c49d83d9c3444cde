-- Approved and declined activity per customer and 30-day period, counted back from the
-- as-of date: period 0 = the last `ml_period_days` days up to the as-of date, period 1 the
-- ones before, and so on. Cutoffs fall on period boundaries, so every feature window and
-- every outcome window is a whole number of periods: one table serves all cutoffs. Summed
-- from the activity cells (a period is the cells of its months and recent windows); days
-- and categories stay bit sets, so "distinct days / categories over several periods" is
-- an OR, not a count distinct. Counts are cast back to bigint (a sum of bigints is wider).

with

cells as (

    select * from {{ ref('int_customer_activity_cells') }}

),

final as (

    select
        customer_id,
        period_index,
        sum(spend) as spend,
        cast(sum(approved_count) as bigint) as approved_count,
        cast(sum(declined_count) as bigint) as declined_count,
        max(max_amount) as max_amount,
        {{ bit_count(bit_or_agg('day_bits')) }} as active_days,
        {{ bit_or_agg('category_bits') }} as category_bits,
        cast(max(last_approved_at) as date) as last_approved_date,
        sum(travel_spend) as travel_spend,
        sum(necessity_spend) as necessity_spend,
        sum(discretionary_spend) as discretionary_spend,
        sum(services_spend) as services_spend,
        sum(weekend_spend) as weekend_spend,
        cast(sum(online_count) as bigint) as online_count,
        cast(sum(mobile_count) as bigint) as mobile_count,
        cast(sum(in_store_count) as bigint) as in_store_count

    from cells
    group by customer_id, period_index

)

select * from final
