"""Build the warehouse with dbt and publish it only when every model and test passed.

DuckDB (the default): the build runs into a new file that is swapped in atomically. Readers
that hold the previous file open keep reading it (a rename does not touch an open file), so
the app never sees a half-built or failing warehouse.

Spark and Snowflake: dbt builds in place, in the Spark catalog under `$C360_HOME/spark/` or
in the Snowflake database (tables cannot be swapped as one file). "Published" means
`$C360_HOME/<target>/build_info.json` names the build: it is removed when a build starts
and written only when that build passed, and the Python side (train, score) refuses to
read without it. On Spark, `meta.build_history` records every published build, as on DuckDB,
and a passed build also publishes a DuckDB serving file for the app and the assistant
(`spark_serving.py`) before `build_info.json` is written.
"""

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb

from c360 import __version__
from c360.config import Paths, resolve_target
from c360.contracts.artefacts import published_marker, read_published_build
from c360.contracts.bronze import dbt_env
from c360.contracts.outputs import ensure_output_files, predictions_path
from c360.lock import home_lock
from c360.warehouse.bronze_check import BronzeError, check_as_of, check_bronze, parse_as_of
from c360.warehouse.dbt import Progress, run_dbt
from c360.warehouse.standby import (
    Start,
    drop_standby,
    keep_standby,
    standby_enabled,
    start_incremental,
)


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
    # how the build got the file dbt ran on: "clone", "standby", "copy" (incremental) or
    # "new" (full), and the seconds that took
    start: dict = field(default_factory=dict)


def build_mode(incremental: bool) -> list[str]:
    """A full build runs every model, data test and unit test. A refresh (or a republish)
    runs every data test on what it rebuilds but no unit tests: they check logic, not data,
    and already ran in every full build and in CI (dbt's guidance keeps them out of
    production runs)."""
    return ["--exclude-resource-type", "unit_test"] if incremental else ["--full-refresh"]


def new_build_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def build_warehouse(
    paths: Paths,
    incremental: bool = False,
    progress: Progress | None = None,
    select: str | None = None,
    target: str | None = None,
    dbt_vars: dict | None = None,
) -> BuildReport:
    """Run `dbt build` (full, or incremental on a clone, the standby or a copy of the
    served file: standby.py) and publish.

    `select` (incremental only) rebuilds just those dbt nodes, e.g. the profile after
    new churn scores were written. `target` is the engine (default $C360_TARGET, else
    duckdb). `dbt_vars` overrides project vars for this build (e.g. clv_holdout_days).
    """
    target = resolve_target(target)
    args = _build_args(incremental, select, dbt_vars)
    if target != "duckdb":
        return _build_in_place(paths, target, incremental, progress, select, args)
    started = datetime.now(UTC)
    with home_lock(paths.home, "refresh" if incremental else "build"):
        manifest = check_bronze(paths.bronze)
        as_of = check_as_of(manifest, paths.bronze).isoformat()
        predictions = predictions_path(paths.home)
        ensure_output_files(predictions.parent)
        if incremental and not paths.warehouse.exists():
            raise BuildError(f"no warehouse at {paths.warehouse} to refresh; run `c360 build`")
        served = _served_build(paths.warehouse) if incremental else None
        _remove_stale_builds(paths)
        build_id = new_build_id()
        # The same staging path every build (we hold the home's writer lock, and every
        # writer removes a killed build's `builds/` first): dbt's profile, which names it,
        # then stays the same, so dbt re-parses only changed files (2.6 s saved a run).
        staged = paths.home / "builds" / "next" / paths.warehouse.name
        staged.parent.mkdir(parents=True)
        try:
            if incremental:
                start = start_incremental(
                    paths.home, paths.warehouse, served, staged,
                    use_standby=select is None and standby_enabled(),
                )  # fmt: skip
            else:
                drop_standby(paths.home)  # a full build starts afresh: nothing to catch up
                start = Start("new", 0.0)
            outcome = run_dbt(
                args,
                env={
                    "C360_AS_OF_DATE": as_of,
                    **dbt_env(manifest),
                    # the as-of date of the build in the staged file (the standby's own, not
                    # the served one's): refresh_scope.sql reloads from there
                    "C360_PREVIOUS_AS_OF_DATE": start.previous_as_of,
                    "C360_WAREHOUSE_PATH": str(staged),
                    "C360_BRONZE_PATH": str(paths.bronze),
                    "C360_PREDICTIONS_PATH": str(predictions.parent),
                    "C360_DUCKDB_TEMP_DIR": str(staged.parent / "spill"),
                },
                paths=paths,
                progress=progress,
                target="duckdb",
            )  # fmt: skip
            if not outcome.success:
                hint = (
                    "; a table's columns changed since the served build (a new c360?): "
                    "run `c360 build` once"
                    if incremental
                    and "schemas on this incremental model are out of sync" in outcome.summary()
                    else ""
                )
                raise BuildError(f"build failed, warehouse unchanged: {outcome.summary()}{hint}")
            kind = ("scores" if select else "incremental") if incremental else "full"
            carried = served["history"] if start.method == "standby" else None
            _record_build(staged, build_id, kind, as_of, manifest, started, carried)
            keep = incremental and start.method != "clone" and standby_enabled()
            publish_file(
                staged, paths.warehouse, build_id,
                standby=partial(
                    keep_standby, paths.home,
                    name=paths.warehouse.name, info=served, followed_by=build_id,
                ) if keep else None,
            )  # fmt: skip
        finally:
            shutil.rmtree(staged.parent, ignore_errors=True)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return BuildReport(
        build_id=build_id,
        kind=kind,
        as_of_date=as_of,
        warehouse=str(paths.warehouse),
        nodes=outcome.nodes,
        seconds=round(seconds, 2),
        start={"method": start.method, "seconds": start.seconds},
    )


