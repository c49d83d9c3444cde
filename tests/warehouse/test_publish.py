"""Publishing: only a fully passing build replaces the served warehouse; refresh = rebuild."""

import hashlib
import shutil
from pathlib import Path

import duckdb
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


def test_refresh_after_landing_days_equals_a_full_rebuild(home, tmp_path):
    land_days(home.bronze, 3)
    refreshed = build_warehouse(home, incremental=True)
    assert refreshed.kind == "incremental"
    assert refreshed.as_of_date == "2026-01-03"

    rebuilt = Paths(tmp_path / "rebuilt")
    shutil.copytree(home.bronze, rebuilt.bronze)
    build_warehouse(rebuilt)

    con = duckdb.connect()
    con.execute(f"attach '{home.warehouse}' as refreshed (read_only)")
    con.execute(f"attach '{rebuilt.warehouse}' as rebuilt (read_only)")
    for table in ("gold.fct_transactions", "gold.customer_360_profile", "ml.churn_features"):
        differences = con.execute(
            f"select count(*) from ((select * from refreshed.{table} except all "
            f"select * from rebuilt.{table}) union all (select * from rebuilt.{table} "
            f"except all select * from refreshed.{table}))"
        ).fetchone()[0]
        assert differences == 0, table
    new_days = con.execute(
        "select count(*) from refreshed.gold.fct_transactions where transaction_ts >= '2026-01-01'"
    ).fetchone()[0]
    assert new_days > 0


def test_refresh_without_a_warehouse_says_what_to_do(tmp_path, bronze):
    paths = Paths(tmp_path / "empty")
    shutil.copytree(bronze, paths.bronze)
    with pytest.raises(BuildError, match="run `c360 build`"):
        build_warehouse(paths, incremental=True)
