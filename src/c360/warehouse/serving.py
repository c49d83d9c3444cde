"""The one way to open the published DuckDB warehouse for reading (the app and the assistant).

The file is ATTACHed read-only to a private in-memory database rather than opened with
`duckdb.connect(path)`, which would hand back a database instance cached by path with other
settings. Then external access (files, network, extensions) is switched off, except for the
directories given, and the configuration is locked so no query can turn it back on.
"""

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

from c360.config import Paths, resolve_target

CATALOG = "wh"


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_read_only(
    path: str | Path,
    allowed_directories: Iterable[str] = (),
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only, configuration-locked connection with the warehouse attached as `wh`."""
    con = duckdb.connect(
        ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        con.execute(f"attach {sql_literal(str(path))} as {CATALOG} (read_only)")
        allowed = sorted(set(allowed_directories))
        if allowed:
            con.execute(f"set allowed_directories = [{', '.join(map(sql_literal, allowed))}]")
        if memory_limit:
            con.execute(f"set memory_limit = {sql_literal(memory_limit)}")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def fact_directory(served: str | Path) -> Path:
    """Parquet files a served file's views read in place (`<name>.parquet/` beside it):
    Spark's facts, snapshotted per build (c360.warehouse.spark_serving)."""
    return Path(served).with_suffix(".parquet")


def gold_directories(served: str | Path) -> list[str]:
    """What the served file's gold views may read: its fact folder, as given and resolved."""
    folder = fact_directory(served)
    return sorted({str(folder) + os.sep, os.path.realpath(folder) + os.sep})


def served_warehouse(paths: Paths, target: str | None = None) -> Path:
    """The DuckDB file the app and the assistant read for `target` (default $C360_TARGET):
    DuckDB's warehouse, or the serving file a published Spark build wrote."""
    if resolve_target(target) == "spark":
        return paths.spark_home / "serving.duckdb"
    return paths.warehouse
