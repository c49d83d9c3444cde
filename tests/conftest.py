"""Shared fixtures: small generated bronze layers and warehouses, made once per session."""

import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from c360.config import Paths
from c360.generate.pipeline import GenerateRequest, generate_bronze
from c360.pipeline import score, train
from c360.warehouse.publish import build_warehouse

SMALL = {"customers": 600, "transactions": 240_000, "seed": 7, "as_of": date(2025, 12, 31)}
# Snowflake settings for tests that never connect: placeholders, real values come from the
# user's environment.
SNOWFLAKE_PLACEHOLDERS = {
    "SNOWFLAKE_ACCOUNT": "example-account",
    "SNOWFLAKE_USER": "c360_ci",
    "SNOWFLAKE_ROLE": "C360_ROLE",
    "SNOWFLAKE_WAREHOUSE": "C360_WH",
    "SNOWFLAKE_DATABASE": "C360",
    "SNOWFLAKE_PASSWORD": "not-used",
}


def make_bronze(path: Path, workers: int = 2, **overrides) -> Path:
    params = SMALL | overrides
    generate_bronze(GenerateRequest(output=path, workers=workers, **params))
    return path


@pytest.fixture(autouse=True)
def keep_main_module():
    """Streamlit's AppTest installs the app script as `__main__`. Put the real one back
    after every test: the generator's worker pool spawns processes that re-import
    `__main__`, and a child that runs the app instead dies, leaving its parent blocked."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def bronze(tmp_path_factory) -> Path:
    """A small bronze layer (600 customers, ~240k transactions)."""
    return make_bronze(tmp_path_factory.mktemp("bronze") / "bronze")


@pytest.fixture()
def sql(bronze):
    """A DuckDB connection with one view per bronze dataset and `truth_*` views."""
    con = duckdb.connect()
    for dataset in (
        "customers",
        "customer_changes",
        "merchant_categories",
        "transactions",
        "campaigns",
        "campaign_exposures",
    ):
        con.execute(
            f"create view {dataset} as select * from read_parquet('{bronze}/{dataset}/*.parquet')"
        )
    con.execute(f"create view truth_customers as select * from '{bronze}/_truth/customers.parquet'")
    con.execute(
        "create view truth_transaction_defects as select * from "
        f"read_parquet('{bronze}/_truth/transaction_defects/*.parquet')"
    )
    con.execute(
        f"create view truth_customer_defects as select * from "
        f"'{bronze}/_truth/customer_defects.parquet'"
    )
    yield con
    con.close()


def build_home(home: Path, bronze_source: Path) -> Paths:
    """A c360 home with a copy of `bronze_source`, and a warehouse built from it."""
    paths = Paths(home)
    shutil.copytree(bronze_source, paths.bronze)
    build_warehouse(paths)
    return paths


@pytest.fixture(scope="session")
def built_home(tmp_path_factory, bronze) -> Paths:
    """A small home, built, trained and scored once per session: treat it as read-only."""
    paths = build_home(tmp_path_factory.mktemp("home"), bronze)
    train(paths, seed=42)
    score(paths)
    return paths


@pytest.fixture()
def warehouse_sql(built_home):
    """A read-only connection to the built, scored warehouse of `built_home`."""
    con = duckdb.connect(str(built_home.warehouse), read_only=True)
    yield con
    con.close()


def copy_built_home(source: Paths, target: Path, truth: bool = True) -> Paths:
    """A writable copy of a built home: warehouse, churn model, predictions and scoring
    history copied, bronze copied too (without `_truth` when truth=False)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source.warehouse, target / source.warehouse.name)
    for folder in ("model", "predictions", "monitoring"):
        if (source.home / folder).exists():
            shutil.copytree(source.home / folder, target / folder)
    ignore = None if truth else shutil.ignore_patterns("_truth")
    shutil.copytree(source.bronze, target / "bronze", ignore=ignore)
    return Paths(target)


@pytest.fixture(scope="session")
def valued_home(tmp_path_factory, built_home) -> Paths:
    """`built_home` plus customer lifetime value and uplift, published: treat as read-only."""
    from c360.pipeline import run_clv, run_uplift

    paths = copy_built_home(built_home, tmp_path_factory.mktemp("valued"))
    run_clv(paths, holdout_days=90, seed=42)
    run_uplift(paths, seed=42)
    return paths
