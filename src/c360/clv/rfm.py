"""What `c360 clv` reads: the RFM summaries built by dbt (`ml.clv_rfm_summary`, where the
definitions live), split into the tables the fit and the out-of-time check use.

BG/NBD convention, days as the time unit: a "transaction" is a day with an approved
purchase; `frequency` counts repeat days, `recency` and `T` are in days, `monetary_value`
is the mean spend per repeat day.
"""

from datetime import date

import pandas as pd

from c360.warehouse.engines import Engine

RFM_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value"]
SUMMARY_TABLE = "ml.clv_rfm_summary"


class RfmError(Exception):
    """The warehouse cannot provide transactions for CLV; one line for the user."""


def read_summary(engine: Engine) -> pd.DataFrame:
    """Every customer's row of `ml.clv_rfm_summary`, by customer id."""
    frame = engine.read(f"select * from {SUMMARY_TABLE} order by customer_id")
    return frame.rename(columns={"t_days": "T", "cal_t_days": "cal_T"})


def built_holdout_days(summary: pd.DataFrame) -> int | None:
    """The clv_holdout_days the summary was built with (None for an empty table)."""
    return None if summary.empty else int(summary["holdout_days"].iloc[0])


def read_as_of(engine: Engine) -> date:
    """The warehouse's as-of date (gold.build_as_of)."""
    frame = engine.read("select as_of_date from gold.build_as_of")
    if frame.empty:
        raise RfmError("gold.build_as_of is empty; run `c360 build`")
    return pd.Timestamp(frame.iloc[0, 0]).date()


def customer_ids(engine: Engine) -> list[str]:
    """Every current customer in the profile, so the predictions cover all of them."""
    frame = engine.read("select customer_id from gold.dim_customer where is_current order by 1")
    return frame["customer_id"].astype(str).tolist()


def split_summary(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The summary before the as-of date ("full"), the one before the calibration date
    ("calibration"), and per customer the purchase days and spend in the holdout
    ("actual") and in the baseline window before it ("baseline")."""
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
