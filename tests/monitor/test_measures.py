"""PSI, robust z-scores and the verdict on plain numbers (no warehouse needed)."""

import numpy as np
import pandas as pd

from c360.monitor.psi import psi
from c360.monitor.thresholds import THRESHOLDS
from c360.monitor.verdict import data_reasons, model_reasons, verdict
from c360.monitor.volume import robust_z


def test_psi_is_near_zero_for_the_same_distribution_and_large_for_a_shifted_one():
    rng = np.random.default_rng(0)
    reference = pd.Series(rng.gamma(2.0, 10.0, 5_000))
    same = pd.Series(rng.gamma(2.0, 10.0, 5_000))
    shifted = pd.Series(rng.gamma(2.0, 6.0, 5_000))  # 40% lower on average
    assert psi(reference, same) < 0.02
    assert psi(reference, shifted) > THRESHOLDS["feature_psi"]


def test_psi_counts_missing_values_and_categories():
    reference = pd.Series([1.0, 2.0, 3.0, 4.0] * 100)
    assert psi(reference, pd.Series([1.0, 2.0, np.nan, np.nan] * 100)) > 1
    states = pd.Series(["CA", "NY", "TX", "FL"] * 100)
    assert psi(states, states.sample(frac=1, random_state=1)) == 0
    assert psi(states, pd.Series(["CA"] * 300 + ["NY"] * 100)) > 1
    assert psi(states, pd.Series([], dtype=object)) is None


def test_a_spike_is_flagged_and_ordinary_noise_is_not():
    rng = np.random.default_rng(1)
    rows = rng.poisson(400, 60).astype(float)
    rows[45] = 150  # a day that landed far fewer rows
    z, off = robust_z(rows)
    flagged = np.flatnonzero((np.abs(z) > THRESHOLDS["robust_z"]) & (off >= 10))
    assert flagged.tolist() == [45]
    rare = np.zeros(60)
    rare[[10, 30]] = 2  # a measure that is usually 0: two rows are not "far off"
    assert not (np.abs(robust_z(rare)[0]) > THRESHOLDS["robust_z"]).any()


def test_the_verdict_names_each_reason_and_is_healthy_without_one():
    calm = {"score_psi_vs_reference": 0.05, "score_psi_vs_previous": 0.01,
            "feature_psi": {"spend_30d": 0.03}}  # fmt: skip
    assert verdict(True, model_reasons(calm, None), [])["line"] == "model healthy"
    drifted = calm | {"score_psi_vs_reference": 0.4, "feature_psi": {"spend_30d": 0.6}}
    outcome = {"as_of": "2025-09-30", "roc_auc": 0.6, "predicted_rate": 0.1,
               "realised_rate": 0.3}  # fmt: skip
    result = verdict(True, model_reasons(drifted, outcome), [])
    assert result["status"] == "retrain"
    assert result["line"].startswith("retrain recommended: ")
    for words in ("training reference (PSI 0.40", "spend_30d 0.60", "ROC AUC 0.600",
                  "realised 30.0%"):  # fmt: skip
        assert words in result["line"]
    day = {"day": "2026-01-05", "flagged": True, "rows": 12, "rows_z": -9.0, "rows_flag": True,
           "late_rows_flag": False, "quarantined_rows_flag": False}  # fmt: skip
    data = verdict(True, [], data_reasons(day, 5))
    assert data["status"] == "check data"
    assert "2026-01-05 is far off the usual in rows (12, z -9.0)" in data["line"]
    assert "no transaction in the last 5 days" in data["line"]
    assert verdict(False, [], [])["status"] == "no scoring"
