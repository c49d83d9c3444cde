"""Out-of-time validation of CLV: fit up to a calibration date, predict the holdout period,
compare with what happened. Pure functions over data frames."""

import numpy as np
import pandas as pd

DECILES = 10


def _pct_error(predicted: float, actual: float) -> float | None:
    return None if actual == 0 else float((predicted - actual) / actual)


def holdout_report(predicted: pd.DataFrame, actual: pd.DataFrame, baseline: pd.DataFrame) -> dict:
    """Aggregate and per-decile errors of holdout purchase days and spend.

    `predicted`: customer_id, expected_transactions, clv (spend over the holdout);
    `actual` and `baseline`: customer_id, transactions, spend (baseline = the same number
    of days just before the calibration date, "next period = last period"). Customers are
    those known at calibration; one who bought nothing in the holdout counts as zero.
    Deciles are of predicted holdout spend (decile 10 = highest).
    """
    frame = predicted.merge(actual, on="customer_id", how="left").merge(
        baseline.rename(columns={"transactions": "base_tx", "spend": "base_spend"}),
        on="customer_id",
        how="left",
    )
    frame = frame.fillna({"transactions": 0, "spend": 0.0, "base_tx": 0, "base_spend": 0.0})
    n = len(frame)

    def summary(pred: str, act: str, base: str) -> dict:
        p, a, b = (frame[c].to_numpy(dtype=float) for c in (pred, act, base))
        return {
            "predicted_total": float(p.sum()),
            "actual_total": float(a.sum()),
            "aggregate_error_pct": _pct_error(p.sum(), a.sum()),
            "mae_per_customer": float(np.abs(p - a).mean()) if n else None,
            "baseline_mae_per_customer": float(np.abs(b - a).mean()) if n else None,
            "baseline_aggregate_error_pct": _pct_error(b.sum(), a.sum()),
            "spearman": _spearman(p, a),
        }

    deciles = []
    if n >= DECILES:
        ranks = frame["clv"].rank(method="first")
        frame["decile"] = np.ceil(ranks / n * DECILES).astype(int).clip(1, DECILES)
        for decile, rows in frame.groupby("decile", sort=True):
            deciles.append(
                {
                    "decile": int(decile),
                    "customers": len(rows),
                    "predicted_spend": float(rows["clv"].mean()),
                    "actual_spend": float(rows["spend"].mean()),
                    "spend_error_pct": _pct_error(rows["clv"].sum(), rows["spend"].sum()),
                    "predicted_transactions": float(rows["expected_transactions"].mean()),
                    "actual_transactions": float(rows["transactions"].mean()),
                    "transactions_error_pct": _pct_error(
                        rows["expected_transactions"].sum(), rows["transactions"].sum()
                    ),
                }
            )
    return {
        "customers": n,
        "transactions": summary("expected_transactions", "transactions", "base_tx"),
        "spend": summary("clv", "spend", "base_spend"),
        "deciles": deciles,
    }


def _spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    return float(np.corrcoef(ra, rb)[0, 1])
