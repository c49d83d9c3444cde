"""Evaluation beyond the split metrics: a reliability plot, and recall of true churners.

The generator's hidden truth (`bronze/_truth`) is read here, for evaluation only;
training and scoring never read it.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from c360.ml.score import MEDIUM

OUTCOME_DAYS = 90


def reliability_plot(y: np.ndarray, p: np.ndarray, path: Path, bins: int = 10) -> None:
    """Observed churn rate against mean predicted probability, equal-frequency bins."""
    order = np.argsort(p, kind="stable")
    parts = [part for part in np.array_split(order, bins) if len(part)]
    predicted = [p[part].mean() for part in parts]
    observed = [y[part].mean() for part in parts]
    figure, axis = plt.subplots(figsize=(5, 5), dpi=120)
    top = max(max(predicted), max(observed)) * 1.1 or 1.0
    axis.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect calibration")
    axis.plot(predicted, observed, marker="o", color="#1f77b4", label="churn model")
    axis.set_xlim(0, top)
    axis.set_ylim(0, top)
    axis.set_xlabel("mean predicted probability (per decile of score)")
    axis.set_ylabel("observed churn rate")
    axis.set_title("Reliability on the out-of-time test cutoff")
    axis.legend(loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def truth_recall(holdout: pd.DataFrame, truth_file: Path) -> dict | None:
    """How many customers the generator made start churning in the test outcome window
    [T, T + 90d) the model ranks in its top decile, or scores Medium/High risk.
    None when the truth file is absent (real data has no truth)."""
    if not truth_file.exists() or holdout.empty:
        return None
    truth = pq.read_table(truth_file, columns=["customer_id", "churn_onset_date"]).to_pandas()
    frame = holdout.merge(truth, on="customer_id", how="left")
    cutoff = pd.to_datetime(frame["cutoff_date"])
    onset = pd.to_datetime(frame["churn_onset_date"])
    true_churner = (onset >= cutoff) & (onset < cutoff + pd.Timedelta(days=OUTCOME_DAYS))
    if not true_churner.any():
        return None
    top_decile = frame["probability"] >= frame["probability"].quantile(0.9)
    flagged = frame["probability"] * 100 >= MEDIUM
    labelled = frame["churned"].astype(int) == 1

    def recall(found: pd.Series) -> float:
        return round(float((found & true_churner).sum() / true_churner.sum()), 4)

    return {
        "true_churners": int(true_churner.sum()),
        "recall_top_decile": recall(top_decile),
        "recall_medium_or_high": recall(flagged),
        "label_recall": recall(labelled),
    }
