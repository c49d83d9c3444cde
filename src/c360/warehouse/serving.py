"""The one way to open the published DuckDB warehouse for reading (the app and the assistant).

The file is ATTACHed read-only to a private in-memory database rather than opened with
`duckdb.connect(path)`, which would hand back a database instance cached by path with other
settings. Then external access (files, network, extensions) is switched off, except for the
directories given, and the configuration is locked so no query can turn it back on.
"""

from collections.abc import Iterable
from pathlib import Path

import duckdb

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
