"""Runs guarded SQL on a separate, locked-down, read-only connection to the warehouse.

Defence in depth behind the guard: the warehouse file is ATTACHed read-only to a private
in-memory database (DuckDB caches database instances by path; see c360.app.queries), then
external access (files, network, extensions) is switched off and the configuration is
locked, so no query can turn either back on. Each query runs on its own cursor with a time
limit (a timer thread calls `interrupt()`), must be exactly one statement as DuckDB itself
parses it, and returns at most `max_rows` rows and `max_bytes` bytes. Any failure is one
line (RunError), and the connection is then rebuilt, so a bad query cannot break the next.
"""

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from c360.warehouse.serving import CATALOG, gold_directories, open_read_only

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 1_000
DEFAULT_MAX_BYTES = 8_000_000  # an answer larger than this is refused, not returned


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


def open_locked(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only, no-external-access, configuration-locked connection to `path`."""
    if not Path(path).is_file():
        raise WarehouseMissing(f"no warehouse at {path}; run `c360 build` first")
    try:
        return open_read_only(
            path,
            gold_directories(path),  # Spark's facts, read in place; nothing else
            memory_limit=os.environ.get("C360_DUCKDB_MEMORY_LIMIT", "2GB"),
        )
    except duckdb.Error as exc:
        raise RunError(f"cannot open the warehouse {path}: {exc}") from None


class Runner:
    """One locked connection to one warehouse file; thread-safe (a cursor per query)."""

    def __init__(
        self,
        warehouse: Path,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.warehouse = Path(warehouse)
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._con = open_locked(self.warehouse)
        self.rebuilds = 0  # how often a failure made the runner open a fresh connection

    def close(self) -> None:
        self._con.close()

    def rebuild(self) -> None:
        """Replace the connection with a fresh one (after any failure: whatever the failed
        query did to the session, the next one starts clean). Cursors still running on the
        old connection keep it alive until they finish."""
        fresh = open_locked(self.warehouse)
        with self._lock:
            self._con = fresh
            self.rebuilds += 1

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            cur = self._con.cursor()
        cur.execute(f"use {CATALOG}")
        return cur

    def run(self, sql: str, timeout_s: float | None = None) -> Result:
        """Run `sql` (already checked by the guard); stop it after the time limit.

        Raises RunError (one line) for any failure, after rebuilding the connection."""
        try:
            return self._run(sql, self.timeout_s if timeout_s is None else timeout_s)
        except Exception as exc:
            with contextlib.suppress(RunError):  # the warehouse is gone: the next one says so
                self.rebuild()
            if isinstance(exc, RunError):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise RunError(f"the query failed: {type(exc).__name__}: {first[:200]}") from None

    def _run(self, sql: str, timeout: float) -> Result:
        cur = self._cursor()
        timer = threading.Timer(timeout, cur.interrupt)
        started = time.perf_counter()
        timer.start()
        try:
            statements = cur.extract_statements(sql)
            if len(statements) != 1:
                raise RunError(f"exactly one statement can run, got {len(statements)}")
            if statements[0].type != duckdb.StatementType.SELECT:
                raise RunError(f"only SELECT can run, not {statements[0].type.name}")
            relation = cur.sql(statements[0].query)
            if relation is None:
                raise RunError("the statement returned no rows")
            columns, types = list(relation.columns), [str(t) for t in relation.types]
            rows, truncated = self._fetch(relation)
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
        return Result(columns, types, rows, truncated, time.perf_counter() - started)

    def _fetch(self, relation: duckdb.DuckDBPyRelation) -> tuple[list[tuple], bool]:
        """At most `max_rows` rows, read in Arrow batches so that the size is known before
        any value becomes a Python object; an answer over `max_bytes` is refused."""
        batch_rows = min(self.max_rows + 1, 1_024)
        if hasattr(relation, "to_arrow_reader"):  # DuckDB 2.x
            reader = relation.to_arrow_reader(batch_rows)
        else:  # DuckDB 1.4
            reader = relation.record_batch(batch_rows)
        batches, rows_read, size = [], 0, 0
        for batch in reader:
            batch = batch.slice(0, self.max_rows + 1 - rows_read)
            size += batch.get_total_buffer_size()
            if size > self.max_bytes:
                raise RunError(
                    f"the answer is larger than {self.max_bytes / 1e6:g} MB; "
                    "ask for fewer rows or shorter values"
                )
            batches.append(batch)
            rows_read += batch.num_rows
            if rows_read > self.max_rows:
                break
        rows = [
            row
            for batch in batches
            for row in zip(*(column.to_pylist() for column in batch.columns), strict=True)
        ]
        return rows[: self.max_rows], len(rows) > self.max_rows

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
