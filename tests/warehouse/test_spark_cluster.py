"""The pipeline on a real Spark standalone cluster: a master and two workers, each its own
JVM on 127.0.0.1 (c360.warehouse.spark_cluster), started for this module and stopped after.

`c360 run --target spark` runs build, train and score through the master in a separate
process; every `gold` and `ml` table must equal DuckDB's from the same bronze (the parity
test's comparison), and the app's queries and `c360 ask` must answer from the serving file
exactly as they answer on DuckDB. Faults: no master reachable, and a worker killed while a
build runs. Select with `-m spark_cluster`; it runs in CI with everything else.
"""

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from c360.config import DEFAULT_SEED, Paths
from c360.pipeline import run_all
from c360.warehouse.spark_cluster import (
    ClusterSpec,
    alive_workers,
    free_port,
    kill,
    main,
    master_status,
    running,
    start,
    stop,
)
from tests.conftest import make_bronze
from tests.warehouse.test_spark_parity import duck_tables, profile_sql, same

pytest.importorskip("pyspark", reason="the Spark target needs the spark extra (pyspark)")
if shutil.which("java") is None:  # pragma: no cover - CI installs Java (Makefile)
    pytest.skip("the Spark target needs Java 17 on PATH", allow_module_level=True)

pytestmark = pytest.mark.spark_cluster

SIZE = {"customers": 200, "transactions": 40_000, "seed": 11}
QUESTIONS = ("how many customers", "total spend by channel last 90 days")


