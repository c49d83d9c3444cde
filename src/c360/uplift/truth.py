"""Evaluation only: compare predicted uplift with the generator's hidden true effect.

`bronze/_truth/customers.parquet` holds, for each campaign participant, whether the offer
changed their 180-day churn (`true_retention_effect`: 1 = the offer kept them, 0 = no
difference; simulated from both potential outcomes). Nothing that trains or scores imports
this module; `c360 uplift` calls it after fitting, with predictions only.
"""

from pathlib import Path

import numpy as np
import pandas as pd

TRUTH_FILE = Path("_truth") / "customers.parquet"
BUDGET_SHARES = (0.1, 0.2, 0.3, 0.5)


def _corr(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def _top_share(order_score: np.ndarray, effect: np.ndarray, share: float) -> float:
    k = max(1, round(len(effect) * share))
    top = np.argsort(-order_score, kind="stable")[:k]
    return float(effect[top].sum())


def truth_report(
    bronze: Path, predictions: pd.DataFrame, risk_column: str | None = "churn_probability"
) -> dict | None:
    """Correlation of predicted uplift with the true effect, and true customers kept when
    targeting the top share by uplift vs by churn risk vs at random. None without truth."""
    path = bronze / TRUTH_FILE
    if not path.exists():
        return None
    truth = pd.read_parquet(path, columns=["customer_id", "persona", "true_retention_effect"])
    frame = predictions.merge(truth, on="customer_id", how="inner")
    frame = frame[frame["true_retention_effect"].notna()]
    if frame.empty:
        return None
    effect = frame["true_retention_effect"].to_numpy(dtype=float)
    uplift = frame["uplift"].to_numpy(dtype=float)
    persona_mean = frame.groupby("persona")["true_retention_effect"].transform("mean")
    has_risk = risk_column is not None and risk_column in frame and frame[risk_column].notna().all()
    budgets = []
    for share in BUDGET_SHARES:
        row = {
            "share_targeted": share,
            "true_kept_by_uplift": _top_share(uplift, effect, share),
            "true_kept_at_random": float(effect.sum() * share),
        }
        if has_risk:
            row["true_kept_by_risk"] = _top_share(frame[risk_column].to_numpy(float), effect, share)
        budgets.append(row)
    return {
        "customers": len(frame),
        "true_effect_mean": float(effect.mean()),
        "predicted_uplift_mean": float(uplift.mean()),
        "pearson_with_true_effect": _corr(uplift, effect),
        "spearman_with_true_effect": _corr(
            pd.Series(uplift).rank().to_numpy(), pd.Series(effect).rank().to_numpy()
        ),
        "pearson_with_persona_mean_effect": _corr(uplift, persona_mean.to_numpy(float)),
        "budgets": budgets,
    }
