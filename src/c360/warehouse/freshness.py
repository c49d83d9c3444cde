"""`dbt source freshness` on bronze: how long ago each checked dataset last landed a row.

Which datasets are checked, and after how long they warn or fail, is configured in the dbt
project (dbt/models/staging/_bronze__sources.yml). dbt-duckdb reads bronze's Parquet files
in place, so the check needs no warehouse: it runs on a scratch DuckDB file and never
touches the served one.
"""

import json
import shutil
from dataclasses import dataclass, field

from c360.config import Paths
from c360.warehouse.dbt import run_dbt

SCRATCH = "builds/freshness"  # under the home; `builds/` is removed by the next writer


class FreshnessError(Exception):
    """The check itself could not run (not: the data is stale). One line for the user."""


@dataclass
class SourceFreshness:
    source: str  # e.g. bronze.transactions
    status: str  # pass | warn | error (older than error_after)
    max_loaded_at: str | None
    age_hours: float | None


@dataclass
class FreshnessReport:
    sources: list[SourceFreshness] = field(default_factory=list)

    @property
    def stale(self) -> list[SourceFreshness]:
        return [s for s in self.sources if s.status == "warn"]

    @property
    def failed(self) -> list[SourceFreshness]:
        return [s for s in self.sources if s.status not in ("pass", "warn")]

    def describe(self) -> str:
        if not self.sources:
            return "no source has a freshness check"
        parts = []
        for s in self.sources:
            age = "no rows" if s.age_hours is None else f"{s.age_hours / 24:.1f} days old"
            parts.append(f"{s.source} {s.status} (last loaded {s.max_loaded_at}, {age})")
        return "; ".join(parts)


def check_freshness(paths: Paths) -> FreshnessReport:
    """Run `dbt source freshness` against `paths.bronze`; read dbt's sources.json."""
    scratch = paths.home / SCRATCH
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    target_path = paths.home / "dbt_target"
    (target_path / "sources.json").unlink(missing_ok=True)
    try:
        outcome = run_dbt(
            ["source", "freshness"],
            env={
                "C360_WAREHOUSE_PATH": str(scratch / "freshness.duckdb"),
                "C360_BRONZE_PATH": str(paths.bronze),
                "C360_PREDICTIONS_PATH": str(paths.home / "predictions"),
                "C360_DUCKDB_TEMP_DIR": str(scratch / "spill"),
            },
            paths=paths,
            target="duckdb",
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    try:
        results = json.loads((target_path / "sources.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        results = []
    if not outcome.success and not any(r.get("status") == "error" for r in results):
        # a source that could not be read is missing from sources.json: say why
        reason = outcome.summary() or "dbt wrote no sources.json"
        raise FreshnessError(f"source freshness did not run: {reason}")
    report = FreshnessReport()
    for result in results:
        age = result.get("max_loaded_at_time_ago_in_s")
        report.sources.append(
            SourceFreshness(
                source=result["unique_id"].removeprefix("source.c360."),
                status=str(result.get("status")),
                max_loaded_at=result.get("max_loaded_at"),
                age_hours=None if age is None else round(age / 3600, 1),
            )
        )
    return report
