"""The whole path on a real public transaction log: CDNOW (shipped inside the `lifetimes`
wheel, see tests/clv/real_data.py) through `c360 import`, `c360 run` and the app."""

import json
from pathlib import Path

import duckdb
import pytest

from tests.clv.real_data import CUSTOMERS, PURCHASES, write_transactions_csv
from tests.ingest.conftest import c360, render_pages

MAPPING = "transactions:\n  columns:\n    transaction_ts: transaction_date\n"


@pytest.fixture(scope="module")
def cdnow_home(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("cdnow")
    csv = write_transactions_csv(folder / "cdnow.csv")
    mapping = folder / "mapping.yml"
    mapping.write_text(MAPPING)
    home = folder / "home"
    done = c360(home, "import", "--transactions", str(csv), "--mapping", str(mapping), "--json")
    assert done.returncode == 0, done.stderr
    run = c360(home, "run", "--json", timeout=1200)
    assert run.returncode == 0, run.stderr
    return home, {"import": json.loads(done.stdout), "run": json.loads(run.stdout)}


def test_every_purchase_lands_and_the_as_of_is_the_last_day(cdnow_home):
    home, report = cdnow_home
    summary = report["import"]
    assert summary["as_of_date"] == "1998-06-30"
    assert summary["transactions"] == {"usable": PURCHASES}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        customers, rows = con.execute(
            "select count(distinct customer_id), count(*) from gold.fct_transactions"
        ).fetchone()
    assert (customers, rows) == (CUSTOMERS, PURCHASES)


def test_train_score_and_clv_run_on_it(cdnow_home):
    home, report = cdnow_home
    stages = report["run"]["stages"]
    assert stages["score"]["scored"] > 0
    assert stages["clv"]["scored"] > 0.99 * CUSTOMERS
    assert "no randomised campaign" in stages["uplift"]["skipped"]
    clv = json.loads((home / "clv" / "report.json").read_text())
    assert set(clv["parameters"]["bg_nbd"]) >= {"r", "alpha", "a", "b"}
    assert set(clv["parameters"]["gamma_gamma"]) >= {"p", "q", "v"}


def test_app_pages_render_on_it(cdnow_home, monkeypatch):
    home, _ = cdnow_home
    for page, shown in render_pages(home, monkeypatch).items():
        assert shown, page