def side_files(database: Path) -> list[Path]:
    """What DuckDB keeps next to a database file: its WAL (`<name>.wal`), spill folder
    (`<name>.tmp`) and any other `<name>.*`."""
    if not database.parent.is_dir():
        return []
    return sorted(database.parent.glob(f"{database.name}.*"))


def publish_file(
    staged: Path,
    served: Path,
    build_id: str,
    standby: Callable[[Path], None] | None = None,
) -> None:
    """Swap `staged` in as `served`, with what sits next to it, and check that it opens.

    The staged file must be checkpointed and alone (no WAL). Side files of the served file
    (a WAL that a crashed tool left, which would make the new file unreadable: "WAL does not
    match database file") are moved aside just before the swap, so readers see the old file
    or the new one, each without a WAL. Then the published file is opened read-only; if it
    does not open, the previous file is put back and BuildError is raised.

    `standby`, when given, is handed the previous file (alone, under a private name) after
    a successful swap, to keep; it is not when the served file had side files (something
    wrote to it), and whatever it leaves is removed.
    """
    leftovers = side_files(staged)
    if leftovers:
        _checkpoint(staged)
        leftovers = [p for p in side_files(staged) if p.name != f"{staged.name}.tmp"]
        if leftovers:
            raise BuildError(
                f"build staged {staged.name} with {leftovers[0].name} beside it after a "
                "checkpoint; warehouse unchanged"
            )
    _check_opens(staged, build_id, "staged build")
    previous = served.with_name(f".{served.name}.previous-{build_id}")
    had_previous = served.exists()
    if had_previous:
        try:
            os.link(served, previous)  # keeps the old file to restore, without a gap
        except OSError:
            shutil.copy2(served, previous)
    moved: dict[Path, Path] = {}
    published = False
    try:
        for side in side_files(served):
            aside = side.with_name(f".{side.name}.stale-{build_id}")
            side.rename(aside)
            moved[side] = aside
        staged.replace(served)
        try:
            _check_opens(served, build_id, "published warehouse")
        except BuildError:
            for side in side_files(served):
                _remove(side)
            if had_previous:
                previous.replace(served)
            else:
                served.unlink(missing_ok=True)
            raise
        published = True
    finally:
        for side, aside in moved.items():
            if published:
                _remove(aside)  # stale: it belonged to no file we serve now
            else:
                aside.rename(side)  # a failed publish leaves everything as it was
        if published and had_previous and standby is not None and not moved:
            standby(previous)
        _remove(previous)


def _checkpoint(database: Path) -> None:
    try:
        with duckdb.connect(str(database)) as con:
            con.execute("force checkpoint")
    except duckdb.Error as exc:
        raise BuildError(f"cannot checkpoint the staged build: {_first_line(exc)}") from None


