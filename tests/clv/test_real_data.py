"""CLV on a real transaction log (CDNOW, shipped in the `lifetimes` wheel): the loader, the
parameters against the published ones, MAP against maximum likelihood (lifetimes' own
fitters), and the Laplace spread against lifetimes' standard errors."""

import warnings

import numpy as np
import pandas as pd
import pytest

from c360.clv.model import fit_clv, laplace_draws, predict_clv, predict_intervals
from tests.clv.real_data import (
    CALIBRATION_END,
    CUSTOMERS,
    PURCHASES,
    published_summary,
    rfm_summary,
    write_transactions_csv,
)

DAYS_PER_WEEK = 7.0
# Fader, Hardie & Lee (2005), BG/NBD on this sample, weeks; Fader & Hardie (2013),
# Gamma-Gamma on its 946 repeat buyers.
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
# Published values are rounded to 3 significant figures; the MAP must be this close.
PUBLISHED_TOLERANCE = 0.01
# MAP with c360's priors against maximum likelihood on the same 2,357 customers.
MLE_TOLERANCE = 0.005


@pytest.fixture(scope="module")
def transactions_csv(tmp_path_factory):
    return write_transactions_csv(tmp_path_factory.mktemp("cdnow") / "cdnow_transactions.csv")


@pytest.fixture(scope="module")
def calibration(transactions_csv) -> pd.DataFrame:
    frame = pd.read_csv(transactions_csv, parse_dates=["transaction_date"])
    frame["transaction_date"] = frame["transaction_date"].dt.date
    return rfm_summary(frame, CALIBRATION_END)


@pytest.fixture(scope="module")
def fitted(calibration):
    return fit_clv(calibration, seed=7)


@pytest.fixture(scope="module")
def mle(calibration):
    """lifetimes' maximum-likelihood fits (no penalty) on the same summary, in days."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    repeat = calibration[calibration["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bg = BetaGeoFitter(penalizer_coef=0.0).fit(
            calibration["frequency"], calibration["recency"], calibration["T"]
        )
        gg = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
    return bg, gg


def test_loader_writes_the_whole_log_as_a_transactions_csv(transactions_csv):
    frame = pd.read_csv(transactions_csv)
    assert list(frame.columns) == ["customer_id", "transaction_date", "amount"]
    assert len(frame) == PURCHASES
    assert frame["customer_id"].nunique() == CUSTOMERS
    assert frame["transaction_date"].min() == "1997-01-01"
    assert frame["transaction_date"].max() == "1998-06-30"
    assert (frame["amount"] >= 0).all()


def test_summary_reproduces_the_published_calibration_summary(calibration):
    """Purchase days, recency and tenure in days, as c360's RFM counts them, are exactly
    FHL's summary (weeks, two decimals); spend per repeat day is their zbar."""
    both = calibration.merge(published_summary(), on="customer_id", suffixes=("", "_pub"))
    assert len(both) == CUSTOMERS
    assert (both["frequency"] == both["x"]).all()
    assert np.allclose(both["recency"] / DAYS_PER_WEEK, both["t_x"], atol=0.006)
    assert np.allclose(both["T"] / DAYS_PER_WEEK, both["T_pub"], atol=0.006)
    repeat = both[both["x"] > 0]
    assert len(repeat) == 946
    assert np.allclose(repeat["monetary_value"], repeat["zbar"], atol=0.006)


def _weekly(parameters: dict) -> dict:
    return parameters | {"alpha": parameters["alpha"] / DAYS_PER_WEEK}


def test_parameters_match_the_published_values(fitted):
    bg = _weekly(fitted.parameters["bg_nbd"])
    for name, value in PUBLISHED_BG_NBD.items():
        assert bg[name] == pytest.approx(value, rel=PUBLISHED_TOLERANCE), name
    gg = fitted.parameters["gamma_gamma"]
    for name, value in PUBLISHED_GAMMA_GAMMA.items():
        assert gg[name] == pytest.approx(value, rel=PUBLISHED_TOLERANCE), name


def test_map_is_within_half_a_percent_of_maximum_likelihood(fitted, mle):
    bg, gg = mle
    for name in ("r", "alpha", "a", "b"):
        assert fitted.parameters["bg_nbd"][name] == pytest.approx(
            bg.params_[name], rel=MLE_TOLERANCE
        ), name
    for name in ("p", "q", "v"):
        assert fitted.parameters["gamma_gamma"][name] == pytest.approx(
            gg.params_[name], rel=MLE_TOLERANCE
        ), name


def test_laplace_spread_matches_the_mle_standard_errors(calibration, mle):
    """The draws' standard deviations against lifetimes' standard errors (inverse Hessian of
    the negative log-likelihood): the same curvature, found independently."""
    model = fit_clv(calibration, seed=7)
    assert laplace_draws(model, draws=4000, seed=3) is None
    purchases, spend = model.sampled
    bg, gg = mle
    for fitted, reference, names in (
        (purchases, bg, ("r", "alpha", "a", "b")),
        (spend, gg, ("p", "q", "v")),
    ):
        errors = reference.standard_errors_
        for name in names:
            spread = float(np.asarray(fitted.fit_result[name]).std())
            # lognormal draws are skewed; their SD is within 25% of the symmetric SE
            assert spread == pytest.approx(errors[name], rel=0.25), name


def test_intervals_hold_the_point_estimates(fitted, calibration):
    assert laplace_draws(fitted, draws=200, seed=1) is None
    point = predict_clv(fitted, calibration, horizon_days=360)
    found = predict_intervals(fitted, calibration, months=12, level=0.9)
    both = point.merge(found.customers, on="customer_id").merge(calibration, on="customer_id")
    assert len(both) == CUSTOMERS
    inside = (both["clv"] >= both["clv_low"] * 0.999) & (both["clv"] <= both["clv_high"] * 1.001)
    assert inside.mean() > 0.99
    assert (both["probability_alive_low"] <= both["probability_alive_high"]).all()
    assert both["probability_alive_high"].le(1.0).all()
    low, high = found.total_clv
    assert low < both["clv"].sum() < high
    assert (both["clv_high"] > both["clv_low"]).mean() > 0.99
    assert found.level == 0.9 and found.draws == 200
