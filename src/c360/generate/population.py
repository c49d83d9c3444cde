"""The customer population: visible attributes at opening plus hidden behaviour.

Everything here is per customer and vectorised; transactions are drawn later, chunk by
chunk, from these arrays.
"""

from dataclasses import dataclass

import numpy as np

from c360.generate import reference as ref
from c360.generate.personas import NEW_AND_GROWING, PERSONAS, persona_array
from c360.generate.timeline import Timeline

OPENING_SPAN_DAYS = 5 * 365  # accounts opened steadily over about five years
ACQUISITION_GROWTH = 0.15  # new accounts per year grow 15% a year
CHURN_TYPES = ("gradual", "stepwise", "sudden")
CHURN_TYPE_SHARES = (0.55, 0.25, 0.20)
REACTIVATION_SHARE = 0.08
# Temporary lulls: spells of low activity that end by themselves (a second card, travel,
# a tight month). They look like the start of churn from the outside, as in real data.
LULLS_PER_YEAR = 0.35
LULL_SLOTS = 3
STREAM_CUSTOMERS = 1


@dataclass
class Population:
    """Column arrays, one row per customer, index = customer number - 1."""

    customer_id: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray
    email: np.ndarray
    age: np.ndarray
    state: np.ndarray
    city: np.ndarray
    employment_status: np.ndarray
    card_type: np.ndarray
    credit_limit: np.ndarray
    open_day: np.ndarray  # relative to timeline.start; negative = before the history
    # hidden behaviour
    persona: np.ndarray
    base_rate: np.ndarray
    amount_multiplier: np.ndarray
    trend_per_year: np.ndarray
    decline_prob: np.ndarray
    monthly_hazard: np.ndarray
    churn_onset_day: np.ndarray  # under no intervention; may lie beyond the as-of date
    churn_type: np.ndarray  # index into CHURN_TYPES
    churn_duration: np.ndarray  # days from onset to the final level
    churn_residual: np.ndarray  # final activity level as a share of normal
    step_levels: np.ndarray  # (n, 2) intermediate levels of a stepwise decline
    reactivation_day: np.ndarray  # day activity resumes; a huge number if never
    reactivation_level: np.ndarray
    lull_start: np.ndarray  # (n, LULL_SLOTS) first day of each lull; NEVER if unused
    lull_days: np.ndarray  # (n, LULL_SLOTS) length of each lull
    lull_level: np.ndarray  # (n, LULL_SLOTS) share of normal activity during the lull
    noise_key: np.ndarray  # per-customer key of the month-to-month activity noise

    def __len__(self) -> int:
        return len(self.customer_id)


NEVER = np.int32(10**6)


def customer_ids(numbers: np.ndarray) -> np.ndarray:
    return np.char.add("CUST", np.char.zfill(numbers.astype(str), 8))


def build_population(n: int, timeline: Timeline, seed: int) -> Population:
    rng = np.random.default_rng([seed, STREAM_CUSTOMERS])
    open_day = _opening_days(rng, n, timeline)

    persona = _assign_personas(rng, open_day, timeline)
    age = _ages(rng, n)
    employment = _employment(rng, age)

    state_weights = np.array([s[1] for s in ref.STATES])
    state_idx = rng.choice(len(ref.STATES), n, p=state_weights / state_weights.sum())
    city = np.array([ref.STATES[s][2][rng.integers(len(ref.STATES[s][2]))] for s in state_idx])
    state = np.array([ref.STATES[s][0] for s in state_idx])

    first = np.array(ref.FIRST_NAMES)[rng.integers(len(ref.FIRST_NAMES), size=n)]
    last = np.array(ref.LAST_NAMES)[rng.integers(len(ref.LAST_NAMES), size=n)]
    domain = np.array(ref.EMAIL_DOMAINS)[rng.integers(len(ref.EMAIL_DOMAINS), size=n)]
    suffix = rng.integers(1, 999, n).astype(str)
    email = np.char.lower(
        np.char.add(np.char.add(np.char.add(np.char.add(first, "."), last), suffix), "@")
    )
    email = np.char.add(email, domain)

    premium = rng.random(n) < persona_array("premium_share")[persona]
    card_type = np.where(premium, "Premium", "Standard")
    lo, hi = (np.array([p.limit_range[i] for p in PERSONAS]) for i in (0, 1))
    limit = rng.uniform(lo[persona], hi[persona]) + np.where(premium, 5_000, 0)
    credit_limit = np.clip(np.round(limit / 1_000) * 1_000, 5_000, 50_000).astype(np.int32)

    base_rate = persona_array("tx_per_day")[persona] * rng.lognormal(0.0, 0.35, n)
    amount_multiplier = persona_array("amount_multiplier")[persona] * rng.lognormal(0, 0.2, n)
    trend = persona_array("trend_per_year")[persona] + rng.normal(0, 0.12, n)
    hazard = persona_array("monthly_churn_hazard")[persona] * rng.lognormal(-0.18, 0.6, n)
    stress = rng.random(n) ** 3
    decline_prob = 0.012 + 0.025 * stress + 0.15 * hazard

    onset = _churn_onsets(rng, open_day, hazard)
    churn_type = rng.choice(len(CHURN_TYPES), n, p=CHURN_TYPE_SHARES)
    duration = rng.integers(30, 121, n)
    stopped = rng.random(n) < 0.6
    residual = np.where(stopped | (churn_type == 2), 0.0, rng.uniform(0.05, 0.25, n))
    step_levels = np.column_stack([rng.uniform(0.4, 0.7, n), rng.uniform(0.12, 0.3, n)])
    reactivates = rng.random(n) < REACTIVATION_SHARE
    reactivation_day = np.where(
        reactivates, onset + duration + rng.integers(60, 151, n), NEVER
    ).astype(np.int32)

    return Population(
        customer_id=customer_ids(np.arange(1, n + 1)),
        first_name=first,
        last_name=last,
        email=email,
        age=age,
        state=state,
        city=city,
        employment_status=employment,
        card_type=card_type,
        credit_limit=credit_limit,
        open_day=open_day.astype(np.int32),
        persona=persona.astype(np.int8),
        base_rate=base_rate,
        amount_multiplier=amount_multiplier,
        trend_per_year=trend,
        decline_prob=decline_prob,
        monthly_hazard=hazard,
        churn_onset_day=onset,
        churn_type=churn_type.astype(np.int8),
        churn_duration=duration.astype(np.int32),
        churn_residual=residual,
        step_levels=step_levels,
        reactivation_day=reactivation_day,
        reactivation_level=rng.uniform(0.6, 1.0, n),
        **_lulls(rng, n, timeline),
        noise_key=rng.integers(0, 2**62, n, dtype=np.int64).astype(np.uint64),
    )


