"""The model card: what the churn model is, how it was validated, how good it really is."""

from c360.ml.train import LEAK_AUC

TARGETS = {"auc_low": 0.75, "auc_high": LEAK_AUC, "lift_over_recency": 0.03, "ece": 0.02}


def _row(name: str, metrics: dict) -> str:
    brier = metrics.get("brier")
    ece = metrics.get("ece")
    return (
        f"| {name} | {metrics['roc_auc']:.3f} | {metrics['pr_auc']:.3f} | "
        f"{'' if brier is None else f'{brier:.4f}'} | {'' if ece is None else f'{ece:.4f}'} | "
        f"{metrics['top_decile_lift']:.2f} |"
    )


def target_checks(report: dict) -> list[tuple[str, bool]]:
    lgbm = report["lightgbm"]
    return [
        (
            f"ROC AUC between {TARGETS['auc_low']} and {TARGETS['auc_high']}",
            TARGETS["auc_low"] <= lgbm["roc_auc"] <= TARGETS["auc_high"],
        ),
        (
            f"at least {TARGETS['lift_over_recency']} AUC above the recency rule",
            report["lift_over_recency_auc"] >= TARGETS["lift_over_recency"],
        ),
        (f"expected calibration error at most {TARGETS['ece']}", lgbm["ece"] <= TARGETS["ece"]),
    ]


def model_card(report: dict, model_id: str) -> str:
    cutoffs = report["cutoffs"]
    rows = report["rows"]
    strongest = report["max_single_feature_auc"]
    lines = [
        f"# Churn model card — `{model_id}`",
        "",
        "**Predicts** whether an eligible customer churns in the 90 days after a cutoff date T:",
        "no approved transaction in [T+30d, T+90d), or monthly spend in [T, T+90d) below 30% of",
        "their baseline (approved spend in [T-180d, T) / 6). **Eligible**: account open at",
        "least 180 days and an approved transaction in the 90 days before T.",
        "",
        "**Model**: LightGBM gradient-boosted trees on the features of `ml.churn_features`",
        "(all computed from data before T), probabilities calibrated by isotonic regression",
        "on a later, separate cutoff. Risk score = round(100 × probability); tiers High ≥ 70,",
        "Medium ≥ 40, Low below. Reasons: the three features with the largest positive",
        "TreeSHAP contributions, in words.",
        "",
        "## Out-of-time validation",
        "",
        "| role | cutoffs | labelled rows |",
        "|---|---|---|",
        *(
            f"| {role} | {', '.join(cutoffs[role])} | {rows[role]:,} |"
            for role in ("train", "calibration", "test")
        ),
        "",
        "Each role's 90-day outcome window ends on or before the next role's first cutoff,",
        "so no outcome seen in training or calibration overlaps the test period.",
        "",
        "## Results on the test cutoff",
        "",
        "| model | ROC AUC | PR AUC | Brier | ECE | top-decile lift |",
        "|---|---|---|---|---|---|",
        _row("LightGBM (calibrated)", report["lightgbm"]),
        _row("logistic regression", report["logistic_regression"]),
        _row("recency rule (days since last purchase)", report["recency_rule"]),
        "",
        f"Churn rate on the test cutoff: {report['lightgbm']['positive_rate']:.1%}. "
        f"AUC gain over the recency rule: {report['lift_over_recency_auc']:+.3f}.",
        "",
        "![reliability](reliability.png)",
        "",
        "### Targets",
        "",
        *(f"- [{'x' if ok else ' '}] {text}" for text, ok in target_checks(report)),
        "",
        "## Leakage checks",
        "",
        f"- Strongest single feature on the test cutoff: `{strongest['feature']}` with AUC "
        f"{strongest['auc']:.3f} (a test fails at 0.95).",
        f"- Holdout AUC above {LEAK_AUC} would be treated as a leak: "
        f"{'**suspected leak**' if report['suspected_leak'] else 'not the case'}.",
        "- Features are computed strictly before T; tests change transactions at or after T",
        "  and check that no feature moves, and a denylist refuses label, truth and",
        "  post-cutoff columns as features.",
        "",
    ]
    truth = report.get("truth_recall")
    if truth:
        lines += [
            "## Against the generator's truth (evaluation only)",
            "",
            f"Of {truth['true_churners']:,} test customers whose churn the generator started in",
            f"the outcome window, the model ranks {truth['recall_top_decile']:.1%} in its top",
            f"decile and scores {truth['recall_medium_or_high']:.1%} Medium or High; the label",
            f"itself marks {truth['label_recall']:.1%} of them as churned.",
            "",
        ]
    lines += [
        "## Most important features (share of total gain)",
        "",
        *(f"- `{f['feature']}`: {f['gain_share']:.1%}" for f in report["top_features"]),
        "",
        "## Features used",
        "",
        ", ".join(f"`{f}`" for f in report.get("features_used", [])) or "(not recorded)",
        "",
        *(
            [
                "Left out, having no values (or one) in this data, which lacks their input: "
                + ", ".join(f"`{f}`" for f in report["features_left_out"]),
                "",
            ]
            if report.get("features_left_out")
            else []
        ),
        "## Limits",
        "",
        "- Trained on synthetic data; on real data, retrain and read this card again.",
        "- The label is behavioural (inactivity or a spend collapse), not account closure.",
        "- Customers not eligible at the as-of date are not scored; the profile says why.",
        "",
    ]
    return "\n".join(lines)
