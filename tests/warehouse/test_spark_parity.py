"""The same dbt project on Spark gives the same gold and ML tables as on DuckDB, and every
stage (churn, CLV, uplift) runs on Spark with DuckDB's results.

One small bronze is built on both engines. Every table in `gold` and `ml` must have the
same rows count and, per column, the same non-null count, distinct count, min, max and
(numbers) sum; money and counts exactly, doubles to 1e-9 relative. A difference is a
portability bug in a model, to be fixed there. Spark runs in this process (local pyspark,
Java 17); the session is bound to one c360 home, so every Spark test here shares `spark`.
"""

import math
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from c360.clv.pipeline import clv_path
from c360.config import Paths
from c360.ml.pipeline import model_dir
from c360.pipeline import run_clv, run_uplift, score, train
from c360.uplift.pipeline import uplift_path
from c360.warehouse.publish import BuildError, build_warehouse, read_published_build
from tests.conftest import build_home, make_bronze

pytest.importorskip("pyspark", reason="the Spark target needs the spark extra (pyspark)")
if shutil.which("java") is None:  # pragma: no cover - CI installs Java (Makefile)
    pytest.skip("the Spark target needs Java 17 on PATH", allow_module_level=True)

SCHEMAS = ("gold", "ml")
SIZE = {"customers": 300, "transactions": 60_000, "seed": 11}
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "DECIMAL")


@pytest.fixture(scope="module")
def parity_bronze(tmp_path_factory):
    return make_bronze(tmp_path_factory.mktemp("parity") / "bronze", **SIZE)


@pytest.fixture(scope="module")
def duck(tmp_path_factory, parity_bronze) -> Paths:
    return build_home(tmp_path_factory.mktemp("duck"), parity_bronze)


@pytest.fixture(scope="module")
def spark(tmp_path_factory, parity_bronze) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("spark"))
    shutil.copytree(parity_bronze, paths.bronze)
    report = build_warehouse(paths, target="spark")
    assert report.kind == "full" and report.warehouse == str(paths.spark_home)
    return paths


def spark_rows(paths: Paths, sql: str) -> list[tuple]:
    from c360.warehouse.spark import spark_session

    return [tuple(row) for row in spark_session(paths).sql(sql).collect()]


