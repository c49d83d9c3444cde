"""The Dagster definitions (c360[dagster]) materialised in-process on a small home: real dbt
builds through c360's publish, real training, scoring, CLV and uplift fits."""

import hashlib
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.clv.pipeline import clv_path
from c360.config import Paths
from c360.generate.landing import land_days
from c360.ml.predictions import predictions_path
from c360.orchestration.dagster_defs import build_definitions
from c360.uplift.pipeline import uplift_path
from c360.warehouse.publish import read_build_info


@pytest.fixture()
def home(bronze, tmp_path, monkeypatch) -> Paths:
    """A fresh home holding only the small bronze layer: nothing built yet."""
    monkeypatch.setenv("C360_DBT_THREADS", "1")
    monkeypatch.setenv("C360_HOME", str(tmp_path / "home"))
    paths = Paths(tmp_path / "home")
    shutil.copytree(bronze, paths.bronze)
    return paths


def materialised(result) -> dict[str, dict]:
    """Asset name (schema/model for dbt models) -> metadata of its materialisation."""
    found = {}
    for event in result.get_asset_materialization_events():
        metadata = event.step_materialization_data.materialization.metadata
        found["/".join(event.asset_key.path)] = {k: v.value for k, v in metadata.items()}
    return found


def check_results(result) -> list:
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def declared_checks(defs) -> set:
    """Every asset check the dbt assets declare (one per dbt data test)."""
    return {key for assets in defs.resolve_asset_graph().assets_defs for key in assets.check_keys}


def published_builds(warehouse) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {row[0] for row in con.sql("select build_id from meta.build_history").fetchall()}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_materialising_the_assets_builds_publishes_scores_and_refreshes(home):
    defs = build_definitions(home)
    declared = declared_checks(defs)
    assert len(declared) > 50  # the project's data tests, attached to their models

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()

    assert result.success
    assets = materialised(result)
    build = assets["gold/customer_360_profile"]
    assert build["build_kind"] == "full"
    for model in ("ml/churn_features", "gold/fct_transactions", "silver/stg_customers"):
        assert assets[model]["build_id"] == build["build_id"]
    assert build["build_id"] in published_builds(home.warehouse)
    checks = check_results(result)
    assert {(c.asset_key, c.check_name) for c in checks} == {
        (k.asset_key, k.name) for k in declared
    }
    assert all(c.passed for c in checks)

    assert assets["churn_predictions"]["scored"] > 0
    assert assets["clv_predictions"]["scored"] > 0
    assert "uplift_predictions" in assets
    for path in (predictions_path(home.home), clv_path(home.home), uplift_path(home.home)):
        assert path.exists()
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        scored, valued = con.execute(
            "select count(churn_probability), count(clv_12m) from gold.customer_360_profile"
        ).fetchone()
    assert scored == assets["churn_predictions"]["scored"]
    assert valued > 0

    # the next day: the daily job refreshes (not a full build) and rescores, no refits
    land_days(home.bronze, 1)
    daily = defs.resolve_job_def("c360_daily").execute_in_process()
    assert daily.success
    assets = materialised(daily)
    refreshed = assets["gold/customer_360_profile"]
    assert refreshed["build_kind"] == "incremental"
    assert refreshed["as_of_date"] > build["as_of_date"]  # the landed day is in
    assert read_build_info(home.warehouse)["as_of_date"] == refreshed["as_of_date"]
    assert "churn_predictions" in assets and "clv_predictions" not in assets
    assert check_results(daily) and all(c.passed for c in check_results(daily))

    # a bad delivery: a customer delivered again with another email, two rows for one id,
    # which the data test `unique` on stg_customers.customer_id refuses
    customers = pq.read_table(home.bronze / "customers").slice(0, 1)
    changed = customers.set_column(
        customers.schema.get_field_index("email"), "email", pa.array(["someone.else@example.com"])
    )
    pq.write_table(changed, home.bronze / "customers" / "redelivery-20260102.parquet")
    served = digest(home.warehouse)

    failed = defs.resolve_job_def("c360_daily").execute_in_process(raise_on_error=False)

    assert not failed.success
    assert materialised(failed) == {}  # nothing published, nothing scored
    assert digest(home.warehouse) == served
    failures = {c.check_name for c in check_results(failed) if not c.passed}
    assert "unique_stg_customers_customer_id" in failures
    (step_failure,) = [e for e in failed.all_events if e.event_type_value == "STEP_FAILURE"]
    assert step_failure.step_key == "c360_warehouse"
    assert "build failed, warehouse unchanged" in step_failure.event_specific_data.error.message


def test_a_home_without_bronze_fails_the_warehouse_step_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(tmp_path / "empty"))
    paths = Paths(tmp_path / "empty")
    paths.home.mkdir()
    defs = build_definitions(paths)  # parsing needs no bronze

    result = defs.resolve_job_def("c360_daily").execute_in_process(raise_on_error=False)

    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.step_key == "c360_warehouse"
    message = failure.event_specific_data.error.message
    assert "bronze" in message and "\n" not in message.strip()
    assert check_results(result) == [] and materialised(result) == {}
    assert not paths.warehouse.exists()


def test_the_schedules_run_the_daily_and_weekly_jobs(home):
    defs = build_definitions(home)
    schedules = {s.name: (s.job_name, s.cron_schedule) for s in defs.schedules}
    assert schedules == {
        "c360_daily_schedule": ("c360_daily", "0 6 * * *"),
        "c360_weekly_refit_schedule": ("c360_weekly_refit", "0 7 * * 1"),
    }
    weekly = defs.resolve_job_def("c360_weekly_refit")
    assert {"/".join(k.path) for k in weekly.asset_layer.selected_asset_keys} == {
        "clv_predictions",
        "uplift_predictions",
    }
