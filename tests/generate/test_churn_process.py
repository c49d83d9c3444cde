"""The hidden churn process: rates, shapes and the campaign's effect, from `_truth`."""

from datetime import date

import numpy as np
import pytest

from c360.generate.campaign import run_campaign
from c360.generate.population import CHURN_TYPES, NEVER, build_population
from c360.generate.timeline import Timeline

TIMELINE = Timeline.ending(date(2025, 12, 31))


@pytest.fixture(scope="module")
def population():
    pop = build_population(20_000, TIMELINE, seed=11)
    return pop, run_campaign(pop, TIMELINE, seed=11)


@pytest.mark.parametrize("window_start", [90, 270, 450, 630])
def test_any_90_day_window_churns_3_to_8_percent_of_active_customers(population, window_start):
    pop, campaign = population
    onset = campaign.effective_onset
    active = (pop.open_day < window_start) & (onset >= window_start)
    churned = active & (onset < window_start + 90)
    assert 0.03 <= churned.sum() / active.sum() <= 0.08


def test_most_churners_decline_before_stopping_some_stop_suddenly(population):
    pop, campaign = population
    churners = campaign.effective_onset < TIMELINE.n_days
    kinds = np.bincount(pop.churn_type[churners], minlength=len(CHURN_TYPES)) / churners.sum()
    gradual, stepwise, sudden = kinds
    assert gradual + stepwise > 0.6
    assert 0.05 < sudden < 0.35
    assert ((pop.churn_duration >= 30) & (pop.churn_duration <= 120)).all()
    reactivating = (pop.reactivation_day < NEVER) & churners
    assert 0.01 < reactivating.sum() / churners.sum() < 0.2


def test_campaign_effect_prevents_churn_only_for_treated_and_differs_by_persona(population):
    pop, campaign = population
    changed = campaign.onset_if_treated != campaign.onset_if_control
    assert changed.any()
    assert not (changed & ~campaign.participant).any()
    effective = campaign.effective_onset
    assert (effective[~campaign.treated] == campaign.onset_if_control[~campaign.treated]).all()
    prevented = campaign.churned_within_window(
        campaign.onset_if_control
    ) & ~campaign.churned_within_window(campaign.onset_if_treated)
    rate_by_persona = [
        prevented[campaign.participant & (pop.persona == p)].mean() for p in range(5)
    ]
    assert max(rate_by_persona) > 2 * min(rate_by_persona)
