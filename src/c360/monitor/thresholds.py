"""Every threshold the monitor judges by, in one table (docs/monitoring.md explains each).

Change a value here and both `c360 monitor` and the Model health page follow.
"""

THRESHOLDS: dict[str, float] = {
    # Population stability index of the churn probability, latest scoring against the
    # training reference (the out-of-time test cutoff) and against the previous scoring.
    # The usual reading: below 0.1 stable, 0.1-0.25 a moderate shift, above 0.25 a major one.
    "score_psi": 0.25,
    # PSI of any one of the model's top features, latest scoring against the reference.
    "feature_psi": 0.25,
    # How many top features may exceed feature_psi before retraining is recommended.
    "drifted_features": 1,
    # ROC AUC of a scoring whose 90-day outcome window has completed.
    "min_auc": 0.70,
    # |mean predicted - realised churn rate| of such a scoring, in absolute terms.
    "max_calibration_gap": 0.10,
    # A day is "far off the usual" when its robust z-score (against the 28 landed days
    # before it) exceeds this, in either direction, and it is at least min_rows_off rows off.
    "robust_z": 3.5,
    "min_rows_off": 10,
    # The data is stale when its newest landed row is older than this many days before
    # the warehouse's as-of date.
    "stale_days": 2,
}
# Bins for PSI: deciles of the reference (numbers) or its categories (text).
PSI_BINS = 10
# Robust z-score: the window of earlier days a day is compared with.
VOLUME_WINDOW_DAYS = 28
# Days of volume shown and checked, counted back from the newest landed day.
VOLUME_DAYS_SHOWN = 90