def c360(home: Path, *args: str, master: str, target: str = "spark", timeout: float = 1800):
    """The CLI in its own process (a Spark driver per process), on this cluster's master."""
    env = os.environ | {
        "C360_HOME": str(home),
        "C360_TARGET": target,
        "C360_SPARK_MASTER": master,
        "C360_SPARK_DRIVER_MEMORY": "1g",
        "C360_DBT_THREADS": "1",
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    return subprocess.run(
        [sys.executable, "-m", "c360", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def cluster_bronze(tmp_path_factory) -> Path:
    return make_bronze(tmp_path_factory.mktemp("cluster-bronze") / "bronze", **SIZE)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Master and two workers (1 core, 1g each) on free ports; every process group is
    stopped afterwards, whatever happened."""
    spec = ClusterSpec(
        state_dir=tmp_path_factory.mktemp("cluster"), port=free_port(), webui_port=free_port()
    )
    try:
        start(spec)
        yield spec
    finally:
        stop(spec)
    assert not running(spec)


@pytest.fixture(scope="module")
def on_cluster(tmp_path_factory, cluster, cluster_bronze) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("on-cluster"))
    shutil.copytree(cluster_bronze, paths.bronze)
    done = c360(paths.home, "run", "--json", master=cluster.master_url)
    assert done.returncode == 0, done.stderr[-3000:]
    return paths


@pytest.fixture(scope="module")
def duck(tmp_path_factory, cluster_bronze) -> Paths:
    """The same bronze through the same stages on DuckDB (`c360 run`'s pipeline)."""
    paths = Paths(tmp_path_factory.mktemp("duck-reference"))
    shutil.copytree(cluster_bronze, paths.bronze)
    run_all(paths, seed=DEFAULT_SEED, target="duckdb")
    return paths


def ask(home: Path, question: str, target: str, master: str) -> list:
    done = c360(home, "ask", question, "--json", master=master, target=target)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["rows"]


def test_the_script_reports_the_running_cluster(cluster, capsys):
    where = ["--dir", str(cluster.state_dir), "--port", str(cluster.port),
             "--webui-port", str(cluster.webui_port)]  # fmt: skip
    assert main(["status", *where]) == 0
    assert f"{cluster.master_url}: 2 workers alive" in capsys.readouterr().out
    assert main(["start", *where]) == 1  # one cluster per state directory
    assert "already running" in capsys.readouterr().err


def test_the_pipeline_ran_through_the_cluster(cluster, on_cluster):
    status = master_status(cluster)
    assert alive_workers(status) == 2
    assert [app["name"] for app in status["completedapps"]] == ["c360"]
    info = json.loads((on_cluster.spark_home / "build_info.json").read_text())
    assert info["kind"] == "scores"  # score republished the profile through the cluster


# when each engine's `score` ran (a clock reading), and ids that hash fitted floats (the
# engines sum in different orders; the fits agree within 1e-6, test_spark_parity.py)
NOT_RESULTS = {"churn_scored_at", "clv_model_id", "uplift_model_id"}


def close(a, b) -> bool:
    """Equal, floats within 1e-6 relative: CLV and uplift fits differ in the last digits
    when the engines sum in different orders (test_spark_parity.py bounds them the same)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return same(a, b)


def test_every_gold_and_ml_table_matches_duckdb(on_cluster, duck):
    differences = []
    with (
        duckdb.connect(str(duck.warehouse), read_only=True) as on_duckdb,
        duckdb.connect() as on_spark,
    ):
        for table, all_columns in duck_tables(duck).items():
            columns = [c for c in all_columns if c[0] not in NOT_RESULTS]
            schema, name = table.split(".")
            files = on_cluster.spark_home / "warehouse" / f"{schema}.db" / name / "*.parquet"
            on_spark.execute(f"create schema if not exists {schema}")
            on_spark.execute(f"create view {table} as from read_parquet('{files}')")
            sql, labels = profile_sql(table, columns)
            expected, found = on_duckdb.execute(sql).fetchone(), on_spark.execute(sql).fetchone()
            differences += [
                f"{table} {label}: duckdb {a!r} spark {b!r}"
                for label, a, b in zip(labels, expected, found, strict=True)
                if not close(a, b)
            ]
    assert not differences, "\n".join(differences)


def test_the_assistant_answers_from_the_serving_file_as_on_duckdb(cluster, on_cluster, duck):
    for question in QUESTIONS:
        on_spark = ask(on_cluster.home, question, "spark", cluster.master_url)
        assert on_spark, question
        assert on_spark == ask(duck.home, question, "duckdb", cluster.master_url), question


def app_answers(home: Path, target: str, monkeypatch) -> dict[str, pd.DataFrame]:
    """Segment Explorer and Customer 360 for one customer, as the app's pages query them."""
    from c360.app import queries

    monkeypatch.setenv("C360_HOME", str(home))
    monkeypatch.setenv("C360_TARGET", target)
    wh = queries.require()
    everyone = queries.Filters()
    customer = queries.customer_list(wh, everyone)["customer_id"].sort_values().iloc[0]
    transactions, total = queries.customer_transactions(wh, customer, queries.TransactionFilters())
    return {
        "overview": pd.DataFrame([queries.portfolio_overview(wh, everyone)]),
        "segments": queries.segment_summary(wh, everyone),
        "risk by segment": queries.risk_by_segment(wh, everyone),
        "profile": pd.DataFrame([queries.customer_profile(wh, customer)]).drop(
            columns=list(NOT_RESULTS), errors="ignore"
        ),
        "history": queries.customer_history(wh, customer),
        "transactions": transactions.assign(total=total),
        "monthly spend": queries.customer_monthly_spend(wh, customer),
        "category mix": queries.customer_category_mix(wh, customer),
    }


def test_the_apps_queries_read_the_serving_file_as_on_duckdb(on_cluster, duck, monkeypatch):
    on_spark = app_answers(on_cluster.home, "spark", monkeypatch)
    on_duckdb = app_answers(duck.home, "duckdb", monkeypatch)
    for name, expected in on_duckdb.items():
        found = on_spark[name]
        assert list(found.columns) == list(expected.columns), name
        assert len(found) == len(expected) > 0, name
        for column in expected.columns:
            pairs = zip(expected[column], found[column], strict=True)
            wrong = [(a, b) for a, b in pairs if not (same(a, b) or (pd.isna(a) and pd.isna(b)))]
            assert not wrong, f"{name}.{column}: {wrong[:3]}"


def monitor(home: Path, target: str, master: str) -> dict:
    done = c360(home, "monitor", "--json", master=master, target=target)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_monitor_reads_the_serving_file_as_on_duckdb(cluster, on_cluster, duck):
    on_spark = monitor(on_cluster.home, "spark", cluster.master_url)
    on_duckdb = monitor(duck.home, "duckdb", cluster.master_url)
    days = on_duckdb["volume"]["days"]
    assert days  # (with no quarantine table in the serving file the monitor would fail)
    assert on_spark["volume"]["days"] == days
    assert on_spark["warehouse_as_of"] == on_duckdb["warehouse_as_of"]
    assert len(on_spark["scorings"]) == len(on_duckdb["scorings"]) == 1
    assert on_spark["verdict"]["status"] == on_duckdb["verdict"]["status"]


def test_no_reachable_master_is_one_line(tmp_path, cluster_bronze):
    shutil.copytree(cluster_bronze, tmp_path / "bronze")
    nobody = f"spark://127.0.0.1:{free_port()}"
    done = c360(tmp_path, "build", master=nobody, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1
    assert len(lines) == 1 and f"no Spark master answers at {nobody}" in lines[0], done.stderr
    assert not (tmp_path / "spark" / "build_info.json").exists()
    assert not (tmp_path / "spark" / "serving.duckdb").exists()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_worker_killed_mid_build_fails_it_or_recovers(cluster, on_cluster):
    """Kill one worker (and its executor) once this build has rewritten the transactions
    fact. Either Spark finishes on the other worker and publishes, or the build fails:
    then nothing is published and the served file is the one from before, byte for byte.
    Either way the assistant's answers stay the same. (Runs last: it removes a worker.)"""
    served = on_cluster.spark_home / "serving.duckdb"
    before = digest(served)
    answers = [ask(on_cluster.home, q, "spark", cluster.master_url) for q in QUESTIONS]
    fact_written = on_cluster.spark_home / "warehouse" / "gold.db" / "fct_transactions" / "_SUCCESS"
    started = time.time()
    env = os.environ | {
        "C360_HOME": str(on_cluster.home),
        "C360_SPARK_MASTER": cluster.master_url,
        "C360_SPARK_DRIVER_MEMORY": "1g",
        "C360_DBT_THREADS": "1",
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    build = subprocess.Popen(
        [sys.executable, "-m", "c360", "build", "--target", "spark", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while build.poll() is None and not (
            fact_written.exists() and fact_written.stat().st_mtime > started
        ):
            time.sleep(0.5)
        assert build.poll() is None, "the build finished before a worker could be killed"
        kill(cluster, "worker-1")
        out, err = build.communicate(timeout=1800)
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
    marker = on_cluster.spark_home / "build_info.json"
    if build.returncode == 0:  # recovered: published as one build, serving included
        build_id = json.loads(out)["build_id"]
        assert json.loads(marker.read_text())["build_id"] == build_id
        with duckdb.connect(str(served), read_only=True) as con:
            assert con.execute("select build_id from meta.build_info").fetchone() == (build_id,)
    else:  # failed: one error line (Spark's own log lines aside), nothing published
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "build failed" in errors[0], err
        assert not marker.exists()
        assert digest(served) == before
    assert [ask(on_cluster.home, q, "spark", cluster.master_url) for q in QUESTIONS] == answers
