"""The campaign effect estimators: intervals cover known effects on synthetic data."""

import math

import numpy as np
import pandas as pd
import pytest

from c360.campaigns.effect import (
    campaign_effects,
    difference_in_means,
    difference_in_proportions,
    wilson_interval,
)


def test_wilson_interval_matches_a_published_value():
    # Newcombe (1998), example: 81 successes out of 263 -> 0.2553 to 0.3662
    low, high = wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=1e-4)
    assert high == pytest.approx(0.3662, abs=1e-4)


def test_newcombe_difference_matches_a_published_value():
    # Newcombe (1998) method 10, example (a): 56/70 vs 48/80 -> 0.0524 to 0.3339
    treated = [True] * 56 + [False] * 14
    control = [True] * 48 + [False] * 32
    effect = difference_in_proportions(treated, control)
    assert effect.difference == pytest.approx(0.2)
    assert effect.ci_low == pytest.approx(0.0524, abs=1e-4)
    assert effect.ci_high == pytest.approx(0.3339, abs=1e-4)
    assert effect.significant


def test_retention_interval_covers_a_known_effect_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    true_control, true_effect = 0.80, 0.06
    covered = 0
    trials = 400
    for _ in range(trials):
        treated = rng.random(300) < true_control + true_effect
        control = rng.random(300) < true_control
        effect = difference_in_proportions(treated, control)
        covered += effect.ci_low <= true_effect <= effect.ci_high
    assert 0.92 <= covered / trials <= 0.98


def test_spend_interval_covers_a_known_effect_about_95_percent_of_the_time():
    rng = np.random.default_rng(12)
    true_effect = 250.0
    covered = 0
    trials = 400
    for _ in range(trials):
        control = rng.lognormal(8, 1, 200)
        treated = rng.lognormal(8, 1, 150) + true_effect
        effect = difference_in_means(treated, control)
        covered += effect.ci_low <= true_effect <= effect.ci_high
    assert 0.92 <= covered / trials <= 0.98


def test_a_large_experiment_finds_the_effect_and_a_null_one_does_not():
    rng = np.random.default_rng(13)
    strong = difference_in_proportions(rng.random(20_000) < 0.9, rng.random(20_000) < 0.8)
    assert strong.significant and strong.ci_low > 0.08 and strong.ci_high < 0.12
    null = difference_in_proportions(rng.random(500) < 0.8, rng.random(500) < 0.8)
    assert null.ci_low < 0 < null.ci_high


def test_empty_or_tiny_groups_give_no_interval():
    assert math.isnan(difference_in_proportions([], [True]).ci_low)
    assert math.isnan(difference_in_means([1.0], [2.0, 3.0]).ci_low)
    constant = difference_in_means([5.0, 5.0], [3.0, 3.0])
    assert constant.difference == constant.ci_low == constant.ci_high == 2.0


def test_campaign_effects_overall_and_by_segment():
    rng = np.random.default_rng(15)
    n = 4_000
    group = np.where(rng.random(n) < 0.5, "treatment", "control")
    segment = rng.choice(["A", "B", "Tiny"], n, p=[0.6, 0.398, 0.002])
    lift = np.where(segment == "A", 0.10, 0.0)
    retained = rng.random(n) < 0.8 + np.where(group == "treatment", lift, 0)
    spend = rng.normal(1000, 100, n) + np.where(group == "treatment", 50, 0)
    outcomes = pd.DataFrame(
        {"assignment_group": group, "segment": segment, "retained": retained, "spend_after": spend}
    )
    overall = campaign_effects(outcomes).set_index("metric")
    assert overall.loc["retained", "ci_low"] < 0.06 < overall.loc["retained", "ci_high"]
    assert overall.loc["spend_after", "ci_low"] < 50 < overall.loc["spend_after", "ci_high"]

    by_segment = campaign_effects(outcomes, by="segment").set_index(["group", "metric"])
    a = by_segment.loc[("A", "retained")]
    b = by_segment.loc[("B", "retained")]
    assert a["ci_low"] < 0.10 < a["ci_high"] and a["significant"]
    assert b["ci_low"] < 0 < b["ci_high"]
    assert math.isnan(by_segment.loc[("Tiny", "retained"), "ci_low"])
