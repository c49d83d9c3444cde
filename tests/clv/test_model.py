"""BG/NBD + Gamma-Gamma through PyMC-Marketing (MAP) on data simulated from the model."""

import numpy as np
import pandas as pd
import pytest

from c360.clv.model import fit_clv, predict_clv


def simulated_rfm(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """Customers who buy at a Gamma-distributed daily rate and drop out after a purchase with
    a Beta-distributed probability, observed for 300 days; spend ~ Gamma per customer."""
    rng = np.random.default_rng(seed)
    rows = []
    rate = rng.gamma(2.0, 0.05, n)
    drop = rng.beta(1.0, 20.0, n)
    mean_spend = rng.gamma(4.0, 25.0, n)
    for i in range(n):
        t, days, alive = 0.0, [0.0], True
        while alive:
            t += rng.exponential(1 / rate[i])
            if t > 300:
                break
            days.append(t)
            alive = rng.random() > drop[i]
        spend = rng.gamma(10.0, mean_spend[i] / 10.0, len(days) - 1)
        rows.append(
            {
                "customer_id": f"C{i:04d}",
                "frequency": len(days) - 1,
                "recency": days[-1],
                "T": 300.0,
                "monetary_value": float(spend.mean()) if len(spend) else 0.0,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def fitted():
    rfm = simulated_rfm()
    return rfm, fit_clv(rfm, seed=1)


def test_fit_recovers_sensible_parameters(fitted):
    _, model = fitted
    bg = model.parameters["bg_nbd"]
    assert set(bg) == {"r", "alpha", "a", "b"}
    # mean purchase rate r / alpha ~ the simulated 0.1 a day
    assert 0.05 < bg["r"] / bg["alpha"] < 0.2
    assert set(model.parameters["gamma_gamma"]) == {"p", "q", "v"}


def test_predictions_order_customers_sensibly(fitted):
    rfm, model = fitted
    out = predict_clv(model, rfm, horizon_days=360).merge(rfm, on="customer_id")
    assert out["probability_alive"].between(0, 1).all()
    assert (out["clv"] >= 0).all()
    # if alive now, at least the expected value; equal for customers surely alive
    assert (out["clv_if_retained"] >= out["clv"] * 0.999).all()
    ratio = out["clv"] / out["clv_if_retained"]
    assert np.allclose(ratio, out["probability_alive"], rtol=1e-4)
    expected = out["expected_transactions"] * out["expected_spend_per_transaction"]
    assert np.allclose(out["clv"], expected, rtol=1e-6)
    # same history, one bought recently and one long ago: the recent one is more alive
    pair = pd.DataFrame(
        {
            "customer_id": ["recent", "lapsed"],
            "frequency": [10, 10],
            "recency": [295.0, 100.0],
            "T": [300.0, 300.0],
            "monetary_value": [80.0, 80.0],
        }
    )
    both = predict_clv(model, pair, horizon_days=90).set_index("customer_id")
    assert both.loc["recent", "probability_alive"] > both.loc["lapsed", "probability_alive"]
    assert both.loc["recent", "expected_transactions"] > both.loc["lapsed", "expected_transactions"]
    # the more frequent buyers are expected to buy more
    top = out.nlargest(40, "frequency")["expected_transactions"].mean()
    bottom = out.nsmallest(40, "frequency")["expected_transactions"].mean()
    assert top > 2 * bottom


def test_too_few_customers_is_a_clear_error():
    with pytest.raises(ValueError, match="too few"):
        fit_clv(simulated_rfm(n=5))


def test_intervals_need_draws_first():
    from c360.clv.model import predict_intervals

    rfm = simulated_rfm(n=50, seed=4)
    with pytest.raises(ValueError, match="laplace_draws"):
        predict_intervals(fit_clv(rfm, seed=1), rfm)


def test_priors_follow_the_data_units():
    """The same customers in weeks and in days: alpha scales by 7, the rest is unchanged."""
    from c360.clv.model import priors

    days = simulated_rfm(n=30, seed=5)
    weeks = days.assign(recency=days["recency"] / 7, T=days["T"] / 7)
    in_days, in_weeks = priors(days)[0], priors(weeks)[0]
    assert in_days["alpha"].parameters["beta"] == pytest.approx(
        7 * in_weeks["alpha"].parameters["beta"]
    )
    assert in_days["r"].parameters == in_weeks["r"].parameters
    cents = days.assign(monetary_value=days["monetary_value"] * 100)
    assert priors(cents)[1]["v"].parameters["beta"] == pytest.approx(
        100 * priors(days)[1]["v"].parameters["beta"]
    )
