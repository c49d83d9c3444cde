"""Train the churn model out of time and compare it with two baselines on the same split.

Roles come from `ml.churn_cutoffs`: stacked monthly `train` cutoffs, a later
`calibration` cutoff (isotonic map), and the latest complete cutoff as the `test`.
Their outcome windows do not overlap the next role's cutoff, so nothing from the test
period reaches training.
"""

from dataclasses import dataclass
from importlib.metadata import version

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, QuantileTransformer

from c360.ml.dataset import CATEGORICAL, DatasetError, feature_columns
from c360.ml.metrics import classification_report
from c360.ml.model import ChurnModel

RECENCY_FEATURE = "days_since_last_txn"
LEAK_AUC = 0.97
BOOST_ROUNDS = 300
MIN_ROWS = 50
# One train cutoff needs 3 outcome windows of 90 days after it (test, calibration, its own),
# and the 180-day feature window before it: dbt vars ml_outcome_days, ml_max_window_days.
MIN_HISTORY_DAYS = 3 * 90 + 180


def lgb_params(seed: int) -> dict:
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 100,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "verbosity": -1,
    }


@dataclass
class Split:
    train: pd.DataFrame
    calibration: pd.DataFrame
    test: pd.DataFrame


def split_by_role(frame: pd.DataFrame) -> Split:
    labelled = frame[frame["is_eligible"].fillna(False).astype(bool) & frame["churned"].notna()]
    parts = {role: labelled[labelled["cutoff_role"] == role] for role in
             ("train", "calibration", "test")}  # fmt: skip
    for role, part in parts.items():
        if len(part) == 0:
            raise DatasetError(
                f"too little history: no {role} cutoff fits; churn training needs at least "
                f"{MIN_HISTORY_DAYS} days of transactions before the as-of date"
            )
        if len(part) < MIN_ROWS:
            raise DatasetError(
                f"too little history: {len(part)} labelled rows for the {role} cutoff(s), "
                f"at least {MIN_ROWS} needed; supply more customers or a longer history"
            )
        if part["churned"].nunique() < 2:
            raise DatasetError(f"the {role} set has a single class; cannot train or evaluate")
    return Split(**parts)


@dataclass
class TrainResult:
    model: ChurnModel
    report: dict
    holdout: pd.DataFrame  # the out-of-time test rows: keys, churned, probability


def informative(frame: pd.DataFrame, features: list[str]) -> list[str]:
    """The features that vary in `frame`: one with no values, or a single one, comes from
    an input the data lacks (no customers file: no age, no credit limit) and is left out."""
    return [f for f in features if frame[f].nunique(dropna=True) > 1]


def train_churn_model(frame: pd.DataFrame, seed: int = 42) -> TrainResult:
    offered = feature_columns(frame)
    split = split_by_role(frame)
    features = informative(split.train, offered)
    y_train = split.train["churned"].astype(int)
    categorical = [c for c in CATEGORICAL if c in features]
    data = lgb.Dataset(split.train[features], y_train, categorical_feature=categorical)
    booster = lgb.train(lgb_params(seed), data, num_boost_round=BOOST_ROUNDS)

    raw_calibration = booster.predict(split.calibration[features])
    isotonic = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    isotonic.fit(raw_calibration, split.calibration["churned"].astype(int))
    model = ChurnModel(
        booster=booster,
        features=features,
        calibration_x=[float(v) for v in isotonic.X_thresholds_],
        calibration_y=[float(v) for v in isotonic.y_thresholds_],
    )

    y_test = split.test["churned"].astype(int).to_numpy()
    probability = model.probability(split.test)
    report = {
        "cutoffs": {
            role: sorted(str(d.date()) for d in pd.to_datetime(part["cutoff_date"].unique()))
            for role, part in vars(split).items()
        },
        "rows": {role: len(part) for role, part in vars(split).items()},
        "lightgbm": classification_report(y_test, probability),
        "logistic_regression": classification_report(
            y_test, _logistic_baseline(split, features, seed), calibrated=True
        ),
        "recency_rule": classification_report(
            y_test, split.test[RECENCY_FEATURE].fillna(10_000).to_numpy(), calibrated=False
        ),
        "max_single_feature_auc": _max_single_feature_auc(split.test, features, y_test),
        "top_features": _top_features(booster),
        "features_used": features,
        "features_left_out": [f for f in offered if f not in features],
    }
    report["lift_over_recency_auc"] = round(
        report["lightgbm"]["roc_auc"] - report["recency_rule"]["roc_auc"], 4
    )
    report["suspected_leak"] = report["lightgbm"]["roc_auc"] > LEAK_AUC
    model.metadata = {
        "seed": seed,
        "metrics": report,
        "versions": {lib: version(lib) for lib in ("lightgbm", "scikit-learn", "numpy", "c360")},
    }
    holdout = split.test[["customer_id", "cutoff_date", "churned"]].assign(probability=probability)
    return TrainResult(model=model, report=report, holdout=holdout.reset_index(drop=True))


def _logistic_baseline(split: Split, features: list[str], seed: int) -> np.ndarray:
    categorical = [c for c in CATEGORICAL if c in features]
    numeric = [c for c in features if c not in categorical]
    pipeline = make_pipeline(
        ColumnTransformer(
            [
                # heavy-tailed spend and ratio features: rank-normalise, or a few extreme
                # values dominate the linear fit
                (
                    "num",
                    make_pipeline(
                        SimpleImputer(strategy="median", add_indicator=True),
                        QuantileTransformer(output_distribution="normal", random_state=seed),
                    ),
                    numeric,
                ),
                ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ]
        ),
        LogisticRegression(solver="newton-cholesky", max_iter=200, random_state=seed),
    )
    train = split.train[features].copy()
    test = split.test[features].copy()
    for column in categorical:
        train[column] = train[column].astype(str)
        test[column] = test[column].astype(str)
    pipeline.fit(train, split.train["churned"].astype(int))
    return pipeline.predict_proba(test)[:, 1]


def _max_single_feature_auc(test: pd.DataFrame, features: list[str], y: np.ndarray) -> dict:
    best = {"feature": None, "auc": 0.0}
    for feature in features:
        if feature in CATEGORICAL:
            continue
        values = test[feature].astype(float).fillna(test[feature].astype(float).median())
        if values.nunique() < 2:
            continue
        auc = roc_auc_score(y, values)
        auc = max(auc, 1 - auc)
        if auc > best["auc"]:
            best = {"feature": feature, "auc": round(float(auc), 4)}
    return best


def _top_features(booster: lgb.Booster, n: int = 10) -> list[dict]:
    gains = booster.feature_importance(importance_type="gain")
    total = gains.sum() or 1.0
    order = np.argsort(-gains)[:n]
    names = booster.feature_name()
    return [{"feature": names[i], "gain_share": round(float(gains[i] / total), 4)} for i in order]
