"""`c360 generate --days N` lands the next days deterministically after the current end."""

import json
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from c360.cli import app
from c360.generate.landing import land_days
from c360.generate.pipeline import GenerateError
from tests.conftest import make_bronze

runner = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_bronze(
        tmp_path_factory.mktemp("landing") / "bronze",
        workers=1,
        customers=1_200,
        transactions=150_000,
    )


def landed_rows(bronze):
    return duckdb.execute(
        f"select * from read_parquet('{bronze}/transactions/day-*.parquet') "
        "order by transaction_id, loaded_at"
    ).fetchall()


def test_two_days_at_once_equal_one_day_twice(base, tmp_path):
    at_once, one_by_one = tmp_path / "a", tmp_path / "b"
    shutil.copytree(base, at_once)
    shutil.copytree(base, one_by_one)
    land_days(at_once, 2)
    land_days(one_by_one, 1)
    land_days(one_by_one, 1)
    assert landed_rows(at_once) == landed_rows(one_by_one)
    manifest_a = json.loads((at_once / "_manifest.json").read_text())
    manifest_b = json.loads((one_by_one / "_manifest.json").read_text())
    assert manifest_a["rows"] == manifest_b["rows"]
    assert manifest_a["as_of_date"] == manifest_b["as_of_date"] == "2026-01-02"


def test_landed_rows_continue_ids_and_dates(base, tmp_path):
    bronze = tmp_path / "bronze"
    shutil.copytree(base, bronze)
    before = json.loads((bronze / "_manifest.json").read_text())
    after = land_days(bronze, 3)
    first, last, min_id, max_id, n = duckdb.execute(
        "select min(transaction_ts)::date, max(transaction_ts)::date, min(transaction_id), "
        f"max(transaction_id), count(*) from read_parquet('{bronze}/transactions/day-*.parquet')"
    ).fetchone()
    assert str(first) == "2026-01-01" and str(last) == "2026-01-03"
    assert min_id == before["next_transaction_id"]
    assert max_id == after["next_transaction_id"] - 1
    assert after["rows"]["transactions"] == before["rows"]["transactions"] + n
    total, distinct = duckdb.execute(
        f"select count(*), count(distinct transaction_id) from "
        f"read_parquet('{bronze}/transactions/*.parquet')"
    ).fetchone()
    duplicates = duckdb.execute(
        f"select count(*) from read_parquet('{bronze}/_truth/transaction_defects/*.parquet') "
        "where defect_type = 'duplicate'"
    ).fetchone()[0]
    assert total - distinct == duplicates
    assert not [p for p in bronze.iterdir() if p.name.startswith(".")]


def test_bad_landing_requests_fail_clearly(tmp_path, base):
    with pytest.raises(GenerateError, match="--days must be positive"):
        land_days(base, 0)
    result = runner.invoke(app, ["generate", "--days", "1", "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "no bronze data" in result.output


def test_drift_lowers_frequency_and_spend_deterministically(base, tmp_path):
    plain, drifted, again = tmp_path / "plain", tmp_path / "drift", tmp_path / "again"
    for copy in (plain, drifted, again):
        shutil.copytree(base, copy)
    land_days(plain, 7)
    manifest = land_days(drifted, 7, drift=True)
    land_days(again, 7, drift=True)
    assert landed_rows(drifted) == landed_rows(again)  # the seed picks the same customers
    assert 0.4 < manifest["last_landing"]["drift"]["customers"] / manifest["customers"] < 0.6

    def totals(bronze):
        return duckdb.execute(
            "select count(*), sum(amount) from "
            f"read_parquet('{bronze}/transactions/day-*.parquet') where status = 'Approved'"
        ).fetchone()

    (n_plain, spend_plain), (n_drift, spend_drift) = totals(plain), totals(drifted)
    # half the customers at 40% of their rate: about 70% of the rows; spend lower still
    assert 0.6 < n_drift / n_plain < 0.8
    assert spend_drift / spend_plain < n_drift / n_plain


def test_drift_without_days_is_refused(tmp_path):
    result = runner.invoke(app, ["generate", "--drift", "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "--drift only applies to landing new days" in result.output
