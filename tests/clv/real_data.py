"""CDNOW: a real public transaction log, shipped inside the `lifetimes` wheel (a pinned dev
dependency; nothing is downloaded at run time).

`CDNOW_sample.txt` is the 1/10 sample of the customers who made their first purchase at
the CDNOW online music store in the first quarter of 1997 (2,357 customers, 6,919
purchases to the end of June 1998) that Fader, Hardie & Lee (2005) fitted BG/NBD on, with
a 39-week calibration period to 1997-09-30. Lines: master id, sample id, yyyymmdd, CDs
bought, dollars.

`write_transactions_csv` turns it into the transactions-only CSV that `c360 import`
takes (customer_id, transaction_date, amount); `rfm_summary` computes the same RFM summary
as `c360.clv.rfm` (days; a transaction = a purchase day) from such a CSV, for tests that
fit CLV without a warehouse.
"""

import importlib.metadata
from datetime import date
from pathlib import Path

import pandas as pd

CALIBRATION_END = date(1997, 9, 30)  # FHL 2005: weeks 1-39 of 1997
CUSTOMERS = 2357
PURCHASES = 6919


def _dataset(name: str) -> Path:
    """A file of lifetimes/datasets, located without importing lifetimes."""
    dist = importlib.metadata.distribution("lifetimes")
    return Path(dist.locate_file(f"lifetimes/datasets/{name}"))


def cdnow_transactions() -> pd.DataFrame:
    """One row per purchase: customer_id (CDNOW0001..), transaction_date, amount ($)."""
    raw = pd.read_csv(
        _dataset("CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "sample_id", "day", "cds", "amount"],
        dtype={"master_id": str, "sample_id": int, "day": str, "cds": int, "amount": float},
    )
    return pd.DataFrame(
        {
            "customer_id": "CDNOW" + raw["sample_id"].map("{:04d}".format),
            "transaction_date": pd.to_datetime(raw["day"], format="%Y%m%d").dt.date,
            "amount": raw["amount"],
        }
    )


def write_transactions_csv(path: Path) -> Path:
    """The CDNOW sample as a transactions CSV (ISO dates); returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cdnow_transactions().to_csv(path, index=False)
    return path


def published_summary() -> pd.DataFrame:
    """FHL's own calibration summary, as lifetimes ships it: x, t_x, T in weeks and zbar,
    the mean value of the repeat purchases (customer_id as in the CSV)."""
    frame = pd.read_csv(_dataset("cdnow_customers_summary_with_transactions.csv"))
    frame["customer_id"] = "CDNOW" + frame["ID"].map("{:04d}".format)
    return frame.drop(columns="ID")


def rfm_summary(transactions: pd.DataFrame, last_day: date) -> pd.DataFrame:
    """`c360.clv.rfm`'s definitions on a transactions frame, up to and including last_day:
    frequency = purchase days - 1, recency = first to last purchase day, T = first purchase
    day to last_day (days), monetary_value = mean spend per repeat purchase day (0 without
    a repeat)."""
    days = (
        transactions[transactions["transaction_date"] <= last_day]
        .groupby(["customer_id", "transaction_date"], as_index=False)["amount"]
        .sum()
        .sort_values(["customer_id", "transaction_date"])
    )
    days["day"] = pd.to_datetime(days["transaction_date"])
    first = days.groupby("customer_id")["day"].transform("min")
    days["repeat_spend"] = days["amount"].where(days["day"] > first)
    summary = days.groupby("customer_id").agg(
        first=("day", "min"),
        last=("day", "max"),
        purchase_days=("day", "size"),
        monetary_value=("repeat_spend", "mean"),
    )
    return pd.DataFrame(
        {
            "customer_id": summary.index,
            "frequency": summary["purchase_days"].to_numpy() - 1,
            "recency": (summary["last"] - summary["first"]).dt.days.astype(float).to_numpy(),
            "T": (pd.Timestamp(last_day) - summary["first"]).dt.days.astype(float).to_numpy(),
            "monetary_value": summary["monetary_value"].fillna(0.0).to_numpy(),
        }
    ).reset_index(drop=True)
