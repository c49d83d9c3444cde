"""The Snowflake target: connection settings only from SNOWFLAKE_* variables, reading the ML
tables into pandas and uploading model outputs, through the Snowflake connector.

dbt builds the models in the user's database (dbt/profiles.yml, output `snowflake`). Model
outputs are the same Parquet files as on the other engines (`$C360_HOME/predictions/`);
before each build every one of them is uploaded to `C360_ML.<FILE NAME>`, the tables the
dbt source `c360_ml` reads. See docs/snowflake.md.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

INSTALL_HINT = 'the Snowflake target needs the snowflake extra: pip install -e ".[snowflake]"'
REQUIRED = ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_ROLE", "SNOWFLAKE_WAREHOUSE")
OUTPUT_SCHEMA = "C360_ML"


class SnowflakeError(Exception):
    """Snowflake cannot be used as configured; one line for the user."""


def connection_settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for snowflake.connector.connect, from the environment only."""
    env = os.environ if env is None else env
    missing = [name for name in REQUIRED if not env.get(name)]
    key_path = env.get("SNOWFLAKE_PRIVATE_KEY_PATH", "")
    password = env.get("SNOWFLAKE_PASSWORD", "")
    if not key_path and not password:
        missing.append("SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_PASSWORD")
    if missing:
        raise SnowflakeError(
            f"the snowflake target needs {', '.join(missing)} set; see docs/snowflake.md"
        )
    settings: dict[str, Any] = {
        "account": env["SNOWFLAKE_ACCOUNT"],
        "user": env["SNOWFLAKE_USER"],
        "role": env["SNOWFLAKE_ROLE"],
        "warehouse": env["SNOWFLAKE_WAREHOUSE"],
        "database": env.get("SNOWFLAKE_DATABASE") or "C360",
        "schema": env.get("SNOWFLAKE_SCHEMA") or "PUBLIC",
        "paramstyle": "qmark",
    }
    if key_path:  # key pair wins over a password, as in the dbt profile's order
        settings["private_key_file"] = str(Path(key_path).expanduser())
        if env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"):
            settings["private_key_file_pwd"] = env["SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"]
    else:
        settings["password"] = password
    return settings


def connect(settings: dict[str, Any] | None = None) -> Any:
    settings = settings or connection_settings()
    try:
        import snowflake.connector
    except ImportError:
        raise SnowflakeError(INSTALL_HINT) from None
    try:
        return snowflake.connector.connect(**settings)
    except snowflake.connector.errors.Error as exc:
        raise SnowflakeError(f"cannot connect to Snowflake: {exc}") from None


def read_frame(connection: Any, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run a query and return its rows as pandas, with lower-case column names."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params or None)
        frame = cursor.fetch_pandas_all()
    finally:
        cursor.close()
    frame.columns = [str(column).lower() for column in frame.columns]
    return frame


def _column_type(data_type: pa.DataType) -> str:
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "varchar"
    if pa.types.is_boolean(data_type):
        return "boolean"
    if pa.types.is_integer(data_type):
        return "number(38, 0)"
    if pa.types.is_floating(data_type):
        return "double"
    if pa.types.is_decimal(data_type) and data_type.precision <= 38:
        return f"number({data_type.precision}, {data_type.scale})"
    if pa.types.is_date(data_type):
        return "date"
    if pa.types.is_timestamp(data_type):
        return "timestamp_ntz"
    raise SnowflakeError(f"no Snowflake column type for {data_type}")


def table_ddl(schema: str, name: str, arrow_schema: pa.Schema) -> str:
    columns = ", ".join(f"{field.name} {_column_type(field.type)}" for field in arrow_schema)
    return f"create or replace table {schema}.{name} ({columns})"


def upload_outputs(connection: Any, folder: Path) -> list[str]:
    """Replace C360_ML.<stem> with every <stem>.parquet in `folder`; the tables' names."""
    from snowflake.connector.pandas_tools import write_pandas

    cursor = connection.cursor()
    try:
        cursor.execute(f"create schema if not exists {OUTPUT_SCHEMA}")
        uploaded = []
        for path in sorted(folder.glob("*.parquet")):
            table = pq.read_table(path)
            name = path.stem.upper()
            cursor.execute(table_ddl(OUTPUT_SCHEMA, name, table.schema))
            if table.num_rows:
                frame = table.to_pandas()
                frame.columns = [column.upper() for column in frame.columns]
                write_pandas(
                    connection,
                    frame,
                    name,
                    schema=OUTPUT_SCHEMA,
                    quote_identifiers=False,
                    use_logical_type=True,
                )
            uploaded.append(f"{OUTPUT_SCHEMA}.{name}")
    finally:
        cursor.close()
    return uploaded
