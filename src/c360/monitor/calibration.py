"""Predictions against what happened, for every kept scoring whose outcome window is over.

The realised label is the churn label of `dbt/models/ml/churn_labels.sql`, computed the
same way from the warehouse's approved transactions around the scoring's cutoff
T = as-of + 1: churned when there is no approved transaction in [T + period, T + outcome)
or the monthly spend in [T, T + outcome) is below `ml_churn_spend_ratio` of the monthly
baseline in [T - max window, T). The windows and the ratio are read from the dbt project's
vars, so the two definitions cannot drift apart.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import duckdb
import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import roc_auc_score

from c360.ml.history import Scoring
from c360.ml.score import risk_tier
from c360.warehouse.dbt import project_dir

DECILES = 10
TIERS = ["High", "Medium", "Low"]


@dataclass(frozen=True)
class LabelRule:
    period_days: int
    outcome_days: int
    baseline_days: int
    spend_ratio: float


@cache
def label_rule() -> LabelRule:
    """The churn label's windows and ratio, from dbt_project.yml's vars."""
    values = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())["vars"]
    return LabelRule(
        period_days=int(values["ml_period_days"]),
        outcome_days=int(values["ml_outcome_days"]),
        baseline_days=int(values["ml_max_window_days"]),
        spend_ratio=float(values["ml_churn_spend_ratio"]),
    )


def outcome_complete(scoring_as_of: date, warehouse_as_of: date) -> bool:
    """Whether the warehouse holds the scoring's whole outcome window [T, T + outcome)."""
    return scoring_as_of + timedelta(days=label_rule().outcome_days) <= warehouse_as_of


_REALISED_SQL = """
    select
        s.customer_id,
        coalesce(sum(t.amount) filter (where t.transaction_ts < $cutoff), 0) as baseline,
        coalesce(sum(t.amount) filter (where t.transaction_ts >= $cutoff), 0) as outcome,
        count(t.transaction_id) filter (where t.transaction_ts >= $late_from) as late_count
    from scored_customers s
    left join gold.fct_transactions t
        on t.customer_id = s.customer_id
        and t.status = 'Approved'
        and t.transaction_ts >= $baseline_from
        and t.transaction_ts < $outcome_to
    group by s.customer_id
"""


def realised_churn(con: duckdb.DuckDBPyConnection, customers: list[str], as_of: date) -> pd.Series:
    """1/0 per customer id: did the customer churn in the outcome window after `as_of`?"""
    rule = label_rule()
    cutoff = as_of + timedelta(days=1)
    con.register("scored_customers", pd.DataFrame({"customer_id": customers}))
    try:
        frame = con.execute(
            _REALISED_SQL,
            {
                "cutoff": cutoff,
                "late_from": cutoff + timedelta(days=rule.period_days),
                "baseline_from": cutoff - timedelta(days=rule.baseline_days),
                "outcome_to": cutoff + timedelta(days=rule.outcome_days),
            },
        ).df()
    finally:
        con.unregister("scored_customers")
    baseline = frame["baseline"].astype(float) / (rule.baseline_days // rule.period_days)
    outcome = frame["outcome"].astype(float) / (rule.outcome_days // rule.period_days)
    churned = (frame["late_count"] == 0) | (outcome < rule.spend_ratio * baseline)
    return pd.Series(churned.astype(int).to_numpy(), index=frame["customer_id"], name="churned")


def evaluate(con: duckdb.DuckDBPyConnection, scoring: Scoring) -> dict:
    """Realised against predicted churn for one scoring: overall, by decile and by tier."""
    scored = scoring.frame[scoring.frame["is_scored"].astype(bool)]
    churned = realised_churn(con, scored["customer_id"].tolist(), scoring.as_of)
    return calibration_table(
        scored["churn_probability"].to_numpy(dtype=float),
        churned.reindex(scored["customer_id"]).to_numpy(dtype=int),
    ) | {"as_of": scoring.as_of.isoformat(), "model_id": scoring.model_id}


def calibration_table(probability: np.ndarray, churned: np.ndarray) -> dict:
    """AUC, mean predicted and realised rates, and both by risk decile and by tier."""
    frame = pd.DataFrame({"predicted": probability, "realised": churned})
    # decile 10 = the riskiest tenth; ranks break ties so every decile has its share
    frame["decile"] = pd.qcut(frame["predicted"].rank(method="first"), DECILES, labels=False) + 1
    frame["tier"] = risk_tier(np.round(probability * 100))

    def grouped(by: str, order: list) -> list[dict]:
        table = frame.groupby(by)[["predicted", "realised"]].agg(["mean", "size"])
        rows = []
        for key in order:
            if key in table.index:
                row = table.loc[key]
                rows.append(
                    {
                        by: key,
                        "customers": int(row[("predicted", "size")]),
                        "predicted": round(float(row[("predicted", "mean")]), 4),
                        "realised": round(float(row[("realised", "mean")]), 4),
                    }
                )
        return rows

    both = frame["realised"].nunique() == 2
    return {
        "customers": len(frame),
        "predicted_rate": round(float(frame["predicted"].mean()), 4),
        "realised_rate": round(float(frame["realised"].mean()), 4),
        "roc_auc": round(float(roc_auc_score(frame["realised"], frame["predicted"])), 4)
        if both
        else None,
        "by_decile": grouped("decile", list(range(1, DECILES + 1))),
        "by_tier": grouped("tier", TIERS),
    }
