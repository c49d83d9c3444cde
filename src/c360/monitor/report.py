"""The monitoring report: every kept scoring over time, outcomes, data volume, verdict.

Reads the scoring history and references under $C360_HOME/monitoring/ and the published
DuckDB warehouse (read-only); writes nothing. `c360 monitor` prints it, the app's Model
health page draws it.
"""

from datetime import date
from pathlib import Path

import pandas as pd

from c360.config import Paths
from c360.ml.history import (
    FEATURE_PREFIX,
    HistoryError,
    Scoring,
    read_reference,
    read_scorings,
)
from c360.monitor import calibration, verdict, volume
from c360.monitor.psi import psi
from c360.monitor.thresholds import THRESHOLDS
from c360.warehouse import serving

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


class MonitorError(Exception):
    """The monitor cannot read what it needs; one line for the user."""


def build_report(paths: Paths) -> dict:
    """The whole report as plain data (JSON-ready)."""
    warehouse = serving.served_warehouse(paths)  # DuckDB's, or a Spark build's serving file
    if not warehouse.exists():
        raise MonitorError(f"no warehouse at {warehouse}; run `c360 build` first")
    try:
        scorings = read_scorings(paths.home)
    except HistoryError as exc:
        raise MonitorError(str(exc)) from None
    con = serving.open_read_only(warehouse, serving.gold_directories(warehouse))
    try:
        con.execute(f"use {serving.CATALOG}")
        as_of = con.execute("select as_of_date from gold.build_as_of").fetchall()[0][0]
        rows = [
            _scoring_row(paths.home, s, scorings[i - 1] if i else None)
            for i, s in enumerate(scorings)
        ]
        outcomes = [calibration.evaluate(con, s) for s in scorings if _outcome_known(s, as_of)]
        days = volume.daily_volume(con)
        fresh = volume.freshness(con)
    finally:
        con.close()
    latest_day = days.iloc[-1].to_dict() if len(days) else None
    newest_txn = fresh["newest_transaction_at"]
    stale = (as_of - pd.Timestamp(newest_txn).date()).days if newest_txn else None
    judged = verdict.verdict(
        bool(rows),
        verdict.model_reasons(rows[-1] if rows else None, outcomes[-1] if outcomes else None),
        verdict.data_reasons(latest_day, stale),
    )
    return {
        "home": str(paths.home),
        "warehouse_as_of": as_of.isoformat(),
        "verdict": judged,
        "scorings": rows,
        "outcomes": outcomes,
        "volume": {
            **fresh,
            "days": _records(days),
            "flagged_days": [d["day"] for d in _records(days) if d["flagged"]],
        },
        "thresholds": THRESHOLDS,
    }


def _scoring_row(home: Path, scoring: Scoring, previous: Scoring | None) -> dict:
    scored = _scored(scoring.frame)
    probability = scored["churn_probability"]
    reference = read_reference(home, scoring.model_id)
    return {
        "as_of": scoring.as_of.isoformat(),
        "scored_at": scoring.scored_at.isoformat(),
        "model_id": scoring.model_id,
        "customers": len(scoring.frame),
        "scored": len(scored),
        "mean_probability": round(float(probability.mean()), 4) if len(scored) else None,
        "quantiles": {
            f"p{round(q * 100)}": round(float(probability.quantile(q)), 4)
            for q in (QUANTILES if len(scored) else ())
        },
        "tiers": {str(k): int(v) for k, v in scored["churn_risk_tier"].value_counts().items()},
        "score_psi_vs_reference": None
        if reference is None
        else psi(reference["churn_probability"], probability),
        "score_psi_vs_previous": None
        if previous is None
        else psi(_scored(previous.frame)["churn_probability"], probability),
        "feature_psi": _feature_psi(reference, scored),
        "file": scoring.path.name,
    }


def _outcome_known(scoring: Scoring, as_of: date) -> bool:
    return bool(scoring.frame["is_scored"].any()) and calibration.outcome_complete(
        scoring.as_of, as_of
    )


def _scored(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["is_scored"].astype(bool)]


def _feature_psi(reference: pd.DataFrame | None, scored: pd.DataFrame) -> dict:
    if reference is None:
        return {}
    names = [c for c in scored.columns if c.startswith(FEATURE_PREFIX) and c in reference]
    return {c.removeprefix(FEATURE_PREFIX): psi(reference[c], scored[c]) for c in names}


def _records(frame: pd.DataFrame) -> list[dict]:
    records = frame.to_dict("records")
    for record in records:
        for key, value in record.items():
            if isinstance(value, date):
                record[key] = value.isoformat()
            elif hasattr(value, "item"):  # numpy scalars
                record[key] = value.item()
    return records
