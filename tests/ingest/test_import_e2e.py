"""From a transactions-only CSV to the app: `c360 import`, then `c360 run`, then the pages."""

import duckdb
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ENTRY
from tests.ingest.conftest import AS_OF, DIRT, render_pages


def test_import_counts_every_row_by_where_it_goes(imported_home, export_csv):
    _, report = imported_home
    summary = report["import"]
    _, _, clean = export_csv
    assert summary["as_of_date"] == AS_OF
    assert summary["rows"]["transactions"] == clean + len(DIRT)
    assert summary["transactions"] == {"usable": clean, **dict.fromkeys(DIRT, 1)}
    assert summary["derived"] == ["customers", "merchant_categories"]
    assert summary["supplied"]["transactions"] == ["customer_id", "transaction_ts", "amount"]


def test_the_build_quarantines_the_same_rows_for_the_same_reasons(imported_home):
    home, _ = imported_home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        reasons = dict(
            con.execute(
                "select quarantine_reason, count(*) from silver.stg_transactions_quarantine "
                "group by 1"
            ).fetchall()
        )
        versions, customers, opened_at_first_purchase = con.execute(
            "select count(*), count(distinct d.customer_id), "
            "count(*) filter (where d.account_open_date = f.first_day) from gold.dim_customer d "
            "join (select customer_id, min(cast(transaction_ts as date)) as first_day "
            "from silver.stg_transactions group by 1) f using (customer_id)"
        ).fetchone()
    assert reasons == dict.fromkeys(DIRT, 1)
    assert versions == customers == opened_at_first_purchase  # one version each, derived


def test_run_trains_scores_and_values_and_skips_uplift(imported_home):
    home, report = imported_home
    stages = report["run"]["stages"]
    assert stages["score"]["scored"] > 0
    assert stages["clv"]["scored"] > 0
    assert "no randomised campaign" in stages["uplift"]["skipped"]
    card = (home / "model" / "model_card.md").read_text()
    used, _, left_out = card.partition("## Features used")[2].partition("Left out")
    assert "`days_since_last_txn`" in used and "`age`" not in used
    assert "`age`" in left_out.split("##")[0] and "`credit_limit`" in left_out.split("##")[0]


def test_app_pages_render_on_imported_data(imported_home, monkeypatch):
    home, _ = imported_home
    shown = render_pages(home, monkeypatch)
    assert "State is not in your data" in shown["app_pages/segment_explorer.py"]
    assert "Age band: not in your data" in shown["app_pages/segment_explorer.py"]
    assert "c360 import --campaigns" in shown["app_pages/campaign_performance.py"]


def test_customer_360_without_names_channels_or_merchants(imported_home, monkeypatch):
    home, _ = imported_home
    monkeypatch.setenv("C360_HOME", str(home))
    at = AppTest.from_file(str(ENTRY), default_timeout=90)
    at.run()
    at.switch_page("app_pages/customer_360.py").run()
    at.text_input(key="c360_search").input("CUST00000004").run()
    assert not at.exception
    assert any("transactions match" in c.value for c in at.caption)
    assert at.header[0].value == "CUST00000004"  # no names in the data: the id
    assert any("Not in your data: import a customers file" in c.value for c in at.caption)
    assert "tx_channels" not in [m.key for m in at.multiselect]
    shown = at.dataframe[0].value
    assert len(shown) > 0 and "amount" in shown.columns
    assert "channel" not in shown.columns and "merchant_name" not in shown.columns
