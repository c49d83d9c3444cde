"""Targeting by churn risk vs by uplift for one budget; CLV valuation in the simulator."""

import numpy as np
import pandas as pd
import pytest

from c360.campaigns.simulator import Assumptions, break_even_effect, simulate, value_if_retained
from c360.campaigns.targeting import compare_targeting, customers_affordable

AUDIENCE = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d"],
        # a and b are at highest risk but the offer barely moves them; c is persuadable
        "churn_probability": [0.9, 0.8, 0.4, 0.1],
        "retention_uplift": [0.01, 0.00, 0.30, 0.05],
    }
)
VALUE = np.array([1000.0, 1000.0, 500.0, 100.0])


def test_same_budget_reaches_the_same_number_of_customers():
    by_risk, by_uplift = compare_targeting(AUDIENCE, VALUE, budget=100.0, cost_per_customer=40)
    assert by_risk.reached == by_uplift.reached == 2
    assert by_risk.cost == by_uplift.cost == 80.0
    # risk picks a, b; uplift picks c, d
    assert by_risk.expected_incremental_retained == pytest.approx(0.01)
    assert by_uplift.expected_incremental_retained == pytest.approx(0.35)
    assert by_risk.value == pytest.approx(10.0)
    assert by_uplift.value == pytest.approx(0.30 * 500 + 0.05 * 100)
    assert by_uplift.net_value == pytest.approx(155.0 - 80.0)
    assert by_uplift.roi == pytest.approx(75.0 / 80.0)
    assert by_risk.roi < 0 < by_uplift.roi


def test_missing_uplift_ranks_last_and_counts_as_zero():
    audience = AUDIENCE.assign(retention_uplift=[np.nan, np.nan, 0.2, np.nan])
    _, by_uplift = compare_targeting(audience, VALUE, budget=80.0, cost_per_customer=40)
    assert by_uplift.expected_incremental_retained == pytest.approx(0.2)


def test_budget_arithmetic():
    assert customers_affordable(1000, 40, 10) == 10
    assert customers_affordable(119, 40, 10) == 2
    assert customers_affordable(50, 0, 7) == 7
    assert customers_affordable(-5, 40, 7) == 0


def test_clv_values_retained_customers_where_known():
    assumptions = Assumptions(cost_per_customer=10, retention_effect=0.1, value_months=12)
    spend = np.array([100.0, 100.0])
    clv = np.array([6000.0, np.nan])  # the second has no CLV: 12 months x spend
    values = value_if_retained(spend, assumptions, clv)
    assert values == pytest.approx([6000 * 0.02, 1200 * 0.02])
    with_clv = simulate(spend, assumptions, clv=clv)
    without = simulate(spend, assumptions)
    assert with_clv.value_retained == pytest.approx(0.1 * (120 + 24))
    assert without.value_retained == pytest.approx(0.1 * (24 + 24))
    assert break_even_effect(spend, assumptions, clv) == pytest.approx(20 / 144)
