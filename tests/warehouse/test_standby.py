"""Where a refresh starts (warehouse/standby.py): a clone, the standby file, or a copy.

Real DuckDB files and real dbt runs on the session's small bronze layer."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from c360.config import Paths
from c360.generate.landing import land_days
from c360.pipeline import CHURN_OUTPUTS_SELECTOR
from c360.warehouse.bronze_check import BronzeError
from c360.warehouse.publish import BuildError, build_warehouse, read_build_info
from c360.warehouse.standby import clone_file, in_use, standby_folder
from tests.conftest import build_home
from tests.test_lock import run_c360
from tests.warehouse.test_publish import differing_tables, digest, rebuilt_from_same_bronze

FUTURE_ID = 9_000_000_001


@pytest.fixture()
def home(tmp_path, bronze) -> Paths:
    return build_home(tmp_path / "home", bronze)


def standby_record(home: Paths) -> dict | None:
    record = standby_folder(home.home) / "standby.json"
    return json.loads(record.read_text()) if record.exists() else None


def standby_file(home: Paths) -> Path:
    return standby_folder(home.home) / home.warehouse.name


def with_early_future_transaction(bronze: Path) -> None:
    """One transaction dated 2026-01-02 but delivered with the first rows: quarantined as
    after the as-of date (2025-12-31) by the first build, usable once the as-of date moves
    past it. A refresh reloads it only if it knows the as-of date of the file it runs on."""
    transactions = pq.read_table(sorted((bronze / "transactions").glob("part-*.parquet"))[0])
    row = transactions.slice(0, 1).to_pylist()[0]
    first_loaded = pc.min(transactions["loaded_at"]).as_py()
    row |= {
        "transaction_id": FUTURE_ID,
        "transaction_ts": row["transaction_ts"].replace(year=2026, month=1, day=2),
        "loaded_at": first_loaded,
    }
    pq.write_table(
        pa.Table.from_pylist([row], transactions.schema),
        bronze / "transactions" / "early-future.parquet",
    )


def test_the_second_refresh_starts_from_the_standby_and_equals_a_full_build(tmp_path, bronze):
    source = tmp_path / "bronze"
    shutil.copytree(bronze, source)
    with_early_future_transaction(source)
    home = build_home(tmp_path / "home", source)
    full = read_build_info(home.warehouse)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute(
            "select quarantine_reason from silver.stg_transactions_quarantine "
            "where transaction_id = ?",
            [FUTURE_ID],
        ).fetchall() == [("after_as_of_date",)]
    assert standby_record(home) is None  # a full build keeps none

    land_days(home.bronze, 3)
    first = build_warehouse(home, incremental=True)
    assert first.start["method"] == "copy"  # ext4: no clone, and no standby yet
    assert standby_record(home) == {
        "build_id": full["build_id"],
        "as_of_date": "2025-12-31",
        "followed_by": first.build_id,
    }
    assert read_build_info(standby_file(home))["build_id"] == full["build_id"]

    land_days(home.bronze, 2)
    second = build_warehouse(home, incremental=True)
    assert second.start["method"] == "standby"
    assert second.as_of_date == "2026-01-05"
    assert standby_record(home)["build_id"] == first.build_id
    assert standby_record(home)["followed_by"] == second.build_id

    rebuilt = rebuilt_from_same_bronze(home, tmp_path / "rebuilt")
    assert differing_tables(home, rebuilt) == {}
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*) from gold.fct_transactions where transaction_id = ?", [FUTURE_ID]
        ).fetchone() == (1,)
        # the history names every published build, the one the standby skipped included
        history = con.execute(
            "select build_id, kind from meta.build_history order by finished_at"
        ).fetchall()
    assert history == [
        (full["build_id"], "full"),
        (first.build_id, "incremental"),
        (second.build_id, "incremental"),
    ]


def test_a_scores_republish_starts_from_the_served_file_not_the_standby(home):
    land_days(home.bronze, 1)
    refreshed = build_warehouse(home, incremental=True)
    standby_before = standby_record(home)
    assert standby_before["followed_by"] == refreshed.build_id

    scores = build_warehouse(home, incremental=True, select=CHURN_OUTPUTS_SELECTOR)
    assert scores.kind == "scores"
    assert scores.start["method"] == "copy"
    # the refresh's file is now the standby, a build behind the scores republish
    assert standby_record(home) == {
        "build_id": refreshed.build_id,
        "as_of_date": refreshed.as_of_date,
        "followed_by": scores.build_id,
    }
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert [r[0] for r in con.execute("select build_id from meta.build_history").fetchall()][
            -2:
        ] == [refreshed.build_id, scores.build_id]

    land_days(home.bronze, 1)
    assert build_warehouse(home, incremental=True).start["method"] == "standby"


HOLD = (
    "import duckdb, sys\n"
    "con = duckdb.connect()\n"
    'con.execute("attach \'" + sys.argv[1] + "\' as held (read_only)")\n'
    "print(con.execute('select build_id from held.meta.build_info').fetchone()[0], flush=True)\n"
    "sys.stdin.read()\n"
)


def test_a_standby_held_open_by_a_reader_is_left_alone_and_the_refresh_copies(home, tmp_path):
    """The app keeps a read-only connection to the file it served; after the swap that
    file is the standby. A refresh must not write to it: it copies the served file."""
    land_days(home.bronze, 1)
    build_warehouse(home, incremental=True)
    held = standby_record(home)["build_id"]
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(standby_file(home))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    held_file = tmp_path / "held.duckdb"
    try:
        assert reader.stdout.readline().strip() == held
        os.link(standby_file(home), held_file)  # to look at it after the refresh drops it
        before = digest(held_file)
        land_days(home.bronze, 1)
        report = build_warehouse(home, incremental=True)
        assert report.start["method"] == "copy"
    finally:
        reader.communicate("")
    assert digest(held_file) == before  # nobody wrote to the file the reader held
    assert read_build_info(home.warehouse)["build_id"] == report.build_id
    assert standby_record(home)["followed_by"] == report.build_id


def test_a_standby_held_open_in_this_process_is_left_alone(home):
    land_days(home.bronze, 1)
    build_warehouse(home, incremental=True)
    reader = duckdb.connect(str(standby_file(home)), read_only=True)
    held = reader.execute("select build_id from meta.build_info").fetchone()[0]
    assert in_use(standby_file(home))
    land_days(home.bronze, 1)
    assert build_warehouse(home, incremental=True).start["method"] == "copy"
    assert reader.execute("select build_id from meta.build_info").fetchone()[0] == held
    reader.close()


def test_a_standby_that_is_not_the_file_before_the_served_one_is_dropped(home):
    land_days(home.bronze, 1)
    build_warehouse(home, incremental=True)
    record = standby_folder(home.home) / "standby.json"
    record.write_text(json.dumps(standby_record(home) | {"followed_by": "another-build"}))
    land_days(home.bronze, 1)
    report = build_warehouse(home, incremental=True)
    assert report.start["method"] == "copy"
    assert standby_record(home)["followed_by"] == report.build_id


def test_a_failed_refresh_keeps_the_served_file_and_discards_the_standby(
    home, tmp_path, monkeypatch
):
    land_days(home.bronze, 1)
    build_warehouse(home, incremental=True)
    served = digest(home.warehouse)
    assert standby_record(home) is not None

    project = tmp_path / "dbt"
    shutil.copytree(Path(__file__).parents[2] / "dbt", project)
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "no_transaction_in_2026.sql").write_text(
        "select * from {{ ref('fct_transactions') }} where transaction_ts >= '2026-01-02'\n"
    )
    monkeypatch.setenv("C360_DBT_PROJECT", str(project))
    land_days(home.bronze, 1)
    with pytest.raises(BuildError, match="no_transaction_in_2026"):
        build_warehouse(home, incremental=True)
    assert digest(home.warehouse) == served
    # dbt ran on the standby and failed: it is gone, not kept half-updated
    assert not standby_folder(home.home).exists()
    assert not (home.home / "builds" / "next").exists()

    monkeypatch.delenv("C360_DBT_PROJECT")
    assert build_warehouse(home, incremental=True).start["method"] == "copy"


def test_bad_bronze_leaves_the_standby_intact(home):
    land_days(home.bronze, 1)
    build_warehouse(home, incremental=True)
    record, file = standby_record(home), digest(standby_file(home))
    shutil.rmtree(home.bronze / "merchant_categories")
    with pytest.raises(BronzeError):
        build_warehouse(home, incremental=True)
    assert standby_record(home) == record
    assert digest(standby_file(home)) == file


def test_no_standby_is_kept_when_turned_off(home, monkeypatch):
    monkeypatch.setenv("C360_KEEP_STANDBY", "0")
    land_days(home.bronze, 1)
    assert build_warehouse(home, incremental=True).start["method"] == "copy"
    assert not standby_folder(home.home).exists()


def filesystem_type(path: Path) -> str:
    """The type of the filesystem mounted deepest above `path` (from /proc/mounts)."""
    best, kind = "", ""
    for line in Path("/proc/mounts").read_text().splitlines():
        _, mount, fstype = line.split()[:3]
        if str(path.resolve()).startswith(mount.rstrip("/") + "/") and len(mount) > len(best):
            best, kind = mount, fstype
    return kind


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="FICLONE is Linux's")
def test_a_clone_falls_back_where_the_filesystem_cannot(tmp_path):
    kind = filesystem_type(tmp_path)
    if kind not in ("ext4", "tmpfs", "overlay", "ext3"):
        pytest.skip(f"{kind} may clone")
    source = tmp_path / "source.duckdb"
    source.write_bytes(os.urandom(1 << 16))
    target = tmp_path / "next" / "target.duckdb"
    target.parent.mkdir()
    assert clone_file(source, target) is False
    assert not target.exists()


def test_in_use_sees_readers_of_this_process(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    assert not in_use(path)
    with duckdb.connect() as con:
        con.execute(f"attach '{path}' as w (read_only)")
        assert in_use(path)
    assert not in_use(path)


def test_refresh_json_reports_how_each_refresh_started(home):
    methods = []
    for _ in range(2):
        land_days(home.bronze, 1)
        result = run_c360(home.home, "refresh", "--json")
        assert result.returncode == 0, result.stderr
        start = json.loads(result.stdout)["start"]
        assert start["seconds"] >= 0
        methods.append(start["method"])
    assert methods == ["copy", "standby"]
