"""Who to target with a fixed budget: the customers most at risk of churning, or those the
offer is predicted to change most (uplift)? Pure arithmetic over an audience.

Both strategies reach the same number of customers (budget / cost per customer) and are
judged by the same yardstick: the uplift model's predicted change in retention probability
(`retention_uplift`), so "expected incremental retained" is a prediction, not a measurement.
A retained customer is worth `value` (revenue from their CLV if retained, see
`simulator.value_if_retained`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

STRATEGIES = {"churn_risk": "churn_probability", "uplift": "retention_uplift"}
LABELS = {"churn_risk": "Highest churn risk", "uplift": "Highest predicted uplift"}


@dataclass(frozen=True)
class TargetingResult:
    strategy: str
    label: str
    reached: int
    expected_incremental_retained: float
    cost: float
    value: float
    net_value: float
    roi: float | None


def customers_affordable(budget: float, cost_per_customer: float, audience_size: int) -> int:
    """How many customers the budget reaches (everyone when the offer costs nothing)."""
    if cost_per_customer <= 0:
        return audience_size
    return int(min(max(budget, 0) // cost_per_customer, audience_size))


def pick(audience: pd.DataFrame, strategy: str, n: int) -> pd.DataFrame:
    """The top n of the audience by the strategy's score (missing scores last)."""
    column = STRATEGIES[strategy]
    ranked = audience.assign(_key=audience[column].astype(float).fillna(-np.inf))
    return ranked.sort_values(["_key", "customer_id"], ascending=[False, True]).head(n)


def compare_targeting(
    audience: pd.DataFrame, value: np.ndarray, budget: float, cost_per_customer: float
) -> list[TargetingResult]:
    """Both strategies for the same budget. `audience` needs customer_id, churn_probability
    and retention_uplift; `value` is each row's worth if retained."""
    frame = audience.assign(_value=np.asarray(value, dtype=float))
    n = customers_affordable(budget, cost_per_customer, len(frame))
    results = []
    for strategy in STRATEGIES:
        chosen = pick(frame, strategy, n)
        uplift = chosen["retention_uplift"].astype(float).fillna(0.0).to_numpy()
        gained = float(uplift.sum())
        worth = float((uplift * chosen["_value"].to_numpy()).sum())
        cost = n * cost_per_customer
        results.append(
            TargetingResult(
                strategy=strategy,
                label=LABELS[strategy],
                reached=n,
                expected_incremental_retained=gained,
                cost=float(cost),
                value=worth,
                net_value=worth - cost,
                roi=(worth - cost) / cost if cost > 0 else None,
            )
        )
    return results
