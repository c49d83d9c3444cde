"""Every page through the entry point (streamlit.testing.v1.AppTest) on a small warehouse."""

import os
import shutil

import duckdb
import pytest

from tests.app.conftest import copy_home, metric, set_build_id, texts

PAGES = {
    "app_pages/segment_explorer.py": ["Segment Explorer", "Segment sizes", "Customers by state"],
    "app_pages/customer_360.py": ["Customer 360", "Find a customer"],
    "app_pages/campaign_performance.py": ["Campaign Performance", "Campaign simulator"],
    "app_pages/ai_assistant.py": ["AI Assistant", "Ask about customers"],
    "app_pages/model_health.py": ["Model health", "Score distribution over time"],
}


def _customer(home, where: str = "true") -> dict:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        row = con.execute(
            "select customer_id, first_name, last_name, full_name, churn_risk_tier "
            f"from gold.customer_360_profile where {where} order by customer_id limit 1"
        ).fetchone()
    return dict(zip(["id", "first", "last", "name", "tier"], row, strict=True))


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_its_footer(app_for, built_home, page):
    at = app_for(built_home.home)
    at.switch_page(page).run()
    assert not at.exception
    shown = texts(at)
    for text in PAGES[page]:
        assert text in shown
    assert "Data as of" in shown and "2025-12-31" in shown and "build" in shown


def test_segment_filter_changes_the_numbers(app_for, built_home):
    at = app_for(built_home.home)
    everyone = metric(at, "Customers")
    at.multiselect(key="filter_segments").set_value(["Declining"]).run()
    assert not at.exception
    declining = metric(at, "Customers")
    assert declining != everyone
    with duckdb.connect(str(built_home.warehouse), read_only=True) as con:
        expected = con.execute(
            "select count(*) from gold.customer_360_profile where behavioral_segment = 'Declining'"
        ).fetchone()[0]
    assert declining == f"{expected:,}"
    assert "segments: Declining" in texts(at)


def test_filters_that_match_nobody_say_so(app_for, built_home):
    at = app_for(built_home.home)
    at.multiselect(key="filter_segments").set_value(["High-Value Travelers"])
    at.multiselect(key="filter_age_bands").set_value(["Under 25"])
    at.multiselect(key="filter_states").set_value(["AK"]).run()
    assert not at.exception
    assert metric(at, "Customers") in {"0", "1", "2"} or "No customer matches" in texts(at)


def test_customer_search_by_partial_name_shows_the_profile(app_for, built_home):
    customer = _customer(built_home, "churn_risk_tier is not null")
    at = app_for(built_home.home)
    at.switch_page("app_pages/customer_360.py").run()
    at.text_input(key="c360_search").input(customer["last"][:4].lower()).run()
    assert not at.exception
    if at.selectbox:  # several candidates: pick ours
        at.selectbox(key="c360_choice").set_value(customer["id"]).run()
    shown = texts(at)
    assert customer["name"] in [h.value for h in at.header]
    assert customer["id"] in shown
    assert "Churn risk" in shown and customer["tier"] in shown
    assert "Transactions" in [t.label for t in at.tabs]


def test_customer_search_by_exact_id_and_transaction_filter(app_for, built_home):
    customer = _customer(built_home)
    at = app_for(built_home.home)
    at.switch_page("app_pages/customer_360.py").run()
    at.text_input(key="c360_search").input(customer["id"]).run()
    assert customer["name"] in [h.value for h in at.header]
    before = next(c.value for c in at.caption if "transactions match" in c.value)
    at.multiselect(key="tx_statuses").set_value(["Declined"]).run()
    assert not at.exception
    after = next(c.value for c in at.caption if "transactions match" in c.value)
    assert after != before


def test_injection_like_customer_id_finds_nothing(app_for, built_home):
    at = app_for(built_home.home)
    at.switch_page("app_pages/customer_360.py").run()
    at.text_input(key="c360_search").input("1 OR 1=1").run()
    assert not at.exception
    assert "No customer matches" in texts(at)
    assert not at.header


def test_campaign_page_measures_the_effect_and_simulates(app_for, built_home):
    at = app_for(built_home.home)
    at.switch_page("app_pages/campaign_performance.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Retention effect" in shown and "95% CI" in shown
    cost_before = metric(at, "Total cost")
    at.number_input(key="sim_cost").set_value(80.0).run()
    assert not at.exception
    assert metric(at, "Total cost") != cost_before
    at.number_input(key="sim_min_ltv").set_value(10_000_000.0).run()
    assert metric(at, "Targeted customers") == "0"
    assert "No customer matches this audience" in texts(at)


def test_pages_say_not_scored_when_the_churn_columns_are_absent(app_for, unscored_home):
    at = app_for(unscored_home.home)
    assert not at.exception
    assert "not scored yet" in texts(at)
    at.switch_page("app_pages/customer_360.py").run()
    at.text_input(key="c360_search").input("CUST00000001").run()
    assert not at.exception
    assert "Not scored yet" in texts(at)
    at.switch_page("app_pages/campaign_performance.py").run()
    assert not at.exception
    assert "Targeted customers" in texts(at)


def test_without_a_warehouse_the_app_says_how_to_build_one(app_for, tmp_path):
    at = app_for(tmp_path / "empty")
    assert not at.exception
    shown = texts(at)
    assert "No warehouse has been published yet" in shown
    assert "c360 build" in shown and "make run" in shown


def test_a_newly_published_build_is_used_on_the_next_interaction(app_for, built_home, tmp_path):
    home = copy_home(built_home, tmp_path / "home")
    at = app_for(home.home)
    at.switch_page("app_pages/customer_360.py").run()
    old_footer = texts(at)
    staged = tmp_path / "staged.duckdb"
    shutil.copy2(home.warehouse, staged)
    set_build_id(staged, "20990101T000000Z-newbld")
    os.replace(staged, home.warehouse)  # what publish does
    at.text_input(key="c360_search").input("CUST").run()
    assert not at.exception
    assert "20990101T000000Z-newbld" in texts(at)
    assert "20990101T000000Z-newbld" not in old_footer
