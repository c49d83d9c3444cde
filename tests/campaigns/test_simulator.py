"""The ROI simulator's arithmetic."""

import numpy as np
import pytest

from c360.campaigns.simulator import Assumptions, break_even_effect, sensitivity, simulate


def test_simulation_arithmetic():
    spend = [1000.0, 2000.0, 3000.0, 4000.0]
    result = simulate(
        spend, Assumptions(cost_per_customer=50, retention_effect=0.1, value_months=12,
                           revenue_rate=0.02)
    )  # fmt: skip
    # value per customer = spend * 12 * 0.02 = 240, 480, 720, 960 -> sum 2400
    assert result.targeted == 4
    assert result.total_cost == 200
    assert result.expected_retained == pytest.approx(0.4)
    assert result.value_retained == pytest.approx(240)
    assert result.net_benefit == pytest.approx(40)
    assert result.roi == pytest.approx(0.2)


def test_nobody_is_retained_beyond_their_churn_probability():
    spend = [1000.0, 1000.0, 1000.0]
    assumptions = Assumptions(cost_per_customer=10, retention_effect=0.2)
    result = simulate(spend, assumptions, churn_probability=[0.05, 0.5, np.nan])
    assert result.expected_retained == pytest.approx(0.05 + 0.2 + 0.2)


def test_no_cost_means_no_roi_and_an_empty_audience_is_zero():
    assert simulate([100.0], Assumptions(0, 0.1)).roi is None
    empty = simulate([], Assumptions(40, 0.1))
    assert empty.targeted == 0 and empty.total_cost == 0 and empty.net_benefit == 0


def test_sensitivity_rises_with_effect_and_falls_with_cost():
    spend = np.full(100, 2000.0)
    curve = sensitivity(spend, Assumptions(40, 0.05))
    for _, line in curve.groupby("cost_per_customer"):
        assert line["net_benefit"].is_monotonic_increasing
    at_zero = curve[curve["retention_effect"] == 0].sort_values("cost_per_customer")
    assert at_zero["net_benefit"].is_monotonic_decreasing
    assert sorted(curve["cost_per_customer"].unique()) == [20, 40, 60]


def test_break_even_effect_makes_net_benefit_zero():
    spend = np.linspace(100, 5000, 50)
    assumptions = Assumptions(cost_per_customer=40, retention_effect=0.0)
    effect = break_even_effect(spend, assumptions)
    result = simulate(spend, Assumptions(40, effect))
    assert result.net_benefit == pytest.approx(0, abs=1e-6)
    assert break_even_effect([0.0], assumptions) is None
