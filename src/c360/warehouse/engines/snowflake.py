"""Snowflake: the tables live in the user's database (SNOWFLAKE_* settings); published by
build_info.json, as on Spark."""

from typing import Any

import pandas as pd

from c360.contracts.artefacts import read_published_build
from c360.warehouse.engines.base import Engine, EngineError


class SnowflakeEngine(Engine):
    name = "snowflake"
    _connection: Any = None

    def published(self) -> str:
        if read_published_build(self.paths, "snowflake") is None:
            raise EngineError("no published snowflake build; run `c360 build --target snowflake`")
        from c360.warehouse.snowflake import SnowflakeError, connection_settings

        try:
            return f"snowflake database {connection_settings()['database']}"
        except SnowflakeError as exc:
            raise EngineError(str(exc)) from None

    def _read(self, sql: str, params: list) -> pd.DataFrame:
        from c360.warehouse.snowflake import SnowflakeError, connect, read_frame

        try:
            if self._connection is None:
                self._connection = connect()
            return read_frame(self._connection, sql, params)
        except SnowflakeError as exc:
            raise EngineError(str(exc)) from None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
