"""The one-line conclusion: "model healthy", or what to do and why (thresholds.py)."""

from c360.monitor.thresholds import THRESHOLDS

HEALTHY, RETRAIN, CHECK_DATA, NO_SCORING = "healthy", "retrain", "check data", "no scoring"


def model_reasons(latest: dict | None, outcome: dict | None) -> list[str]:
    """Why the model needs retraining, from the latest scoring and latest known outcome."""
    reasons = []
    if latest is not None:
        for key, against in (
            ("score_psi_vs_reference", "the training reference"),
            ("score_psi_vs_previous", "the previous scoring"),
        ):
            value = latest.get(key)
            if value is not None and value > THRESHOLDS["score_psi"]:
                reasons.append(
                    f"score distribution shifted from {against} (PSI {value:.2f} > "
                    f"{THRESHOLDS['score_psi']:g})"
                )
        drifted = {
            name: value
            for name, value in (latest.get("feature_psi") or {}).items()
            if value is not None and value > THRESHOLDS["feature_psi"]
        }
        if len(drifted) >= THRESHOLDS["drifted_features"]:
            top = sorted(drifted.items(), key=lambda item: -item[1])[:3]
            reasons.append(
                f"{len(drifted)} top feature(s) drifted (PSI > {THRESHOLDS['feature_psi']:g}: "
                + ", ".join(f"{name} {value:.2f}" for name, value in top)
                + ")"
            )
    if outcome is not None:
        auc = outcome.get("roc_auc")
        if auc is not None and auc < THRESHOLDS["min_auc"]:
            reasons.append(
                f"ROC AUC {auc:.3f} < {THRESHOLDS['min_auc']:g} on the scoring of "
                f"{outcome['as_of']}"
            )
        gap = outcome["predicted_rate"] - outcome["realised_rate"]
        if abs(gap) > THRESHOLDS["max_calibration_gap"]:
            reasons.append(
                f"predicted churn {outcome['predicted_rate']:.1%} vs realised "
                f"{outcome['realised_rate']:.1%} on the scoring of {outcome['as_of']}"
            )
    return reasons


def data_reasons(latest_day: dict | None, stale_by_days: int | None) -> list[str]:
    """What is wrong with the data: the newest landed day off the usual, or stale data."""
    reasons = []
    if latest_day is not None and latest_day.get("flagged"):
        measures = [m for m in ("rows", "late_rows", "quarantined_rows") if latest_day[f"{m}_flag"]]
        reasons.append(
            f"{latest_day['day']} is far off the usual in "
            + ", ".join(
                f"{m.replace('_', ' ')} ({latest_day[m]:,}, z {latest_day[f'{m}_z']:+.1f})"
                for m in measures
            )
        )
    if stale_by_days is not None and stale_by_days > THRESHOLDS["stale_days"]:
        reasons.append(f"no transaction in the last {stale_by_days} days before the as-of date")
    return reasons


def verdict(has_scoring: bool, model: list[str], data: list[str]) -> dict:
    if not has_scoring:
        return {
            "status": NO_SCORING,
            "line": "no scoring kept yet: run `c360 score`",
            "reasons": data,
        }
    parts = []
    if model:
        parts.append("retrain recommended: " + "; ".join(model))
    if data:
        parts.append("check the data: " + "; ".join(data))
    status = RETRAIN if model else CHECK_DATA if data else HEALTHY
    return {"status": status, "line": " | ".join(parts) or "model healthy", "reasons": model + data}
