"""BG/NBD (purchase days, dropout) and Gamma-Gamma (spend per purchase day) with
PyMC-Marketing's CLV module, fitted by maximum a posteriori (MAP); no I/O here.

The priors are weakly informative (`priors`): heavy-tailed, scaled to the data's units, so
that on a few thousand customers the MAP point is within a fraction of a percent of maximum
likelihood (docs/clv_uplift.md, "Priors"). Parameter uncertainty comes from a Laplace
approximation around the MAP (`laplace_draws`); `predict_intervals` turns its draws into
per-customer intervals.
"""

import copy
import logging
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

# PyMC-Marketing's month is 30 days; `expected_customer_lifetime_value(future_t=12)` spans
# 360 days, and so does every "12 months" in c360's CLV.
DAYS_PER_MONTH = 30
HORIZON_MONTHS = 12
# The usual names: BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma (Fader & Hardie 2013).
BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")
# The free BG/NBD parameters: a = phi * kappa, b = (1 - phi) * kappa (PyMC-Marketing's own
# parametrisation: phi, the mean dropout probability, is what data pin down; kappa = a + b,
# how alike customers are, often is not - on card data its likelihood keeps rising slowly).
BG_NBD_FREE = ("r", "alpha", "phi_dropout", "kappa_dropout")
# Half-Cauchy scales: shapes (r, kappa, p, q) are unit-free; alpha is in the data's time unit
# and v in its money unit, so their scales follow the data (see `priors`).
SHAPE_SCALE = 100.0
UNIT_SCALE_MULTIPLE = 1000.0
INTERVAL_LEVEL = 0.9
INTERVAL_DRAWS = 200
PRIORS_TEXT = (
    "HalfCauchy(100) on r, kappa = a + b, p, q; Uniform(0, 1) on phi = a / (a + b); "
    "HalfCauchy(1000 x longest T) on alpha; "
    "HalfCauchy(1000 x mean spend per repeat purchase day) on v"
)


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
    """A fitted BG/NBD + Gamma-Gamma pair, their MAP parameters by their usual names and,
    once `laplace_draws` has run, the same models holding parameter draws instead."""

    purchases: object  # pymc_marketing.clv.BetaGeoModel
    spend: object  # pymc_marketing.clv.GammaGammaModel
    parameters: dict
    sampled: tuple | None = field(default=None, repr=False)  # (purchases, spend) with draws


def priors(rfm: pd.DataFrame) -> tuple[dict, dict]:
    """Weakly informative priors (BG/NBD config, Gamma-Gamma config) for `rfm`.

    Half-Cauchy: flat where the data speak (its log density changes by -2x/scale^2 per unit,
    negligible next to the likelihood of thousands of customers, so MAP ~ maximum
    likelihood), heavy-tailed so nothing is ruled out, and proper, so a degenerate fit
    (customers so alike in dropout that kappa -> infinity) still has a finite mode. phi is
    a probability: flat on (0, 1). alpha's scale is tied to the longest observation window
    and v's to the mean spend, so the same data in weeks or in cents get the same fit.
    """
    from pymc_extras.prior import Prior

    shape = Prior("HalfCauchy", beta=SHAPE_SCALE)
    window = max(float(rfm["T"].max()), 1.0)
    spend = rfm.loc[rfm["frequency"] > 0, "monetary_value"]
    money = max(float(spend.mean()), 1e-9) if len(spend) else 1.0
    purchases = {
        "r": shape,
        "alpha": Prior("HalfCauchy", beta=UNIT_SCALE_MULTIPLE * window),
        "phi_dropout": Prior("Uniform", lower=0, upper=1),
        "kappa_dropout": shape,
    }
    spending = {"p": shape, "q": shape, "v": Prior("HalfCauchy", beta=UNIT_SCALE_MULTIPLE * money)}
    return purchases, spending


def _start(rfm: pd.DataFrame) -> dict[str, float]:
    """Where the optimiser starts: a purchase rate of the data's mean (r = 1), an even
    dropout mix; the priors' own centres can be far from any data's optimum."""
    rate = max(float(rfm["frequency"].sum()) / max(float(rfm["T"].sum()), 1e-9), 1e-6)
    return {"r": 1.0, "alpha": 1.0 / rate, "phi_dropout": 0.5, "kappa_dropout": 1.0}


