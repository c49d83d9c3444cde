"""The c360 pipeline as Dagster assets (the optional `c360[dagster]` extra).

`dagster dev -m c360.orchestration.dagster_defs` (with C360_HOME set) shows:
- every dbt model as an asset and every dbt data test as an asset check (dagster-dbt,
  from the manifest of `dbt parse`), all materialised by ONE c360 build: the op calls
  c360's own `build_warehouse` (a refresh when a warehouse is served, else a full build;
  `full_refresh` forces one), so the home's writer lock, the build into a staged file,
  the tests before the swap and the atomic publish stay c360's. Dagster's events are read
  from that build's dbt run_results.json. Why not dagster-dbt's `dbt build`: it would
  write the served file in place, so a failing test would leave a broken warehouse served.
- Python assets that call the stages: `churn_model` (train), `churn_predictions` (score),
  `clv_predictions` and `uplift_predictions` (refits).
- jobs `c360_daily` (warehouse and scores, daily) and `c360_weekly_refit` (CLV and uplift,
  weekly: `c360 daily`'s default refit cadence), each with a schedule. The churn model is
  retrained on demand (materialise `churn_model`), as with `c360 train`.
"""

import json
import time
from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    Definitions,
    Failure,
    MaterializeResult,
    ScheduleDefinition,
    asset,
    define_asset_job,
    definitions,
)
from dagster_dbt import DagsterDbtTranslator, dbt_assets, get_asset_key_for_model
from dagster_dbt.asset_utils import get_asset_check_key_for_test

from c360.config import Paths
from c360.warehouse.dbt import run_dbt

DAILY_CRON = "0 6 * * *"  # 06:00 UTC: score the day's refresh
WEEKLY_CRON = "0 7 * * 1"  # Mondays 07:00 UTC: refit CLV and uplift
SEED = 42
GROUP = "c360_models"


class DagsterSetupError(Exception):
    """The Dagster definitions cannot be built (the dbt project does not parse); one line."""


class WarehouseConfig(Config):
    full_refresh: bool = False  # rebuild everything even when a warehouse is served


def parse_manifest(paths: Paths) -> dict[str, Any]:
    """`dbt parse`; the manifest Dagster's assets come from. Into a folder of its own, so that
    loading the definitions never touches the artifacts of a c360 build running meanwhile."""
    folder = paths.home / "dagster" / "dbt_target"
    outcome = run_dbt(["parse"], env={}, paths=paths, target="duckdb", target_path=folder)
    if not outcome.success:
        raise DagsterSetupError(f"dbt parse failed: {outcome.summary()}")
    return json.loads((folder / "manifest.json").read_text())


