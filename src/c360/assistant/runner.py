"""Runs guarded SQL on a separate, locked-down, read-only connection to the warehouse.

Defence in depth behind the guard: the warehouse file is ATTACHed read-only to a private
in-memory database (DuckDB caches database instances by path; see c360.app.queries), then
external access (files, network, extensions) is switched off and the configuration is
locked, so no query can turn either back on. Each query runs on its own cursor with a time
limit (a timer thread calls `interrupt()`) and returns at most `max_rows` rows.
"""

import os
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

CATALOG = "wh"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 1_000


class RunError(Exception):
    """The query failed or was stopped; the message is one line."""


class WarehouseMissing(RunError):
    """No published warehouse at the path."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    truncated: bool
    seconds: float


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_locked(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only, no-external-access, configuration-locked connection to `path`."""
    if not Path(path).is_file():
        raise WarehouseMissing(f"no warehouse at {path}; run `c360 build` first")
    con = duckdb.connect(
        ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        con.execute(f"attach {_literal(str(path))} as {CATALOG} (read_only)")
        con.execute(
            f"set memory_limit = {_literal(os.environ.get('C360_DUCKDB_MEMORY_LIMIT', '2GB'))}"
        )
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except duckdb.Error as exc:
        con.close()
        raise RunError(f"cannot open the warehouse {path}: {exc}") from None
    return con


class Runner:
    """One locked connection to one warehouse file; thread-safe (a cursor per query)."""

    def __init__(
        self,
        warehouse: Path,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS,
    ):
        self.warehouse = Path(warehouse)
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self._con = open_locked(self.warehouse)

    def close(self) -> None:
        self._con.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        cur.execute(f"use {CATALOG}")
        return cur

    def run(self, sql: str, timeout_s: float | None = None) -> Result:
        """Run `sql` (already checked by the guard); stop it after the time limit."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        cur = self._cursor()
        timer = threading.Timer(timeout, cur.interrupt)
        started = time.perf_counter()
        timer.start()
        try:
            cur.execute(sql)
            columns = [d[0] for d in cur.description or []]
            types = [str(d[1]) for d in cur.description or []]
            rows = cur.fetchmany(self.max_rows + 1)
        except duckdb.InterruptException:
            raise RunError(f"the query took longer than {timeout:g}s and was stopped") from None
        except duckdb.Error as exc:
            if time.perf_counter() - started >= timeout:
                raise RunError(f"the query took longer than {timeout:g}s and was stopped") from None
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RunError(f"the query failed: {first[:200]}") from None
        finally:
            timer.cancel()
            cur.close()
        truncated = len(rows) > self.max_rows
        return Result(
            columns, types, rows[: self.max_rows], truncated, time.perf_counter() - started
        )

    def as_of(self) -> date:
        cur = self._cursor()
        try:
            row = cur.execute("select as_of_date from gold.build_as_of").fetchone()
        except duckdb.Error as exc:
            raise RunError(f"the warehouse has no gold.build_as_of: {exc}") from None
        finally:
            cur.close()
        if row is None or row[0] is None:
            raise RunError("gold.build_as_of is empty")
        return row[0]

    def distinct(self, sql: str) -> list[str]:
        """The non-null values of the first column of a trusted query (vocabulary)."""
        cur = self._cursor()
        try:
            return [str(r[0]) for r in cur.execute(sql).fetchall() if r[0] is not None]
        except duckdb.Error:
            return []
        finally:
            cur.close()
