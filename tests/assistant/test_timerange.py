"""Time expressions resolve against the data's as-of date, never the clock."""

from datetime import date

import pytest

from c360.assistant import timerange

END_OF_YEAR = date(2025, 12, 31)
MID_MONTH = date(2025, 12, 15)


@pytest.mark.parametrize(
    ("text", "as_of", "start", "last_day"),
    [
        ("spend in the last 90 days", END_OF_YEAR, "2025-10-03", "2025-12-31"),
        ("over the past 30 days", END_OF_YEAR, "2025-12-02", "2025-12-31"),
        ("last 3 months", END_OF_YEAR, "2025-10-01", "2025-12-31"),
        ("last 3 months", MID_MONTH, "2025-09-16", "2025-12-15"),
        ("during the last two weeks", END_OF_YEAR, "2025-12-18", "2025-12-31"),
        ("last month", END_OF_YEAR, "2025-11-01", "2025-11-30"),
        ("last month", MID_MONTH, "2025-11-01", "2025-11-30"),
        ("this month", MID_MONTH, "2025-12-01", "2025-12-15"),
        ("this year", MID_MONTH, "2025-01-01", "2025-12-15"),
        ("year to date", END_OF_YEAR, "2025-01-01", "2025-12-31"),
        ("last year", END_OF_YEAR, "2024-01-01", "2024-12-31"),
        ("last quarter", END_OF_YEAR, "2025-07-01", "2025-09-30"),
        ("in 2024", END_OF_YEAR, "2024-01-01", "2024-12-31"),
        ("in q3 2025", END_OF_YEAR, "2025-07-01", "2025-09-30"),
        ("in the third quarter of 2025", END_OF_YEAR, "2025-07-01", "2025-09-30"),
        ("in march", END_OF_YEAR, "2025-03-01", "2025-03-31"),
        ("in december", MID_MONTH, "2025-12-01", "2025-12-15"),
        ("in march 2024", END_OF_YEAR, "2024-03-01", "2024-03-31"),
        ("since june 2025", END_OF_YEAR, "2025-06-01", "2025-12-31"),
        ("between 2025-01-01 and 2025-03-31", END_OF_YEAR, "2025-01-01", "2025-03-31"),
        ("from january 2025 to march 2025", END_OF_YEAR, "2025-01-01", "2025-03-31"),
    ],
)
def test_ranges(text, as_of, start, last_day):
    found, spans = timerange.find(text, as_of)
    assert found is not None and spans
    assert found.start.isoformat() == start
    assert (found.end - timerange.timedelta(days=1)).isoformat() == last_day


def test_no_time_expression():
    assert timerange.find("churn risk by state", END_OF_YEAR) == (None, [])


@pytest.mark.parametrize("text", ["in 2027", "since march 2026"])
def test_ranges_after_the_as_of_date_are_errors(text):
    with pytest.raises(timerange.TimeError, match="after the data's as-of date"):
        timerange.find(text, END_OF_YEAR)


def test_before_has_no_start_in_its_description():
    found, _ = timerange.find("before 2025", END_OF_YEAR)
    assert found.end == date(2025, 1, 1)
    assert "1900" not in found.describe()
