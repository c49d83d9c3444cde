"""Treatment-vs-control effects of a randomised campaign, with 95% confidence intervals.

- Retention (a yes/no outcome): difference in proportions with Newcombe's hybrid score
  interval (built from the two Wilson intervals), which keeps its coverage for small groups
  and rates near 0 or 1, where the textbook Wald interval does not.
- Spend (a continuous outcome): difference in means with Welch's t interval (unequal
  variances).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
MIN_GROUP_SIZE = 10  # below this many customers per arm an interval is not reported


@dataclass(frozen=True)
class Effect:
    """Outcome in each arm and their difference (treatment minus control) with its CI."""

    treatment: float
    control: float
    difference: float
    ci_low: float
    ci_high: float
    n_treatment: int
    n_control: int

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return bool(self.ci_low > 0 or self.ci_high < 0)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for one proportion."""
    if n == 0:
        return (math.nan, math.nan)
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def difference_in_proportions(
    treatment: Sequence[bool] | np.ndarray,
    control: Sequence[bool] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> Effect:
    """Rate in treatment minus rate in control, Newcombe hybrid score interval."""
    t = np.asarray(treatment, dtype=bool)
    c = np.asarray(control, dtype=bool)
    n1, n0 = len(t), len(c)
    if n1 == 0 or n0 == 0:
        return Effect(math.nan, math.nan, math.nan, math.nan, math.nan, n1, n0)
    x1, x0 = int(t.sum()), int(c.sum())
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_interval(x1, n1, confidence)
    l0, u0 = wilson_interval(x0, n0, confidence)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return Effect(p1, p0, d, low, high, n1, n0)


def difference_in_means(
    treatment: Sequence[float] | np.ndarray,
    control: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> Effect:
    """Mean in treatment minus mean in control, Welch's t interval."""
    t = np.asarray(treatment, dtype=float)
    c = np.asarray(control, dtype=float)
    n1, n0 = len(t), len(c)
    if n1 < 2 or n0 < 2:
        m1 = float(t.mean()) if n1 else math.nan
        m0 = float(c.mean()) if n0 else math.nan
        return Effect(m1, m0, m1 - m0, math.nan, math.nan, n1, n0)
    m1, m0 = float(t.mean()), float(c.mean())
    d = m1 - m0
    if t.var() == 0 and c.var() == 0:  # no spread: the difference is exact
        return Effect(m1, m0, d, d, d, n1, n0)
    ci = stats.ttest_ind(t, c, equal_var=False).confidence_interval(confidence)
    return Effect(m1, m0, d, float(ci.low), float(ci.high), n1, n0)


METRICS = {
    "retained": ("Retention rate", difference_in_proportions),
    "spend_after": ("Spend per customer after the campaign", difference_in_means),
}


def campaign_effects(
    outcomes: pd.DataFrame, by: str | None = None, min_group_size: int = MIN_GROUP_SIZE
) -> pd.DataFrame:
    """Effects per metric (and per value of `by`) from one row per assigned customer.

    `outcomes` needs `assignment_group` ('treatment'/'control'), a boolean `retained` and a
    numeric `spend_after`. Groups with fewer than `min_group_size` customers in an arm get
    no interval (`ci_low`/`ci_high` are NaN).
    """
    groups = [("All customers", outcomes)] if by is None else outcomes.groupby(by, sort=True)
    rows = []
    for key, frame in groups:
        treated = frame["assignment_group"] == "treatment"
        control = frame["assignment_group"] == "control"
        for column, (label, estimator) in METRICS.items():
            effect = estimator(frame.loc[treated, column], frame.loc[control, column])
            enough = min(effect.n_treatment, effect.n_control) >= min_group_size
            rows.append(
                {
                    "group": key,
                    "metric": column,
                    "metric_label": label,
                    "treatment": effect.treatment,
                    "control": effect.control,
                    "difference": effect.difference,
                    "ci_low": effect.ci_low if enough else math.nan,
                    "ci_high": effect.ci_high if enough else math.nan,
                    "n_treatment": effect.n_treatment,
                    "n_control": effect.n_control,
                    "significant": effect.significant if enough else False,
                }
            )
    return pd.DataFrame(rows)
