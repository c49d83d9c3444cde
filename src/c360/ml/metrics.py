"""Classification and calibration metrics for churn scores."""

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

ECE_BINS = 10


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """Weighted mean |observed rate - mean prediction| over equal-frequency bins."""
    order = np.argsort(p, kind="stable")
    error = 0.0
    for part in np.array_split(order, bins):
        if len(part):
            error += len(part) * abs(y[part].mean() - p[part].mean())
    return float(error / len(y))


def top_decile_lift(y: np.ndarray, score: np.ndarray) -> float:
    top = np.argsort(-score, kind="stable")[: max(1, len(score) // 10)]
    return float(y[top].mean() / y.mean())


def classification_report(y: np.ndarray, score: np.ndarray, calibrated: bool = True) -> dict:
    y = np.asarray(y, dtype=float)
    score = np.asarray(score, dtype=float)
    report = {
        "roc_auc": float(roc_auc_score(y, score)),
        "pr_auc": float(average_precision_score(y, score)),
        "top_decile_lift": top_decile_lift(y, score),
        "rows": len(y),
        "positive_rate": float(y.mean()),
    }
    if calibrated:
        report["brier"] = float(brier_score_loss(y, score))
        report["ece"] = expected_calibration_error(y, score)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in report.items()}
