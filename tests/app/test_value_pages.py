"""CLV and uplift in the app: Customer 360, Segment Explorer and the targeting comparison."""

import duckdb
import pytest

from tests.app.conftest import metric, texts


@pytest.fixture(scope="module")
def valued_customer(valued_home) -> dict:
    with duckdb.connect(str(valued_home.warehouse), read_only=True) as con:
        row = con.execute(
            "select customer_id, clv_12m, retention_uplift, clv_12m_low, clv_12m_high, "
            "probability_alive_low, probability_alive_high from gold.customer_360_profile "
            "where clv_12m is not null and retention_uplift is not null "
            "order by customer_id limit 1"
        ).fetchone()
        avg = con.execute("select avg(clv_12m) from gold.customer_360_profile").fetchone()[0]
    return {
        "id": row[0],
        "clv": row[1],
        "uplift": row[2],
        "clv_range": row[3:5],
        "alive_range": row[5:7],
        "avg_clv": avg,
    }


def test_customer_360_shows_clv_and_uplift(app_for, valued_home, valued_customer):
    at = app_for(valued_home.home)
    at.switch_page("app_pages/customer_360.py").run()
    at.text_input(key="c360_search").input(valued_customer["id"]).run()
    assert not at.exception
    assert metric(at, "12-month CLV") == f"${valued_customer['clv']:,.0f}"
    assert f"{valued_customer['uplift'] * 100:+.1f} pp" in texts(at)
    low, high = valued_customer["clv_range"]
    shown = next(m for m in at.metric if m.label == "12-month CLV")
    assert shown.delta == f"90% interval ${low:,.0f} – ${high:,.0f}"
    alive_low, alive_high = valued_customer["alive_range"]
    assert f"90% interval {alive_low * 100:.1f}% – {alive_high * 100:.1f}%" in texts(at)


def test_customer_360_without_intervals_shows_the_clv_alone():
    """A CLV fitted before intervals existed: no interval text, no error."""
    from c360.app.ui import interval

    assert interval(None, None, None) == ""
    assert interval(10.0, 20.0, 0.9) == "90% interval $10 – $20"


def test_segment_explorer_shows_average_clv(app_for, valued_home, valued_customer):
    at = app_for(valued_home.home)
    assert not at.exception
    assert metric(at, "Avg 12-month CLV") == f"${valued_customer['avg_clv']:,.0f}"
    columns = at.dataframe[0].value.columns
    assert "avg_clv_12m" in columns
    listed = next(d.value for d in at.dataframe if "clv_12m_low" in d.value.columns)
    valued = listed.dropna(subset=["clv_12m"])
    assert len(valued) > 0
    assert (valued["clv_12m_low"] <= valued["clv_12m_high"]).all()


def test_campaign_page_compares_risk_and_uplift_for_one_budget(app_for, valued_home):
    at = app_for(valued_home.home)
    at.switch_page("app_pages/campaign_performance.py").run()
    assert not at.exception
    assert "Targeting: churn risk vs uplift" in texts(at)
    assert "Qini curve on held-out campaign participants" in texts(at)
    at.number_input(key="sim_cost").set_value(40.0)
    at.number_input(key="target_budget").set_value(400.0).run()
    assert not at.exception
    table = next(
        d.value for d in at.dataframe if "expected_incremental_retained" in d.value.columns
    ).set_index("label")
    assert list(table.index) == ["Highest churn risk", "Highest predicted uplift"]
    assert table["reached"].tolist() == [10, 10]
    assert table["cost"].tolist() == [400.0, 400.0]
    assert (table["net_value"] == table["value"] - table["cost"]).all()


def test_pages_without_clv_or_uplift_say_so(app_for, built_home):
    at = app_for(built_home.home)
    assert not at.exception
    assert metric(at, "Avg 12-month CLV") == "–"
    at.switch_page("app_pages/campaign_performance.py").run()
    assert not at.exception
    assert "run `c360 score` and `c360 uplift`" in texts(at)


def test_money_short_keeps_large_totals_readable():
    from c360.app.ui import money_short

    assert money_short(312_945_889) == "$312.9M"
    assert money_short(1.2e9) == "$1.2B"
    assert money_short(48_500) == "$48.5K"
    assert money_short(9_999) == "$9,999"
    assert money_short(-2.5e6) == "−$2.5M"
    assert money_short(None) == "–"
