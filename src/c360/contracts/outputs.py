"""Model outputs: one Parquet file per model in the predictions folder, the contract between
the stages that write them (`c360 score`, `clv`, `uplift`) and the warehouse, whose dbt
project reads the folder as source `c360_ml` and joins the outputs into
`gold.customer_360_profile` on every engine (Snowflake gets them uploaded first)."""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PREDICTIONS_FILE = "churn_predictions.parquet"
CLV_FILE = "clv_predictions.parquet"
UPLIFT_FILE = "uplift_predictions.parquet"

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

CLV_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("clv_as_of", pa.date32()),
        ("fitted_at", pa.timestamp("us")),
        ("is_scored", pa.bool_()),
        ("probability_alive", pa.float64()),
        ("expected_transactions_12m", pa.float64()),
        ("expected_spend_per_transaction", pa.float64()),
        ("clv_12m", pa.float64()),
        ("clv_12m_if_retained", pa.float64()),
        ("not_scored_reason", pa.string()),
        ("model_id", pa.string()),
        # added with the intervals (a file written before them is upgraded by ensure_file):
        # equal-tailed intervals at clv_interval_level from parameter uncertainty
        ("probability_alive_low", pa.float64()),
        ("probability_alive_high", pa.float64()),
        ("clv_12m_low", pa.float64()),
        ("clv_12m_high", pa.float64()),
        ("clv_interval_level", pa.float64()),
    ]
)

UPLIFT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("uplift_as_of", pa.date32()),
        ("fitted_at", pa.timestamp("us")),
        ("is_scored", pa.bool_()),
        ("retention_uplift", pa.float64()),
        ("not_scored_reason", pa.string()),
        ("campaign_id", pa.string()),
        ("model_id", pa.string()),
    ]
)

OUTPUTS = {PREDICTIONS_FILE: PREDICTIONS_SCHEMA, CLV_FILE: CLV_SCHEMA, UPLIFT_FILE: UPLIFT_SCHEMA}


def outputs_dir(home: Path) -> Path:
    """The predictions folder ($C360_PREDICTIONS_PATH, else <home>/predictions)."""
    folder = os.environ.get("C360_PREDICTIONS_PATH")
    return Path(folder) if folder else home / "predictions"


def predictions_path(home: Path) -> Path:
    return outputs_dir(home) / PREDICTIONS_FILE


def write_table(table: pa.Table, path: Path, schema: pa.Schema) -> None:
    """Write atomically: readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table.select(schema.names).cast(schema), temporary)
    temporary.replace(path)


def ensure_file(path: Path, schema: pa.Schema) -> None:
    """An empty file, so the warehouse builds before the model has run; a file written
    before columns were added to `schema` gets them, as nulls."""
    if not path.exists():
        write_table(schema.empty_table(), path, schema)
        return
    table = pq.read_table(path)
    missing = [f for f in schema if f.name not in table.column_names]
    if missing:
        for column in missing:
            table = table.append_column(column, pa.nulls(table.num_rows, column.type))
        write_table(table, path, schema)


def ensure_output_files(folder: Path) -> None:
    """Every model output, empty where no model has run yet."""
    for name, schema in OUTPUTS.items():
        ensure_file(folder / name, schema)
