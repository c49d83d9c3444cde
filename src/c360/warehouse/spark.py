"""The Spark target: a local SparkSession (pyspark 4, Java 17) with its catalog in one folder.

Everything Spark keeps lives under `$C360_HOME/spark/` (`Paths.spark_home`):

- `metastore_db/` — the Hive metastore (embedded Derby): schemas and table definitions;
- `warehouse/<schema>.db/<table>/` — the managed tables' Parquet files (silver, gold, ml,
  meta); bronze and the churn predictions stay where they are, registered as external
  tables by the dbt project's on-run-start hook;
- `build_info.json` — written only after a build whose every model and test passed: the
  Spark equivalent of DuckDB's published file (see `publish.py`).

dbt-spark (`method: session`) and c360's Python side share one SparkSession when they run in
one process (`c360 run`), and open the same metastore when they run in separate ones, so the
settings below must match the `spark` output of dbt/profiles.yml (a test checks). Embedded
Derby admits one process at a time: one Spark command per c360 home at once.
"""

import os
import socket
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from c360.config import Paths

INSTALL_HINT = 'the Spark target needs the spark extra: pip install -e ".[spark]" (and Java 17)'


class SparkError(Exception):
    """Spark cannot be used here; one line for the user."""


def spark_env(paths: Paths) -> dict[str, str]:
    """Environment for dbt's `spark` profile: where the catalog lives."""
    return {"C360_SPARK_HOME": str(paths.spark_home)}


def spark_conf(spark_home: Path) -> dict[str, str]:
    """The session settings; identical to `server_side_parameters` in dbt/profiles.yml."""
    return {
        "spark.master": os.environ.get("C360_SPARK_MASTER", "local[2]"),
        "spark.driver.memory": os.environ.get("C360_SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.warehouse.dir": f"{spark_home}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark_home}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_home}",
        "spark.sql.timestampType": "TIMESTAMP_NTZ",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get("C360_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": os.environ.get("C360_SPARK_LOG_LEVEL", "ERROR"),
        # dbt-spark forces this; the Python side must agree on cast and overflow rules
        "spark.sql.ansi.enabled": "false",
    }


def spark_session(paths: Paths) -> Any:
    """The process's SparkSession on this home's catalog, started on first use."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3
            from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError(INSTALL_HINT) from None
    conf = spark_conf(paths.spark_home)
    active = SparkSession.getActiveSession()
    if active is not None:
        current = active.conf.get("spark.sql.warehouse.dir", "")
        if current.removeprefix("file:") != conf["spark.sql.warehouse.dir"]:
            raise SparkError(
                f"this process already runs Spark on {current}; one c360 home per process"
            )
        return active
    check_master(conf["spark.master"])
    builder = SparkSession.builder.appName("c360").enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    paths.spark_home.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return builder.getOrCreate()
    except Exception as exc:  # no Java, bad settings: py4j raises plain exceptions
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SparkError(f"cannot start Spark ({first}); {INSTALL_HINT}") from None


def check_master(master: str, timeout: float = 5.0) -> None:
    """A standalone master (`spark://host:port[,host:port]`) must accept connections.

    Without this check Spark retries for about a minute and then fails deep inside the
    build; here it is one line at once. Other masters (local, yarn, k8s://) are not checked.
    """
    if not master.startswith("spark://"):
        return
    errors = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return
        except (OSError, ValueError) as exc:
            errors.append(exc.strerror or str(exc) or type(exc).__name__)
    raise SparkError(
        f"no Spark master answers at {master} ({'; '.join(errors)}); start one "
        "(python -m c360.warehouse.spark_cluster start) or set C360_SPARK_MASTER"
    )


def read_frame(paths: Paths, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run a query on the Spark catalog and return the rows as pandas (through Arrow)."""
    session = spark_session(paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return session.sql(sql, args=params or None).toArrow().to_pandas()


def table_exists(paths: Paths, table: str) -> bool:
    return bool(spark_session(paths).catalog.tableExists(table))
