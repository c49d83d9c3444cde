"""Bad transaction rows go to quarantine with their reason and the build goes on; a bad
as-of date is refused before anything is built.

One small bronze with an extra Parquet file of bad rows is built once (module fixture);
one copy is then refreshed after a day lands and compared with a full build.
"""

import hashlib
import json
import math
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from c360.cli import app
from c360.config import Paths
from c360.generate.landing import land_days
from c360.warehouse.dbt import failure_reason, run_dbt
from c360.warehouse.publish import build_warehouse
from tests.warehouse.test_publish import differing_tables, rebuilt_from_same_bronze

# amount, transaction_ts (None: keep the good row's), expected reason
BAD_ROWS = [
    (-12.5, None, "negative_amount"),
    (math.nan, None, "nan_amount"),
    (math.inf, None, "infinite_amount"),
    (-math.inf, None, "infinite_amount"),
    (1e20, None, "absurd_amount"),
    (20.0, datetime(2099, 1, 1, 12), "after_as_of_date"),
    # the day after the as-of date (2025-12-31): usable once a landed day moves it there
    (20.0, datetime(2026, 1, 1, 12), "after_as_of_date"),
]
NEXT_DAY_ROW = len(BAD_ROWS) - 1


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def good_rows(bronze: Path, n: int) -> tuple[list[dict], pa.Schema]:
    """`n` transactions the build uses (no injected defect, an amount, approved), and the
    bronze schema to write more like them."""
    con = duckdb.connect()
    ids = [
        row[0]
        for row in con.execute(
            f"""
            select transaction_id
            from read_parquet('{bronze}/transactions/*.parquet')
            where amount is not null and status = 'Approved' and transaction_id not in (
                select transaction_id
                from read_parquet('{bronze}/_truth/transaction_defects/*.parquet')
                where transaction_id is not null
            )
            order by transaction_id
            limit {n}
            """
        ).fetchall()
    ]
    table = pq.read_table(bronze / "transactions")
    chosen = table.filter(pc.is_in(table["transaction_id"], pa.array(ids, pa.int64())))
    rows = {row["transaction_id"]: row for row in chosen.to_pylist()}
    schema = pq.read_schema(sorted((bronze / "transactions").glob("*.parquet"))[0])
    return [rows[i] for i in ids], schema


def inject_bad_rows(bronze: Path) -> dict[int, str]:
    """Write the bad rows as one more Parquet file (new ids, loaded with the good rows they
    copy); return {transaction_id: expected reason}."""
    base, schema = good_rows(bronze, len(BAD_ROWS))
    first_id = 900_000_000
    rows, expected = [], {}
    for i, (row, (amount, ts, reason)) in enumerate(zip(base, BAD_ROWS, strict=True)):
        row = dict(row, transaction_id=first_id + i, amount=amount)
        if ts is not None:
            row["transaction_ts"] = ts
        rows.append(row)
        expected[first_id + i] = reason
    pq.write_table(pa.Table.from_pylist(rows, schema), bronze / "transactions" / "bad.parquet")
    return expected


@pytest.fixture(scope="module")
def quarantined(tmp_path_factory, bronze) -> tuple[Paths, dict[int, str]]:
    """A home whose bronze carries the bad rows, built once: treat it as read-only."""
    paths = Paths(tmp_path_factory.mktemp("quarantine") / "home")
    shutil.copytree(bronze, paths.bronze)
    expected = inject_bad_rows(paths.bronze)
    build_warehouse(paths)
    return paths, expected


def injected_reasons(con) -> dict:
    """{transaction_id: quarantine reason} of the injected rows (ids from 900,000,000)."""
    return dict(
        con.execute(
            "select transaction_id, quarantine_reason from silver.stg_transactions_quarantine "
            "where transaction_id >= 900000000"
        ).fetchall()
    )


def copy_home(paths: Paths, target: Path) -> Paths:
    target.mkdir(parents=True)
    shutil.copy2(paths.warehouse, target / paths.warehouse.name)
    shutil.copytree(paths.bronze, target / "bronze")
    return Paths(target)


def test_bad_rows_are_quarantined_with_their_reason_and_the_build_goes_on(quarantined):
    paths, expected = quarantined
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        found = injected_reasons(con)
        in_facts = con.execute(
            "select count(*) from gold.fct_transactions where transaction_id >= 900000000"
        ).fetchone()[0]
        delivered = dict(
            con.execute(
                "select transaction_id, amount_delivered from silver.stg_transactions_quarantine "
                "where transaction_id >= 900000000"
            ).fetchall()
        )
        bronze_rows, usable, removed, quarantined_rows, unaccounted = con.execute(
            "select bronze_rows, silver_rows, duplicate_rows_removed, quarantined_rows, "
            "unaccounted_rows from silver.stg_transactions_accounting"
        ).fetchone()
        as_of = con.execute("select as_of_date from gold.build_as_of").fetchone()[0]
        latest_fact = con.execute(
            "select max(transaction_ts) from gold.fct_transactions"
        ).fetchone()
    assert found == expected
    assert in_facts == 0
    # the amount as delivered is kept for inspection
    assert math.isnan(delivered[900_000_001])
    assert delivered[900_000_003] == -math.inf
    assert delivered[900_000_004] == 1e20
    all_bronze = duckdb.execute(
        f"select count(*) from read_parquet('{paths.bronze}/transactions/*.parquet')"
    ).fetchone()[0]
    assert bronze_rows == all_bronze == usable + removed + quarantined_rows
    assert unaccounted == 0
    assert str(as_of) == "2025-12-31"
    assert latest_fact[0] < datetime(2026, 1, 1)


