"""After a Spark build passed: a DuckDB serving file for the app and the assistant.

Spark builds in place, so its catalog is not something the app can open read-only and
lock. Instead every published Spark build also publishes `$C360_HOME/spark/serving.duckdb`,
which the app and `c360 ask` open exactly as they open DuckDB's warehouse (see
`serving.open_read_only`), with the same gold table names, so the same guard applies:

- every `gold` table but the facts is copied from Spark's Parquet into the file (small:
  one row per customer, category, month ...);
- the facts (`fct_transactions`) stay where Spark wrote them: their Parquet files are
  hard-linked into `spark/serving.parquet/<build_id>/` (no bytes copied) and the file has
  a view over them. The links matter: the next Spark build rewrites the table's folder in
  place, and a build that fails half-way must not change what is served;
- `meta.build_history` (and the `meta.build_info` view) come from Spark's `meta` table;
- the silver the app and the monitor read (campaigns and their exposures: views without
  files of their own; the quarantined transactions) are read through Spark and stored as
  tables.

The file is built beside, then swapped in with `publish_file` (checked to open read-only
and to name this build), as DuckDB's own warehouse is. Parquet snapshots of the served
build and the one before it are kept (a reader may still hold the previous file); older
ones are removed.
"""

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import duckdb

from c360.config import Paths
from c360.warehouse.publish import BuildError, publish_file
from c360.warehouse.serving import fact_directory, served_warehouse, sql_literal

FACTS = frozenset({"fct_transactions"})  # read in place, never copied
# silver read by the app's pages (campaigns) and by the monitor (quarantined rows per day)
SERVED_SILVER = ("stg_campaigns", "stg_campaign_exposures", "stg_transactions_quarantine")
KEEP_SNAPSHOTS = 2  # the served build's Parquet links and the previous one's


def publish_serving(paths: Paths, session: Any, build_id: str) -> Path:
    """Write the serving file for the Spark build `build_id` and swap it in."""
    served = served_warehouse(paths, "spark")
    snapshots = fact_directory(served)
    snapshot = snapshots / build_id
    staged = paths.home / "builds" / "serving" / served.name
    shutil.rmtree(staged.parent, ignore_errors=True)
    staged.parent.mkdir(parents=True)
    try:  # ours alone from here: removed again if anything fails
        snapshot.mkdir(parents=True)
    except FileExistsError:
        raise BuildError(f"build {build_id} already has a serving snapshot; not replaced") from None
    try:
        with duckdb.connect(str(staged)) as con:
            for schema in ("gold", "silver", "meta"):
                con.execute(f"create schema {schema}")
            for table in _tables(session, "gold"):
                location = _local_folder(session, f"gold.{table}")
                if table in FACTS:
                    _link_parquet(location, snapshot / table)
                    files = sql_literal(str(snapshot / table / "*.parquet"))
                    con.execute(f"create view gold.{table} as from read_parquet({files})")
                else:
                    _copy(con, session, f"gold.{table}", location)
            _copy(con, session, "meta.build_history", _local_folder(session, "meta.build_history"))
            con.execute(
                "create view meta.build_info as "
                "select * from meta.build_history order by finished_at desc limit 1"
            )
            for name in SERVED_SILVER:
                if session.catalog.tableExists(f"silver.{name}"):
                    _copy_through_spark(con, session, f"silver.{name}")
            con.execute("checkpoint")
        publish_file(staged, served, build_id)
    except BaseException:
        shutil.rmtree(snapshot, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)
    _remove_old_snapshots(snapshots)
    return served


def _tables(session: Any, schema: str) -> list[str]:
    rows = session.sql(f"show tables in {schema}").collect()  # (namespace, name, isTemporary)
    return sorted(row[1] for row in rows if not row[2])


def _local_folder(session: Any, table: str) -> Path:
    """Where Spark keeps `table`'s files; serving reads them, so they must be on a file
    system this machine mounts (local disk, NFS), not HDFS or an object store."""
    rows = session.sql(f"describe table extended {table}").collect()
    location = next((row[1] for row in rows if row[0] == "Location"), None)
    if location is None:
        raise BuildError(f"Spark does not say where {table} is stored; cannot serve it")
    parsed = urlparse(location)
    if parsed.scheme not in ("", "file"):
        raise BuildError(
            f"{table} is stored at {location}; serving after Spark reads Parquet from a local "
            "or mounted file system (docs/spark.md)"
        )
    return Path(unquote(parsed.path))


def _parquet_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.parquet") if p.is_file())


def _copy(con: duckdb.DuckDBPyConnection, session: Any, table: str, folder: Path) -> None:
    files = _parquet_files(folder)
    if not files:  # an empty Spark table may have no data file: ask Spark for its schema
        _copy_through_spark(con, session, table)
        return
    listed = ", ".join(sql_literal(str(f)) for f in files)
    con.execute(f"create table {table} as select * from read_parquet([{listed}])")


def _copy_through_spark(con: duckdb.DuckDBPyConnection, session: Any, table: str) -> None:
    con.register("spark_rows", session.table(table).toArrow())
    try:
        con.execute(f"create table {table} as select * from spark_rows")
    finally:
        con.unregister("spark_rows")


def _link_parquet(source: Path, target: Path) -> None:
    """Hard-link (else copy, on a file system without links) every Parquet file."""
    target.mkdir()
    linked = []
    for file in _parquet_files(source):
        destination = target / file.name
        try:
            os.link(file, destination)
        except OSError:
            shutil.copy2(file, destination)
        linked.append(destination)
    if not linked:
        raise BuildError(f"Spark wrote no Parquet files for {source.name} in {source}")
    return linked


def _remove_old_snapshots(snapshots: Path) -> None:
    builds = sorted(p for p in snapshots.iterdir() if p.is_dir())  # build ids sort by time
    for old in builds[:-KEEP_SNAPSHOTS]:
        shutil.rmtree(old, ignore_errors=True)
