"""Load the churn modelling table (features + labels per customer and cutoff) from gold.

Features and labels are dbt models (`ml` schema); Python only reads them. Cutoffs are
every 30 days back from the day after the as-of date, each with a role:
train (oldest), calibration, test (the latest cutoff with a complete 90-day outcome),
and score (the as-of date itself, no label yet).
"""

import re
from pathlib import Path

import pandas as pd

from c360.config import Paths
from c360.warehouse.engines import EngineError, engine_for

KEYS = ["customer_id", "cutoff_date"]
NON_FEATURES = {*KEYS, "cutoff_role", "cutoff_index", "is_eligible", "ineligible_reason", "churned"}
# Nothing derived from the outcome, the generator's truth or after the cutoff may be a feature.
DENYLIST = re.compile(r"churn|label|truth|persona|outcome|future|after_cutoff|onset", re.I)
CATEGORICAL = ["card_type", "state", "employment_status"]


class DatasetError(Exception):
    """The warehouse cannot provide a usable modelling table; one line for the user."""


def _query(roles: tuple[str, ...]) -> str:
    """The modelling table; plain SQL that DuckDB and Spark both run."""
    return f"""
        select f.*, c.cutoff_role, c.cutoff_index, l.churned
        from ml.churn_features f
        join ml.churn_cutoffs c using (cutoff_date)
        left join ml.churn_labels l using (customer_id, cutoff_date)
        where c.cutoff_role in ({", ".join("?" for _ in roles)})
        order by f.cutoff_date, f.customer_id
    """


def _with_categories(frame: pd.DataFrame) -> pd.DataFrame:
    for column in CATEGORICAL:
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


def load_modelling_table(warehouse: Path, roles: tuple[str, ...]) -> pd.DataFrame:
    """The modelling table from a home's DuckDB file (`<home>/warehouse.duckdb`)."""
    return read_modelling_table(Paths(warehouse.parent), roles, "duckdb")


def read_modelling_table(
    paths: Paths, roles: tuple[str, ...], target: str | None = None
) -> pd.DataFrame:
    """Features (and labels, where known) for the cutoffs with the given roles, from the
    published warehouse of `target` (default: the configured engine)."""
    try:
        with engine_for(paths, target) as engine:
            frame = engine.read(_query(roles), list(roles))
    except EngineError as exc:
        raise DatasetError(str(exc)) from None
    return _with_categories(frame)


def feature_columns(frame: pd.DataFrame) -> list[str]:
    features = [c for c in frame.columns if c not in NON_FEATURES]
    leaking = [c for c in features if DENYLIST.search(c)]
    if leaking:
        raise DatasetError(f"denylisted columns offered as features: {', '.join(leaking)}")
    return features
