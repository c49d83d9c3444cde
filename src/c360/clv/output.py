"""The CLV predictions file: the contract between `c360 clv` and the warehouse.

dbt reads it as the source `c360_ml.clv_predictions` (next to the churn predictions) and
joins it into `gold.customer_360_profile`.
"""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

CLV_FILE = "clv_predictions.parquet"

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
