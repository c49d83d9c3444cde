"""Spark: the tables live in this home's Spark catalog, published by build_info.json."""

import pandas as pd

from c360.contracts.artefacts import read_published_build
from c360.warehouse.engines.base import Engine, EngineError


class SparkEngine(Engine):
    name = "spark"

    def published(self) -> str:
        if read_published_build(self.paths, "spark") is None:
            raise EngineError("no published spark build; run `c360 build --target spark`")
        return str(self.paths.spark_home)

    def _read(self, sql: str, params: list) -> pd.DataFrame:
        from c360.warehouse.spark import SparkError, read_frame

        try:
            return read_frame(self.paths, sql, params)
        except SparkError as exc:
            raise EngineError(str(exc)) from None
