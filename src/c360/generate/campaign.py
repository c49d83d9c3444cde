"""One past retention campaign with random assignment among at-risk customers.

Both potential outcomes are simulated for every participant, so `_truth` holds each
customer's true effect; bronze only shows who was assigned to which group.
"""

from dataclasses import dataclass

import numpy as np

from c360.generate.personas import persona_array
from c360.generate.population import NEVER, Population
from c360.generate.timeline import Timeline

STREAM_CAMPAIGN = 3
AT_RISK_SHARE = 0.25  # the top quarter of active customers by (latent) risk is targeted
TREATMENT_SHARE = 0.5
EFFECT_WINDOW_DAYS = 180
SPEND_LIFT_DAYS = 90
CAMPAIGN_ID = "CMP-RETAIN-01"
COST_PER_CUSTOMER = 40.0


@dataclass
class CampaignOutcome:
    participant: np.ndarray  # bool per customer
    treated: np.ndarray  # bool per customer
    onset_if_control: np.ndarray
    onset_if_treated: np.ndarray
    responds: np.ndarray  # bool: the offer would change this customer's behaviour
    spend_lift: np.ndarray  # multiplicative lift for responders after the campaign
    campaign_day: int

    @property
    def effective_onset(self) -> np.ndarray:
        return np.where(self.treated, self.onset_if_treated, self.onset_if_control)

    def churned_within_window(self, onset: np.ndarray) -> np.ndarray:
        return onset <= self.campaign_day + EFFECT_WINDOW_DAYS


def run_campaign(pop: Population, timeline: Timeline, seed: int) -> CampaignOutcome:
    rng = np.random.default_rng([seed, STREAM_CAMPAIGN])
    n = len(pop)
    day = timeline.campaign_day
    onset = pop.churn_onset_day
    active = (pop.open_day <= day - 90) & (onset > day - 14)
    risk = np.where(active, pop.monthly_hazard * rng.lognormal(0, 0.3, n), -1.0)
    n_targets = int(active.sum() * AT_RISK_SHARE)
    participant = np.zeros(n, dtype=bool)
    if n_targets:
        participant[np.argsort(-risk, kind="stable")[:n_targets]] = True
    treated = participant & (rng.random(n) < TREATMENT_SHARE)

    prevent_prob = persona_array("campaign_prevent_prob")[pop.persona]
    responds = participant & (rng.random(n) < prevent_prob)
    imminent = (onset >= day - 14) & (onset <= day + EFFECT_WINDOW_DAYS)
    postponed = day + EFFECT_WINDOW_DAYS + rng.exponential(30.4 / pop.monthly_hazard)
    onset_if_treated = np.where(responds & imminent, np.minimum(postponed, NEVER), onset).astype(
        np.int32
    )
    spend_lift = np.where(responds, persona_array("campaign_spend_lift")[pop.persona], 0.0)
    return CampaignOutcome(
        participant=participant,
        treated=treated,
        onset_if_control=onset,
        onset_if_treated=onset_if_treated,
        responds=responds,
        spend_lift=spend_lift,
        campaign_day=day,
    )
