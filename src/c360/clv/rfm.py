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


# Everything `c360 clv` needs in one scan of the facts: the RFM summary at the end, the RFM
# summary at the calibration date, and per customer the holdout's and the baseline
# window's purchase days and spend. Parameters: end, calibration end, baseline start,
# last observed day, last calibration day.
RFM_WITH_HOLDOUT_SQL = """
with days as (
    select customer_id,
           cast(transaction_ts as date) as day,
           sum(amount)::double as spend
    from gold.fct_transactions
    where status = 'Approved' and amount > 0
      and transaction_ts < cast($end as timestamp)
    group by all
),
firsts as (
    select customer_id,
           min(day) as first_day,
           min(day) filter (where day < $cal) as first_cal
    from days
    group by customer_id
)
select d.customer_id,
       count(*) - 1 as frequency,
       datediff('day', f.first_day, max(d.day))::double as recency,
       datediff('day', f.first_day, cast($last as date))::double as "T",
       coalesce(avg(d.spend) filter (where d.day > f.first_day), 0)::double as monetary_value,
       sum(d.spend)::double as total_spend,
       count(*) filter (where d.day < $cal) - 1 as cal_frequency,
       datediff('day', f.first_cal, max(d.day) filter (where d.day < $cal))::double
           as cal_recency,
       datediff('day', f.first_cal, cast($cal_last as date))::double as "cal_T",
       coalesce(avg(d.spend) filter (where d.day > f.first_cal and d.day < $cal), 0)::double
           as cal_monetary_value,
       count(*) filter (where d.day >= $cal) as holdout_transactions,
       coalesce(sum(d.spend) filter (where d.day >= $cal), 0)::double as holdout_spend,
       count(*) filter (where d.day >= $base and d.day < $cal) as baseline_transactions,
       coalesce(sum(d.spend) filter (where d.day >= $base and d.day < $cal), 0)::double
           as baseline_spend
from days d
join firsts f on d.customer_id = f.customer_id
group by d.customer_id, f.first_day, f.first_cal
order by d.customer_id
"""

RFM_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value"]


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


def rfm_with_holdout(
    con: duckdb.DuckDBPyConnection, end: date, calibration_end: date, holdout_days: int
) -> dict[str, pd.DataFrame]:
    """One scan for the whole of `c360 clv`: the RFM summary before `end` ("full"), the
    one before `calibration_end` ("calibration"), and per customer the purchase days and
    spend in [calibration_end, end) ("actual") and in the `holdout_days` before
    calibration_end ("baseline"). Same definitions as `rfm_summary` and `actuals`."""
    frame = con.execute(
        RFM_WITH_HOLDOUT_SQL,
        {
            "end": end,
            "cal": calibration_end,
            "base": calibration_end - timedelta(days=holdout_days),
            "last": end - timedelta(days=1),
            "cal_last": calibration_end - timedelta(days=1),
        },
    ).df()
    full = frame[[*RFM_COLUMNS, "total_spend"]].copy()
    full["frequency"] = full["frequency"].astype("int64")
    known = frame[frame["cal_frequency"] >= 0]
    calibration = known[["customer_id", *[f"cal_{c}" for c in RFM_COLUMNS[1:]]]].copy()
    calibration.columns = RFM_COLUMNS
    calibration["frequency"] = calibration["frequency"].astype("int64")

    def window(prefix: str) -> pd.DataFrame:
        rows = frame[frame[f"{prefix}_transactions"] > 0]
        return pd.DataFrame(
            {
                "customer_id": rows["customer_id"].to_numpy(),
                "transactions": rows[f"{prefix}_transactions"].to_numpy(),
                "spend": rows[f"{prefix}_spend"].to_numpy(),
            }
        )

    return {
        "full": full.reset_index(drop=True),
        "calibration": calibration.reset_index(drop=True),
        "actual": window("holdout"),
        "baseline": window("baseline"),
    }
