"""The monitoring report as plain text for the terminal (`c360 monitor` without --json)."""

SHOWN_SCORINGS = 10
SHOWN_DAYS = 14


def _num(value, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def render(report: dict) -> str:
    lines = [
        f"c360 monitor: warehouse as of {report['warehouse_as_of']}",
        f"verdict: {report['verdict']['line']}",
        "",
        f"scorings (latest {SHOWN_SCORINGS}; PSI of the churn probability):",
        f"  {'as of':<10}  {'model':<20}  {'scored':>6}  {'mean p':>6}  {'vs ref':>6}  "
        f"{'vs prev':>7}",
    ]
    for row in report["scorings"][-SHOWN_SCORINGS:]:
        lines.append(
            f"  {row['as_of']:<10}  {row['model_id']:<20}  {row['scored']:>6,}  "
            f"{_num(row['mean_probability']):>6}  {_num(row['score_psi_vs_reference']):>6}  "
            f"{_num(row['score_psi_vs_previous']):>7}"
        )
    if report["scorings"]:
        lines += ["", "feature drift, latest scoring (PSI against the training reference):"]
        features = report["scorings"][-1]["feature_psi"] or {}
        lines += [f"  {name:<28} {_num(value)}" for name, value in features.items()]
        if not features:
            lines.append("  (no training reference kept for this model)")
    lines += ["", "outcomes (scorings whose 90-day window has completed):"]
    for row in report["outcomes"]:
        lines.append(
            f"  {row['as_of']}: {row['customers']:,} scored, predicted {row['predicted_rate']:.1%}"
            f", realised {row['realised_rate']:.1%}, ROC AUC {_num(row['roc_auc'])}"
        )
    if not report["outcomes"]:
        lines.append("  (none yet: a scoring's outcome is known 90 days after its as-of date)")
    volume = report["volume"]
    lines += [
        "",
        f"data: newest transaction {volume['newest_transaction_at']}, newest row landed "
        f"{volume['newest_loaded_at']}",
        f"  {'landed':<10}  {'rows':>7}  {'late':>5}  {'quarantined':>11}",
    ]
    for day in volume["days"][-SHOWN_DAYS:]:
        flag = "  far off the usual" if day["flagged"] else ""
        lines.append(
            f"  {day['day']:<10}  {day['rows']:>7,}  {day['late_rows']:>5,}  "
            f"{day['quarantined_rows']:>11,}{flag}"
        )
    flagged = volume["flagged_days"]
    lines.append(
        f"  days far off the usual (last {len(volume['days'])} landed): "
        + (", ".join(flagged) if flagged else "none")
    )
    return "\n".join(lines)
