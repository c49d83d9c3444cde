"""The engine seam (see base.py): `engine_for(paths)` is the one place that picks an engine."""

from c360.config import Paths, resolve_target
from c360.warehouse.engines.base import Engine, EngineError

__all__ = ["Engine", "EngineError", "engine_for"]


def engine_for(paths: Paths, target: str | None = None) -> Engine:
    """The engine named by `target`, else $C360_TARGET, else DuckDB."""
    name = resolve_target(target)
    if name == "spark":
        from c360.warehouse.engines.spark import SparkEngine

        return SparkEngine(paths)
    if name == "snowflake":
        from c360.warehouse.engines.snowflake import SnowflakeEngine

        return SnowflakeEngine(paths)
    from c360.warehouse.engines.duckdb import DuckDBEngine

    return DuckDBEngine(paths)
