"""DuckDB: the published warehouse is one file, read through a read-only connection."""

import duckdb
import pandas as pd

from c360.warehouse.engines.base import Engine, EngineError, first_line


class DuckDBEngine(Engine):
    name = "duckdb"
    _con: duckdb.DuckDBPyConnection | None = None

    def published(self) -> str:
        if not self.paths.warehouse.exists():
            raise EngineError(f"no warehouse at {self.paths.warehouse}; run `c360 build` first")
        return str(self.paths.warehouse)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            try:
                self._con = duckdb.connect(str(self.paths.warehouse), read_only=True)
            except duckdb.Error as exc:
                raise EngineError(
                    f"cannot open {self.paths.warehouse}: {first_line(exc)}"
                ) from None
        return self._con

    def _read(self, sql: str, params: list) -> pd.DataFrame:
        return self._connection().execute(sql, params).df()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
