"""Qini curve and area on rankings whose answer is known."""

import numpy as np
import pytest

from c360.uplift.qini import downsample, qini_area, qini_curve

# 8 customers: treated ones 0-3, control 4-7. Customers 0 and 1 are kept by the offer
# (retained when treated); their control twins 4 and 5 left; 2/3 and 6/7 always stay.
TREATED = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
RETAINED = np.array([1, 1, 1, 1, 0, 0, 1, 1], dtype=float)
GOOD = np.array([9, 8, 2, 1, 9, 8, 2, 1], dtype=float)  # persuadables first


def test_curve_counts_incremental_customers():
    curve = qini_curve(GOOD, TREATED, RETAINED)
    assert len(curve) == 9 and curve["fraction"].iloc[-1] == 1.0
    # whole group: 4 treated retained - 2 control retained x 4/4 = 2 extra customers
    assert curve["incremental"].iloc[-1] == pytest.approx(2 / 8)
    # top 4 = customers 0, 4, 1, 5: 2 treated retained, 0 control retained
    assert curve["incremental"].iloc[4] == pytest.approx(2 / 8)


def test_good_ranking_beats_random_and_bad_ranking_loses():
    good = qini_area(qini_curve(GOOD, TREATED, RETAINED))
    bad = qini_area(qini_curve(-GOOD, TREATED, RETAINED))
    assert good > 0 > bad


def test_random_rankings_average_near_zero():
    rng = np.random.default_rng(0)
    n = 4_000
    treated = rng.random(n) < 0.5
    retained = (rng.random(n) < 0.6 + 0.05 * treated).astype(float)
    areas = [qini_area(qini_curve(rng.random(n), treated, retained)) for _ in range(20)]
    assert abs(np.mean(areas)) < 0.003


def test_downsample_keeps_the_ends():
    curve = qini_curve(np.arange(1000.0), np.arange(1000) % 2 == 0, np.ones(1000))
    points = downsample(curve, points=11)
    assert len(points) == 11
    assert points[0]["fraction"] == 0.0 and points[-1]["fraction"] == 1.0
