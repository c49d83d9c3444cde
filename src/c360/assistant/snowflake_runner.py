"""Runs the guard's checked SQL on Snowflake: the same interface as `runner.Runner`.

The guard checks DuckDB SQL against the allow-listed gold tables; the checked tree is then
translated here, by sqlglot, to Snowflake SQL:

- `gold.table` becomes `"<DATABASE>"."GOLD"."TABLE"`, where `c360 build --target snowflake`
  builds it (dbt's `generate_schema_name` keeps the folder name; Snowflake folds unquoted
  names to upper case);
- DuckDB's `dayname`/`monthname` keep giving full names ('Saturday', not 'Sat');
- every identifier is quoted in upper case, so a column named like a Snowflake keyword
  still reads the column dbt created, and names match as DuckDB matches them (ignoring case);
- the translated statement must still be one read-only query, else nothing is sent.

Answers come back with the DuckDB query's own column names (values as the connector gives
them: NUMBER without a scale as int, with one as Decimal, like DuckDB's DECIMAL). Each query
has a server-side time limit (the connector's `timeout`), at most `max_rows` rows and about
`max_bytes` bytes. Any failure is one line (RunError); a lost session is replaced by a
fresh login before the next question.

Read-only on Snowflake rests on the guard, on this re-check, and on the role: give the
assistant a role that can only SELECT the gold schema (docs/snowflake.md).
"""

import contextlib
import threading
import time
from datetime import date
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from c360.assistant.runner import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_S,
    Result,
    RunError,
)
from c360.warehouse.snowflake import SnowflakeError, connect, connection_settings

BATCH_ROWS = 1_000
SESSION_LOST = {390111, 390112, 390114}  # session gone, token expired
TIMED_OUT = {604, 630}  # statement cancelled / reached the statement timeout
WRITES = (exp.DML, exp.DDL, exp.Into, exp.Command, exp.Set, exp.Use, exp.Transaction)


# Snowflake's DAYNAME/MONTHNAME give 'Mon'/'Jan' where DuckDB's give 'Monday'/'January'
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
MONTHS += ("September", "October", "November", "December")
FULL_NAMES = {exp.Dayname: DAYS, exp.Monthname: MONTHS}


