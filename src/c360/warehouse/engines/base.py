"""The engine seam: what the stages need from a warehouse, whatever builds it.

A stage reads finished tables (or a small query over them) into pandas, writes its model
output, and may say where the published warehouse is. One implementation per engine
(`duckdb`, `spark`, `snowflake`), chosen once from configuration by `engine_for`; nothing
above this package branches on the engine. Queries use `?` parameters and the schema
names dbt builds (`gold`, `ml`, `silver`), which every engine accepts.
"""

from abc import ABC, abstractmethod
from pathlib import Path

import pandas as pd
import pyarrow as pa

from c360.config import Paths
from c360.contracts.outputs import outputs_dir, write_table


class EngineError(Exception):
    """The warehouse cannot be read; one line for the user."""


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Engine(ABC):
    """One engine's published warehouse, open for reading; use as a context manager."""

    name: str

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    @abstractmethod
    def published(self) -> str:
        """Where the published warehouse is; EngineError when nothing is published."""

    @abstractmethod
    def _read(self, sql: str, params: list) -> pd.DataFrame:
        """Run `sql` with `?` parameters; the engine's own errors propagate."""

    def read(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """A query over finished tables, as pandas with lower-case column names."""
        self.published()
        try:
            frame = self._read(sql, list(params or []))
        except EngineError:
            raise
        except Exception as exc:  # duckdb's, pyspark's and the connector's own errors
            raise EngineError(f"cannot read from {self.name}: {first_line(exc)}") from None
        frame.columns = [str(column).lower() for column in frame.columns]
        return frame

    def read_table(self, table: str) -> pd.DataFrame:
        """A whole finished table, e.g. `ml.clv_rfm_summary`."""
        return self.read(f"select * from {table}")

    def write_output(self, table: pa.Table, file_name: str, schema: pa.Schema) -> Path:
        """A model output, written atomically into the folder every engine's build reads."""
        path = outputs_dir(self.paths.home) / file_name
        write_table(table, path, schema)
        return path

    def close(self) -> None:  # noqa: B027 - engines without a connection keep nothing open
        """Release what `read` opened (a connection); reading again reopens it."""

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
