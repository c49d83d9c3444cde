"""Execution accuracy: the comparison rules, the evaluation set, and the offline engine's
accuracy on the small warehouse (target: at least 90%)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from c360.assistant import guard
from c360.assistant.evaluation import TARGET_ACCURACY, compare, evaluate, load_cases

THEMES = {"churn analysis", "segmentation", "spending trends", "geography", "campaign targeting"}


def test_compare_matches_columns_by_values_and_allows_extras():
    ok, _ = compare(
        ["state", "n"],
        [("CA", 3), ("TX", 2)],
        ["customers", "state", "avg"],
        [(2, "TX", 0.5), (3, "CA", 0.25)],
        ordered=False,
    )
    assert ok


@pytest.mark.parametrize(
    ("expected", "actual", "ordered", "why"),
    [
        ([("CA", 3)], [("CA", 3), ("TX", 2)], False, "expected 1 rows, got 2"),
        ([("CA", 3), ("TX", 2)], [("TX", 2), ("CA", 3)], True, "no answer column matches"),
        ([("CA", 3)], [("CA", 4)], False, "no answer column matches expected column 'n'"),
        ([("CA", 3), ("TX", 2)], [("CA", 2), ("TX", 3)], False, "rows differ"),
    ],
)
def test_compare_fails_on_real_differences(expected, actual, ordered, why):
    ok, reason = compare(["state", "n"], expected, ["state", "n"], actual, ordered)
    assert not ok and why in reason


def test_compare_normalises_numbers_and_dates():
    ok, _ = compare(
        ["m", "s"],
        [(date(2025, 1, 1), Decimal("10.0000001"))],
        ["month", "spend"],
        [(datetime(2025, 1, 1), 10.0)],
        ordered=True,
    )
    assert ok


def test_the_evaluation_set_is_broad(model):
    cases = load_cases()
    assert len(cases) >= 60
    assert {c.theme for c in cases} == THEMES
    assert all(sum(c.theme == t for c in cases) >= 10 for t in THEMES)
    assert len({c.id for c in cases}) == len(cases)
    assert len({c.question.lower() for c in cases}) == len(cases)
    for case in cases:
        assert guard.check(case.sql, model).ok, case.id


def test_offline_execution_accuracy_meets_the_target(assistant):
    report = evaluate(assistant, load_cases())
    failures = [(r.case.id, r.status, r.reason) for r in report.results if not r.passed]
    assert report.accuracy >= TARGET_ACCURACY, failures
    data = report.to_json()
    assert data["cases"] == len(load_cases()) and set(data["by_theme"]) == THEMES
