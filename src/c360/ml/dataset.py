"""Load the churn modelling table (features + labels per customer and cutoff) from gold.

Features and labels are dbt models (`ml` schema); Python only reads them. Cutoffs are
every 30 days back from the day after the as-of date, each with a role:
train (oldest), calibration, test (the latest cutoff with a complete 90-day outcome),
and score (the as-of date itself, no label yet).
"""

import re
from pathlib import Path

import duckdb
import pandas as pd

KEYS = ["customer_id", "cutoff_date"]
NON_FEATURES = {*KEYS, "cutoff_role", "cutoff_index", "is_eligible", "ineligible_reason", "churned"}
# Nothing derived from the outcome, the generator's truth or after the cutoff may be a feature.
DENYLIST = re.compile(r"churn|label|truth|persona|outcome|future|after_cutoff|onset", re.I)
CATEGORICAL = ["card_type", "state", "employment_status"]


class DatasetError(Exception):
    """The warehouse cannot provide a usable modelling table; one line for the user."""


def load_modelling_table(warehouse: Path, roles: tuple[str, ...]) -> pd.DataFrame:
    """Features (and labels, where known) for the cutoffs with the given roles."""
    if not warehouse.exists():
        raise DatasetError(f"no warehouse at {warehouse}; run `c360 build` first")
    query = f"""
        select f.*, c.cutoff_role, c.cutoff_index, l.churned
        from ml.churn_features f
        join ml.churn_cutoffs c using (cutoff_date)
        left join ml.churn_labels l using (customer_id, cutoff_date)
        where c.cutoff_role in ({", ".join("?" for _ in roles)})
        order by f.cutoff_date, f.customer_id
    """
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            frame = con.execute(query, list(roles)).df()
    except duckdb.Error as exc:
        raise DatasetError(f"cannot read the ML tables from {warehouse}: {exc}") from None
    for column in CATEGORICAL:
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


def feature_columns(frame: pd.DataFrame) -> list[str]:
    features = [c for c in frame.columns if c not in NON_FEATURES]
    leaking = [c for c in features if DENYLIST.search(c)]
    if leaking:
        raise DatasetError(f"denylisted columns offered as features: {', '.join(leaking)}")
    return features
