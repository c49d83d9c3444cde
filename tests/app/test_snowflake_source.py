"""The app on Snowflake, without a Snowflake account.

No query reaches Snowflake here. Every query function runs through the Snowflake path up to
the connector: the statement it would send is checked (parses as Snowflake SQL, reads only
models of the dbt project, binds the expected number of scalars); then, to check that the
translation keeps the meaning, it is translated back to DuckDB and run on the small test
warehouse, and the function's result must equal the DuckDB path's. Configuration, connector
and login errors are checked through the app's entry point.
"""

import math
import sys
from datetime import date, datetime
from uuid import uuid4

import pandas as pd
import pytest
import sqlglot
import streamlit as st
from streamlit.runtime.caching.cache_utils import CachedFunc
from streamlit.testing.v1 import AppTest

from c360.app import queries, snowflake_source
from c360.app.snowflake_source import SnowflakeWarehouse, app_settings
from c360.app.snowflake_sql import Statement
from c360.warehouse.snowflake import SnowflakeError
from tests.app.conftest import ENTRY
from tests.app.test_snowflake_sql import check_statement
from tests.conftest import SNOWFLAKE_PLACEHOLDERS

ENV = SNOWFLAKE_PLACEHOLDERS  # nothing connects
SETTINGS = [*ENV, "SNOWFLAKE_SCHEMA", "SNOWFLAKE_PRIVATE_KEY_PATH"]
SETTINGS += ["SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"]


# --- every query function ----------------------------------------------------------------


def _both(paths, monkeypatch):
    """(DuckDB warehouse, Snowflake warehouse, statements sent) for a built home; the
    Snowflake one's connector is replaced by DuckDB running the sent SQL translated back."""
    monkeypatch.setenv("C360_HOME", str(paths.home))
    con = queries.open_read_only(str(paths.warehouse))
    sent: list[Statement] = []

    def execute(sql: str, params: tuple) -> pd.DataFrame:
        sent.append(Statement(sql, params))
        return con.execute(sqlglot.transpile(sql, read="snowflake", write="duckdb")[0], params).df()

    monkeypatch.setattr(snowflake_source, "_execute", execute)
    # database `wh`: the catalog the test connection attaches the warehouse as
    snowflake = SnowflakeWarehouse("example-account", queries.CATALOG, uuid4().hex)
    return queries.require(), snowflake, sent, con


@pytest.fixture()
def both(built_home, monkeypatch):
    *found, con = _both(built_home, monkeypatch)
    yield found
    con.close()


@pytest.fixture(scope="module")
def sample(built_home) -> dict:
    """Values that select real rows of the test warehouse."""
    con = queries.open_read_only(str(built_home.warehouse))
    con.execute(f"use {queries.CATALOG}")
    customer, state, segment = con.execute(
        "select t.customer_id, p.state, p.behavioral_segment from gold.fct_transactions t "
        "join gold.customer_360_profile p using (customer_id) "
        "group by all order by count(*) desc, 1 limit 1"
    ).fetchone()
    (campaign,) = con.execute("select min(campaign_id) from silver.stg_campaigns").fetchone()
    channels, statuses = (
        [v for (v,) in con.execute(f"select distinct {c} from gold.fct_transactions").fetchall()]
        for c in ("channel", "status")
    )
    con.close()
    assert len(channels) >= 2 and len(statuses) >= 2
    filters = queries.Filters(
        segments=(segment, "Declining"),
        states=(state, "CA"),
        risk_tiers=("High", "Low", "Medium", "Not scored"),
        age_bands=tuple(queries.AGE_BANDS[1:]),
        ltv_min=1.0,
        ltv_max=10_000_000.0,
    )
    transactions = queries.TransactionFilters(
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        channels=tuple(sorted(filter(None, channels))[:2]),
        statuses=tuple(sorted(filter(None, statuses))[:2]),
        amount_min=0.01,
    )
    audience = queries.Audience(filters, min_lifetime_value=1.0, min_risk_score=1)
    return {
        "customer": customer,
        "campaign": campaign,
        "filters": filters,
        "transactions": transactions,
        "audience": audience,
    }