def build_results(
    context: AssetExecutionContext,
    manifest: dict[str, Any],
    run_results: dict[str, Any],
    translator: DagsterDbtTranslator,
    build: Any,
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """One materialisation per built model and one check result per data test, as dbt
    reported them, for the assets and checks Dagster selected."""
    keys = context.selected_asset_keys
    for result in run_results.get("results", []):
        unique_id, status = result["unique_id"], str(result["status"])
        if unique_id.startswith("model.") and unique_id in manifest["nodes"]:
            key = translator.get_asset_spec(manifest, unique_id, None).key
            if key in keys:
                yield MaterializeResult(
                    asset_key=key,
                    metadata={
                        "build_id": build.build_id,
                        "build_kind": build.kind,
                        "as_of_date": build.as_of_date,
                        "dbt_status": status,
                        "dbt_seconds": round(float(result.get("execution_time") or 0), 3),
                    },
                )
    yield from check_results(context, manifest, run_results, translator)


def check_results(
    context: AssetExecutionContext,
    manifest: dict[str, Any],
    run_results: dict[str, Any],
    translator: DagsterDbtTranslator,
    failed_only: bool = False,
) -> Iterator[AssetCheckResult]:
    """The dbt data tests' outcomes as asset check results (unit tests are not checks)."""
    checks = context.selected_asset_check_keys
    for result in run_results.get("results", []):
        unique_id, status = result["unique_id"], str(result["status"])
        if not unique_id.startswith("test.") or (failed_only and status == "pass"):
            continue
        check = get_asset_check_key_for_test(manifest, translator, unique_id, None)
        if check is not None and check in checks:
            yield AssetCheckResult(
                asset_key=check.asset_key,
                check_name=check.name,
                passed=status == "pass",
                severity=AssetCheckSeverity.WARN if status == "warn" else AssetCheckSeverity.ERROR,
                metadata={"dbt_status": status, "failures": int(result.get("failures") or 0)},
            )


def warehouse_assets(paths: Paths, manifest: dict[str, Any]):
    """The dbt models as assets and their data tests as checks, built by c360's build."""
    translator = DagsterDbtTranslator()

    @dbt_assets(manifest=manifest, dagster_dbt_translator=translator, name="c360_warehouse")
    def c360_warehouse(context: AssetExecutionContext, config: WarehouseConfig):
        from c360.warehouse.bronze_check import BronzeError
        from c360.warehouse.publish import BuildError, build_warehouse

        incremental = paths.warehouse.exists() and not config.full_refresh
        started = time.time()
        try:
            build = build_warehouse(paths, incremental=incremental)
        except (BuildError, BronzeError) as exc:
            # nothing was published: report the tests that failed in the staged build (if
            # dbt got that far), then fail the step with c360's one line; downstream
            # assets do not run
            failed = _run_results(paths, since=started)
            yield from check_results(context, manifest, failed, translator, failed_only=True)
            raise Failure(description=str(exc)) from None
        context.log.info(
            f"published build {build.build_id} ({build.kind}) as of {build.as_of_date}"
        )
        results = _run_results(paths, since=started)
        yield from build_results(context, manifest, results, translator, build)

    return c360_warehouse


def _run_results(paths: Paths, since: float) -> dict[str, Any]:
    """The results of the build c360 ran (its dbt artifacts are in $C360_HOME/dbt_target);
    none when dbt did not run since `since` (the build failed before it, e.g. on bronze)."""
    path = paths.home / "dbt_target" / "run_results.json"
    if not path.exists() or path.stat().st_mtime < since:
        return {}
    return json.loads(path.read_text())


def _reported(summary, *fields: str) -> MaterializeResult:
    """A stage's summary fields as the asset's metadata."""
    return MaterializeResult(metadata={field: getattr(summary, field) for field in fields})


def stage_assets(paths: Paths, warehouse) -> list:
    """The model stages as Python assets; each calls the stage c360's CLI calls."""

    def model(name: str) -> AssetKey:  # a dbt model's asset key (schema/name)
        return get_asset_key_for_model([warehouse], name)

    @asset(group_name=GROUP, deps=[model("churn_features"), model("churn_labels")])
    def churn_model() -> MaterializeResult:
        """The churn model, trained out of time (`c360 train`)."""
        from c360.ml.pipeline import train

        summary = train(paths, seed=SEED)
        return _reported(summary, "model_id", "targets_met", "model_dir")

    @asset(group_name=GROUP, deps=[churn_model, model("churn_features")])
    def churn_predictions() -> MaterializeResult:
        """Every customer's churn score as of the build; the profile republished (`c360 score`)."""
        from c360.pipeline import score

        summary = score(paths)
        return _reported(summary, "model_id", "as_of_date", "customers", "scored", "predictions")

    @asset(group_name=GROUP, deps=[model("fct_transactions"), model("build_as_of")])
    def clv_predictions() -> MaterializeResult:
        """12-month customer lifetime value, validated on a holdout (`c360 clv`)."""
        from c360.pipeline import run_clv

        summary = run_clv(paths, seed=SEED)
        return _reported(summary, "model_id", "customers", "scored", "total_clv_12m", "predictions")

    @asset(
        group_name=GROUP,
        deps=[churn_predictions, model("stg_campaign_exposures"), model("churn_features")],
    )
    def uplift_predictions() -> MaterializeResult:
        """Campaign uplift per customer (`c360 uplift`); skipped when bronze has no campaign."""
        from c360.pipeline import run_uplift
        from c360.uplift.pipeline import NoCampaign, TooLittleData

        try:
            summary = run_uplift(paths, seed=SEED)
        except (NoCampaign, TooLittleData) as exc:
            return MaterializeResult(metadata={"skipped": str(exc)})
        return _reported(summary, "model_id", "campaign_id", "qini_area", "scored", "predictions")

    return [churn_model, churn_predictions, clv_predictions, uplift_predictions]


def build_definitions(paths: Paths) -> Definitions:
    """Assets, checks, jobs and schedules for the c360 home at `paths`."""
    warehouse = warehouse_assets(paths, parse_manifest(paths))
    stages = stage_assets(paths, warehouse)
    daily = define_asset_job(
        "c360_daily",
        selection=AssetSelection.assets(warehouse) | AssetSelection.assets("churn_predictions"),
        description="Refresh the warehouse (tests before publish), then score every customer.",
    )
    weekly = define_asset_job(
        "c360_weekly_refit",
        selection=AssetSelection.assets("clv_predictions", "uplift_predictions"),
        description="Refit customer lifetime value and campaign uplift.",
    )
    return Definitions(
        assets=[warehouse, *stages],
        jobs=[daily, weekly],
        schedules=[
            ScheduleDefinition(job=daily, cron_schedule=DAILY_CRON, execution_timezone="UTC"),
            ScheduleDefinition(job=weekly, cron_schedule=WEEKLY_CRON, execution_timezone="UTC"),
        ],
    )


@definitions
def defs() -> Definitions:
    """Loaded by `dagster dev -m c360.orchestration.dagster_defs` for $C360_HOME."""
    return build_definitions(Paths.from_env())
