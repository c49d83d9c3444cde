"""Retention-campaign ROI simulator: pure arithmetic over a target list.

For each targeted customer the offer costs `cost_per_customer` and raises the chance that
the customer stays by `retention_effect` (an absolute change, e.g. 0.08 = 8 points, as
measured by the past randomised campaign). Nobody can be kept who would not have left, so
where a churn probability is known the effect is capped at it. A retained customer is worth
what they would spend times `revenue_rate` (what the issuer earns per dollar spent:
interchange, fees and interest): their 12-month customer lifetime value if retained
(`c360 clv`) when it is known, else `value_months` of their average monthly spend.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

DEFAULT_VALUE_MONTHS = 12
DEFAULT_REVENUE_RATE = 0.02


@dataclass(frozen=True)
class Assumptions:
    cost_per_customer: float
    retention_effect: float
    value_months: int = DEFAULT_VALUE_MONTHS
    revenue_rate: float = DEFAULT_REVENUE_RATE


@dataclass(frozen=True)
class SimulationResult:
    targeted: int
    total_cost: float
    expected_retained: float
    value_retained: float
    net_benefit: float
    roi: float | None  # net benefit / cost; None when nothing is spent


def retention_uplift(churn_probability: np.ndarray | None, effect: float, n: int) -> np.ndarray:
    """Per-customer expected extra probability of staying."""
    uplift = np.full(n, max(effect, 0.0), dtype=float)
    if churn_probability is not None:
        p = np.asarray(churn_probability, dtype=float)
        uplift = np.where(np.isnan(p), uplift, np.minimum(uplift, p))
    if effect < 0:  # a harmful offer loses customers; keep the sign
        uplift = np.full(n, effect, dtype=float)
    return uplift


def value_if_retained(
    monthly_spend: Sequence[float] | np.ndarray,
    assumptions: Assumptions,
    clv: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """What keeping each customer earns the issuer: revenue_rate x (their 12-month CLV if
    retained where known, else value_months x average monthly spend)."""
    spend = np.maximum(np.nan_to_num(np.asarray(monthly_spend, dtype=float), nan=0.0), 0)
    spend_value = spend * assumptions.value_months
    if clv is not None:
        known = np.asarray(clv, dtype=float)
        spend_value = np.where(np.isnan(known), spend_value, np.maximum(known, 0))
    return spend_value * assumptions.revenue_rate


def simulate(
    monthly_spend: Sequence[float] | np.ndarray,
    assumptions: Assumptions,
    churn_probability: Sequence[float] | np.ndarray | None = None,
    clv: Sequence[float] | np.ndarray | None = None,
) -> SimulationResult:
    """Expected cost, customers retained, value retained, net benefit and ROI.

    `clv`: each customer's 12-month CLV if retained (NaN where unknown); when given it
    values a retained customer instead of `value_months` of average monthly spend."""
    spend = np.nan_to_num(np.asarray(monthly_spend, dtype=float), nan=0.0)
    n = len(spend)
    probability = None if churn_probability is None else np.asarray(churn_probability, float)
    uplift = retention_uplift(probability, assumptions.retention_effect, n)
    value_per_customer = value_if_retained(spend, assumptions, clv)
    cost = n * assumptions.cost_per_customer
    retained = float(uplift.sum())
    value = float((uplift * value_per_customer).sum())
    net = value - cost
    return SimulationResult(
        targeted=n,
        total_cost=float(cost),
        expected_retained=retained,
        value_retained=value,
        net_benefit=net,
        roi=net / cost if cost > 0 else None,
    )


def sensitivity(
    monthly_spend: Sequence[float] | np.ndarray,
    assumptions: Assumptions,
    churn_probability: Sequence[float] | np.ndarray | None = None,
    effects: Sequence[float] | None = None,
    cost_multipliers: Sequence[float] = (0.5, 1.0, 1.5),
    clv: Sequence[float] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Net benefit over a range of retention effects, for a few incentive costs."""
    if effects is None:
        top = max(2 * assumptions.retention_effect, 0.05)
        effects = np.linspace(0, top, 21)
    rows = []
    for multiplier in cost_multipliers:
        cost = assumptions.cost_per_customer * multiplier
        for effect in effects:
            result = simulate(
                monthly_spend,
                replace(assumptions, cost_per_customer=cost, retention_effect=float(effect)),
                churn_probability,
                clv,
            )
            rows.append(
                {
                    "retention_effect": float(effect),
                    "cost_per_customer": cost,
                    "net_benefit": result.net_benefit,
                    "roi": result.roi,
                }
            )
    return pd.DataFrame(rows)


def break_even_effect(
    monthly_spend: Sequence[float] | np.ndarray,
    assumptions: Assumptions,
    clv: Sequence[float] | np.ndarray | None = None,
) -> float | None:
    """The retention effect at which value equals cost, ignoring the churn-probability cap."""
    values = value_if_retained(monthly_spend, assumptions, clv)
    value = float(values.sum())
    if value <= 0:
        return None
    return len(values) * assumptions.cost_per_customer / value
