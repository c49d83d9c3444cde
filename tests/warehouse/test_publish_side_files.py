"""Publishing checks what sits next to the served file: a stale WAL that another tool left
(which made a successful build publish a file nothing could open) goes with the swap, and
the published file must open read-only before the build reports success."""

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from c360.warehouse import publish
from c360.warehouse.publish import BuildError, build_warehouse, read_build_info
from tests.conftest import build_home


def plant_stale_wal(served: Path, scratch: Path) -> Path:
    """The WAL of another database, as a tool that crashed mid-write leaves it."""
    other = scratch / "crashed.duckdb"
    other.unlink(missing_ok=True)
    con = duckdb.connect(str(other))
    con.execute("set checkpoint_threshold = '1TB'")
    con.execute("create table crashed as select range as x from range(1000)")
    wal = served.with_name(served.name + ".wal")
    shutil.copy(other.with_name(other.name + ".wal"), wal)
    con.close()
    with pytest.raises(duckdb.Error, match="WAL"):  # the served file no longer opens
        duckdb.connect(str(served), read_only=True)
    return wal


def opens_read_only(served: Path) -> str:
    with duckdb.connect(str(served), read_only=True) as con:
        return con.execute("select build_id from meta.build_info").fetchone()[0]


def leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if p.name.startswith((".warehouse", "warehouse")))


@pytest.fixture()
def home(tmp_path, bronze):
    return build_home(tmp_path / "home", bronze)


def test_build_and_refresh_publish_a_file_that_opens_and_drop_a_stale_wal(home, tmp_path):
    plant_stale_wal(home.warehouse, tmp_path)
    report = build_warehouse(home)
    assert opens_read_only(home.warehouse) == report.build_id
    assert leftovers(home.home) == ["warehouse.duckdb"]

    plant_stale_wal(home.warehouse, tmp_path)
    report = build_warehouse(home, incremental=True)
    assert report.kind == "incremental"
    assert opens_read_only(home.warehouse) == report.build_id
    assert leftovers(home.home) == ["warehouse.duckdb"]


def test_a_publish_that_does_not_open_restores_the_previous_file(home, tmp_path, monkeypatch):
    before = read_build_info(home.warehouse)["build_id"]
    served = hashlib.sha256(home.warehouse.read_bytes()).hexdigest()
    wal = plant_stale_wal(home.warehouse, tmp_path)
    stale = wal.read_bytes()
    check = publish._check_opens

    def published_does_not_open(database, build_id, what):
        if what == "published warehouse":
            raise BuildError("the published warehouse does not open read-only (simulated)")
        check(database, build_id, what)

    monkeypatch.setattr(publish, "_check_opens", published_does_not_open)
    with pytest.raises(BuildError, match="does not open"):
        build_warehouse(home, incremental=True, select="stg_churn_predictions+")
    assert hashlib.sha256(home.warehouse.read_bytes()).hexdigest() == served
    assert wal.read_bytes() == stale  # everything as it was
    assert leftovers(home.home) == ["warehouse.duckdb", "warehouse.duckdb.wal"]
    wal.unlink()
    assert opens_read_only(home.warehouse) == before