# name: (call, bind values of each statement it sends). With the filters above: segments 2,
# states 2, risk tiers 4, age bands 5, lifetime value 2 = 15; transactions: customer, start,
# end, channels 2, statuses 2, amount = 8.
CASES = {
    "build_info": (lambda q, wh, s: q.build_info(wh), [0]),
    "profile_columns": (lambda q, wh, s: q.profile_columns(wh), [0]),
    "churn_columns": (lambda q, wh, s: q.churn_columns(wh), [0]),
    "churn_scored": (lambda q, wh, s: q.churn_scored(wh), [0, 0]),
    "clv_fitted": (lambda q, wh, s: q.clv_fitted(wh), [0, 0]),
    "uplift_scored": (lambda q, wh, s: q.uplift_scored(wh), [0, 0]),
    "filter_options": (lambda q, wh, s: q.filter_options(wh), [0, 0, 0, 0, 0]),
    "portfolio_overview": (lambda q, wh, s: q.portfolio_overview(wh, s["filters"]), [15]),
    "segment_summary": (lambda q, wh, s: q.segment_summary(wh, s["filters"]), [15]),
    "rfm_summary": (lambda q, wh, s: q.rfm_summary(wh, s["filters"]), [15]),
    "risk_by_segment": (lambda q, wh, s: q.risk_by_segment(wh, s["filters"]), [15]),
    "state_summary": (lambda q, wh, s: q.state_summary(wh, s["filters"]), [15]),
    "customer_list": (lambda q, wh, s: q.customer_list(wh, s["filters"], limit=7), [15]),
    "search_customers": (lambda q, wh, s: q.search_customers(wh, s["customer"][-3:]), [5]),
    "customer_profile": (lambda q, wh, s: q.customer_profile(wh, s["customer"]), [1]),
    "customer_history": (lambda q, wh, s: q.customer_history(wh, s["customer"]), [1]),
    "transaction_options": (lambda q, wh, s: q.transaction_options(wh), [0, 0, 0, 0]),
    "customer_transactions": (
        lambda q, wh, s: q.customer_transactions(wh, s["customer"], s["transactions"], 2, 5),
        [8, 8],
    ),
    "customer_transactions_all": (
        lambda q, wh, s: q.customer_transactions_all(wh, s["customer"], s["transactions"]),
        [8],
    ),
    "customer_monthly_spend": (lambda q, wh, s: q.customer_monthly_spend(wh, s["customer"]), [1]),
    "customer_category_mix": (lambda q, wh, s: q.customer_category_mix(wh, s["customer"]), [1]),
    "campaigns": (lambda q, wh, s: q.campaigns(wh), [0]),
    "campaign_outcomes": (lambda q, wh, s: q.campaign_outcomes(wh, s["campaign"]), [1]),
    "simulation_audience": (lambda q, wh, s: q.simulation_audience(wh, s["audience"]), [17]),
    "uplift_report": (lambda q, wh, s: q.uplift_report(wh), []),  # a local file, no SQL
}
# they read the profile's columns and churn scores first, which are cached per warehouse
READS_PROFILE_FIRST = set(CASES) - {"build_info", "profile_columns", "churn_columns"}
READS_PROFILE_FIRST -= {"churn_scored", "clv_fitted", "uplift_scored", "uplift_report"}


def test_every_query_function_is_checked():
    functions = {n for n, f in vars(queries).items() if isinstance(f, CachedFunc)}
    # _connection: DuckDB's own; model_health: the monitor reads the DuckDB warehouse
    assert functions - {"_connection", "model_health"} == set(CASES)


def _same(duck, snow) -> None:
    if isinstance(duck, pd.DataFrame):
        assert not duck.empty or snow.empty
        pd.testing.assert_frame_equal(
            duck.reset_index(drop=True), snow.reset_index(drop=True), check_dtype=False
        )
    elif isinstance(duck, dict):
        assert duck.keys() == snow.keys()
        for key in duck:
            _same(duck[key], snow[key])
    elif isinstance(duck, tuple):
        for a, b in zip(duck, snow, strict=True):
            _same(a, b)
    elif duck is None or duck is pd.NaT or (isinstance(duck, float) and math.isnan(duck)):
        assert snow is None or snow is pd.NaT or (isinstance(snow, float) and math.isnan(snow))
    elif isinstance(duck, float):
        assert snow == pytest.approx(duck)
    else:
        assert duck == snow


@pytest.mark.parametrize("name", list(CASES))
def test_each_query_sends_checked_snowflake_sql_and_means_the_same(both, sample, name):
    duck, snow, sent = both
    call, binds = CASES[name]
    if name in READS_PROFILE_FIRST:
        queries.profile_columns(snow), queries.churn_scored(snow)
        sent.clear()
    result = call(queries, snow, sample)
    assert [len(statement.params) for statement in sent] == binds
    for statement in sent:
        assert check_statement(statement, queries.CATALOG) == [], statement.sql
    if name == "build_info":  # the id and kind come from the local marker on Snowflake
        assert result["as_of_date"] == pd.Timestamp(queries.build_info(duck)["as_of_date"])
        assert result["build_id"] == snow.build_id
    else:
        _same(call(queries, duck, sample), result)
    if name in ("portfolio_overview", "customer_transactions", "campaign_outcomes"):
        assert len(result) > 0  # the sample selects rows, so equality means something


def test_limits_and_pages_are_constants(both, sample):
    _, snow, sent = both
    queries.customer_transactions(snow, sample["customer"], sample["transactions"], 3, 5)
    assert "LIMIT 5 OFFSET 10" in sent[-1].sql
    queries.search_customers(snow, "x", limit=9)
    assert "LIMIT 9" in sent[-1].sql


