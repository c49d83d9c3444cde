"""Every query the app runs: read-only, parameterised, cached; results are pandas DataFrames.

User input only ever reaches DuckDB as bound `?` parameters. The only text spliced into SQL
comes from constants in this module (column lists, the optional churn columns) and the
warehouse path from the settings, never from a widget.

Connection lifecycle: the published warehouse is a file that `c360 build` replaces
atomically (`os.replace`). Each query looks up the file's identity (inode, mtime, size);
a new identity means a new build, which gets its own read-only connection, and every cached
result is keyed by that identity, so the next interaction after a publish reads the new
build. DuckDB caches database instances by path, so the file is ATTACHed to a private
in-memory database rather than opened with `duckdb.connect(path)`, which would hand back the
old, still-open build.

Snowflake (C360_TARGET=snowflake): the same SQL, translated by `snowflake_sql` and run by
`snowflake_source` through `st.connection`; the few queries that read DuckDB's own catalog
(build info, the profile's columns) have a Snowflake branch here.
"""

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from c360.app import snowflake_source
from c360.app.snowflake_source import QueryError, SnowflakeWarehouse
from c360.config import Paths, resolve_target
from c360.warehouse import serving

TTL = "10m"
CATALOG = serving.CATALOG

# Columns the churn model adds to gold.customer_360_profile; null when absent.
CHURN_COLUMNS = {
    "churn_probability": "double",
    "churn_risk_score": "integer",
    "churn_risk_tier": "varchar",
    "churn_reasons": "varchar",
    "churn_not_scored_reason": "varchar",
    "churn_scored_at": "timestamp",
}
# Columns `c360 clv` and `c360 uplift` add to the profile; null when absent (older builds).
VALUE_COLUMNS = {
    "clv_12m": "double",
    "clv_12m_if_retained": "double",
    "probability_alive": "double",
    "expected_transactions_12m": "double",
    "clv_12m_low": "double",
    "clv_12m_high": "double",
    "probability_alive_low": "double",
    "probability_alive_high": "double",
    "clv_interval_level": "double",
    "clv_not_scored_reason": "varchar",
    "retention_uplift": "double",
}
RISK_TIERS = ["High", "Medium", "Low"]
NOT_SCORED = "Not scored"
# "Observed churn": customers whose recency status says they have stopped transacting
# (no approved purchase for longer than the warehouse's at-risk window, 90 days by default).
OBSERVED_CHURN_STATUSES = ["Inactive"]
AGE_BANDS = ["Under 25", "25-34", "35-44", "45-54", "55-64", "65+"]
_AGE_BAND_SQL = """case
    when age < 25 then 'Under 25'
    when age < 35 then '25-34'
    when age < 45 then '35-44'
    when age < 55 then '45-54'
    when age < 65 then '55-64'
    else '65+'
end"""


class WarehouseMissing(Exception):
    """No published warehouse at the expected path."""


@dataclass(frozen=True)
class Warehouse:
    """A published warehouse file and its identity; a new build has a new identity."""

    path: str
    identity: tuple[int, int, int]

    @property
    def location(self) -> str:
        return f"`{self.path}`"


Source = Warehouse | SnowflakeWarehouse


@dataclass(frozen=True)
class Filters:
    """Portfolio filters; an empty tuple means 'all'."""

    segments: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    card_types: tuple[str, ...] = ()
    risk_tiers: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    ltv_min: float | None = None
    ltv_max: float | None = None


@dataclass(frozen=True)
class TransactionFilters:
    start: date | None = None
    end: date | None = None
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    amount_min: float | None = None
    amount_max: float | None = None


@dataclass(frozen=True)
class Audience:
    """Campaign simulator audience: the portfolio filters plus minimums."""

    filters: Filters = field(default_factory=Filters)
    min_lifetime_value: float = 0.0
    min_risk_score: int = 0
    contactable_only: bool = False


# --- connection -----------------------------------------------------------------------


def warehouse_path() -> str:
    """The served DuckDB file: the warehouse, or after a Spark build its serving file."""
    return str(serving.served_warehouse(Paths.from_env()))


def locate() -> Warehouse | None:
    """The published warehouse as it is now, or None when there is none."""
    path = warehouse_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return Warehouse(path, (stat.st_ino, stat.st_mtime_ns, stat.st_size))


def locate_target() -> Source | None:
    """What the app reads: Snowflake when C360_TARGET=snowflake, else the DuckDB file.

    Raises TargetError or SnowflakeError (one line each) when that cannot be used; None
    when no DuckDB warehouse has been published."""
    if resolve_target() == "snowflake":
        return snowflake_source.locate()
    return locate()


