"""A transactions-only CSV as a real export looks: its own headers, its own date format,
and dirt (an unparseable date, a non-numeric amount, a missing id, a row after as-of)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ENTRY, texts
from tests.conftest import make_bronze

MAPPING = """\
transactions:
  columns:
    transaction_ts: Booked On
  formats:
    transaction_ts: "%d/%m/%Y %H:%M"
"""
DIRT = {  # reason the import and the build give -> the row
    "missing_transaction_ts": ("CUST00000001", "31/02/2025 10:00", "12.50"),
    "missing_amount": ("CUST00000002", "01/02/2025 10:00", "twelve"),
    "missing_customer_id": ("", "01/02/2025 10:00", "5.00"),
    "after_as_of_date": ("CUST00000003", "02/01/2026 09:00", "7.25"),
}
AS_OF = "2025-12-31"


def c360(home: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = os.environ | {"C360_HOME": str(home), "C360_DBT_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "c360", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def export_csv(tmp_path_factory) -> tuple[Path, Path, int]:
    """(csv, mapping, clean rows): approved, clean generated transactions re-exported."""
    folder = tmp_path_factory.mktemp("export")
    bronze = make_bronze(folder / "bronze", customers=300, transactions=60_000, workers=1)
    csv = folder / "card_export.csv"
    with duckdb.connect() as con:
        con.execute(
            f"""
            create table clean as
            select customer_id as "CUSTOMER_ID",
                   strftime(transaction_ts, '%d/%m/%Y %H:%M') as "Booked On",
                   cast(amount as varchar) as "Amount"
            from read_parquet('{bronze}/transactions/*.parquet') t
            where status = 'Approved' and amount > 0 and transaction_ts is not null
              and customer_id in (
                  select customer_id from read_parquet('{bronze}/customers/*.parquet'))
            """
        )
        clean = con.execute("select count(*) from clean").fetchone()[0]
        for row in DIRT.values():
            con.execute("insert into clean values (nullif(?, ''), ?, ?)", list(row))
        con.execute(f"copy clean to '{csv}' (header)")
    mapping = folder / "mapping.yml"
    mapping.write_text(MAPPING)
    return csv, mapping, clean


@pytest.fixture(scope="session")
def imported_home(tmp_path_factory, export_csv) -> tuple[Path, dict]:
    """A home whose bronze is `c360 import` of the export, then `c360 run` on it."""
    csv, mapping, _ = export_csv
    home = tmp_path_factory.mktemp("imported")
    done = c360(home, "import", "--transactions", str(csv), "--mapping", str(mapping),
                "--as-of", AS_OF, "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    run = c360(home, "run", "--json", timeout=1200)
    assert run.returncode == 0, run.stderr
    return home, {"import": summary, "run": json.loads(run.stdout)}


APP_PAGES = (
    "app_pages/segment_explorer.py",
    "app_pages/customer_360.py",
    "app_pages/campaign_performance.py",
)


def render_pages(home: Path, monkeypatch) -> dict[str, list[str]]:
    """Open the app on `home` and render each page of APP_PAGES: its texts, by page
    (fails on any page that raises)."""
    monkeypatch.setenv("C360_HOME", str(home))
    at = AppTest.from_file(str(ENTRY), default_timeout=90)
    at.run()
    shown = {}
    for page in APP_PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        shown[page] = texts(at)
    return shown
