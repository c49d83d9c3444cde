"""Holdout report arithmetic: aggregate errors, baseline, deciles."""

import pandas as pd
import pytest

from c360.clv.validation import holdout_report


def test_aggregate_and_decile_errors():
    ids = [f"C{i:02d}" for i in range(20)]
    predicted = pd.DataFrame(
        {
            "customer_id": ids,
            "expected_transactions": [2.0] * 20,
            "clv": [float(i) for i in range(20)],
        }
    )
    # actual spend is 10% above prediction for everyone; C00 bought nothing (absent)
    actual = pd.DataFrame(
        {"customer_id": ids[1:], "transactions": [1] * 19, "spend": [i * 1.1 for i in range(1, 20)]}
    )
    baseline = pd.DataFrame({"customer_id": ids, "transactions": [1] * 20, "spend": [0.0] * 20})
    report = holdout_report(predicted, actual, baseline)
    assert report["customers"] == 20
    spend = report["spend"]
    assert spend["actual_total"] == pytest.approx(1.1 * 190)
    assert spend["aggregate_error_pct"] == pytest.approx(1 / 1.1 - 1)
    assert spend["baseline_aggregate_error_pct"] == pytest.approx(-1.0)
    assert spend["spearman"] == pytest.approx(1.0)
    tx = report["transactions"]
    assert tx["predicted_total"] == 40 and tx["actual_total"] == 19
    assert tx["mae_per_customer"] == pytest.approx(1 + 1 / 20)
    deciles = report["deciles"]
    assert [d["decile"] for d in deciles] == list(range(1, 11))
    assert all(d["customers"] == 2 for d in deciles)
    assert deciles[-1]["predicted_spend"] == pytest.approx(18.5)  # C18, C19
    assert deciles[-1]["spend_error_pct"] == pytest.approx(1 / 1.1 - 1)
