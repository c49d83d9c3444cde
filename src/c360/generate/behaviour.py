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
    return b.base_rate[rows, None] * ramp * trend * lift * calendar * churn
