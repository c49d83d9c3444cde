"""Score every customer at the as-of date: probability, 0-100 risk score, tier, reasons."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from c360.ml.explain import top_reasons
from c360.ml.model import ChurnModel
from c360.ml.predictions import PREDICTIONS_SCHEMA

HIGH, MEDIUM = 70, 40
REASON_SEPARATOR = "; "


def risk_tier(score: np.ndarray) -> np.ndarray:
    """High >= 70, Medium >= 40, else Low (score is 0-100)."""
    return np.where(score >= HIGH, "High", np.where(score >= MEDIUM, "Medium", "Low"))


def score_customers(model: ChurnModel, frame: pd.DataFrame, model_id: str) -> pa.Table:
    """Predictions for every customer at the `score` cutoff; ineligible ones get a reason."""
    current = frame[frame["cutoff_role"] == "score"].reset_index(drop=True)
    eligible = current["is_eligible"].fillna(False).astype(bool).to_numpy()
    probability = np.full(len(current), np.nan)
    reasons: list[str | None] = [None] * len(current)
    if eligible.any():
        scored = current[eligible]
        probability[eligible] = model.probability(scored)
        explained = top_reasons(model.contributions(scored), scored, model.features)
        for row, words in zip(np.flatnonzero(eligible), explained, strict=True):
            reasons[row] = REASON_SEPARATOR.join(words) if words else "no strong risk signal"
    score = np.round(probability * 100)
    scored_as_of = pd.to_datetime(current["cutoff_date"]) - pd.Timedelta(days=1)
    tier = risk_tier(np.nan_to_num(score))

    def when_scored(values) -> list:
        return [value if ok else None for value, ok in zip(values, eligible, strict=True)]

    columns = {
        "customer_id": current["customer_id"].astype(str).tolist(),
        "scored_as_of": scored_as_of.dt.date.tolist(),
        "scored_at": [datetime.now(UTC).replace(tzinfo=None, microsecond=0)] * len(current),
        "is_scored": eligible.tolist(),
        "churn_probability": when_scored(probability.tolist()),
        "churn_risk_score": when_scored(np.nan_to_num(score).astype(int).tolist()),
        "churn_risk_tier": when_scored(tier.tolist()),
        "churn_reasons": reasons,
        "not_scored_reason": [
            None if ok else str(reason)
            for reason, ok in zip(current["ineligible_reason"], eligible, strict=True)
        ],
        "model_id": [model_id] * len(current),
    }
    return pa.Table.from_pydict(columns, schema=PREDICTIONS_SCHEMA)