def test_a_refresh_after_the_as_of_date_moves_forward_equals_a_full_build(quarantined, tmp_path):
    """A landed day moves the as-of date to 2026-01-01: the row dated that day, quarantined
    before, becomes usable; the 2099 row stays quarantined; a bad row that arrives with the
    refresh is quarantined too; and the refresh equals a full build of the same bronze."""
    source, expected = quarantined
    home = copy_home(source, tmp_path / "home")
    land_days(home.bronze, 1)
    late = pq.read_table(home.bronze / "transactions", columns=["loaded_at"])["loaded_at"]
    arriving, schema = good_rows(home.bronze, 1)
    arriving = dict(
        arriving[0],
        transaction_id=900_000_100,
        amount=-1.0,
        loaded_at=max(late.to_pylist()) + timedelta(hours=1),
    )
    pq.write_table(
        pa.Table.from_pylist([arriving], schema), home.bronze / "transactions" / "late-bad.parquet"
    )

    report = build_warehouse(home, incremental=True)
    assert report.as_of_date == "2026-01-01"
    next_day_id = 900_000_000 + NEXT_DAY_ROW
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        reasons = injected_reasons(con)
        facts = [
            row[0]
            for row in con.execute(
                "select transaction_id from gold.fct_transactions where transaction_id >= 900000000"
            ).fetchall()
        ]
        unaccounted = con.execute(
            "select unaccounted_rows from silver.stg_transactions_accounting"
        ).fetchone()[0]
    assert facts == [next_day_id]
    assert reasons == {
        **{i: r for i, r in expected.items() if i != next_day_id},
        900_000_100: "negative_amount",
    }
    assert unaccounted == 0
    rebuilt = rebuilt_from_same_bronze(home, tmp_path / "rebuilt")
    assert differing_tables(home, rebuilt) == {}


def test_a_refresh_after_the_as_of_date_moves_back_equals_a_full_build(quarantined, tmp_path):
    """The manifest's as-of date moved back a day: the usable transactions of 2025-12-31 are
    now after it, leave fct_transactions for the quarantine, and the refresh equals a full
    build."""
    home = copy_home(quarantined[0], tmp_path / "home")
    manifest_path = home.bronze / "_manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["as_of_date"] = "2025-12-30"
    manifest_path.write_text(json.dumps(manifest))

    build_warehouse(home, incremental=True)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        latest_fact = con.execute(
            "select max(transaction_ts) from gold.fct_transactions"
        ).fetchone()
        moved = con.execute(
            "select count(*) from silver.stg_transactions_quarantine "
            "where quarantine_reason = 'after_as_of_date' and transaction_ts < '2026-01-01'"
        ).fetchone()[0]
    assert latest_fact[0] < datetime(2025, 12, 31)
    assert moved > 0
    rebuilt = rebuilt_from_same_bronze(home, tmp_path / "rebuilt")
    assert differing_tables(home, rebuilt) == {}


runner = CliRunner()


NOT_A_DATE = "not a date like 2025-12-31"  # refused when the manifest is read


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2025-12-31'; drop table gold.fct_transactions; --", NOT_A_DATE),
        ("2025-12-31[/]", NOT_A_DATE),
        (20251231, NOT_A_DATE),
        (None, NOT_A_DATE),
        # the last transaction on or before it is the injected one of 2026-01-01
        ("2030-06-01", "as-of date 2030-06-01 is 1612 days after the last transaction"),
        ("2023-06-01", "as-of date 2023-06-01 is before the first transaction"),
    ],
)
@pytest.mark.parametrize("command", ["build", "refresh"])
def test_a_bad_as_of_date_in_the_manifest_is_refused_in_one_line(
    quarantined, tmp_path, monkeypatch, command, as_of, message
):
    home = copy_home(quarantined[0], tmp_path / "home")
    manifest_path = home.bronze / "_manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["as_of_date"] = as_of
    manifest_path.write_text(json.dumps(manifest))
    before = digest(home.warehouse)
    monkeypatch.setenv("C360_HOME", str(home.home))

    result = runner.invoke(app, [command])

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert message in lines[0]
    assert "Traceback" not in result.output
    if message != NOT_A_DATE:  # the data's range is named
        assert "transactions run from 2024-01-01 to 2099-01-01" in lines[0]
    assert digest(home.warehouse) == before


def test_dbt_itself_refuses_an_as_of_date_that_is_not_a_date(tmp_path, bronze):
    """Defence in depth: even given straight to dbt, a payload never reaches the SQL."""
    paths = Paths(tmp_path)
    outcome = run_dbt(
        ["compile", "--select", "build_as_of", "--no-introspect"],
        env={
            "C360_AS_OF_DATE": "2025-12-31' as date) as as_of_date; drop table x; --",
            "C360_PREVIOUS_AS_OF_DATE": "",
            "C360_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
            "C360_BRONZE_PATH": str(bronze),
            "C360_PREDICTIONS_PATH": str(tmp_path / "predictions"),
        },
        paths=paths,
        target="duckdb",
    )
    assert not outcome.success
    assert "as_of_date must be a date like 2025-12-31, got '2025-12-31' as date)" in (
        outcome.summary()
    )


def test_a_dbt_failure_says_what_went_wrong_not_only_where():
    message = (
        "Runtime Error in model fct_transactions (models/marts/fct_transactions.sql)\n"
        "  Conversion Error: Could not cast value nan to DECIMAL(18,2)\n"
        "  LINE 110: ...\n"
    )
    assert failure_reason(message) == (
        "Runtime Error in model fct_transactions (models/marts/fct_transactions.sql): "
        "Conversion Error: Could not cast value nan to DECIMAL(18,2)"
    )
    assert failure_reason("Got 5 results, configured to fail if != 0") == (
        "Got 5 results, configured to fail if != 0"
    )