def _point(fitted, names: tuple[str, ...]) -> dict[str, float]:
    """MAP values at full precision (fit_summary rounds them)."""
    return {k: float(np.asarray(fitted.fit_result[k]).ravel()[0]) for k in names}


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
    purchase_priors, spend_priors = priors(rfm)
    with _quiet():
        purchases = beta_geo(model_config=purchase_priors)
        purchases.fit(data=data, method="map", progressbar=False, seed=seed, start=_start(rfm))
        spend = gamma_gamma(model_config=spend_priors)
        spend.fit(
            data=repeat[["customer_id", "frequency", "monetary_value"]].reset_index(drop=True),
            method="map",
            progressbar=False,
            seed=seed,
        )
        parameters = {
            "bg_nbd": _point(purchases, BG_NBD_PARAMETERS),
            "gamma_gamma": _point(spend, GAMMA_GAMMA_PARAMETERS),
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


def laplace_draws(model: ClvModel, draws: int = INTERVAL_DRAWS, seed: int = 42) -> str | None:
    """Draw the parameters from the Laplace approximation of each model's posterior: a normal
    in the models' unconstrained space (log, logit) centred on the MAP, with the inverse of
    the negative Hessian of the log posterior there as covariance. Sets `model.sampled`;
    returns None, or one line saying why there are no draws (a Hessian that is not negative
    definite: the mode is flat in some direction, so a normal approximation is meaningless)."""
    rng = np.random.default_rng(seed)
    sampled = []
    for fitted, free in ((model.purchases, BG_NBD_FREE), (model.spend, GAMMA_GAMMA_PARAMETERS)):
        try:
            sampled.append(_laplace(fitted, free, draws, rng))
        except np.linalg.LinAlgError:
            return f"no intervals: the {'/'.join(free)} posterior is flat at its mode"
    model.sampled = tuple(sampled)
    return None


def _laplace(fitted, free: tuple[str, ...], draws: int, rng: np.random.Generator):
    """A shallow copy of `fitted` whose posterior holds `draws` Laplace draws."""
    import arviz as az
    import pytensor.tensor as pt
    import xarray as xr

    pm_model = fitted.model
    rvs = [pm_model[name] for name in free]
    names = [pm_model.rvs_to_values[rv].name for rv in rvs]
    transforms = [pm_model.rvs_to_transforms[rv] for rv in rvs]
    mode = np.array(
        [
            float(tr.forward(pt.as_tensor(_point(fitted, (n,))[n]), *rv.owner.inputs).eval())
            for n, rv, tr in zip(free, rvs, transforms, strict=True)
        ]
    )
    with _quiet():
        # The log posterior's gradient in unconstrained space, without the Jacobian term as
        # find_MAP has it (compiling the symbolic Hessian costs far more than the few
        # gradients a difference needs). The MAP is a stationary point in the original
        # space, hence in unconstrained space too, so the Hessian there needs no Jacobian.
        gradient = pm_model.compile_dlogp(vars=rvs, jacobian=False)
    precision = -_hessian(lambda u: np.asarray(gradient(dict(zip(names, u, strict=True)))), mode)
    lower = np.linalg.cholesky((precision + precision.T) / 2)  # LinAlgError: not definite
    noise = rng.standard_normal((draws, len(free)))
    unconstrained = mode + np.linalg.solve(lower.T, noise.T).T  # covariance = precision^-1
    values = {
        n: np.asarray(tr.backward(pt.as_tensor(unconstrained[:, i]), *rv.owner.inputs).eval())
        for i, (n, rv, tr) in enumerate(zip(free, rvs, transforms, strict=True))
    }
    if "phi_dropout" in values:
        values["a"] = values["phi_dropout"] * values["kappa_dropout"]
        values["b"] = (1 - values["phi_dropout"]) * values["kappa_dropout"]
    posterior = xr.Dataset(
        {n: (("chain", "draw"), v[None, :]) for n, v in values.items()},
        coords={"chain": [0], "draw": np.arange(draws)},
    )
    sampled = copy.copy(fitted)
    sampled.idata = az.InferenceData(posterior=posterior)
    return sampled


def _hessian(gradient, at: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central differences of `gradient` (log space: a relative step in each parameter)."""
    columns = []
    for i in range(len(at)):
        shift = np.zeros(len(at))
        shift[i] = step
        columns.append((gradient(at + shift) - gradient(at - shift)) / (2 * step))
    return np.column_stack(columns)


@dataclass
class Intervals:
    """Per-customer equal-tailed intervals and the portfolio total's, at `level`."""

    customers: pd.DataFrame  # customer_id, probability_alive_low/high, clv_low/high
    total_clv: tuple[float, float]
    level: float
    draws: int


def predict_intervals(
    model: ClvModel,
    rfm: pd.DataFrame,
    months: int = HORIZON_MONTHS,
    discount_rate: float = 0.0,
    level: float = INTERVAL_LEVEL,
    chunk: int = 10_000,
) -> Intervals:
    """Probability alive and `months`-month CLV under each Laplace draw (PyMC-Marketing's own
    predictions, evaluated draw by draw), summarised as equal-tailed intervals. They show
    how uncertain the expected values are given the data, not the spread of what a customer
    will actually spend. Customers go through in chunks to bound memory."""
    if model.sampled is None:
        raise ValueError("no parameter draws: call laplace_draws first")
    purchases, spend = model.sampled
    data = rfm[["customer_id", "frequency", "recency", "T", "monetary_value"]].reset_index(
        drop=True
    )
    tails = [(1 - level) / 2, (1 + level) / 2]
    parts, totals = [], 0.0
    with _quiet():
        for start in range(0, len(data), chunk):
            part = data.iloc[start : start + chunk]
            alive = _draws(purchases.expected_probability_alive(part))
            clv = _draws(
                spend.expected_customer_lifetime_value(
                    transaction_model=purchases,
                    data=part,
                    future_t=months,
                    discount_rate=discount_rate,
                    time_unit="D",
                )
            )
            totals = totals + clv.sum(axis=1)
            alive_q, clv_q = np.quantile(alive, tails, axis=0), np.quantile(clv, tails, axis=0)
            parts.append(
                pd.DataFrame(
                    {
                        "customer_id": part["customer_id"].to_numpy(),
                        "probability_alive_low": alive_q[0],
                        "probability_alive_high": alive_q[1],
                        "clv_low": clv_q[0],
                        "clv_high": clv_q[1],
                    }
                )
            )
    low, high = np.quantile(totals, tails)
    return Intervals(
        customers=pd.concat(parts, ignore_index=True),
        total_clv=(float(low), float(high)),
        level=level,
        draws=len(totals),
    )


def _draws(array) -> np.ndarray:
    """A (chain, draw, customer) DataArray as (draw, customer)."""
    values = np.asarray(array)
    return values.reshape(-1, values.shape[-1])
