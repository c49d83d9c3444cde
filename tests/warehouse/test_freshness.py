"""`dbt source freshness` on bronze: transactions landed yesterday pass, the session's
bronze (as of 2025-12-31) warns, and an unreadable delivery fails the check. Freshness is
measured against the clock, so the fresh bronze is generated as of yesterday."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from c360.config import Paths
from c360.warehouse.freshness import FreshnessError, check_freshness
from tests.conftest import make_bronze


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    monkeypatch.setenv("C360_DBT_THREADS", "1")


def test_yesterdays_transactions_are_fresh(tmp_path):
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    paths = Paths(tmp_path / "home")
    make_bronze(paths.bronze, workers=1, customers=60, transactions=6_000, as_of=yesterday)
    report = check_freshness(paths)
    assert [(s.source, s.status) for s in report.sources] == [("bronze.transactions", "pass")]
    assert report.stale == [] and report.failed == []
    assert not (paths.home / "builds" / "freshness").exists()  # the scratch file is gone


def test_old_transactions_are_stale(tmp_path, bronze):
    paths = Paths(tmp_path / "home")
    shutil.copytree(bronze, paths.bronze)
    report = check_freshness(paths)
    (source,) = report.stale
    assert source.source == "bronze.transactions"
    assert source.max_loaded_at.startswith("2026-01-01")  # the history's last load
    assert source.age_hours > 48
    assert "bronze.transactions warn (last loaded 2026-01-01" in report.describe()


def test_an_unreadable_delivery_fails_the_check(tmp_path, bronze):
    paths = Paths(tmp_path / "home")
    shutil.copytree(bronze, paths.bronze)
    (paths.bronze / "transactions" / "day-20260101.parquet").write_bytes(b"PAR1 not parquet")
    with pytest.raises(FreshnessError, match=r"source transactions failed: .*No magic bytes"):
        check_freshness(paths)
