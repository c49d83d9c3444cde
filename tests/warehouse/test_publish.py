"""Publishing: only a fully passing build replaces the served warehouse; refresh = rebuild."""

import hashlib
import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from c360.config import Paths
from c360.generate.landing import land_days
from c360.warehouse.bronze_check import BronzeError
from c360.warehouse.publish import BuildError, build_warehouse, read_build_info
from tests.conftest import build_home


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def home(tmp_path, bronze) -> Paths:
    return build_home(tmp_path / "home", bronze)


def test_failing_data_test_leaves_the_served_warehouse_untouched(home, tmp_path, monkeypatch):
    before = digest(home.warehouse)
    project = tmp_path / "dbt"
    shutil.copytree(Path(__file__).parents[2] / "dbt", project)
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "no_customer_is_older_than_70.sql").write_text(
        "select * from {{ ref('dim_customer') }} where age > 70\n"
    )
    monkeypatch.setenv("C360_DBT_PROJECT", str(project))
    with pytest.raises(BuildError, match="no_customer_is_older_than_70"):
        build_warehouse(home)
    assert digest(home.warehouse) == before
    assert not (home.home / "builds").exists() or not any((home.home / "builds").iterdir())


@pytest.mark.parametrize("damage", ["missing_dataset", "corrupt_file", "changed_schema"])
def test_bad_bronze_is_refused_before_building(home, damage):
    before = digest(home.warehouse)
    transactions = sorted((home.bronze / "transactions").glob("*.parquet"))
    if damage == "missing_dataset":
        shutil.rmtree(home.bronze / "merchant_categories")
    elif damage == "corrupt_file":
        transactions[0].write_bytes(b"PAR1 this is not parquet")
    else:
        duckdb.execute(
            f"copy (select * rename (amount as amount_usd) from read_parquet('{transactions[0]}'))"
            f" to '{transactions[0]}.tmp' (format parquet)"
        )
        Path(f"{transactions[0]}.tmp").replace(transactions[0])
    with pytest.raises(BronzeError):
        build_warehouse(home)
    assert digest(home.warehouse) == before


def test_a_reader_keeps_its_snapshot_while_a_new_build_is_published(home):
    reader = duckdb.connect(str(home.warehouse), read_only=True)
    old_build = reader.execute("select build_id from meta.build_info").fetchone()[0]
    report = build_warehouse(home)
    assert reader.execute("select build_id from meta.build_info").fetchone()[0] == old_build
    assert reader.execute("select count(*) from gold.fct_transactions").fetchone()[0] > 0
    reader.close()
    assert read_build_info(home.warehouse)["build_id"] == report.build_id != old_build


def rebuilt_from_same_bronze(home: Paths, target: Path) -> Paths:
    rebuilt = Paths(target)
    shutil.copytree(home.bronze, rebuilt.bronze)
    build_warehouse(rebuilt)
    return rebuilt


def differing_tables(refreshed: Paths, rebuilt: Paths) -> dict[str, int]:
    """Every table (not view) of the two warehouses, build metadata aside: rows in one
    and not the other, per table."""
    con = duckdb.connect()
    con.execute(f"attach '{refreshed.warehouse}' as refreshed (read_only)")
    con.execute(f"attach '{rebuilt.warehouse}' as rebuilt (read_only)")
    tables = [
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'rebuilt' and table_type = 'BASE TABLE' "
            "and table_schema <> 'meta' order by all"
        ).fetchall()
    ]
    assert {"gold.fct_transactions", "silver.stg_transactions_quarantine"} <= set(tables)
    differences = {}
    for table in tables:
        differences[table] = con.execute(
            f"select count(*) from ((select * from refreshed.{table} except all "
            f"select * from rebuilt.{table}) union all (select * from rebuilt.{table} "
            f"except all select * from refreshed.{table}))"
        ).fetchone()[0]
    return {table: n for table, n in differences.items() if n}


def test_refresh_after_landing_days_equals_a_full_rebuild(home, tmp_path):
    land_days(home.bronze, 3)
    refreshed = build_warehouse(home, incremental=True)
    assert refreshed.kind == "incremental"
    assert refreshed.as_of_date == "2026-01-03"
    rebuilt = rebuilt_from_same_bronze(home, tmp_path / "rebuilt")
    assert differing_tables(home, rebuilt) == {}
    new_days = (
        duckdb.connect(str(home.warehouse), read_only=True)
        .execute("select count(*) from gold.fct_transactions where transaction_ts >= '2026-01-01'")
        .fetchone()[0]
    )
    assert new_days > 0


def executed(home: Paths) -> dict[str, set[str]]:
    """The nodes the last dbt invocation in `home` ran, by resource type (from dbt's
    run_results.json) and whether each passed."""
    results = json.loads((home.home / "dbt_target" / "run_results.json").read_text())
    nodes: dict[str, set[str]] = {}
    for result in results["results"]:
        assert result["status"] in ("success", "pass"), result
        nodes.setdefault(result["unique_id"].split(".")[0], set()).add(result["unique_id"])
    return nodes


def test_a_refresh_runs_every_data_test_but_no_unit_test(home):
    built = executed(home)  # the home's full build
    assert built["unit_test"] and built["test"]
    land_days(home.bronze, 1)
    build_warehouse(home, incremental=True)
    refreshed = executed(home)
    assert "unit_test" not in refreshed
    assert refreshed["test"] == built["test"]
    assert refreshed["model"] == built["model"]


def deliver_late(bronze: Path, dataset: str, rows: pa.Table) -> None:
    pq.write_table(rows, bronze / dataset / "late-delivery.parquet")