def _check_opens(database: Path, build_id: str, what: str) -> None:
    """Open `database` read-only as a reader would, in a fresh in-memory instance: a plain
    `duckdb.connect(path)` would reuse a connection this process may hold to the old file."""
    path = str(database).replace("'", "''")
    try:
        with duckdb.connect() as con:
            con.execute(f"attach '{path}' as published (read_only)")
            row = con.execute("select build_id from published.meta.build_info").fetchone()
    except duckdb.Error as exc:
        raise BuildError(
            f"the {what} does not open read-only ({_first_line(exc)}); the previous "
            "warehouse is still served"
        ) from None
    if row is None or row[0] != build_id:
        raise BuildError(
            f"the {what} names build {row and row[0]}, not {build_id}; the previous "
            "warehouse is still served"
        )


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _served_build(warehouse: Path) -> dict:
    """The id and as-of date of the served build a refresh starts from, and its build
    history (`history`: column names and rows).

    A stale WAL that another tool left next to the served file makes it unreadable until
    the publish moves the WAL aside; the file is then read alone, through a hard link in a
    private folder (no WAL beside it), without touching what is served."""
    try:
        return _read_served(warehouse)
    except duckdb.Error as exc:
        if side_files(warehouse):
            with tempfile.TemporaryDirectory(
                prefix=f".{warehouse.name}.read-", dir=warehouse.parent
            ) as folder:
                alone = Path(folder) / warehouse.name
                try:
                    os.link(warehouse, alone)
                    return _read_served(alone)
                except (OSError, duckdb.Error):
                    pass
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BuildError(
            f"cannot refresh {warehouse} ({first}); run `c360 build` to build it again"
        ) from None


