"""Small bronze tables (customers, categories, campaign) and the hidden `_truth` tables."""

from datetime import datetime, time, timedelta

import numpy as np
import pyarrow as pa

from c360.generate import reference as ref
from c360.generate.campaign import (
    CAMPAIGN_ID,
    COST_PER_CUSTOMER,
    EFFECT_WINDOW_DAYS,
    CampaignOutcome,
)
from c360.generate.personas import PERSONA_NAMES
from c360.generate.population import CHURN_TYPES, NEVER, Population
from c360.generate.schema import (
    CAMPAIGN_EXPOSURES,
    CAMPAIGNS,
    CUSTOMERS,
    MERCHANT_CATEGORIES,
)
from c360.generate.timeline import Timeline

NULL_SHARE = {"email": 0.002, "city": 0.004, "employment_status": 0.004}


def _load_time(timeline: Timeline) -> datetime:
    return datetime.combine(timeline.as_of + timedelta(days=1), time(1, 0))


def customers_table(
    pop: Population, timeline: Timeline, rng: np.random.Generator
) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """Customers as at account opening, with a few nulls in optional fields."""
    n = len(pop)
    masks = {column: rng.random(n) < share for column, share in NULL_SHARE.items()}
    open_date = timeline.datetime64(pop.open_day)
    loaded = np.full(n, np.datetime64(_load_time(timeline), "us"))
    table = pa.Table.from_arrays(
        [
            pa.array(pop.customer_id),
            pa.array(pop.first_name),
            pa.array(pop.last_name),
            pa.array(pop.email, mask=masks["email"]),
            pa.array(pop.age),
            pa.array(pop.state),
            pa.array(pop.city, mask=masks["city"]),
            pa.array(pop.employment_status, mask=masks["employment_status"]),
            pa.array(pop.card_type),
            pa.array(pop.credit_limit),
            pa.array(open_date),
            pa.array(loaded),
        ],
        schema=CUSTOMERS,
    )
    defects = {
        "customer_id": np.concatenate([pop.customer_id[m] for m in masks.values()]),
        "defect_type": np.concatenate([np.full(m.sum(), f"null_{c}") for c, m in masks.items()]),
    }
    return table, defects


def merchant_categories_table(timeline: Timeline) -> pa.Table:
    cats = ref.CATEGORIES
    return pa.Table.from_pydict(
        {
            "category_id": [f"CAT{i + 1:02d}" for i in range(len(cats))],
            "category_name": [c[0] for c in cats],
            "category_group": [c[1] for c in cats],
            "mcc": [c[2] for c in cats],
            "loaded_at": [_load_time(timeline)] * len(cats),
        },
        schema=MERCHANT_CATEGORIES,
    )


def campaigns_table(timeline: Timeline, campaign: CampaignOutcome) -> pa.Table:
    start = timeline.date_of(campaign.campaign_day)
    return pa.Table.from_pydict(
        {
            "campaign_id": [CAMPAIGN_ID],
            "campaign_name": ["Spring retention offer"],
            "campaign_type": ["retention"],
            "offer": ["Annual fee waiver and 3% cashback for 90 days"],
            "start_date": [start],
            "end_date": [start + timedelta(days=30)],
            "cost_per_customer": [COST_PER_CUSTOMER],
            "loaded_at": [datetime.combine(start + timedelta(days=31), time(1, 0))],
        },
        schema=CAMPAIGNS,
    )


def campaign_exposures_table(
    pop: Population, timeline: Timeline, campaign: CampaignOutcome, rng: np.random.Generator
) -> pa.Table:
    who = np.flatnonzero(campaign.participant)
    treated = campaign.treated[who]
    start = np.datetime64(timeline.date_of(campaign.campaign_day), "us")
    contacted = start + rng.integers(9 * 3600, 18 * 3600, len(who)).astype("timedelta64[s]")
    contacted += rng.integers(0, 7, len(who)).astype("timedelta64[D]")
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(1, len(who) + 1, dtype=np.int64)),
            pa.array(np.full(len(who), CAMPAIGN_ID)),
            pa.array(pop.customer_id[who]),
            pa.array(np.where(treated, "treatment", "control")),
            pa.array(np.full(len(who), start.astype("datetime64[D]"))),
            pa.array(contacted, mask=~treated),
            pa.array(np.full(len(who), start + np.timedelta64(1, "D"))),
        ],
        schema=CAMPAIGN_EXPOSURES,
    )


def truth_customers_table(
    pop: Population, timeline: Timeline, campaign: CampaignOutcome
) -> pa.Table:
    """Everything hidden about each customer: for tests and evaluation only."""
    onset = campaign.effective_onset

    def as_date(days: np.ndarray) -> pa.Array:
        return pa.array(timeline.datetime64(np.minimum(days, 40_000)), mask=days >= NEVER)

    churn_if_control = campaign.churned_within_window(campaign.onset_if_control)
    churn_if_treated = campaign.churned_within_window(campaign.onset_if_treated)
    part = campaign.participant
    return pa.table(
        {
            "customer_id": pop.customer_id,
            "persona": np.array(PERSONA_NAMES)[pop.persona],
            "monthly_churn_hazard": pop.monthly_hazard,
            "churn_onset_date": as_date(onset),
            "churn_type": np.array(CHURN_TYPES)[pop.churn_type],
            "churn_duration_days": pop.churn_duration,
            "churn_residual_level": pop.churn_residual,
            "reactivation_date": as_date(np.where(onset < NEVER, pop.reactivation_day, NEVER)),
            "campaign_participant": part,
            "campaign_treated": campaign.treated,
            "campaign_responder": campaign.responds,
            "churn_onset_if_control": as_date(campaign.onset_if_control),
            "churn_onset_if_treated": as_date(campaign.onset_if_treated),
            f"churn_{EFFECT_WINDOW_DAYS}d_if_control": pa.array(churn_if_control, mask=~part),
            f"churn_{EFFECT_WINDOW_DAYS}d_if_treated": pa.array(churn_if_treated, mask=~part),
            "true_retention_effect": pa.array(
                churn_if_control.astype(np.int8) - churn_if_treated.astype(np.int8), mask=~part
            ),
            "campaign_spend_lift": campaign.spend_lift,
        }
    )
