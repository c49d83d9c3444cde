"""The app on Snowflake (C360_TARGET=snowflake): Streamlit's SnowflakeConnection, configured
from the same SNOWFLAKE_* variables as dbt and `c360 run --target snowflake`.

`queries.py` keeps writing DuckDB SQL; `read` translates it (`snowflake_sql`) and runs it
with server-side `numeric` binding, on one connection that `st.connection` caches for the
process. Every problem reaches the user as one line: a missing setting, a missing connector
package or a failed login as `SnowflakeError` (from `locate`), a failing query as
`QueryError`.
"""

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.connections import SnowflakeConnection

from c360.config import Paths
from c360.warehouse.snowflake import INSTALL_HINT, SnowflakeError, connection_settings

ENV_CONNECTION = "c360"  # configured from SNOWFLAKE_* variables
SECRETS_CONNECTION = "snowflake"  # configured from [connections.snowflake] in secrets.toml
SESSION_LOST = {390111, 390112, 390114}  # session gone, token expired: reconnect once


class QueryError(Exception):
    """A query failed on Snowflake; one line for the user."""


@dataclass(frozen=True)
class SnowflakeWarehouse:
    """The c360 database in a Snowflake account. The build id and kind come from this
    machine's `$C360_HOME/snowflake/build_info.json` when `c360 build --target snowflake`
    ran here (a new build then gets fresh cached results); else they are empty and cached
    results expire with the cache's ttl."""

    account: str
    database: str
    build_id: str = ""
    build_kind: str = ""

    @property
    def location(self) -> str:
        account = f" (account `{self.account}`)" if self.account else ""
        return f"Snowflake database `{self.database}`{account}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _secrets_section() -> dict[str, Any]:
    """Streamlit's [connections.snowflake] secrets, if a secrets.toml has them."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        return dict(st.secrets.get("connections", {}).get(SECRETS_CONNECTION, {}))
    except Exception:  # an unreadable secrets file is the same as none here
        return {}


def app_settings() -> tuple[str, dict[str, Any]]:
    """The st.connection name and keyword arguments (docs/snowflake.md).

    From the SNOWFLAKE_* variables, as dbt and the CLI take them: connection "c360"
    (Streamlit would ignore keyword arguments for a connection named "snowflake" without
    secrets). Without them, Streamlit's own [connections.snowflake] section in
    .streamlit/secrets.toml. Either way with server-side `numeric` binding.
    """
    extra = {"paramstyle": "numeric", "client_session_keep_alive": True}
    try:
        return ENV_CONNECTION, connection_settings() | extra
    except SnowflakeError:
        section = _secrets_section()
        if not section:
            raise
    database = section.get("database") or os.environ.get("SNOWFLAKE_DATABASE") or "C360"
    return SECRETS_CONNECTION, {"account": section.get("account", ""), "database": database} | extra


def _connection(name: str, settings: dict[str, Any]) -> SnowflakeConnection:
    """The process's connection for these settings (st.connection caches it)."""
    try:
        import snowflake.connector  # noqa: F401
    except ImportError:
        raise SnowflakeError(f"the app on Snowflake: {INSTALL_HINT}") from None
    try:
        return st.connection(name, type=SnowflakeConnection, **settings)
    except Exception as exc:  # login, network, key file: all one line for the user
        raise SnowflakeError(f"cannot connect to Snowflake: {_one_line(exc)}") from None


def _published_build() -> dict:
    from c360.warehouse.publish import read_published_build

    try:
        return read_published_build(Paths.from_env(), "snowflake") or {}
    except (OSError, ValueError):
        return {}


def locate() -> SnowflakeWarehouse:
    """The configured warehouse, logged in; raises SnowflakeError (one line)."""
    name, settings = app_settings()
    _connection(name, settings)
    build = _published_build()
    return SnowflakeWarehouse(
        settings["account"],
        settings["database"],
        str(build.get("build_id", "")),
        str(build.get("kind", "")),
    )


def _frame(cursor) -> pd.DataFrame:
    """The result as DuckDB's `.df()` gives it: lower-case names, dates as datetime64."""
    frame = cursor.fetch_pandas_all()
    if frame.columns.empty and cursor.description:
        frame = pd.DataFrame(columns=[column.name for column in cursor.description])
    frame.columns = [str(column).lower() for column in frame.columns]
    for column in [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c])]:
        values = frame[column].dropna()
        first = values.iloc[0] if len(values) else None
        if isinstance(first, date) and not isinstance(first, datetime):
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _session_lost(exc: Exception) -> bool:
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    return getattr(exc, "errno", None) in SESSION_LOST or sqlstate.startswith("08")


def _run(connection: SnowflakeConnection, sql: str, params: tuple) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)
        return _frame(cursor)


def _execute(sql: str, params: tuple) -> pd.DataFrame:
    """Run Snowflake SQL on the app's connection; reconnect once if the session was lost."""
    from snowflake.connector.errors import Error

    try:
        connection = _connection(*app_settings())
        try:
            return _run(connection, sql, params)
        except Error as exc:
            if not _session_lost(exc):
                raise
        connection.reset()
        return _run(connection, sql, params)
    except SnowflakeError as exc:
        raise QueryError(str(exc)) from None
    except Error as exc:
        raise QueryError(f"Snowflake query failed: {_one_line(exc)}") from None


def read(wh: SnowflakeWarehouse, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one of the app's DuckDB-dialect queries on Snowflake."""
    from c360.app.snowflake_sql import Untranslatable, to_snowflake  # sqlglot: only here

    try:
        statement = to_snowflake(sql, params or [], wh.database)
    except Untranslatable as exc:
        raise QueryError(f"not available on Snowflake: {exc}") from None
    return _execute(statement.sql, statement.params)
