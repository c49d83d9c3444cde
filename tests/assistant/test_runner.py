"""The runner's own locks, with the guard bypassed: defence in depth."""

import hashlib

import pytest

from c360.assistant.runner import RunError, Runner, WarehouseMissing


@pytest.fixture()
def runner(built_home):
    r = Runner(built_home.warehouse, timeout_s=2.0, max_rows=25)
    yield r
    r.close()


@pytest.fixture()
def canary(tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text("name,value\ncanary,TOPSECRET-42\n")
    return path


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "template",
    [
        "select * from read_csv('{canary}')",
        "select * from '{canary}'",
        "select * from read_text('{canary}')",
        "copy (select 1) to '{out}'",
        "attach '{out}.db' as x",
        "set enable_external_access = true",
        "set lock_configuration = false",
        "install httpfs",
        "load httpfs",
        "drop table gold.dim_date",
        "delete from gold.fct_transactions",
        "create table gold.stolen as select * from gold.customer_360_profile",
    ],
)
def test_the_connection_refuses_files_settings_and_writes(
    runner, built_home, canary, tmp_path, template
):
    before = _digest(built_home.warehouse)
    sql = template.format(canary=canary, out=tmp_path / "out.csv")
    with pytest.raises(RunError) as err:
        runner.run(sql)
    assert "TOPSECRET" not in str(err.value)
    assert "\n" not in str(err.value)
    assert _digest(built_home.warehouse) == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.db").exists()


def test_a_slow_query_is_interrupted(runner):
    sql = (
        "select count(*) from gold.fct_transactions a, gold.fct_transactions b "
        "where a.amount > b.amount"
    )
    with pytest.raises(RunError, match=r"longer than 0\.5s"):
        runner.run(sql, timeout_s=0.5)
    assert runner.run("select 1 as ok").rows == [(1,)]  # the connection still works


def test_rows_are_capped(runner):
    result = runner.run("select * from gold.dim_date")
    assert len(result.rows) == 25 and result.truncated
    small = runner.run("select * from gold.dim_date limit 3")
    assert len(small.rows) == 3 and not small.truncated


def test_as_of_comes_from_the_warehouse(runner):
    assert runner.as_of().isoformat() == "2025-12-31"


def test_a_missing_warehouse_is_one_clear_error(tmp_path):
    with pytest.raises(WarehouseMissing, match="run `c360 build` first"):
        Runner(tmp_path / "warehouse.duckdb")