def duck_tables(duck: Paths) -> dict[str, list[tuple[str, str]]]:
    """{schema.table: [(column, duckdb type)]} for every table in the compared schemas."""
    with duckdb.connect(str(duck.warehouse), read_only=True) as con:
        rows = con.execute(
            f"""
            select c.table_schema || '.' || c.table_name, c.column_name, c.data_type
            from information_schema.columns c
            join information_schema.tables t using (table_catalog, table_schema, table_name)
            where c.table_schema in ({", ".join(f"'{s}'" for s in SCHEMAS)})
              and t.table_type = 'BASE TABLE'
            order by 1, c.ordinal_position
            """
        ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def profile_sql(table: str, columns: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """One query (valid on both engines) of row count and per-column aggregates."""
    parts, labels = ["count(*)"], ["rows"]
    for column, data_type in columns:
        is_float = data_type in ("DOUBLE", "FLOAT")
        is_number = data_type.startswith(NUMERIC)
        distinct = f"round({column}, 6)" if is_float else column
        parts += [f"count({column})", f"count(distinct {distinct})"]
        labels += [f"{column}: count", f"{column}: distinct"]
        if data_type == "BOOLEAN":
            parts.append(f"sum(case when {column} then 1 else 0 end)")
            labels.append(f"{column}: trues")
            continue
        parts += [f"min({column})", f"max({column})"]
        labels += [f"{column}: min", f"{column}: max"]
        if is_number:
            parts.append(f"sum({column})")
            labels.append(f"{column}: sum")
    return f"select {', '.join(parts)} from {table}", labels


def same(left, right) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(left, Decimal | int) and isinstance(right, Decimal | int):
        return Decimal(left) == Decimal(right)
    if isinstance(left, datetime | date) and isinstance(right, datetime | date):
        return left.isoformat() == right.isoformat()
    return left == right


def test_spark_builds_the_same_tables(duck, spark):
    expected = set(duck_tables(duck))
    found = {
        f"{schema}.{row[1]}"
        for schema in SCHEMAS
        for row in spark_rows(spark, f"show tables in {schema}")
        if not row[2]  # isTemporary
    }
    assert expected and found == expected


def test_every_gold_and_ml_table_matches_duckdb(duck, spark):
    differences = []
    with duckdb.connect(str(duck.warehouse), read_only=True) as con:
        for table, columns in duck_tables(duck).items():
            sql, labels = profile_sql(table, columns)
            on_duckdb = con.execute(sql).fetchone()
            (on_spark,) = spark_rows(spark, sql)
            differences += [
                f"{table} {label}: duckdb {a!r} spark {b!r}"
                for label, a, b in zip(labels, on_duckdb, on_spark, strict=True)
                if not same(a, b)
            ]
    assert not differences, "\n".join(differences)


def test_the_spark_build_is_published_with_its_id(spark):
    info = read_published_build(spark, "spark")
    assert info["kind"] == "full" and info["as_of_date"] == "2025-12-31"
    (row,) = spark_rows(spark, "select build_id, as_of_date from meta.build_info")
    assert row == (info["build_id"], date(2025, 12, 31))


def test_train_and_score_on_spark_give_duckdbs_model_and_scores(duck, spark):
    """Same features and labels on both engines, so the same model and the same scores."""
    on_spark = train(spark, seed=42, target="spark")
    on_duckdb = train(duck, seed=42, target="duckdb")
    assert on_spark.model_id == on_duckdb.model_id
    assert (model_dir(spark) / "model_card.md").exists()

    scored = score(spark, target="spark")
    assert scored.build.kind == "scores" and scored.scored > 0
    assert read_published_build(spark, "spark")["build_id"] == scored.build.build_id
    score(duck, target="duckdb")
    sql = (
        "select count(churn_probability), sum(churn_risk_score), "
        "count(distinct churn_risk_tier), max(churn_model_id) from gold.customer_360_profile"
    )
    (in_spark,) = spark_rows(spark, sql)
    with duckdb.connect(str(duck.warehouse), read_only=True) as con:
        in_duckdb = con.execute(sql).fetchone()
    assert in_spark[0] == scored.scored
    assert in_spark == in_duckdb


def same_frames(left: pd.DataFrame, right: pd.DataFrame, skip: set[str]) -> list[str]:
    """Columns that differ: numbers beyond 1e-6 relative, anything else at all."""
    differ = []
    for column in left.columns:
        if column in skip:
            continue
        a, b = left[column], right[column]
        if pd.api.types.is_float_dtype(a):
            ok = np.allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-6, equal_nan=True)
        else:
            ok = a.astype(str).tolist() == b.astype(str).tolist()
        if not ok:
            differ.append(column)
    return differ


def test_clv_and_uplift_on_spark_give_duckdbs_results(duck, spark):
    """Their inputs are dbt models on both engines, so the same fits come out (within
    float tolerance: the engines sum in different orders)."""
    summaries, outputs = {}, {}
    for paths, target in ((duck, "duckdb"), (spark, "spark")):
        clv = run_clv(paths, seed=42, publish=False, target=target)
        uplift = run_uplift(paths, seed=42, publish=False, target=target)
        summaries[target] = (clv, uplift)
        outputs[target] = (
            pd.read_parquet(clv_path(paths.home)),
            pd.read_parquet(uplift_path(paths.home)),
        )
    (clv_d, uplift_d), (clv_s, uplift_s) = summaries["duckdb"], summaries["spark"]
    assert clv_s.scored == clv_d.scored > 0 and clv_s.customers == clv_d.customers
    assert clv_s.validation["holdout_days"] == clv_d.validation["holdout_days"] == 180
    assert clv_s.total_clv_12m == pytest.approx(clv_d.total_clv_12m, rel=1e-6)
    assert (uplift_s.campaign_id, uplift_s.participants) == (
        uplift_d.campaign_id,
        uplift_d.participants,
    )
    assert uplift_s.scored == uplift_d.scored > 0
    skip = {"fitted_at", "model_id"}  # the time of the fit; ids hash the fitted floats
    for on_duckdb, on_spark in zip(outputs["duckdb"], outputs["spark"], strict=True):
        assert len(on_spark) == len(on_duckdb)
        assert not same_frames(on_duckdb, on_spark, skip)


def test_a_failed_spark_build_is_not_published(spark, monkeypatch, tmp_path):
    project = tmp_path / "dbt"
    shutil.copytree(Path(__file__).parents[2] / "dbt", project)
    (project / "tests" / "always_fails.sql").write_text("select * from {{ ref('build_as_of') }}\n")
    monkeypatch.setenv("C360_DBT_PROJECT", str(project))
    with pytest.raises(BuildError, match="always_fails"):
        build_warehouse(spark, incremental=True, select="always_fails", target="spark")
    assert read_published_build(spark, "spark") is None
    with pytest.raises(BuildError, match="no published spark build"):
        build_warehouse(spark, incremental=True, target="spark")
