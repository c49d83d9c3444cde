"""Hidden personas: the latent behaviour types that drive every customer's spending.

A persona is never written to bronze; it only lands in `_truth/` for evaluation.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Persona:
    name: str
    weight: float  # share of customers (before the new-account adjustment)
    tx_per_day: float  # relative base intensity; rescaled to hit the target row count
    amount_multiplier: float  # multiplies each category's median ticket
    group_mix: tuple[float, float, float, float]  # transaction share: Travel, Necessities,
    #                                               Discretionary, Services
    monthly_churn_hazard: float
    premium_share: float
    limit_range: tuple[int, int]  # credit limit at opening, USD
    trend_per_year: float  # mean log-change of activity per year
    campaign_prevent_prob: float  # chance the retention offer prevents an imminent churn
    campaign_spend_lift: float  # spend uplift for responders in the 90 days after the offer


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "high_value_traveler",
        0.18,
        2.2,
        1.25,
        (0.13, 0.30, 0.45, 0.12),
        0.010,
        0.75,
        (20_000, 50_000),
        0.05,
        0.35,
        0.10,
    ),
    Persona(
        "stable_mid_spender",
        0.37,
        1.7,
        1.00,
        (0.04, 0.45, 0.43, 0.08),
        0.012,
        0.30,
        (8_000, 30_000),
        0.00,
        0.25,
        0.06,
    ),
    Persona(
        "budget_conscious",
        0.22,
        1.0,
        0.42,
        (0.01, 0.80, 0.16, 0.03),
        0.018,
        0.08,
        (5_000, 15_000),
        0.00,
        0.15,
        0.04,
    ),
    Persona(
        "new_and_growing",
        0.13,
        1.9,
        1.05,
        (0.05, 0.40, 0.47, 0.08),
        0.016,
        0.25,
        (5_000, 20_000),
        0.30,
        0.30,
        0.12,
    ),
    Persona(
        "decliner",
        0.10,
        1.6,
        1.00,
        (0.04, 0.48, 0.40, 0.08),
        0.055,
        0.30,
        (6_000, 30_000),
        -0.35,
        0.10,
        0.03,
    ),
)

PERSONA_NAMES = tuple(p.name for p in PERSONAS)
NEW_AND_GROWING = PERSONA_NAMES.index("new_and_growing")


def persona_array(attribute: str) -> np.ndarray:
    """One attribute of every persona as an array indexed by persona code."""
    return np.array([getattr(p, attribute) for p in PERSONAS])
