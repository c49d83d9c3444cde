"""Queries: bound parameters, read-only access, optional churn columns, new builds."""

import os
import shutil

import duckdb
import pytest

from c360.app import queries
from c360.warehouse.standby import in_use
from tests.app.conftest import copy_home, set_build_id

INJECTIONS = ["1 OR 1=1", "' OR '1'='1", "x'; drop table gold.dim_customer; --", "%", "_"]


@pytest.fixture()
def wh(built_home, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(built_home.home))
    return queries.require()


@pytest.mark.parametrize("text", INJECTIONS)
def test_user_input_is_bound_never_spliced(wh, text):
    assert queries.search_customers(wh, text).empty
    assert queries.customer_profile(wh, text) is None
    assert queries.customer_history(wh, text).empty
    frame, total = queries.customer_transactions(wh, text, queries.TransactionFilters())
    assert frame.empty and total == 0
    filters = queries.Filters(segments=(text,), states=(text,))
    assert queries.portfolio_overview(wh, filters)["customers"] == 0
    assert queries.customer_list(wh, filters).empty


def test_partial_name_email_and_id_search(wh, built_home):
    with duckdb.connect(str(built_home.warehouse), read_only=True) as con:
        cid, last, email = con.execute(
            "select customer_id, last_name, email from gold.customer_360_profile "
            "where email is not null order by customer_id limit 1"
        ).fetchone()
    assert cid in set(queries.search_customers(wh, last[:3].upper())["customer_id"])
    assert cid in set(queries.search_customers(wh, email.split("@")[0])["customer_id"])
    exact = queries.search_customers(wh, cid.lower())
    assert exact["customer_id"].iloc[0] == cid


def test_filters_narrow_and_summaries_add_up(wh):
    everyone = queries.portfolio_overview(wh, queries.Filters())
    segments = queries.segment_summary(wh, queries.Filters())
    assert segments["customers"].sum() == everyone["customers"]
    assert segments["share"].sum() == pytest.approx(1.0)
    one = segments["segment"].iloc[0]
    narrowed = queries.Filters(segments=(one,), ltv_min=1.0, age_bands=("35-44", "45-54"))
    listed = queries.customer_list(wh, narrowed)
    assert set(listed["behavioral_segment"]) <= {one}
    assert (listed["lifetime_value"] >= 1.0).all()
    assert listed["age"].between(35, 54).all()
    assert len(listed) == queries.portfolio_overview(wh, narrowed)["customers"]


def test_observed_churn_is_the_inactive_share(wh, built_home):
    with duckdb.connect(str(built_home.warehouse), read_only=True) as con:
        expected = con.execute(
            "select avg((recency_status = 'Inactive')::int) from gold.customer_360_profile"
        ).fetchone()[0]
    got = queries.portfolio_overview(wh, queries.Filters())["observed_churn_rate"]
    assert got == pytest.approx(expected)


def test_the_connection_is_read_only_and_cannot_read_other_files(wh):
    with queries.cursor(wh) as cur:
        with pytest.raises(duckdb.Error):
            cur.execute("create table gold.evil as select 1")
        with pytest.raises(duckdb.Error):
            cur.execute("select * from read_csv('/etc/passwd')")


def test_campaign_outcomes_have_both_arms(wh):
    campaigns = queries.campaigns(wh)
    assert not campaigns.empty
    outcomes = queries.campaign_outcomes(wh, campaigns["campaign_id"].iloc[0])
    assert set(outcomes["assignment_group"]) == {"treatment", "control"}
    assert outcomes["customer_id"].is_unique
    assert (outcomes["spend_after"] >= 0).all()


def test_missing_churn_columns_read_as_not_scored(unscored_home, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(unscored_home.home))
    wh = queries.require()
    assert queries.churn_columns(wh) == frozenset()
    assert not queries.churn_scored(wh)
    risk = queries.risk_by_segment(wh, queries.Filters())
    assert set(risk["risk_tier"]) == {queries.NOT_SCORED}
    some = queries.customer_list(wh, queries.Filters(), limit=1)["customer_id"].iloc[0]
    profile = queries.customer_profile(wh, some)
    assert profile["churn_risk_tier"] is None
    audience = queries.simulation_audience(wh, queries.Audience(min_risk_score=50))
    assert len(audience) > 0  # no score to filter on: the minimum is not applied


def test_a_published_build_gets_a_new_identity_and_connection(built_home, tmp_path, monkeypatch):
    home = copy_home(built_home, tmp_path / "home")
    monkeypatch.setenv("C360_HOME", str(home.home))
    before = queries.require()
    old_id = queries.build_info(before)["build_id"]
    staged = tmp_path / "staged.duckdb"
    shutil.copy2(home.warehouse, staged)
    set_build_id(staged, "20990101T000000Z-abcdef")
    os.replace(staged, home.warehouse)
    after = queries.require()
    assert after != before
    assert queries.build_info(after)["build_id"] == "20990101T000000Z-abcdef"
    assert queries.build_info(before)["build_id"] == old_id  # cached for the old file


def test_no_warehouse_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(tmp_path))
    assert queries.locate() is None
    with pytest.raises(queries.WarehouseMissing):
        queries.require()


def test_the_first_query_on_a_new_build_releases_the_replaced_file(
    built_home, tmp_path, monkeypatch
):
    """A publish keeps the replaced file as the next refresh's standby, which is used only
    when no reader holds it: the app must not keep it open until its cache evicts it."""
    home = copy_home(built_home, tmp_path / "home")
    monkeypatch.setenv("C360_HOME", str(home.home))
    # the next build, staged first: copying the file once a connection of this process
    # holds it would drop that connection's lock (POSIX locks belong to the process)
    staged = tmp_path / "staged.duckdb"
    shutil.copy2(home.warehouse, staged)
    set_build_id(staged, "20990101T000000Z-abcdef")
    before = queries.require()
    assert queries.filter_options(before)["states"]
    replaced = tmp_path / "replaced.duckdb"
    os.link(home.warehouse, replaced)  # the replaced file, as the standby keeps it
    assert in_use(replaced)
    os.replace(staged, home.warehouse)
    assert in_use(replaced)  # nothing asked for the new build yet
    after = queries.require()
    assert queries.filter_options(after)["states"]
    assert not in_use(replaced)
    assert in_use(home.warehouse)
