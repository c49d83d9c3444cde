"""Data volume and freshness per landed day, with the days far off the usual flagged.

A day is the date rows landed (`loaded_at`), usable or quarantined. A row is late when it
landed two or more days after its transaction date (the usual lag is one night). A day is
flagged on a measure (rows, late rows, quarantined rows) when its robust z-score against
the `VOLUME_WINDOW_DAYS` landed days before it is above THRESHOLDS["robust_z"] and it is at
least THRESHOLDS["min_rows_off"] rows from their median:

    z = (x - median) / scale,  scale = max(1.4826 * MAD, sqrt(median + 1))

(the MAD is the median absolute deviation; 1.4826 * MAD estimates a standard deviation
that a few odd days do not inflate; the square root floor is the Poisson noise of a
count, so a measure that is usually 0 or 1 is not flagged for being 2).
"""

import duckdb
import numpy as np
import pandas as pd

from c360.monitor.thresholds import THRESHOLDS, VOLUME_DAYS_SHOWN, VOLUME_WINDOW_DAYS

MEASURES = ["rows", "late_rows", "quarantined_rows"]

_DAILY_SQL = """
    with landed as (
        select cast(loaded_at as date) as day, transaction_ts, false as quarantined
        from gold.fct_transactions
        union all
        select cast(loaded_at as date), transaction_ts, true
        from silver.stg_transactions_quarantine
    )
    select
        day,
        count(*) as rows,
        count(*) filter (where day >= cast(transaction_ts as date) + 2) as late_rows,
        count(*) filter (where quarantined) as quarantined_rows
    from landed
    group by day
    order by day
"""


def daily_volume(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per landed day of the last VOLUME_DAYS_SHOWN: counts, z-scores, flags."""
    frame = con.execute(_DAILY_SQL).df()
    if frame.empty:
        return frame
    for measure in MEASURES:
        z, off = robust_z(frame[measure].to_numpy(dtype=float))
        frame[f"{measure}_z"] = np.round(z, 2)
        frame[f"{measure}_flag"] = (np.abs(z) > THRESHOLDS["robust_z"]) & (
            off >= THRESHOLDS["min_rows_off"]
        )
    frame["flagged"] = frame[[f"{m}_flag" for m in MEASURES]].any(axis=1)
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame.tail(VOLUME_DAYS_SHOWN).reset_index(drop=True)


def robust_z(values: np.ndarray, window: int = VOLUME_WINDOW_DAYS):
    """Each value's robust z-score against the `window` values before it (0 for the first
    few, which have too little history), and its distance from their median."""
    z = np.zeros(len(values))
    off = np.zeros(len(values))
    for i in range(len(values)):
        before = values[max(0, i - window) : i]
        if len(before) < 7:
            continue
        median = np.median(before)
        scale = max(1.4826 * np.median(np.abs(before - median)), np.sqrt(median + 1))
        z[i] = (values[i] - median) / scale
        off[i] = abs(values[i] - median)
    return z, off


def freshness(con: duckdb.DuckDBPyConnection) -> dict:
    """The newest landed row and the newest transaction."""
    ((newest_load, newest_txn),) = con.execute(
        "select max(loaded_at), max(transaction_ts) from gold.fct_transactions"
    ).fetchall()
    return {
        "newest_loaded_at": None if newest_load is None else str(newest_load),
        "newest_transaction_at": None if newest_txn is None else str(newest_txn),
    }
