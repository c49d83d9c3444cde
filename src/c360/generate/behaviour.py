"""Daily transaction intensity per customer: persona, calendar, ramp-up, trend, churn.

`intensity()` returns the expected number of transactions for each (customer, day) cell
of a chunk; transaction counts are Poisson draws from it.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from c360.generate.campaign import SPEND_LIFT_DAYS, CampaignOutcome
from c360.generate.personas import NEW_AND_GROWING
from c360.generate.population import Population

WEEKDAY_FACTOR = np.array([0.92, 0.95, 0.97, 1.0, 1.12, 1.18, 0.86])  # Monday first
GRADUAL, STEPWISE, SUDDEN = 0, 1, 2
MONTHLY_SIGMA = 0.25  # month-to-month swings in a customer's activity


@dataclass
class Behaviour:
    """The per-customer arrays transaction chunks need (small; sent once to workers)."""

    start: date
    customer_id: np.ndarray
    persona: np.ndarray
    open_day: np.ndarray
    base_rate: np.ndarray
    amount_multiplier: np.ndarray
    trend_per_year: np.ndarray
    decline_prob: np.ndarray
    onset: np.ndarray
    churn_type: np.ndarray
    churn_duration: np.ndarray
    churn_residual: np.ndarray
    step_levels: np.ndarray
    reactivation_day: np.ndarray
    reactivation_level: np.ndarray
    spend_lift: np.ndarray
    campaign_day: int
    lull_start: np.ndarray
    lull_days: np.ndarray
    lull_level: np.ndarray
    noise_key: np.ndarray

    @classmethod
    def of(cls, pop: Population, campaign: CampaignOutcome, start: date) -> "Behaviour":
        return cls(
            start=start,
            customer_id=pop.customer_id,
            persona=pop.persona,
            open_day=pop.open_day,
            base_rate=pop.base_rate,
            amount_multiplier=pop.amount_multiplier,
            trend_per_year=pop.trend_per_year,
            decline_prob=pop.decline_prob,
            onset=campaign.effective_onset,
            churn_type=pop.churn_type,
            churn_duration=pop.churn_duration,
            churn_residual=pop.churn_residual,
            step_levels=pop.step_levels,
            reactivation_day=pop.reactivation_day,
            reactivation_level=pop.reactivation_level,
            spend_lift=np.where(campaign.treated, campaign.spend_lift, 0.0),
            campaign_day=campaign.campaign_day,
            lull_start=pop.lull_start,
            lull_days=pop.lull_days,
            lull_level=pop.lull_level,
            noise_key=pop.noise_key,
        )

    def __len__(self) -> int:
        return len(self.customer_id)


def calendar_factor(start: date, days: np.ndarray) -> np.ndarray:
    """Weekly rhythm times yearly seasonality with a holiday peak."""
    dates = np.datetime64(start, "D") + days.astype("timedelta64[D]")
    weekday = (days + start.weekday()) % 7
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    yearly = 1.0 + 0.08 * np.cos(2 * np.pi * (day_of_year - 196) / 365.25)  # summer high
    holidays = (day_of_year >= 325) & (day_of_year <= 358)
    return WEEKDAY_FACTOR[weekday] * yearly * np.where(holidays, 1.2, 1.0)


def lull_multiplier(b: Behaviour, rows: slice, days: np.ndarray) -> np.ndarray:
    """Activity share during temporary lulls (1 outside them), per (customer, day)."""
    factor = np.ones((rows.stop - rows.start, len(days)))
    for slot in range(b.lull_start.shape[1]):
        rel = days[None, :] - b.lull_start[rows, slot, None]
        inside = (rel >= 0) & (rel < b.lull_days[rows, slot, None])
        factor = np.where(inside, factor * b.lull_level[rows, slot, None], factor)
    return factor


def monthly_noise(keys: np.ndarray, days: np.ndarray, sigma: float = MONTHLY_SIGMA):
    """A lognormal factor per customer and 30-day month, a pure function of (key, month),
    so a chunk, a worker or a later landing of new days all draw the same value."""
    months, month_of_day = np.unique(days // 30, return_inverse=True)
    first = _mix(keys[:, None] ^ (months[None, :].astype(np.uint64) * np.uint64(GOLDEN)))
    second = _mix(first ^ np.uint64(GOLDEN))
    normal = np.sqrt(-2.0 * np.log(_unit(first))) * np.cos(2.0 * np.pi * _unit(second))
    return np.exp(sigma * normal - sigma * sigma / 2)[:, month_of_day]


GOLDEN = 0x9E3779B97F4A7C15


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a well-spread uint64 hash of a uint64."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _unit(x: np.ndarray) -> np.ndarray:
    """uint64 -> float in (0, 1)."""
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) / float(2**53)


def churn_multiplier(b: Behaviour, rows: slice, days: np.ndarray) -> np.ndarray:
    """Share of normal activity left, per (customer, day), under each churn shape."""
    rel = days[None, :] - b.onset[rows, None]
    duration = b.churn_duration[rows, None]
    residual = b.churn_residual[rows, None]
    gradual = 1.0 - (1.0 - residual) * np.clip(rel / duration, 0.0, 1.0)
    levels = b.step_levels[rows]
    stepwise = np.where(
        rel < duration / 2, levels[:, :1], np.where(rel < duration, levels[:, 1:], residual)
    )
    kind = b.churn_type[rows, None]
    churned = np.where(kind == GRADUAL, gradual, np.where(kind == STEPWISE, stepwise, 0.0))
    level = np.where(rel < 0, 1.0, churned)
    reactivated = days[None, :] >= b.reactivation_day[rows, None]
    return np.where(reactivated, b.reactivation_level[rows, None], level)


def intensity(b: Behaviour, rows: slice, days: np.ndarray) -> np.ndarray:
    """Expected transactions per (customer, day), before the global scale factor."""
    since_open = days[None, :] - b.open_day[rows, None]
    new_and_growing = (b.persona[rows] == NEW_AND_GROWING)[:, None]
    ramp = np.where(
        new_and_growing,
        np.clip(0.2 + 0.8 * since_open / 240, 0.0, 1.0),
        np.clip(0.35 + 0.65 * since_open / 60, 0.0, 1.0),
    )
    ramp[since_open < 0] = 0.0
    years_from_middle = (days[None, :] - 365) / 365.0
    trend = np.exp(b.trend_per_year[rows, None] * years_from_middle)
    after_campaign = (days >= b.campaign_day) & (days < b.campaign_day + SPEND_LIFT_DAYS)
    lift = 1.0 + b.spend_lift[rows, None] * after_campaign[None, :]
    calendar = calendar_factor(b.start, days)[None, :]
    churn = churn_multiplier(b, rows, days)
    wobble = lull_multiplier(b, rows, days) * monthly_noise(b.noise_key[rows], days)
    return b.base_rate[rows, None] * ramp * trend * lift * calendar * churn * wobble
