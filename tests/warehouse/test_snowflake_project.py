"""The dbt project parses and compiles for Snowflake without a Snowflake account.

`dbt parse` needs no connection. `dbt compile --no-introspect` compiles every model that
does not query the warehouse while compiling; four do (dim_date reads its date bounds; the
incremental fct_transactions, stg_transactions_duplicates and stg_transactions_quarantine
ask whether they already exist), so they are left out here and only get compiled against
a real account (docs/snowflake.md).
"""

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.config import Paths
from c360.ml.predictions import PREDICTIONS_SCHEMA, write_predictions
from c360.warehouse.dbt import run_dbt
from c360.warehouse.publish import BuildError, build_warehouse
from c360.warehouse.snowflake import (
    SnowflakeError,
    connection_settings,
    read_frame,
    upload_outputs,
)
from tests.conftest import SNOWFLAKE_PLACEHOLDERS

pytest.importorskip(
    "dbt.adapters.snowflake", reason="the snowflake extra (dbt-snowflake) is not installed"
)

ENV = SNOWFLAKE_PLACEHOLDERS  # nothing connects
NEEDS_CONNECTION = (
    "dim_date",
    "fct_transactions",
    "stg_transactions_duplicates",
    "stg_transactions_quarantine",
)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("snowflake"))
    parsed = run_dbt(["parse"], env=ENV, paths=paths, target="snowflake")
    assert parsed.success, parsed.summary()
    outcome = run_dbt(
        ["compile", "--no-introspect", "--no-populate-cache", "--exclude", *NEEDS_CONNECTION],
        env=ENV,
        paths=paths,
        target="snowflake",
    )
    assert outcome.success, outcome.summary()
    return paths


def compiled_sql(paths: Paths, model: str) -> str:
    manifest = json.loads((paths.home / "dbt_target" / "manifest.json").read_text())
    (node,) = [n for n in manifest["nodes"].values() if n["name"] == model]
    return node["compiled_code"]


def test_the_whole_project_parses_for_snowflake(compiled):
    manifest = json.loads((compiled.home / "dbt_target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "snowflake"
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert {"customer_360_profile", "churn_features", *NEEDS_CONNECTION} <= models
    sources = {s["relation_name"] for s in manifest["sources"].values()}
    assert "C360.bronze.transactions" in sources
    assert "C360.c360_ml.churn_predictions" in sources


def test_models_compile_with_snowflake_sql(compiled):
    cells = compiled_sql(compiled, "int_customer_activity_cells")
    assert "bitor_agg(" in cells and "dayofweekiso(" in cells
    profile = compiled_sql(compiled, "customer_360_profile")
    for model in ("customer_360_profile", "churn_features", "stg_transactions_classified"):
        sql = compiled_sql(compiled, model)
        # nothing of the DuckDB or Spark dialects leaks into Snowflake's SQL
        assert "read_parquet" not in sql and "shiftleft" not in sql and "timestampadd" not in sql
    assert "C360.gold.customer_spending_metrics" in profile


# ---- the Python side: settings, model outputs, reading (no account: fakes) ----


def test_settings_come_only_from_the_environment_and_name_what_is_missing():
    with pytest.raises(SnowflakeError) as missing:
        connection_settings({"SNOWFLAKE_ACCOUNT": "acme"})
    for name in ("SNOWFLAKE_USER", "SNOWFLAKE_ROLE", "SNOWFLAKE_WAREHOUSE", "PASSWORD"):
        assert name in str(missing.value)
    key_pair = connection_settings(
        ENV | {"SNOWFLAKE_PRIVATE_KEY_PATH": "/keys/k.p8", "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": "s"}
    )
    assert key_pair["private_key_file"] == "/keys/k.p8"
    assert key_pair["private_key_file_pwd"] == "s" and "password" not in key_pair
    assert connection_settings(ENV)["password"] == "not-used"
    assert connection_settings(ENV)["database"] == "C360"


def test_a_build_without_settings_fails_before_anything_runs(tmp_path, monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BuildError, match="SNOWFLAKE_ACCOUNT"):
        build_warehouse(Paths(tmp_path), target="snowflake")


class FakeCursor:
    def __init__(self, log: list, frame=None):
        self.log, self.frame = log, frame

    def execute(self, sql, params=None):
        self.log.append((sql, params))

    def fetch_pandas_all(self):
        return self.frame

    def close(self):
        pass


class FakeConnection:
    def __init__(self, frame=None):
        self.log: list = []
        self.frame = frame

    def cursor(self):
        return FakeCursor(self.log, self.frame)


def test_every_model_output_file_becomes_a_c360_ml_table(tmp_path, monkeypatch):
    import snowflake.connector.pandas_tools as pandas_tools

    written = []
    monkeypatch.setattr(
        pandas_tools, "write_pandas", lambda con, frame, name, **kw: written.append((name, kw))
    )
    write_predictions(PREDICTIONS_SCHEMA.empty_table(), tmp_path / "churn_predictions.parquet")
    pq.write_table(pa.table({"customer_id": ["C1"], "value": [1.5]}), tmp_path / "other.parquet")
    connection = FakeConnection()
    assert upload_outputs(connection, tmp_path) == ["C360_ML.CHURN_PREDICTIONS", "C360_ML.OTHER"]
    statements = [sql for sql, _ in connection.log]
    assert statements[0] == "create schema if not exists C360_ML"
    assert statements[1] == (
        "create or replace table C360_ML.CHURN_PREDICTIONS (customer_id varchar, "
        "scored_as_of date, scored_at timestamp_ntz, is_scored boolean, churn_probability "
        "double, churn_risk_score number(38, 0), churn_risk_tier varchar, churn_reasons "
        "varchar, not_scored_reason varchar, model_id varchar)"
    )
    # an empty output only gets its (empty) table; rows are loaded with write_pandas
    assert [name for name, _ in written] == ["OTHER"]
    assert written[0][1]["schema"] == "C360_ML" and not written[0][1]["quote_identifiers"]


def test_rows_are_read_with_lower_case_column_names():
    frame = pd.DataFrame({"CUSTOMER_ID": ["C1"], "CHURNED": [1]})
    connection = FakeConnection(frame)
    result = read_frame(connection, "select 1 where 1 = ?", [1])
    assert list(result.columns) == ["customer_id", "churned"]
    assert connection.log == [("select 1 where 1 = ?", [1])]
