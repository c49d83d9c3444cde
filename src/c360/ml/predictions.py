"""The churn predictions file: the contract between `c360 score` and the warehouse.

dbt reads it as the source `c360_ml.churn_predictions` and joins it into
`gold.customer_360_profile`, so the same project works on every engine.
"""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PREDICTIONS_FILE = "churn_predictions.parquet"

PREDICTIONS_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("scored_as_of", pa.date32()),
        ("scored_at", pa.timestamp("us")),
        ("is_scored", pa.bool_()),
        ("churn_probability", pa.float64()),
        ("churn_risk_score", pa.int32()),
        ("churn_risk_tier", pa.string()),
        ("churn_reasons", pa.string()),
        ("not_scored_reason", pa.string()),
        ("model_id", pa.string()),
    ]
)


def predictions_path(home: Path) -> Path:
    folder = os.environ.get("C360_PREDICTIONS_PATH")
    return (Path(folder) if folder else home / "predictions") / PREDICTIONS_FILE


def write_predictions(table: pa.Table, path: Path) -> None:
    """Write atomically: readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table.cast(PREDICTIONS_SCHEMA), temporary)
    temporary.replace(path)


def ensure_predictions_file(path: Path) -> None:
    """Empty model-output files (churn, and CLV and uplift beside it), so the warehouse
    builds before any model has run."""
    from c360.clv.output import CLV_FILE, CLV_SCHEMA, ensure_file
    from c360.uplift.output import UPLIFT_FILE, UPLIFT_SCHEMA

    if not path.exists():
        write_predictions(PREDICTIONS_SCHEMA.empty_table(), path)
    ensure_file(path.with_name(CLV_FILE), CLV_SCHEMA)
    ensure_file(path.with_name(UPLIFT_FILE), UPLIFT_SCHEMA)
