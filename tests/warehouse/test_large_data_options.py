"""dbt vars for data larger than the default size, on small data: each changes how a table is
built, never what it holds (apart from row order, when that is the point)."""

import json

import duckdb
import pandas as pd
import pytest

from c360.warehouse.dbt import run_dbt
from tests.conftest import copy_built_home

SORTED_BY_CUSTOMER = """
    select bool_and(customer_id >= previous_customer_id) from (
        select customer_id, lag(customer_id) over (order by rowid) as previous_customer_id
        from gold.fct_transactions
    ) where previous_customer_id is not null
"""


@pytest.fixture()
def home(built_home, tmp_path):
    return copy_built_home(built_home, tmp_path / "home", truth=False)


def rebuild(paths, model: str, dbt_vars: dict) -> None:
    """Rebuild one model in the copy's warehouse with these dbt vars."""
    outcome = run_dbt(
        ["run", "--full-refresh", "--select", model, "--vars", json.dumps(dbt_vars)],
        env={
            "C360_WAREHOUSE_PATH": str(paths.warehouse),
            "C360_BRONZE_PATH": str(paths.bronze),
            "C360_PREDICTIONS_PATH": str(paths.home / "predictions"),
            "C360_DUCKDB_TEMP_DIR": str(paths.home / "spill"),
        },
        paths=paths,
        target="duckdb",
    )
    assert outcome.success, outcome.summary()


def read(paths, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_cluster_by_customer_sorts_fct_transactions(home):
    rebuild(home, "fct_transactions", {"fct_transactions_cluster_by_customer": True})
    assert read(home, SORTED_BY_CUSTOMER).iat[0, 0]
    # the small test bronze is not in customer blocks (landed days, re-deliveries), so
    # without the sort the table is not in customer order
    rebuild(home, "fct_transactions", {"fct_transactions_cluster_by_customer": False})
    assert not read(home, SORTED_BY_CUSTOMER).iat[0, 0]


def test_median_by_sorting_gives_the_median_aggregates_values(home):
    query = "select * from gold.customer_spending_metrics order by customer_id"
    by_aggregate = read(home, query)
    assert by_aggregate["median_transaction_value"].notna().sum() > 100
    rebuild(home, "customer_spending_metrics", {"metrics_median_by_sorting_above_rows": 0})
    compiled = (home.home / "dbt_target" / "run" / "c360" / "models" / "marts"
                / "customer_spending_metrics.sql").read_text()  # fmt: skip
    assert "middle_buckets" in compiled
    by_sorting = read(home, query)
    pd.testing.assert_frame_equal(by_sorting, by_aggregate, check_exact=False, rtol=1e-12)
