"""Shared fixtures: small generated bronze layers, made once per test session."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from c360.generate.pipeline import GenerateRequest, generate_bronze

SMALL = {"customers": 600, "transactions": 240_000, "seed": 7, "as_of": date(2025, 12, 31)}


def make_bronze(path: Path, workers: int = 2, **overrides) -> Path:
    params = SMALL | overrides
    generate_bronze(GenerateRequest(output=path, workers=workers, **params))
    return path


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