def test_a_profile_without_churn_columns_reads_as_not_scored(unscored_home, sample, monkeypatch):
    duck, snow, sent, con = _both(unscored_home, monkeypatch)
    try:
        overview = queries.portfolio_overview(snow, queries.Filters())
        assert "CAST(NULL AS VARCHAR) AS churn_risk_tier" in sent[-1].sql
        assert overview["scored_customers"] == 0 and overview["customers"] > 0
        _same(queries.portfolio_overview(duck, queries.Filters()), overview)
        assert not queries.churn_scored(snow)
    finally:
        con.close()


# --- settings and results --------------------------------------------------------------


def test_the_app_uses_the_same_settings_as_dbt_with_numeric_binding(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    name, settings = app_settings()
    assert name == "c360"  # not "snowflake": Streamlit would ignore the arguments
    assert settings["account"] == "example-account" and settings["database"] == "C360"
    assert settings["warehouse"] == "C360_WH" and settings["password"] == "not-used"
    assert settings["paramstyle"] == "numeric"


def test_without_settings_the_secrets_section_is_used(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(snowflake_source, "_secrets_section", lambda: {})
    with pytest.raises(SnowflakeError, match="SNOWFLAKE_ACCOUNT"):
        app_settings()
    section = {"account": "acct", "user": "u", "database": "ANALYTICS"}
    monkeypatch.setattr(snowflake_source, "_secrets_section", lambda: section)
    name, settings = app_settings()
    assert name == "snowflake" and settings["database"] == "ANALYTICS"


class _Column:
    def __init__(self, name):
        self.name = name


class _Cursor:
    def __init__(self, frame):
        self.frame = frame
        self.description = [_Column(c) for c in ["CUSTOMER_ID", "AS_OF_DATE"]]

    def fetch_pandas_all(self):
        return self.frame


def test_results_look_like_duckdbs():
    """Snowflake's pandas results have upper-case names and dates as objects."""
    frame = pd.DataFrame({"CUSTOMER_ID": ["C1"], "AS_OF_DATE": [date(2025, 12, 31)]})
    frame = snowflake_source._frame(_Cursor(frame))
    assert list(frame.columns) == ["customer_id", "as_of_date"]
    assert frame["as_of_date"].iloc[0] == datetime(2025, 12, 31)
    empty = snowflake_source._frame(_Cursor(pd.DataFrame()))
    assert list(empty.columns) == ["customer_id", "as_of_date"]


# --- errors through the entry point ------------------------------------------------------


@pytest.fixture()
def snowflake_app(monkeypatch, tmp_path):
    """Start the app with C360_TARGET=snowflake and only the given SNOWFLAKE_* settings."""
    monkeypatch.setattr(snowflake_source, "_secrets_section", lambda: {})

    def start(env: dict[str, str], target: str = "snowflake") -> AppTest:
        monkeypatch.setenv("C360_HOME", str(tmp_path))
        monkeypatch.setenv("C360_TARGET", target)
        for name in SETTINGS:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        # st.connection caches connections per process: one another test opened (on
        # fakesnow, same settings) would be reused instead of connecting
        st.cache_resource.clear()
        at = AppTest.from_file(str(ENTRY), default_timeout=60)
        at.run()
        return at

    return start


def _one_error(at: AppTest) -> str:
    assert not at.exception
    assert len(at.error) == 1
    assert not at.title  # no page ran
    return at.error[0].value.replace("\\", "")


def test_without_snowflake_settings_the_app_says_so_in_one_line(snowflake_app):
    message = _one_error(snowflake_app({}))
    assert "SNOWFLAKE_ACCOUNT" in message and "docs/snowflake.md" in message
    assert "\n" not in message


def test_without_the_connector_the_app_says_how_to_install_it(snowflake_app, monkeypatch):
    monkeypatch.setitem(sys.modules, "snowflake.connector", None)
    message = _one_error(snowflake_app(ENV))
    assert 'pip install -e ".[snowflake]"' in message


def test_a_failed_login_is_one_line(snowflake_app, monkeypatch):
    connector = pytest.importorskip("snowflake.connector")

    def refuse(**kwargs):
        assert kwargs["paramstyle"] == "numeric" and kwargs["user"] == "c360_ci"
        raise connector.errors.DatabaseError(
            msg="Incorrect username or password was specified.", errno=250001
        )

    monkeypatch.setattr(connector, "connect", refuse)
    message = _one_error(snowflake_app(ENV))
    assert message.startswith("cannot connect to Snowflake:")
    assert "Incorrect username or password" in message and "\n" not in message


def test_an_unknown_target_is_one_line(snowflake_app):
    assert "unknown target 'oracle'" in _one_error(snowflake_app({}, target="oracle"))
