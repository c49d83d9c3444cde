"""The churn predictions file (contract in `c360.contracts.outputs`): names kept here for
the churn stage's callers."""

from pathlib import Path

import pyarrow as pa

from c360.contracts.outputs import (
    PREDICTIONS_FILE,
    PREDICTIONS_SCHEMA,
    ensure_output_files,
    predictions_path,
    write_table,
)

__all__ = ["PREDICTIONS_FILE", "PREDICTIONS_SCHEMA", "predictions_path", "write_predictions"]


def write_predictions(table: pa.Table, path: Path) -> None:
    """Write atomically: readers see the old file or the new one, never half of one."""
    write_table(table, path, PREDICTIONS_SCHEMA)


def ensure_predictions_file(path: Path) -> None:
    """Empty model-output files beside `path`, so the warehouse builds before any model ran."""
    ensure_output_files(path.parent)
