"""Population stability index: how far a distribution moved from a reference.

PSI = sum over bins of (current share - reference share) * ln(current share / reference
share). Numbers are binned at the reference's deciles (ties merged), missing values form a
bin of their own, text is binned by category. Shares are floored at 1e-4 so an empty bin
counts as a large shift, not an infinite one.
"""

import numpy as np
import pandas as pd

from c360.monitor.thresholds import PSI_BINS

FLOOR = 1e-4


def psi(reference: pd.Series, current: pd.Series, bins: int = PSI_BINS) -> float | None:
    """PSI of `current` against `reference`; None when either is empty."""
    if reference.empty or current.empty:
        return None
    if pd.api.types.is_numeric_dtype(reference) and pd.api.types.is_numeric_dtype(current):
        expected, actual = _numeric_shares(reference.astype(float), current.astype(float), bins)
    else:
        expected, actual = _category_shares(reference, current)
    expected, actual = np.maximum(expected, FLOOR), np.maximum(actual, FLOOR)
    return round(float(np.sum((actual - expected) * np.log(actual / expected))), 4)


def _numeric_shares(reference: pd.Series, current: pd.Series, bins: int):
    known = reference.dropna().to_numpy()
    edges = np.unique(np.quantile(known, np.linspace(0, 1, bins + 1)[1:-1])) if known.size else []

    def shares(values: pd.Series) -> np.ndarray:
        counts = np.bincount(
            np.digitize(values.dropna().to_numpy(), edges, right=True), minlength=len(edges) + 1
        )
        return np.append(counts, values.isna().sum()) / len(values)

    return shares(reference), shares(current)


def _category_shares(reference: pd.Series, current: pd.Series):
    ref, cur = (
        reference.astype(object).fillna("(missing)"),
        current.astype(object).fillna("(missing)"),
    )
    categories = sorted(set(ref) | set(cur), key=str)
    expected = ref.value_counts(normalize=True).reindex(categories, fill_value=0).to_numpy()
    actual = cur.value_counts(normalize=True).reindex(categories, fill_value=0).to_numpy()
    return expected, actual
