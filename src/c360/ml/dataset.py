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

from c360.config import Paths

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
    """Features (and labels, where known) for the cutoffs with the given roles (DuckDB)."""
    if not warehouse.exists():
        raise DatasetError(f"no warehouse at {warehouse}; run `c360 build` first")
    query = _query(roles)
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            frame = con.execute(query, list(roles)).df()
    except duckdb.Error as exc:
        raise DatasetError(f"cannot read the ML tables from {warehouse}: {exc}") from None
    return _with_categories(frame)


def read_modelling_table(paths: Paths, roles: tuple[str, ...], target: str) -> pd.DataFrame:
    """The modelling table from the published warehouse of `target`."""
    if target == "duckdb":
        return load_modelling_table(paths.warehouse, roles)
    from c360.warehouse.publish import read_published_build

    if read_published_build(paths, target) is None:
        raise DatasetError(f"no published {target} build; run `c360 build --target {target}`")
    reader = _read_from_spark if target == "spark" else _read_from_snowflake
    try:
        frame = reader(paths, _query(roles), list(roles))
    except DatasetError:
        raise
    except Exception as exc:  # pyspark's and the connector's own errors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"cannot read the ML tables from {target}: {first}") from None
    return _with_categories(frame)


def _read_from_spark(paths: Paths, sql: str, params: list) -> pd.DataFrame:
    from c360.warehouse.spark import SparkError, read_frame

    try:
        return read_frame(paths, sql, params)
    except SparkError as exc:
        raise DatasetError(str(exc)) from None


def _read_from_snowflake(paths: Paths, sql: str, params: list) -> pd.DataFrame:
    from c360.warehouse.snowflake import SnowflakeError, connect, read_frame

    try:
        with connect() as connection:
            return read_frame(connection, sql, params)
    except SnowflakeError as exc:
        raise DatasetError(str(exc)) from None


def feature_columns(frame: pd.DataFrame) -> list[str]:
    features = [c for c in frame.columns if c not in NON_FEATURES]
    leaking = [c for c in features if DENYLIST.search(c)]
    if leaking:
        raise DatasetError(f"denylisted columns offered as features: {', '.join(leaking)}")
    return features
