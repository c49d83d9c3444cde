"""Build the warehouse into a new DuckDB file and swap it in only when everything passed.

Readers that hold the previous file open keep reading it (a rename does not touch an open
file), so the app never sees a half-built or failing warehouse.
"""

import fcntl
import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from c360 import __version__
from c360.config import Paths
from c360.ml.predictions import ensure_predictions_file, predictions_path
from c360.warehouse.bronze_check import check_bronze
from c360.warehouse.dbt import Progress, run_dbt


class BuildError(Exception):
    """The build failed; the served warehouse is untouched. One line for the user."""


@dataclass
class BuildReport:
    build_id: str
    kind: str  # full | incremental | scores
    as_of_date: str
    warehouse: str
    nodes: int
    seconds: float


def new_build_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


@contextmanager
def _exclusive(paths: Paths) -> Iterator[None]:
    paths.home.mkdir(parents=True, exist_ok=True)
    with open(paths.home / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is running in {paths.home}") from None
        yield


def build_warehouse(
    paths: Paths,
    incremental: bool = False,
    progress: Progress | None = None,
    select: str | None = None,
) -> BuildReport:
    """Run `dbt build` (full, or incremental on a copy of the served file) and publish.

    `select` (incremental only) rebuilds just those dbt nodes, e.g. the profile after
    new churn scores were written.
    """
    started = datetime.now(UTC)
    with _exclusive(paths):
        manifest = check_bronze(paths.bronze)
        predictions = predictions_path(paths.home)
        ensure_predictions_file(predictions)
        if incremental and not paths.warehouse.exists():
            raise BuildError(f"no warehouse at {paths.warehouse} to refresh; run `c360 build`")
        _remove_stale_builds(paths)
        build_id = new_build_id()
        staged = paths.home / "builds" / build_id / paths.warehouse.name
        staged.parent.mkdir(parents=True)
        try:
            if incremental:
                shutil.copy2(paths.warehouse, staged)
            outcome = run_dbt(
                ["build", *([] if incremental else ["--full-refresh"]),
                 *(["--select", select] if select else []), "--vars",
                 json.dumps({"as_of_date": manifest["as_of_date"]})],
                env={
                    "C360_WAREHOUSE_PATH": str(staged),
                    "C360_BRONZE_PATH": str(paths.bronze),
                    "C360_PREDICTIONS_PATH": str(predictions.parent),
                    "C360_DUCKDB_TEMP_DIR": str(staged.parent / "spill"),
                },
                paths=paths,
                progress=progress,
            )  # fmt: skip
            if not outcome.success:
                raise BuildError(f"build failed, warehouse unchanged: {outcome.summary()}")
            kind = ("scores" if select else "incremental") if incremental else "full"
            _record_build(staged, build_id, kind, manifest, started)
            staged.replace(paths.warehouse)
        finally:
            shutil.rmtree(staged.parent, ignore_errors=True)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return BuildReport(
        build_id=build_id,
        kind=kind,
        as_of_date=manifest["as_of_date"],
        warehouse=str(paths.warehouse),
        nodes=outcome.nodes,
        seconds=round(seconds, 2),
    )


def _remove_stale_builds(paths: Paths) -> None:
    """Leftovers of killed builds; safe to remove because we hold the build lock."""
    shutil.rmtree(paths.home / "builds", ignore_errors=True)


def _record_build(staged: Path, build_id: str, kind: str, manifest: dict, started) -> None:
    with duckdb.connect(str(staged)) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            """
            create table if not exists meta.build_history (
                build_id varchar primary key,
                kind varchar not null,
                as_of_date date not null,
                started_at timestamp not null,
                finished_at timestamp not null,
                bronze_transactions bigint,
                c360_version varchar
            )
            """
        )
        con.execute(
            "insert into meta.build_history values (?, ?, ?, ?, ?, ?, ?)",
            [
                build_id,
                kind,
                manifest["as_of_date"],
                started.replace(tzinfo=None),
                datetime.now(UTC).replace(tzinfo=None),
                manifest["rows"]["transactions"],
                __version__,
            ],
        )
        con.execute(
            "create or replace view meta.build_info as "
            "select * from meta.build_history order by finished_at desc limit 1"
        )
        con.execute("checkpoint")


def read_build_info(warehouse: Path) -> dict:
    """The latest build's id and as-of date, read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select build_id, kind, as_of_date from meta.build_info").fetchone()
    return {"build_id": row[0], "kind": row[1], "as_of_date": str(row[2])}
