"""What a campaign participant's outcome is, in one place: the Campaign Performance page
and the uplift model must measure the same thing.

`CAMPAIGN_OUTCOME_CTES` defines two CTEs for a query that starts with `with`; its bound
parameters, in order: the outcome window in days, the campaign id, the active days.
- `assigned`: every participant, with the end of its window (assignment + window days,
  cut at the day after the as-of date);
- `outcome`: per participant with approved purchases in the window, `spend_after` and
  `recent_transactions` (those in the window's last active days; retained when > 0).
"""

CAMPAIGN_OUTCOME_CTES = """
    assigned as (
        select customer_id, assignment_group, assigned_date,
               least(assigned_date + cast(? as integer),
                     (select as_of_date from gold.build_as_of) + 1) as window_end
        from silver.stg_campaign_exposures
        where campaign_id = ?
    ),
    outcome as (
        select a.customer_id,
               sum(t.amount)::double as spend_after,
               count(*) filter (
                   where t.transaction_ts >= a.window_end - cast(? as integer)
               ) as recent_transactions
        from assigned a
        join gold.fct_transactions t
          on t.customer_id = a.customer_id
         and t.status = 'Approved'
         and t.transaction_ts >= a.assigned_date
         and t.transaction_ts < a.window_end
        group by a.customer_id
    )
"""
