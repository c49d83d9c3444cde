"""CLV's inputs: dbt's `ml.clv_rfm_summary` against the same summaries computed here in
pandas from `gold.fct_transactions`, and the split into the tables the fit reads. (The
SQL's edge cases, on hand-made rows, are dbt unit tests in dbt/models/ml/_ml__value_inputs.yml.)"""

from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from c360.clv.rfm import read_summary, split_summary
from c360.warehouse.engines import engine_for


@pytest.fixture(scope="module")
def summary(built_home) -> pd.DataFrame:
    with engine_for(built_home, "duckdb") as engine:
        return read_summary(engine)


@pytest.fixture(scope="module")
def days(built_home) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Purchase days per customer up to the as-of date, and that date."""
    with duckdb.connect(str(built_home.warehouse), read_only=True) as con:
        as_of = pd.Timestamp(con.execute("select as_of_date from gold.build_as_of").fetchone()[0])
        facts = con.execute(
            "select customer_id, transaction_ts, amount::double as amount, status "
            "from gold.fct_transactions"
        ).df()
    bought = facts[(facts["status"] == "Approved") & (facts["amount"] > 0)].copy()
    bought["day"] = bought["transaction_ts"].dt.normalize()
    bought = bought[bought["day"] <= as_of]
    return bought.groupby(["customer_id", "day"], as_index=False)["amount"].sum(), as_of


def rfm_in_pandas(days: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    """BG/NBD summary of the purchase days up to `last`, written independently of the SQL."""
    rows = []
    for customer, group in days[days["day"] <= last].groupby("customer_id"):
        group = group.sort_values("day")
        first = group["day"].iloc[0]
        repeat = group[group["day"] > first]["amount"]
        rows.append(
            {
                "customer_id": customer,
                "frequency": len(group) - 1,
                "recency": float((group["day"].iloc[-1] - first).days),
                "T": float((last - first).days),
                "monetary_value": float(repeat.mean()) if len(repeat) else 0.0,
            }
        )
    return pd.DataFrame(rows)


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = got.set_index("customer_id").sort_index()
    expected = expected.set_index("customer_id").sort_index()
    assert list(got.index) == list(expected.index)
    assert got["frequency"].tolist() == expected["frequency"].tolist()
    for column in ("recency", "T", "monetary_value"):
        assert got[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-9)


def test_full_summary_matches_pandas(summary, days):
    purchase_days, as_of = days
    tables = split_summary(summary)
    assert_same(tables["full"], rfm_in_pandas(purchase_days, as_of))
    assert tables["full"]["frequency"].dtype == "int64"


def test_calibration_summary_and_holdout_match_pandas(summary, days):
    purchase_days, as_of = days
    holdout = int(summary["holdout_days"].iloc[0])
    calibration_end = as_of + timedelta(days=1 - holdout)
    tables = split_summary(summary)
    expected = rfm_in_pandas(purchase_days, calibration_end - timedelta(days=1))
    assert_same(tables["calibration"], expected)
    in_holdout = purchase_days[purchase_days["day"] >= calibration_end]
    actual = in_holdout.groupby("customer_id")["amount"].agg(["count", "sum"])
    got = tables["actual"].set_index("customer_id").sort_index()
    assert list(got.index) == list(actual.index)
    assert got["transactions"].tolist() == actual["count"].tolist()
    assert got["spend"].to_numpy() == pytest.approx(actual["sum"].to_numpy(), rel=1e-9)


def test_customers_first_seen_in_the_holdout_have_no_calibration_row(summary):
    late = summary[summary["cal_frequency"] < 0]
    calibration = split_summary(summary)["calibration"]
    assert not set(late["customer_id"]) & set(calibration["customer_id"])
    assert (late["holdout_transactions"] > 0).all()
