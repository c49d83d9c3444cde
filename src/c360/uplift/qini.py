"""Qini curves: how many extra customers a ranking retains as more of it is targeted.

For the top k of a ranking, with n_t / n_c treated / control customers and r_t / r_c of
them retained: incremental(k) = r_t - r_c * n_t / n_c (Radcliffe 2007). The curve is shown
as a share of the group (incremental / n) over the fraction targeted k / n; random targeting
is the straight line to the last point. The Qini area is the area between the curve and that
line (fraction 0-1 on x): 0 means no better than random, higher is better.
"""

import numpy as np
import pandas as pd


def qini_curve(score: np.ndarray, treated: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """Points (fraction targeted, incremental share) for every k = 0..n, best score first."""
    score = np.asarray(score, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    outcome = np.asarray(outcome, dtype=float)
    n = len(score)
    order = np.argsort(-score, kind="stable")
    t, y = treated[order], outcome[order]
    n_t = np.cumsum(t)
    n_c = np.cumsum(~t)
    r_t = np.cumsum(y * t)
    r_c = np.cumsum(y * ~t)
    scale = np.divide(n_t, n_c, out=np.zeros(n, dtype=float), where=n_c > 0)
    incremental = r_t - r_c * scale
    fraction = np.arange(0, n + 1) / max(n, 1)
    share = np.concatenate([[0.0], incremental / max(n, 1)])
    return pd.DataFrame({"fraction": fraction, "incremental": share})


def qini_area(curve: pd.DataFrame) -> float:
    """Area between the Qini curve and the random-targeting line."""
    x = curve["fraction"].to_numpy()
    y = curve["incremental"].to_numpy()
    if len(x) < 2:
        return 0.0
    random = x * y[-1]
    gap = y - random
    return float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(x)))


def downsample(curve: pd.DataFrame, points: int = 101) -> list[dict]:
    """At most `points` evenly spaced points (for reports and charts)."""
    if len(curve) <= points:
        picked = curve
    else:
        index = np.unique(np.round(np.linspace(0, len(curve) - 1, points)).astype(int))
        picked = curve.iloc[index]
    return [
        {"fraction": round(float(f), 4), "incremental": round(float(v), 6)}
        for f, v in zip(picked["fraction"], picked["incremental"], strict=True)
    ]