def test_refresh_reloads_what_late_deliveries_change(home, tmp_path):
    """Old transactions re-delivered (once exactly, once with another amount), a customer
    whose transactions were quarantined as unknown arrives, and a back-dated attribute
    change: the refresh must still equal a full rebuild."""
    land_days(home.bronze, 1)
    bronze = home.bronze
    transactions = pq.read_table(sorted((bronze / "transactions").glob("part-*.parquet"))[0])
    late = pc.max(pq.read_table(bronze / "transactions", columns=["loaded_at"])["loaded_at"])
    late = pa.scalar(late.as_py() + timedelta(hours=1), late.type)
    exact, conflicting = transactions.slice(0, 1), transactions.slice(1, 1)
    conflicting = conflicting.set_column(
        conflicting.schema.get_field_index("amount"), "amount",
        pc.add(conflicting["amount"], 1.0),
    )  # fmt: skip
    redelivered = pa.concat_tables([exact, conflicting])
    redelivered = redelivered.set_column(
        redelivered.schema.get_field_index("loaded_at"), "loaded_at",
        pa.array([late.as_py()] * 2, late.type),
    )  # fmt: skip
    deliver_late(bronze, "transactions", redelivered)

    customers = pq.read_table(bronze / "customers")
    arriving = customers.slice(0, 1).to_pylist()[0] | {
        "customer_id": "CUST90000000",
        "account_open_date": date(2023, 1, 1),
        "loaded_at": late.as_py(),
    }
    deliver_late(bronze, "customers", pa.Table.from_pylist([arriving], customers.schema))

    changes = pq.read_table(bronze / "customer_changes")
    change = changes.slice(0, 1).to_pylist()[0] | {
        "change_id": pc.max(changes["change_id"]).as_py() + 1,
        "customer_id": "CUST00000002",
        "changed_at": datetime(2025, 6, 1, 10),
        "attribute": "credit_limit",
        "old_value": "6000",
        "new_value": "9000",
        "loaded_at": late.as_py(),
    }
    deliver_late(bronze, "customer_changes", pa.Table.from_pylist([change], changes.schema))

    build_warehouse(home, incremental=True)
    rebuilt = rebuilt_from_same_bronze(home, tmp_path / "rebuilt")
    assert differing_tables(home, rebuilt) == {}

    # the late deliveries did change the warehouse
    con = duckdb.connect(str(home.warehouse), read_only=True)
    conflicting_id = conflicting["transaction_id"][0].as_py()
    assert con.execute(
        "select quarantine_reason from silver.stg_transactions_quarantine where transaction_id = ?",
        [conflicting_id],
    ).fetchall() == [("conflicting_versions",), ("conflicting_versions",)]
    assert con.execute(
        "select count(*) from gold.fct_transactions where transaction_id = ?", [conflicting_id]
    ).fetchone() == (0,)
    assert (
        con.execute(
            "select count(*) from gold.fct_transactions where customer_id = 'CUST90000000'"
        ).fetchone()[0]
        > 0
    )
    # transactions after the back-dated change carry the version it started
    assert (
        con.execute(
            "select count(*) from gold.fct_transactions "
            "join gold.dim_customer using (customer_key) "
            "where dim_customer.customer_id = 'CUST00000002' "
            "and dim_customer.valid_from = timestamp '2025-06-01 10:00:00'"
        ).fetchone()[0]
        > 0
    )


def test_refresh_after_merchant_categories_are_delivered_again(home, tmp_path):
    """All 50 categories delivered again, one renamed and one moved to another group: the
    latest delivery wins, the renamed category keeps the transactions spelled with its old
    name, and the refresh equals a rebuild."""
    land_days(home.bronze, 1)
    bronze = home.bronze
    late = pc.max(pq.read_table(bronze / "transactions", columns=["loaded_at"])["loaded_at"])
    categories = pq.read_table(bronze / "merchant_categories").to_pylist()
    renamed, moved = categories[0], categories[1]
    renamed["category_name"] = "Renamed Category"
    moved["category_group"] = "Services" if moved["category_group"] != "Services" else "Travel"
    for category in categories:
        category["loaded_at"] = late.as_py() + timedelta(hours=1)
    schema = pq.read_schema(sorted((bronze / "merchant_categories").glob("*.parquet"))[0])
    deliver_late(bronze, "merchant_categories", pa.Table.from_pylist(categories, schema))

    def transactions_of_renamed() -> int:
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            return con.execute(
                "select count(*) from gold.fct_transactions "
                "join gold.dim_merchant_category using (category_key) where category_id = ?",
                [renamed["category_id"]],
            ).fetchone()[0]

    transactions_before = transactions_of_renamed()
    build_warehouse(home, incremental=True)
    rebuilt = rebuilt_from_same_bronze(home, tmp_path / "rebuilt")
    assert differing_tables(home, rebuilt) == {}

    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        dim = dict(
            con.execute(
                "select category_id, category_name || ' / ' || category_group "
                "from gold.dim_merchant_category"
            ).fetchall()
        )
    assert len(dim) == 50
    assert dim[renamed["category_id"]].startswith("Renamed Category / ")
    assert dim[moved["category_id"]].endswith(" / " + moved["category_group"])
    # its transactions, all spelled with the old name, still find it (plus the landed day's)
    assert transactions_of_renamed() >= transactions_before > 0


def test_refresh_without_a_warehouse_says_what_to_do(tmp_path, bronze):
    paths = Paths(tmp_path / "empty")
    shutil.copytree(bronze, paths.bronze)
    with pytest.raises(BuildError, match="run `c360 build`"):
        build_warehouse(paths, incremental=True)
