"""RFM summaries from the warehouse, in the BG/NBD convention, with days as the time unit.

A "transaction" here is a day with at least one approved purchase (card holders buy many
times a day; BG/NBD counts repeat purchase occasions). For observation end E (exclusive):

- `frequency`: purchase days before E, minus one (repeat days);
- `recency`: days from the first to the last purchase day;
- `T`: days from the first purchase day to the last observed day (E - 1);
- `monetary_value`: mean spend per repeat purchase day (the first day excluded, as in the
  Gamma-Gamma model), 0 without repeat days.

Only `gold.fct_transactions` rows with status Approved and a positive amount count.
"""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

RFM_SQL = """
with days as (
    select customer_id,
           cast(transaction_ts as date) as day,
           sum(amount)::double as spend
    from gold.fct_transactions
    where status = 'Approved' and amount > 0
      and transaction_ts >= cast(? as timestamp)
      and transaction_ts < cast(? as timestamp)
    group by all
),
ranked as (
    select *, min(day) over (partition by customer_id) as first_day from days
)
select customer_id,
       count(*) - 1 as frequency,
       datediff('day', min(first_day), max(day))::double as recency,
       datediff('day', min(first_day), cast(? as date))::double as "T",
       coalesce(avg(spend) filter (where day > first_day), 0)::double as monetary_value,
       sum(spend)::double as total_spend
from ranked
group by customer_id
order by customer_id
"""

ACTUALS_SQL = """
select customer_id,
       count(distinct cast(transaction_ts as date)) as transactions,
       sum(amount)::double as spend
from gold.fct_transactions
where status = 'Approved' and amount > 0
  and transaction_ts >= cast(? as timestamp)
  and transaction_ts < cast(? as timestamp)
group by customer_id
order by customer_id
"""


class RfmError(Exception):
    """The warehouse cannot provide transactions for CLV; one line for the user."""


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise RfmError(f"no warehouse at {warehouse}; run `c360 build` first")
    return duckdb.connect(str(warehouse), read_only=True)


def rfm_summary(
    con: duckdb.DuckDBPyConnection, end: date, start: date = date(1900, 1, 1)
) -> pd.DataFrame:
    """One row per customer with an approved purchase in [start, end)."""
    last_day = end - timedelta(days=1)
    frame = con.execute(RFM_SQL, [start, end, last_day]).df()
    frame["frequency"] = frame["frequency"].astype("int64")
    return frame


def actuals(con: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """Purchase days and approved spend per customer in [start, end)."""
    return con.execute(ACTUALS_SQL, [start, end]).df()


def read_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The warehouse's as-of date (gold.build_as_of)."""
    try:
        row = con.execute("select as_of_date from gold.build_as_of").fetchone()
    except duckdb.Error as exc:
        raise RfmError(f"cannot read gold.build_as_of: {exc}") from None
    return row[0]


def customer_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every current customer in the profile, so the predictions cover all of them."""
    rows = con.execute("select customer_id from gold.dim_customer where is_current order by 1")
    return [r[0] for r in rows.fetchall()]


def open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    try:
        return _connect(warehouse)
    except duckdb.Error as exc:
        raise RfmError(f"cannot open {warehouse}: {exc}") from None