def _lulls(rng: np.random.Generator, n: int, timeline: Timeline) -> dict:
    """Up to LULL_SLOTS temporary lulls per customer, over the history and a year beyond."""
    span = timeline.n_days + 365
    count = np.minimum(rng.poisson(LULLS_PER_YEAR * span / 365, n), LULL_SLOTS)
    used = np.arange(LULL_SLOTS)[None, :] < count[:, None]
    start = rng.integers(0, span, (n, LULL_SLOTS))
    return {
        "lull_start": np.where(used, start, NEVER).astype(np.int32),
        "lull_days": rng.integers(21, 100, (n, LULL_SLOTS)).astype(np.int32),
        "lull_level": rng.uniform(0.05, 0.5, (n, LULL_SLOTS)),
    }


def _opening_days(rng: np.random.Generator, n: int, timeline: Timeline) -> np.ndarray:
    """Steady acquisition growing ACQUISITION_GROWTH a year, up to a week before as-of."""
    years = OPENING_SPAN_DAYS / 365
    growth = np.log1p(ACQUISITION_GROWTH)
    age_years = years - np.log1p(rng.random(n) * np.expm1(growth * years)) / growth
    return (timeline.n_days - 8 - (age_years * 365).astype(np.int64)).astype(np.int32)


def _assign_personas(rng: np.random.Generator, open_day: np.ndarray, tl: Timeline) -> np.ndarray:
    """Recent accounts are more often 'new and growing'; the rest follow the weights."""
    weights = persona_array("weight")
    persona = rng.choice(len(PERSONAS), len(open_day), p=weights / weights.sum())
    recent = open_day > tl.n_days - 365
    persona[recent & (rng.random(len(open_day)) < 0.45)] = NEW_AND_GROWING
    older = ~recent & (persona == NEW_AND_GROWING)
    others = np.delete(weights, NEW_AND_GROWING)
    redraw = rng.choice(len(others), int(older.sum()), p=others / others.sum())
    persona[older] = np.where(redraw >= NEW_AND_GROWING, redraw + 1, redraw)
    return persona


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(np.round(rng.normal(45, 13, n)), 22, 75).astype(np.int16)


def _employment(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    n = len(age)
    status = np.array(ref.EMPLOYMENT_STATUSES)[rng.choice(5, n, p=[0.72, 0.14, 0.0, 0.04, 0.10])]
    status[(age >= 62) & (rng.random(n) < 0.7)] = "Retired"
    status[(age <= 26) & (rng.random(n) < 0.3)] = "Student"
    return status


def _churn_onsets(rng: np.random.Generator, open_day: np.ndarray, hazard: np.ndarray):
    """Exponential waiting time from the later of opening and the start of history."""
    at_risk_from = np.maximum(open_day, 0) + 30
    waiting = rng.exponential(30.4 / hazard)
    return np.minimum(at_risk_from + waiting, NEVER).astype(np.int32)
