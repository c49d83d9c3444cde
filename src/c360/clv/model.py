"""BG/NBD (purchase days, dropout) and Gamma-Gamma (spend per purchase day) with
PyMC-Marketing's CLV module, fitted by maximum a posteriori (MAP); no I/O here.

The MAP fit gives one point estimate per parameter (a posterior with one chain and one
draw); predictions are therefore point predictions per customer.
"""

import logging
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

# PyMC-Marketing's month is 30 days; `expected_customer_lifetime_value(future_t=12)` spans
# 360 days, and so does every "12 months" in c360's CLV.
DAYS_PER_MONTH = 30
HORIZON_MONTHS = 12


@contextmanager
def _quiet():
    """PyMC and PyTensor print progress, compiler notes and future warnings; keep the CLI
    output to c360's own lines."""
    loggers = [logging.getLogger(n) for n in ("pymc", "pytensor", "pymc_marketing")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _import_models():
    os.environ.setdefault("PYTENSOR_FLAGS", "")
    with _quiet():
        from pymc_marketing.clv import BetaGeoModel, GammaGammaModel
    return BetaGeoModel, GammaGammaModel


@dataclass
class ClvModel:
    """A fitted BG/NBD + Gamma-Gamma pair and their MAP parameters."""

    purchases: object  # pymc_marketing.clv.BetaGeoModel
    spend: object  # pymc_marketing.clv.GammaGammaModel
    parameters: dict


def _values(array) -> np.ndarray:
    """A (chain, draw, customer) or (customer,) DataArray from a MAP fit as one vector."""
    values = np.asarray(array)
    return values.reshape(-1, values.shape[-1])[0] if values.ndim > 1 else values


def fit_clv(rfm: pd.DataFrame, seed: int = 42) -> ClvModel:
    """Fit both models on an RFM summary (see c360.clv.rfm); MAP, seeded."""
    if len(rfm) < 10:
        raise ValueError(f"too few customers with purchases to fit CLV ({len(rfm)})")
    beta_geo, gamma_gamma = _import_models()
    data = rfm[["customer_id", "frequency", "recency", "T"]].reset_index(drop=True)
    repeat = rfm[(rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)]
    if len(repeat) < 10:
        raise ValueError(f"too few repeat customers to fit spend ({len(repeat)})")
    with _quiet():
        purchases = beta_geo()
        purchases.fit(data=data, method="map", progressbar=False, seed=seed)
        spend = gamma_gamma()
        spend.fit(
            data=repeat[["customer_id", "frequency", "monetary_value"]].reset_index(drop=True),
            method="map",
            progressbar=False,
            seed=seed,
        )
        parameters = {
            "bg_nbd": {k: float(v) for k, v in purchases.fit_summary().items()},
            "gamma_gamma": {k: float(v) for k, v in spend.fit_summary().items()},
        }
    return ClvModel(purchases=purchases, spend=spend, parameters=parameters)


def predict_clv(
    model: ClvModel, rfm: pd.DataFrame, horizon_days: int, discount_rate: float = 0.0
) -> pd.DataFrame:
    """Per customer: P(alive), expected purchase days and spend over `horizon_days`.

    `clv` (spend over the horizon) comes from PyMC-Marketing's
    `expected_customer_lifetime_value` when the horizon is whole 30-day months, with a
    monthly `discount_rate`; `clv_if_retained` is what the customer is expected to spend
    (undiscounted) if they are still active today: BG/NBD's expected purchases given alive
    (the factor of the conditional expectation that P(alive) multiplies) times spend.
    """
    data = rfm[["customer_id", "frequency", "recency", "T", "monetary_value"]].reset_index(
        drop=True
    )
    with _quiet():
        alive = _values(model.purchases.expected_probability_alive(data))
        transactions = _values(model.purchases.expected_purchases(data, future_t=horizon_days))
        per_day = _values(model.spend.expected_customer_spend(data))
        months, rest = divmod(horizon_days, DAYS_PER_MONTH)
        if rest == 0 and months > 0:
            clv = _values(
                model.spend.expected_customer_lifetime_value(
                    transaction_model=model.purchases,
                    data=data,
                    future_t=months,
                    discount_rate=discount_rate,
                    time_unit="D",
                )
            )
        else:
            clv = transactions * per_day
    return pd.DataFrame(
        {
            "customer_id": data["customer_id"].to_numpy(),
            "probability_alive": alive,
            "expected_transactions": transactions,
            "expected_spend_per_transaction": per_day,
            "clv": clv,
            "clv_if_retained": purchases_if_alive(model, data, horizon_days) * per_day,
        }
    )


def purchases_if_alive(model: ClvModel, data: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """BG/NBD expected purchases in the next `horizon_days` for a customer who is alive now
    (Fader, Hardie & Lee 2005, eq. 10 without the P(alive) factor); it still allows for
    dropping out later. Computed directly: dividing by a tiny P(alive) is unstable."""
    posterior = model.purchases.fit_result
    a, b, alpha, r = (float(np.asarray(posterior[k]).ravel()[0]) for k in ("a", "b", "alpha", "r"))
    x = data["frequency"].to_numpy(dtype=float)
    big_t = data["T"].to_numpy(dtype=float)
    t = float(horizon_days)
    tail = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, t / (alpha + big_t + t)
    )
    return (a + b + x - 1) / (a - 1) * (1 - tail)
