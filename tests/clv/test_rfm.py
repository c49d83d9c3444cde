"""RFM summaries and holdout actuals from a hand-made fct_transactions."""

from datetime import date

import duckdb
import pytest

from c360.clv.rfm import actuals, rfm_summary

ROWS = [
    # customer, timestamp, amount, status
    ("A", "2025-01-01 10:00", 10.0, "Approved"),
    ("A", "2025-01-01 18:00", 5.0, "Approved"),  # same day: one purchase day of 15
    ("A", "2025-01-05 09:00", 30.0, "Approved"),
    ("A", "2025-01-09 09:00", 50.0, "Approved"),
    ("A", "2025-01-09 10:00", 99.0, "Declined"),  # declined: ignored
    ("B", "2025-01-08 12:00", 20.0, "Approved"),  # one day only: frequency 0
    ("C", "2025-01-10 12:00", 70.0, "Approved"),  # on/after the end: not in the summary
    ("C", "2025-01-12 12:00", 30.0, "Approved"),
]


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute("create schema gold")
    con.execute(
        "create table gold.fct_transactions "
        "(customer_id varchar, transaction_ts timestamp, amount decimal(12,2), status varchar)"
    )
    con.executemany("insert into gold.fct_transactions values (?, ?, ?, ?)", ROWS)
    yield con
    con.close()


def test_rfm_counts_purchase_days_before_the_end(con):
    rfm = rfm_summary(con, end=date(2025, 1, 10)).set_index("customer_id")
    assert list(rfm.index) == ["A", "B"]
    a = rfm.loc["A"]
    assert a["frequency"] == 2  # three purchase days, the first is not a repeat
    assert a["recency"] == 8  # Jan 1 -> Jan 9
    assert a["T"] == 8  # Jan 1 -> Jan 9, the last observed day
    assert a["monetary_value"] == pytest.approx(40.0)  # mean of 30 and 50, first day excluded
    assert a["total_spend"] == pytest.approx(95.0)
    b = rfm.loc["B"]
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0, 1, 0)


def test_actuals_count_days_and_spend_in_the_window(con):
    got = actuals(con, date(2025, 1, 9), date(2025, 1, 13)).set_index("customer_id")
    assert got.loc["A", "transactions"] == 1 and got.loc["A", "spend"] == pytest.approx(50.0)
    assert got.loc["C", "transactions"] == 2 and got.loc["C", "spend"] == pytest.approx(100.0)
    assert "B" not in got.index


def test_one_scan_gives_the_same_tables_as_the_separate_queries(con):
    from c360.clv.rfm import rfm_with_holdout

    end, calibration_end = date(2025, 1, 13), date(2025, 1, 9)
    tables = rfm_with_holdout(con, end, calibration_end, holdout_days=4)
    columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    full = rfm_summary(con, end)
    assert tables["full"][columns].equals(full[columns])
    calibration = rfm_summary(con, calibration_end)
    assert tables["calibration"].equals(calibration[columns])
    pairs = (("actual", calibration_end, end), ("baseline", date(2025, 1, 5), calibration_end))
    for name, start, stop in pairs:
        got = tables[name].reset_index(drop=True)
        expected = actuals(con, start, stop).reset_index(drop=True)
        assert got["customer_id"].tolist() == expected["customer_id"].tolist()
        assert got["transactions"].tolist() == expected["transactions"].tolist()
        assert got["spend"].tolist() == pytest.approx(expected["spend"].tolist())