def _read_served(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select build_id, kind, as_of_date from meta.build_info").fetchone()
        history = con.execute("select * from meta.build_history")
        columns = [column[0] for column in history.description]
        rows = history.fetchall()
    return {
        "build_id": row[0],
        "kind": row[1],
        "as_of_date": str(row[2]),
        "history": (columns, rows),
    }


def _remove_stale_builds(paths: Paths) -> None:
    """Leftovers of killed builds; safe to remove because we hold the build lock."""
    shutil.rmtree(paths.home / "builds", ignore_errors=True)


def _record_build(
    staged: Path,
    build_id: str,
    kind: str,
    as_of: str,
    manifest: dict,
    started,
    carried: tuple[list[str], list[tuple]] | None = None,
) -> None:
    """Add this build to the staged file's meta.build_history, with the rows of
    `carried` (the served file's history) it lacks: a file that started from the standby
    misses the build published after it."""
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
        if carried:
            columns, rows = carried
            names = ", ".join(f'"{name}"' for name in columns)
            marks = ", ".join("?" * len(columns))
            for values in rows:
                con.execute(
                    f"insert or ignore into meta.build_history ({names}) values ({marks})",
                    list(values),
                )
        con.execute(
            "insert into meta.build_history values (?, ?, ?, ?, ?, ?, ?)",
            [
                build_id,
                kind,
                as_of,
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


def _build_args(incremental: bool, select: str | None, dbt_vars: dict | None) -> list[str]:
    """`dbt build` with its flags; vars as JSON (valid YAML), only when given."""
    return [
        "build",
        *build_mode(incremental),
        *(["--select", select] if select else []),
        *(["--vars", json.dumps(dbt_vars, sort_keys=True)] if dbt_vars else []),
    ]


def _build_in_place(
    paths: Paths,
    target: str,
    incremental: bool,
    progress: Progress | None,
    select: str | None,
    args: list[str],
) -> BuildReport:
    """dbt build in the engine's own catalog; publish by writing <home>/<target>/build_info."""
    started = datetime.now(UTC)
    with home_lock(paths.home, "refresh" if incremental else "build"):
        predictions = predictions_path(paths.home)
        marker = published_marker(paths, target)
        if incremental and not marker.exists():
            raise BuildError(
                f"no published {target} build to refresh; run `c360 build --target {target}`"
            )
        if target == "spark":
            manifest = check_bronze(paths.bronze)
            manifest["as_of_date"] = check_as_of(manifest, paths.bronze).isoformat()
            ensure_output_files(predictions.parent)
            engine = _start_spark(paths)
            env = _spark_env(paths)
            where = str(paths.spark_home)
        else:
            manifest = _local_manifest(paths)
            if manifest.get("as_of_date"):  # bronze is in the account: only the date's form
                manifest["as_of_date"] = parse_as_of(
                    manifest["as_of_date"], "bronze manifest as_of_date"
                ).isoformat()
            ensure_output_files(predictions.parent)
            engine = _upload_to_snowflake(predictions.parent)
            env = {}
            where = f"snowflake database {engine}"
        env |= {
            "C360_BRONZE_PATH": str(paths.bronze),
            "C360_PREDICTIONS_PATH": str(predictions.parent),
        }
        previous = (read_published_build(paths, target) or {}) if incremental else {}
        env["C360_PREVIOUS_AS_OF_DATE"] = _date_or_empty(previous.get("as_of_date"))
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.unlink(missing_ok=True)
        build_id = new_build_id()
        outcome = run_dbt(
            args,
            env=env | {
                "C360_AS_OF_DATE": manifest.get("as_of_date", ""),
                **dbt_env(manifest),
            },
            paths=paths,
            progress=progress,
            target=target,
        )  # fmt: skip
        if not outcome.success:
            raise BuildError(
                f"build failed; the {target} warehouse ({where}) is not published until a "
                f"build passes: {outcome.summary()}"
            )
        kind = ("scores" if select else "incremental") if incremental else "full"
        if target == "spark":
            _record_spark_build(engine, build_id, kind, manifest, started)
            _publish_spark_serving(paths, engine, build_id)
        as_of = manifest.get("as_of_date") or "latest transaction"
        info = {"build_id": build_id, "kind": kind, "as_of_date": as_of}
        staged = marker.with_name(f".{marker.name}.tmp")
        staged.write_text(json.dumps(info, indent=2) + "\n")
        staged.replace(marker)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return BuildReport(
        build_id=build_id,
        kind=kind,
        as_of_date=as_of,
        warehouse=where,
        nodes=outcome.nodes,
        seconds=round(seconds, 2),
    )


def _date_or_empty(value: object) -> str:
    """A published build's as-of date, or '' when it had none ("latest transaction")."""
    try:
        return parse_as_of(value).isoformat()
    except BronzeError:
        return ""


def _start_spark(paths: Paths):
    """Started here, not by dbt, so that a missing Java or extra is one clear line."""
    from c360.warehouse.spark import SparkError, spark_session

    try:
        return spark_session(paths)
    except SparkError as exc:
        raise BuildError(str(exc)) from None


def _publish_spark_serving(paths: Paths, session, build_id: str) -> None:
    """The DuckDB file the app and the assistant read after a Spark build (before the
    build is published: a build whose serving file cannot be written is not published)."""
    from c360.warehouse.spark_serving import publish_serving

    try:
        publish_serving(paths, session, build_id)
    except BuildError:
        raise
    except Exception as exc:  # DuckDB, the file system, py4j: one line, nothing published
        raise BuildError(
            f"build passed but its serving file could not be written ({_first_line(exc)}); "
            "the previous Spark build is still served"
        ) from None


def _spark_env(paths: Paths) -> dict[str, str]:
    from c360.warehouse.spark import spark_env

    return spark_env(paths)


def _local_manifest(paths: Paths) -> dict:
    """Snowflake keeps bronze in the account; a local manifest still gives the as-of date."""
    manifest = paths.bronze / "_manifest.json"
    return json.loads(manifest.read_text()) if manifest.exists() else {}


def _upload_to_snowflake(folder: Path) -> str:
    """Model outputs to C360_ML before dbt reads them; returns the database's name."""
    from c360.warehouse.snowflake import (
        SnowflakeError,
        connect,
        connection_settings,
        upload_outputs,
    )

    try:
        settings = connection_settings()
        with connect(settings) as connection:
            upload_outputs(connection, folder)
    except SnowflakeError as exc:
        raise BuildError(str(exc)) from None
    return settings["database"]


def _record_spark_build(session, build_id: str, kind: str, manifest: dict, started) -> None:
    session.sql("create schema if not exists meta")
    session.sql(
        """
        create table if not exists meta.build_history (
            build_id string,
            kind string,
            as_of_date date,
            started_at timestamp,
            finished_at timestamp,
            bronze_transactions bigint,
            c360_version string
        ) using parquet
        """
    )
    session.sql(
        "insert into meta.build_history values (?, ?, cast(? as date), ?, ?, ?, ?)",
        args=[
            build_id,
            kind,
            manifest["as_of_date"],
            started.replace(tzinfo=None),
            datetime.now(UTC).replace(tzinfo=None),
            int(manifest["rows"]["transactions"]),
            __version__,
        ],
    )
    session.sql(
        "create or replace view meta.build_info as "
        "select * from meta.build_history order by finished_at desc limit 1"
    )


def read_build_info(warehouse: Path) -> dict:
    """The latest build's id and as-of date, read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select build_id, kind, as_of_date from meta.build_info").fetchone()
    return {"build_id": row[0], "kind": row[1], "as_of_date": str(row[2])}