def _full_name(node: exp.Expression) -> exp.Expression:
    """DuckDB's dayname(x)/monthname(x) as Snowflake gives the full name: a CASE over the
    three-letter name (sqlglot translates them to the short-name functions)."""
    names = FULL_NAMES.get(type(node))
    if names is None:
        return node
    ifs = [exp.If(this=exp.Literal.string(n[:3]), true=exp.Literal.string(n)) for n in names]
    return exp.Case(this=node.copy(), ifs=ifs)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def to_snowflake(sql: str, database: str) -> tuple[str, list[str] | None]:
    """(Snowflake SQL, the DuckDB query's output column names or None) for checked SQL;
    raises RunError (one line) when it is not one read-only query or cannot translate."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
        if len(trees) != 1:
            raise RunError(f"exactly one statement can run, got {len(trees)}")
        tree = trees[0]
        if not isinstance(tree, exp.Query) or any(tree.find_all(*WRITES)):
            raise RunError("only a read-only query can run on Snowflake")
        names = None if tree.is_star else list(tree.named_selects)
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if table.db and not table.catalog:
                table.set("catalog", exp.to_identifier(database))
            elif not table.db and table.name.lower() not in ctes:
                raise RunError(f"table {table.name} needs its schema (gold.{table.name})")
        tree = tree.transform(_full_name, copy=False)
        for identifier in tree.find_all(exp.Identifier):
            identifier.set("this", identifier.name.upper())
            identifier.set("quoted", True)
        text = tree.sql(dialect="snowflake", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise RunError(f"not available on Snowflake: {_one_line(exc)}") from None
    return text, names


def _size(row: tuple) -> int:
    """About the bytes a row takes (text by its length, anything else 8 bytes)."""
    return sum(len(v) if isinstance(v, str | bytes) else 8 for v in row)


class SnowflakeRunner:
    """One connector connection to the c360 database; queries run one at a time."""

    def __init__(
        self,
        settings: dict[str, Any] | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        try:
            self.settings = dict(settings or connection_settings())
        except SnowflakeError as exc:
            raise RunError(str(exc)) from None
        self.database = str(self.settings.get("database") or "C360").upper()
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.rebuilds = 0
        self._lock = threading.Lock()
        self._con = self._connect()

    @property
    def location(self) -> str:
        return f"Snowflake database {self.database}"

    def _connect(self) -> Any:
        try:
            return connect(self.settings)
        except SnowflakeError as exc:
            raise RunError(_one_line(exc)) from None

    def close(self) -> None:
        self._con.close()

    def rebuild(self) -> None:
        """A fresh login (the session was lost or closed)."""
        fresh = self._connect()
        with self._lock:
            old, self._con = self._con, fresh
            self.rebuilds += 1
        with contextlib.suppress(Exception):  # the old session is gone anyway
            old.close()

    def run(self, sql: str, timeout_s: float | None = None) -> Result:
        """Translate and run `sql` (already checked by the guard); RunError (one line)."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        text, names = to_snowflake(sql, self.database)
        started = time.perf_counter()
        try:
            with self._lock:
                columns, types, rows, truncated = self._run(text, timeout)
        except RunError:
            raise
        except Exception as exc:
            self._recover(exc)
            if getattr(exc, "errno", None) in TIMED_OUT:
                raise RunError(f"the query took longer than {timeout:g}s and was stopped") from None
            raise RunError(f"the query failed: {_one_line(exc)}") from None
        if names is not None and len(names) == len(columns):
            columns = names
        return Result(columns, types, rows, truncated, time.perf_counter() - started)

    def _recover(self, exc: Exception) -> None:
        """Log in again when the failure lost the session; the next question then works."""
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        lost = getattr(exc, "errno", None) in SESSION_LOST or sqlstate.startswith("08")
        closed = getattr(self._con, "is_closed", lambda: False)()
        if lost or closed:
            with contextlib.suppress(RunError):  # unreachable: the next question says so
                self.rebuild()

    def _run(self, text: str, timeout: float) -> tuple[list[str], list[str], list[tuple], bool]:
        from snowflake.connector.constants import FIELD_ID_TO_NAME

        cursor = self._con.cursor()
        try:
            cursor.execute(text, timeout=max(1, round(timeout)))
            description = cursor.description or []
            columns = [str(d.name).lower() for d in description]
            types = [FIELD_ID_TO_NAME[d.type_code] for d in description]
            rows: list[tuple] = []
            size = 0
            while len(rows) <= self.max_rows:
                batch = cursor.fetchmany(min(BATCH_ROWS, self.max_rows + 1 - len(rows)))
                if not batch:
                    break
                for row in batch:
                    size += _size(row)
                    if size > self.max_bytes:
                        raise RunError(
                            f"the answer is larger than {self.max_bytes / 1e6:g} MB; "
                            "ask for fewer rows or shorter values"
                        )
                    rows.append(tuple(row))
        finally:
            cursor.close()
        return columns, types, rows[: self.max_rows], len(rows) > self.max_rows

    def as_of(self) -> date:
        try:
            result = self.run("select as_of_date from gold.build_as_of")
        except RunError as exc:
            raise RunError(f"the warehouse has no gold.build_as_of: {exc}") from None
        if not result.rows or result.rows[0][0] is None:
            raise RunError("gold.build_as_of is empty")
        value = result.rows[0][0]
        return value.date() if hasattr(value, "date") else value

    def distinct(self, sql: str) -> list[str]:
        """The non-null values of the first column of a trusted query (vocabulary)."""
        try:
            rows = self.run(sql).rows
        except RunError:
            return []
        return [str(r[0]) for r in rows if r[0] is not None]
