"""Per-customer reasons in a marketer's words, from the model's own TreeSHAP values."""

from collections.abc import Callable

import numpy as np
import pandas as pd

TOP_REASONS = 3


def _pct(v: float) -> str:
    return f"{abs(v):.0f}%"


# feature -> sentence for a value that pushed risk up (features without one get a generic line)
TEMPLATES: dict[str, Callable[[float], str]] = {
    "days_since_last_txn": lambda v: f"no purchase in the last {v:.0f} days",
    "tenure_days": lambda v: f"customer for {v / 365:.1f} years",
    "txn_count_30d": lambda v: f"{v:.0f} purchases in the last 30 days",
    "txn_count_90d": lambda v: f"{v:.0f} purchases in the last 90 days",
    "txn_count_180d": lambda v: f"{v:.0f} purchases in the last 180 days",
    "spend_30d": lambda v: f"${v:,.0f} spent in the last 30 days",
    "spend_90d": lambda v: f"${v:,.0f} spent in the last 90 days",
    "spend_180d": lambda v: f"${v:,.0f} spent in the last 180 days",
    "spend_prev_90d": lambda v: f"${v:,.0f} spent in the 90 days before the last 90",
    "avg_txn_value_90d": lambda v: f"average purchase ${v:,.0f} in the last 90 days",
    "avg_txn_value_180d": lambda v: f"average purchase ${v:,.0f} in the last 180 days",
    "max_txn_value_90d": lambda v: f"largest purchase ${v:,.0f} in the last 90 days",
    "active_days_30d": lambda v: f"card used on {v:.0f} days in the last 30",
    "active_days_90d": lambda v: f"card used on {v:.0f} days in the last 90",
    "active_months_6m": lambda v: f"active in {v:.0f} of the last 6 months",
    "spend_change_90d_pct": lambda v: (
        f"spend {'down' if v < 0 else 'up'} {_pct(v)} vs the prior 90 days"
    ),
    "txn_count_change_90d_pct": lambda v: (
        f"purchases {'down' if v < 0 else 'up'} {_pct(v)} vs the prior 90 days"
    ),
    "spend_30d_vs_90d_ratio": lambda v: (
        f"last month's spend is {v * 100:.0f}% of the 3-month monthly average"
    ),
    "spend_slope_6m": lambda v: (
        f"monthly spend trending {'down' if v < 0 else 'up'} {abs(v) * 100:.0f}% a month"
    ),
    "monthly_spend_cv_6m": lambda v: f"uneven monthly spend (variation {v * 100:.0f}%)",
    "travel_share_180d": lambda v: f"travel is {v * 100:.0f}% of spend",
    "necessity_share_180d": lambda v: f"necessities are {v * 100:.0f}% of spend",
    "discretionary_share_180d": lambda v: f"discretionary is {v * 100:.0f}% of spend",
    "services_share_180d": lambda v: f"services are {v * 100:.0f}% of spend",
    "weekend_share_180d": lambda v: f"weekends are {v * 100:.0f}% of spend",
    "online_share_90d": lambda v: f"{v * 100:.0f}% of purchases online",
    "mobile_share_90d": lambda v: f"{v * 100:.0f}% of purchases on mobile",
    "in_store_share_90d": lambda v: f"{v * 100:.0f}% of purchases in store",
    "distinct_categories_90d": lambda v: f"bought in {v:.0f} categories in 90 days",
    "declined_count_90d": lambda v: f"{v:.0f} declined card attempts in 90 days",
    "declined_rate_90d": lambda v: f"{v * 100:.1f}% of card attempts declined in 90 days",
    "credit_limit": lambda v: f"credit limit ${v:,.0f}",
    "utilisation_30d": lambda v: f"used {v * 100:.0f}% of the credit limit last month",
    "utilisation_90d": lambda v: f"used {v * 100:.0f}% of the credit limit a month (90 days)",
    "age": lambda v: f"aged {v:.0f}",
    "had_limit_cut_90d": lambda v: (
        "credit limit cut in the last 90 days" if v else "no recent credit limit cut"
    ),
    "limit_change_180d": lambda v: f"credit limit changed by ${v:,.0f} in 180 days",
    "had_downgrade_180d": lambda v: (
        "card downgraded in the last 180 days" if v else "no recent card downgrade"
    ),
    "moved_state_180d": lambda v: "moved state in the last 180 days" if v else "no recent move",
    "attribute_changes_180d": lambda v: f"{v:.0f} account changes in 180 days",
    "campaign_contacted": lambda v: (
        "contacted by the retention campaign" if v else "not contacted by the retention campaign"
    ),
    "days_since_campaign_contact": lambda v: f"campaign contact {v:.0f} days ago",
}


def describe(feature: str, value: object) -> str:
    template = TEMPLATES.get(feature)
    if template is not None and value is not None and not pd.isna(value):
        try:
            return template(float(value))
        except (TypeError, ValueError):
            pass
    shown = "unknown" if value is None or pd.isna(value) else value
    return f"{feature.replace('_', ' ')} is {shown}"


def top_reasons(
    contributions: np.ndarray, frame: pd.DataFrame, features: list[str]
) -> list[list[str]]:
    """For each row, up to three features that raised the risk most, described in words."""
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :TOP_REASONS]
    values = frame[features].to_numpy(dtype=object)
    reasons = []
    for row, columns in enumerate(order):
        reasons.append(
            [describe(features[c], values[row, c]) for c in columns if contributions[row, c] > 0]
        )
    return reasons
