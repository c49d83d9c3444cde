"""T- and X-learners for the effect of a randomised offer on a yes/no outcome (LightGBM).

T-learner: one classifier per arm; uplift = P(y | x, treated) - P(y | x, control).
X-learner (Kuenzel et al. 2019): the T-learner's models impute each customer's effect
(treated: y - m0(x); control: m1(x) - y), a regressor per arm learns those, and the two are
blended with the propensity g (known here: assignment was random, g = share treated):
uplift = g * tau0(x) + (1 - g) * tau1(x).
"""

from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd

LEARNERS = ("t", "x")


def _params(n: int, seed: int) -> dict:
    """Small, regularised trees; leaves need enough customers to estimate a rate."""
    return {
        "n_estimators": 200,
        "learning_rate": 0.03,
        "num_leaves": 15,
        "min_child_samples": max(5, min(100, n // 40)),
        "subsample": 0.8,
        "subsample_freq": 1,
        "colsample_bytree": 0.8,
        "reg_lambda": 1.0,
        "random_state": seed,
        "n_jobs": 1,  # a few thousand rows: threads cost more than they save
        "verbose": -1,
    }


@dataclass
class UpliftModel:
    learner: str
    features: list[str]
    propensity: float
    models: dict = field(default_factory=dict)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted change in P(outcome) if treated, per row."""
        x = frame[self.features]
        if self.learner == "t":
            return _proba(self.models["m1"], x) - _proba(self.models["m0"], x)
        g = self.propensity
        return g * self.models["tau0"].predict(x) + (1 - g) * self.models["tau1"].predict(x)


def _proba(model: lgb.LGBMClassifier, x: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(x)[:, 1]


def _classifier(x: pd.DataFrame, y: np.ndarray, seed: int) -> lgb.LGBMClassifier:
    if len(np.unique(y)) < 2:
        raise ValueError("an arm has only one outcome value; cannot fit a classifier")
    return lgb.LGBMClassifier(**_params(len(x), seed)).fit(x, y)


def fit_uplift(
    frame: pd.DataFrame,
    features: list[str],
    learner: str = "x",
    treatment: str = "treated",
    outcome: str = "retained",
    seed: int = 42,
) -> UpliftModel:
    """Fit a T- or X-learner on participants with a boolean treatment and outcome."""
    if learner not in LEARNERS:
        raise ValueError(f"unknown learner {learner!r}; choose one of {', '.join(LEARNERS)}")
    treated = frame[treatment].to_numpy(dtype=bool)
    y = frame[outcome].to_numpy(dtype=float)
    if treated.all() or not treated.any():
        raise ValueError("uplift needs both treated and control customers")
    x = frame[features]
    x1, y1, x0, y0 = x[treated], y[treated], x[~treated], y[~treated]
    m1 = _classifier(x1, y1, seed)
    m0 = _classifier(x0, y0, seed + 1)
    model = UpliftModel(learner, list(features), float(treated.mean()), {"m1": m1, "m0": m0})
    if learner == "x":
        d1 = y1 - _proba(m0, x1)
        d0 = _proba(m1, x0) - y0
        model.models["tau1"] = lgb.LGBMRegressor(**_params(len(x1), seed + 2)).fit(x1, d1)
        model.models["tau0"] = lgb.LGBMRegressor(**_params(len(x0), seed + 3)).fit(x0, d0)
    return model