def is_snowflake(wh: Source) -> bool:
    return isinstance(wh, SnowflakeWarehouse)


def require() -> Warehouse:
    found = locate()
    if found is None:
        raise WarehouseMissing(warehouse_path())
    return found


def open_read_only(path: str) -> duckdb.DuckDBPyConnection:
    """A private read-only connection to the warehouse file at `path`.

    SQL may read no other file and reach no network, except the bronze Parquet files next to
    the warehouse (the silver campaign views read them) and the file's fact folder (Spark's
    Parquet, read in place).
    """
    bronze = os.path.join(os.path.dirname(path), "bronze")
    allowed = [bronze + os.sep, os.path.realpath(bronze) + os.sep]
    return serving.open_read_only(path, allowed + serving.gold_directories(path))


@st.cache_resource(max_entries=4, show_spinner=False, on_release=lambda con: con.close())
def _connection(path: str, identity: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    return open_read_only(path)


_NEWEST: dict[tuple[str, str], tuple[int, int, int]] = {}
_NEWEST_LOCK = threading.Lock()


def superseded(user: str, path: str, identity: tuple[int, int, int]) -> tuple | None:
    """Record `identity` as the newest file at `path` that `user` (a cache of open files)
    has seen (a later mtime wins) and return the identity it replaces, once; None when it
    is not newer.

    A publish keeps the replaced file as the next refresh's standby, which it can only use
    when no reader holds it open: the first query on a new build releases the old build's
    connection instead of leaving it to the cache's eviction."""
    with _NEWEST_LOCK:
        old = _NEWEST.get((user, path))
        if old is not None and identity[1] < old[1]:
            return None
        _NEWEST[user, path] = identity
    return old if old is not None and old != identity else None


@contextmanager
def cursor(wh: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A thread-local cursor on the warehouse's connection (sessions run in threads)."""
    old = superseded("connection", wh.path, wh.identity)
    if old is not None:
        _connection.clear(wh.path, old)  # closes it (on_release)
    cur = _connection(wh.path, wh.identity).cursor()
    try:
        cur.execute(f"use {CATALOG}")
        yield cur
    finally:
        cur.close()


def _df(wh: Source, sql: str, params: list | None = None) -> pd.DataFrame:
    if isinstance(wh, SnowflakeWarehouse):
        return snowflake_source.read(wh, sql, params)
    with cursor(wh) as cur:
        return cur.execute(sql, params or []).df()


# --- build and schema ---------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def build_info(wh: Source) -> dict:
    """The build id, kind and as-of date of this warehouse file."""
    if isinstance(wh, SnowflakeWarehouse):
        return _snowflake_build_info(wh)
    try:
        with cursor(wh) as cur:
            row = cur.execute("select build_id, kind, as_of_date from meta.build_info").fetchone()
    except duckdb.Error:
        row = None
    if row is None:
        return {"build_id": "unknown", "kind": "unknown", "as_of_date": None}
    return {"build_id": row[0], "kind": row[1], "as_of_date": row[2]}


def _snowflake_build_info(wh: SnowflakeWarehouse) -> dict:
    """Snowflake has no meta schema: the id and kind of this machine's last published
    build (if it ran here) and the as-of date the warehouse itself records."""
    try:
        as_of = _df(wh, "select as_of_date from gold.build_as_of")["as_of_date"]
    except QueryError:
        as_of = pd.Series([], dtype=object)
    return {
        "build_id": wh.build_id or "unknown",
        "kind": wh.build_kind or "snowflake",
        "as_of_date": as_of.iloc[0] if len(as_of) else None,
    }


@st.cache_data(ttl=TTL, show_spinner=False)
def churn_columns(wh: Source) -> frozenset[str]:
    """Which churn columns exist in gold.customer_360_profile (checked once per build)."""
    return profile_columns(wh) & frozenset(CHURN_COLUMNS)


@st.cache_data(ttl=TTL, show_spinner=False)
def profile_columns(wh: Source) -> frozenset[str]:
    """Every column of gold.customer_360_profile (checked once per build)."""
    if isinstance(wh, SnowflakeWarehouse):
        return frozenset(_df(wh, "select * from gold.customer_360_profile limit 0").columns)
    found = _df(
        wh,
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = 'gold' "
        "and table_name = 'customer_360_profile'",
        [CATALOG],
    )
    return frozenset(found["column_name"])


def _has_values(wh: Source, column: str) -> bool:
    """True when the profile has `column` and at least one customer has a value in it."""
    if column not in profile_columns(wh):
        return False
    sql = _profile_sql(wh) + f"select count({column}) as n from profile"
    return bool(_df(wh, sql)["n"].iloc[0] > 0)


@st.cache_data(ttl=TTL, show_spinner=False)
def clv_fitted(wh: Source) -> bool:
    """True when `c360 clv` has valued at least one customer."""
    return _has_values(wh, "clv_12m")


@st.cache_data(ttl=TTL, show_spinner=False)
def uplift_scored(wh: Source) -> bool:
    """True when `c360 uplift` has scored at least one customer."""
    return _has_values(wh, "retention_uplift")


@st.cache_data(ttl=TTL, show_spinner=False)
def churn_scored(wh: Source) -> bool:
    """True when the churn model has scored at least one customer."""
    return _has_values(wh, "churn_risk_tier")


def _profile_sql(wh: Source) -> str:
    """`with ... profile as (...)`: the profile, every churn column (null where missing),
    the age band, the risk tier ('Not scored' when null) and the observed-churn flag."""
    present = profile_columns(wh)
    missing = "".join(
        f", cast(null as {kind}) as {name}"
        for name, kind in (CHURN_COLUMNS | VALUE_COLUMNS).items()
        if name not in present
    )
    observed = "', '".join(OBSERVED_CHURN_STATUSES)
    return (
        f"with base as (select *{missing} from gold.customer_360_profile), "
        "profile as (select *, "
        f"{_AGE_BAND_SQL} as age_band, "
        f"coalesce(churn_risk_tier, '{NOT_SCORED}') as risk_tier, "
        f"recency_status in ('{observed}') as observed_churn "
        "from base) "
    )


def _where(filters: Filters) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    for column, values in (
        ("behavioral_segment", filters.segments),
        ("state", filters.states),
        ("card_type", filters.card_types),
        ("risk_tier", filters.risk_tiers),
        ("age_band", filters.age_bands),
    ):
        if values:
            clauses.append(f"list_contains(?, {column})")
            params.append(list(values))
    if filters.ltv_min is not None:
        clauses.append("lifetime_value >= ?")
        params.append(filters.ltv_min)
    if filters.ltv_max is not None:
        clauses.append("lifetime_value <= ?")
        params.append(filters.ltv_max)
    return (" where " + " and ".join(clauses)) if clauses else "", params


# --- Segment Explorer -----------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def filter_options(wh: Source) -> dict:
    """Values for the portfolio filters."""
    base = _profile_sql(wh)

    def distinct(column: str) -> list[str]:
        sql = (
            base
            + f"select distinct {column} as v from profile where {column} is not null order by v"
        )
        return _df(wh, sql)["v"].tolist()

    bounds = _df(wh, base + "select min(lifetime_value) lo, max(lifetime_value) hi from profile")
    return {
        "segments": distinct("behavioral_segment"),
        "states": distinct("state"),
        "card_types": distinct("card_type"),
        "risk_tiers": [*RISK_TIERS, NOT_SCORED],
        "age_bands": AGE_BANDS if distinct("age") else [],  # no ages: not in the data
        "ltv_min": float(bounds["lo"].iloc[0] or 0),
        "ltv_max": float(bounds["hi"].iloc[0] or 0),
    }


@st.cache_data(ttl=TTL, show_spinner=False)
def portfolio_overview(wh: Source, filters: Filters) -> dict:
    """Headline numbers for the filtered customers, and the portfolio size."""
    where, params = _where(filters)
    sql = (
        _profile_sql(wh)
        + """select
            (select count(*) from profile) as portfolio_customers,
            count(*) as customers,
            avg(lifetime_value)::double as avg_lifetime_value,
            avg(avg_monthly_spend) as avg_monthly_spend,
            avg(observed_churn::int) as observed_churn_rate,
            avg(churn_probability) as avg_churn_probability,
            avg(clv_12m) as avg_clv_12m,
            sum(clv_12m) as total_clv_12m,
            avg(probability_alive) as avg_probability_alive,
            count(churn_risk_tier) as scored_customers,
            count(*) filter (where churn_risk_tier = 'High') as high_risk_customers
        from profile"""
        + where
    )
    return _df(wh, sql, params).iloc[0].to_dict()


@st.cache_data(ttl=TTL, show_spinner=False)
def segment_summary(wh: Source, filters: Filters) -> pd.DataFrame:
    """One row per behavioural segment: size, share, value, spend, risk mix, observed churn."""
    where, params = _where(filters)
    sql = (
        _profile_sql(wh)
        + """select
            behavioral_segment as segment,
            count(*) as customers,
            count(*) / sum(count(*)) over () as share,
            avg(lifetime_value)::double as avg_lifetime_value,
            avg(avg_monthly_spend) as avg_monthly_spend,
            avg(clv_12m) as avg_clv_12m,
            sum(clv_12m) as total_clv_12m,
            avg(churn_probability) as avg_churn_probability,
            count(*) filter (where churn_risk_tier = 'High') as high_risk,
            count(*) filter (where churn_risk_tier = 'Medium') as medium_risk,
            count(*) filter (where churn_risk_tier = 'Low') as low_risk,
            count(*) filter (where churn_risk_tier is null) as not_scored,
            avg(observed_churn::int) as observed_churn_rate
        from profile"""
        + where
        + " group by all order by customers desc"
    )
    return _df(wh, sql, params)


@st.cache_data(ttl=TTL, show_spinner=False)
def rfm_summary(wh: Source, filters: Filters) -> pd.DataFrame:
    """One row per RFM segment: size, value and observed churn."""
    where, params = _where(filters)
    sql = (
        _profile_sql(wh)
        + """select
            rfm_segment,
            count(*) as customers,
            count(*) / sum(count(*)) over () as share,
            avg(lifetime_value)::double as avg_lifetime_value,
            avg(recency_score) as avg_recency_score,
            avg(frequency_score) as avg_frequency_score,
            avg(monetary_score) as avg_monetary_score,
            avg(observed_churn::int) as observed_churn_rate
        from profile"""
        + where
        + " group by all order by customers desc"
    )
    return _df(wh, sql, params)


@st.cache_data(ttl=TTL, show_spinner=False)
def risk_by_segment(wh: Source, filters: Filters) -> pd.DataFrame:
    """Customers per behavioural segment and risk tier (including 'Not scored')."""
    where, params = _where(filters)
    sql = (
        _profile_sql(wh)
        + "select behavioral_segment as segment, risk_tier, count(*) as customers from profile"
        + where
        + " group by all order by segment, risk_tier"
    )
    return _df(wh, sql, params)


@st.cache_data(ttl=TTL, show_spinner=False)
def state_summary(wh: Source, filters: Filters) -> pd.DataFrame:
    """Customers, average lifetime value and observed churn per state."""
    where, params = _where(filters)
    sql = (
        _profile_sql(wh)
        + """select state, count(*) as customers,
            avg(lifetime_value)::double as avg_lifetime_value,
            avg(observed_churn::int) as observed_churn_rate
        from profile"""
        + where
        + " group by all order by state"
    )
    return _df(wh, sql, params)


CUSTOMER_LIST_COLUMNS = [
    "customer_id",
    "full_name",
    "email",
    "age",
    "state",
    "card_type",
    "behavioral_segment",
    "rfm_segment",
    "recency_status",
    "lifetime_value",
    "clv_12m",
    "clv_12m_low",
    "clv_12m_high",
    "avg_monthly_spend",
    "spend_change_pct",
    "days_since_last_transaction",
    "churn_risk_tier",
    "churn_risk_score",
    "churn_probability",
]


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_list(wh: Source, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """The filtered customers, highest lifetime value first."""
    where, params = _where(filters)
    sql = (
        _profile_sql(wh)
        + f"select {', '.join(CUSTOMER_LIST_COLUMNS)} from profile"
        + where
        + " order by lifetime_value desc, customer_id"
    )
    if limit is not None:
        sql += " limit ?"
        params = [*params, int(limit)]
    frame = _df(wh, sql, params)
    frame["lifetime_value"] = frame["lifetime_value"].astype(float)
    return frame


# --- Customer 360 ---------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def search_customers(wh: Source, text: str, limit: int = 25) -> pd.DataFrame:
    """Customers whose id, name or email contains `text` (case-insensitive); exact id first."""
    needle = text.strip().lower()
    if not needle:
        return pd.DataFrame(columns=["customer_id", "full_name", "email", "state"])
    sql = """
        select customer_id, full_name, email, state, behavioral_segment
        from gold.customer_360_profile
        where lower(customer_id) = ?
           or contains(lower(full_name), ?)
           or contains(lower(email), ?)
           or contains(lower(customer_id), ?)
        order by lower(customer_id) = ? desc, full_name, customer_id
        limit ?
    """
    return _df(wh, sql, [needle, needle, needle, needle, needle, int(limit)])


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_profile(wh: Source, customer_id: str) -> dict | None:
    """Everything known about one current customer, or None."""
    sql = _profile_sql(wh) + "select * from profile where customer_id = ?"
    frame = _df(wh, sql, [customer_id])
    return None if frame.empty else frame.iloc[0].to_dict()


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_history(wh: Source, customer_id: str) -> pd.DataFrame:
    """The customer's SCD2 versions: card type, limit, state over time."""
    sql = """
        select version_number, valid_from, valid_to, is_current,
               card_type, credit_limit, state, city, employment_status
        from gold.dim_customer
        where customer_id = ?
        order by version_number
    """
    return _df(wh, sql, [customer_id])


@st.cache_data(ttl=TTL, show_spinner=False)
def transaction_options(wh: Source) -> dict:
    """Values for the transaction filters."""
    categories = _df(wh, "select category_name from gold.dim_merchant_category order by 1")
    channels = _df(
        wh,
        "select distinct channel from gold.fct_transactions where channel is not null order by 1",
    )
    statuses = _df(
        wh, "select distinct status from gold.fct_transactions where status is not null order by 1"
    )
    merchants = _df(wh, "select count(merchant_name) as n from gold.fct_transactions")
    return {
        "categories": categories["category_name"].tolist(),
        "channels": channels["channel"].tolist(),  # empty: the data has no channel
        "statuses": statuses["status"].tolist(),
        "has_merchants": bool(merchants["n"].iloc[0]),
    }


def _transaction_where(customer_id: str, filters: TransactionFilters) -> tuple[str, list]:
    clauses = ["t.customer_id = ?"]
    params: list = [customer_id]
    if filters.start is not None:
        clauses.append("t.transaction_ts >= ?")
        params.append(filters.start)
    if filters.end is not None:
        clauses.append("t.transaction_ts < cast(? as date) + 1")
        params.append(filters.end)
    for column, values in (
        ("c.category_name", filters.categories),
        ("t.channel", filters.channels),
        ("t.status", filters.statuses),
    ):
        if values:
            clauses.append(f"list_contains(?, {column})")
            params.append(list(values))
    if filters.amount_min is not None:
        clauses.append("t.amount >= ?")
        params.append(filters.amount_min)
    if filters.amount_max is not None:
        clauses.append("t.amount <= ?")
        params.append(filters.amount_max)
    return " where " + " and ".join(clauses), params


_TRANSACTIONS_FROM = """
    from gold.fct_transactions t
    left join gold.dim_merchant_category c on t.category_key = c.category_key
"""


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_transactions(
    wh: Source,
    customer_id: str,
    filters: TransactionFilters,
    page: int = 1,
    page_size: int = 100,
) -> tuple[pd.DataFrame, int]:
    """One page of the customer's transactions (newest first) and the total matching."""
    where, params = _transaction_where(customer_id, filters)
    total = _df(wh, "select count(*) as n" + _TRANSACTIONS_FROM + where, params)["n"].iloc[0]
    sql = (
        """select t.transaction_ts, t.transaction_id, t.merchant_name,
            c.category_name, c.category_group, t.channel, t.status, t.amount::double as amount"""
        + _TRANSACTIONS_FROM
        + where
        + " order by t.transaction_ts desc, t.transaction_id desc limit ? offset ?"
    )
    offset = max(page - 1, 0) * page_size
    frame = _df(wh, sql, [*params, int(page_size), int(offset)])
    return frame, int(total)


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_transactions_all(
    wh: Source, customer_id: str, filters: TransactionFilters
) -> pd.DataFrame:
    """Every transaction matching the filters, for export."""
    where, params = _transaction_where(customer_id, filters)
    sql = (
        """select t.transaction_ts, t.transaction_id, t.merchant_name,
            c.category_name, c.category_group, t.channel, t.status, t.amount::double as amount"""
        + _TRANSACTIONS_FROM
        + where
        + " order by t.transaction_ts desc, t.transaction_id desc"
    )
    return _df(wh, sql, params)


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_monthly_spend(wh: Source, customer_id: str) -> pd.DataFrame:
    """Approved spend per month, split by category group."""
    sql = """
        select month_start_date, approved_spend::double as approved_spend,
               approved_transaction_count, travel_spend::double as travel_spend,
               necessity_spend::double as necessity_spend,
               discretionary_spend::double as discretionary_spend,
               services_spend::double as services_spend, is_complete_month
        from gold.monthly_customer_spending
        where customer_id = ?
        order by month_start_date
    """
    return _df(wh, sql, [customer_id])


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_category_mix(wh: Source, customer_id: str) -> pd.DataFrame:
    """Approved spend per merchant category."""
    sql = (
        "select c.category_group, c.category_name, sum(t.amount)::double as spend, "
        "count(*) as transactions"
        + _TRANSACTIONS_FROM
        + " where t.customer_id = ? and t.status = 'Approved' group by all order by spend desc"
    )
    return _df(wh, sql, [customer_id])


# --- Campaign Performance -------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def campaigns(wh: Source) -> pd.DataFrame:
    """Past campaigns with their group sizes, latest first."""
    sql = """
        select c.campaign_id, c.campaign_name, c.campaign_type, c.offer, c.start_date,
               c.end_date, c.cost_per_customer::double as cost_per_customer,
               count(*) filter (where e.assignment_group = 'treatment') as treatment_customers,
               count(*) filter (where e.assignment_group = 'control') as control_customers,
               min(e.assigned_date) as assigned_date
        from silver.stg_campaigns c
        left join silver.stg_campaign_exposures e on c.campaign_id = e.campaign_id
        group by all
        order by c.start_date desc, c.campaign_id
    """
    return _df(wh, sql)


@st.cache_data(ttl=TTL, show_spinner=False)
def campaign_outcomes(wh: Source, campaign_id: str) -> pd.DataFrame:
    """One row per assigned customer: group, segment and outcomes after assignment, as dbt
    builds them (ml.campaign_outcomes; the uplift model reads the same table):

    - `spend_after`: approved spend in the 180 days from the assignment date (cut at the
      as-of date);
    - `retained`: at least one approved transaction in the last 30 days of that window.
    """
    sql = """
        select o.customer_id, o.assignment_group, o.assigned_date, o.window_end,
               coalesce(p.behavioral_segment, 'Unknown') as segment,
               o.spend_after, o.retained
        from ml.campaign_outcomes o
        left join gold.customer_360_profile p on o.customer_id = p.customer_id
        where o.campaign_id = ?
        order by o.customer_id
    """
    return _df(wh, sql, [campaign_id])


@st.cache_data(ttl=TTL, show_spinner=False)
def simulation_audience(wh: Source, audience: Audience) -> pd.DataFrame:
    """The customers a campaign would target, highest churn risk then value first."""
    where, params = _where(audience.filters)
    extra = ["lifetime_value >= ?"]
    params = [*params, float(audience.min_lifetime_value)]
    if audience.min_risk_score > 0 and churn_scored(wh):  # unscored: nothing to filter on
        extra.append("churn_risk_score >= ?")
        params.append(int(audience.min_risk_score))
    if audience.contactable_only:
        extra.append("is_contactable and not is_in_contact_cooldown")
    where = (where + " and " if where else " where ") + " and ".join(extra)
    sql = (
        _profile_sql(wh)
        + """select customer_id, full_name, email, state, card_type, behavioral_segment,
            recency_status, lifetime_value::double as lifetime_value, avg_monthly_spend,
            churn_risk_tier, churn_risk_score, churn_probability, clv_12m, clv_12m_low,
            clv_12m_high, clv_12m_if_retained, retention_uplift, is_contactable,
            is_in_contact_cooldown
        from profile"""
        + where
        + " order by churn_risk_score desc nulls last, lifetime_value desc, customer_id"
    )
    return _df(wh, sql, params)


@st.cache_data(ttl=TTL, show_spinner=False)
def uplift_report(wh: Source) -> dict | None:
    """The last `c360 uplift` evaluation (held-out Qini curves, truth comparison), if any.

    It lives next to the warehouse ($C360_HOME/uplift/report.json); keyed by the
    warehouse's identity so a republish after a new fit reads the new report."""
    home = Paths.from_env().home if isinstance(wh, SnowflakeWarehouse) else Path(wh.path).parent
    path = home / "uplift" / "report.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


# --- model health -------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def model_health(wh: Warehouse, scorings: tuple[str, ...]) -> dict:
    """The monitoring report (c360.monitor); a new build or a new kept scoring (`scorings`,
    the history's file names) is a new cache entry."""
    from c360.monitor.report import build_report

    return build_report(Paths(Path(wh.path).parent))


def kept_scorings() -> tuple[str, ...]:
    from c360.ml.history import history_dir

    return tuple(sorted(p.name for p in history_dir(Paths.from_env().home).glob("*.parquet")))
