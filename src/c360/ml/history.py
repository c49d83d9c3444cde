"""The scoring history: every published scoring kept as its own Parquet file.

`c360 score` overwrites the predictions file the warehouse reads; the monitor needs every
past scoring (to compare distributions over time and, 90 days later, to check predictions
against what happened). So each scoring is also appended here, under
`$C360_HOME/monitoring/scorings/`, outside the warehouse file that every build replaces:
a rebuild, a refresh or a new model never removes one. Files are written to a temporary
name and renamed, so a reader sees a whole file or none; names are unique, so nothing is
ever overwritten.

Each file holds, per customer: the scoring's as-of date, when it ran, the model id,
eligibility, probability, score, tier, and the values of the model's top features at that
scoring (for feature drift, since the warehouse keeps features only at its current cutoffs).
Training leaves the same kind of snapshot for the out-of-time test cutoff in the model
folder (`reference.parquet`): the distribution the model was validated on.
"""

import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from c360.ml.dataset import CATEGORICAL

HISTORY_DIR = Path("monitoring") / "scorings"
REFERENCES_DIR = Path("monitoring") / "references"  # one reference per model id
REFERENCE_FILE = "reference.parquet"
FEATURE_PREFIX = "feature__"
TOP_FEATURES = 10  # the model report's `top_features` (by gain) kept with every scoring
SCORING_COLUMNS = [
    "customer_id",
    "scored_as_of",
    "scored_at",
    "model_id",
    "is_scored",
    "churn_probability",
    "churn_risk_score",
    "churn_risk_tier",
]


def history_dir(home: Path) -> Path:
    return home / HISTORY_DIR


def top_features(metadata: dict, available: list[str]) -> list[str]:
    """The model's most important features by gain (from its training report)."""
    ranked = [f["feature"] for f in metadata.get("metrics", {}).get("top_features", [])]
    return [f for f in ranked if f in available][:TOP_FEATURES]


def feature_frame(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """`feature__<name>` columns: numbers as float64, categories as strings."""
    columns = {}
    for name in features:
        values = frame[name]
        if name in CATEGORICAL:
            columns[FEATURE_PREFIX + name] = values.astype("string").astype(object)
        else:
            columns[FEATURE_PREFIX + name] = pd.to_numeric(values, errors="coerce").astype(float)
    return pd.DataFrame(columns, index=frame.index)


def write_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def append_scoring(
    home: Path, predictions: pa.Table, features: pd.DataFrame, model_dir: Path
) -> Path:
    """Keep one scoring: its predictions (one row per customer) and top feature values,
    and its model's training reference.

    `features` is aligned with `predictions` row by row (the `score` cutoff's frame)."""
    if predictions.num_rows:
        keep_reference(home, model_dir, predictions.column("model_id")[0].as_py())
    frame = predictions.select(SCORING_COLUMNS).to_pandas()
    frame = pd.concat([frame, features.reset_index(drop=True)], axis=1)
    first = frame.iloc[0] if len(frame) else None
    as_of = first["scored_as_of"] if first is not None else date.min
    stamp = pd.Timestamp(first["scored_at"]) if first is not None else pd.Timestamp.now()
    name = f"scoring-{as_of:%Y%m%d}-{stamp:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}.parquet"
    path = history_dir(home) / name
    write_atomic(frame, path)
    return path


def write_reference(model_dir: Path, holdout: pd.DataFrame, features: pd.DataFrame) -> None:
    """The out-of-time test cutoff as the model saw it: probability, label, top features."""
    frame = pd.DataFrame(
        {
            "cutoff_date": pd.to_datetime(holdout["cutoff_date"]).dt.date,
            "churn_probability": holdout["probability"].astype(float),
            "churned": holdout["churned"].astype(int),
        }
    )
    write_atomic(
        pd.concat([frame, features.reset_index(drop=True)], axis=1), model_dir / REFERENCE_FILE
    )


class HistoryError(Exception):
    """A kept scoring cannot be read; one line for the user."""


@dataclass
class Scoring:
    """One kept scoring, read back."""

    path: Path
    as_of: date
    scored_at: pd.Timestamp
    model_id: str
    frame: pd.DataFrame  # one row per customer; features as `feature__<name>`


def read_scorings(home: Path) -> list[Scoring]:
    """Every kept scoring, oldest first (by as-of date, then time scored)."""
    scorings = []
    for path in sorted(history_dir(home).glob("scoring-*.parquet")):
        try:
            frame = pd.read_parquet(path)
        except (OSError, pa.ArrowException) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise HistoryError(
                f"cannot read the kept scoring {path} ({first}); move it aside"
            ) from None
        if frame.empty:
            continue
        scorings.append(
            Scoring(
                path=path,
                as_of=pd.Timestamp(frame["scored_as_of"].iloc[0]).date(),
                scored_at=pd.Timestamp(frame["scored_at"].iloc[0]),
                model_id=str(frame["model_id"].iloc[0]),
                frame=frame,
            )
        )
    return sorted(scorings, key=lambda s: (s.as_of, s.scored_at))


def keep_reference(home: Path, model_dir: Path, model_id: str) -> None:
    """Copy the model's training reference beside the history (once per model id), so
    scorings of a model keep their reference after the next `c360 train` replaces it."""
    source = model_dir / REFERENCE_FILE
    target = home / REFERENCES_DIR / f"{model_id}.parquet"
    if source.exists() and not target.exists():
        write_atomic(pd.read_parquet(source), target)


def read_reference(home: Path, model_id: str) -> pd.DataFrame | None:
    """The training reference of `model_id`, if that model's scorings kept one."""
    path = home / REFERENCES_DIR / f"{model_id}.parquet"
    return pd.read_parquet(path) if path.exists() else None
