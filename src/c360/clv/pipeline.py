"""The CLV stage: read the RFM summaries dbt built (`ml.clv_rfm_summary`), validate out of
time, fit, write the predictions and the report. Publishing is the pipeline's job
(`c360.pipeline.run_clv`)."""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from c360.clv import rfm as rfm_queries
from c360.clv.model import (
    DAYS_PER_MONTH,
    HORIZON_MONTHS,
    INTERVAL_DRAWS,
    INTERVAL_LEVEL,
    PRIORS_TEXT,
    fit_clv,
    laplace_draws,
    predict_clv,
    predict_intervals,
)
from c360.clv.validation import holdout_report
from c360.config import Paths
from c360.contracts.outputs import CLV_FILE, CLV_SCHEMA, outputs_dir
from c360.warehouse.engines import EngineError, engine_for

DEFAULT_HOLDOUT_DAYS = 180
NO_PURCHASE = "no approved purchase before the as-of date"
TIME_UNIT = "day"
METHOD = (
    "PyMC-Marketing BetaGeoModel + GammaGammaModel, MAP with weakly informative priors; "
    "intervals from a Laplace approximation around the MAP"
)
INTERVAL_COLUMNS = {
    "probability_alive_low": "probability_alive_low",
    "probability_alive_high": "probability_alive_high",
    "clv_12m_low": "clv_low",
    "clv_12m_high": "clv_high",
}


class ClvError(Exception):
    """CLV cannot be fitted; one line for the user."""


class StaleInputs(ClvError):
    """`ml.clv_rfm_summary` was built with other holdout days than asked for."""

    def __init__(self, built: int, wanted: int) -> None:
        super().__init__(
            f"ml.clv_rfm_summary holds a {built}-day holdout, not {wanted}; "
            f"rebuild it with --vars '{{clv_holdout_days: {wanted}}}'"
        )
        self.wanted = wanted


def clv_path(home: Path) -> Path:
    """Next to the churn predictions (the folder dbt reads as source c360_ml)."""
    return outputs_dir(home) / CLV_FILE


def report_path(home: Path) -> Path:
    return home / "clv" / "report.json"


@dataclass
class ClvSummary:
    model_id: str
    as_of_date: str
    customers: int
    scored: int
    total_clv_12m: float
    parameters: dict
    time_unit: str
    intervals: dict
    validation: dict | None
    seconds: dict
    predictions: str
    report: str
    build: dict | None


def validate(
    tables: dict[str, pd.DataFrame], as_of: date, holdout_days: int, seed: int = 42
) -> tuple[dict, float]:
    """Fit on the calibration summary, predict the holdout, compare with what happened;
    `tables` from `rfm.split_summary`. Returns (report, fit seconds)."""
    calibration_end = as_of + timedelta(days=1) - timedelta(days=holdout_days)
    summary = tables["calibration"]
    started = time.perf_counter()
    model = fit_clv(summary, seed=seed)
    fitted = time.perf_counter() - started
    predicted = predict_clv(model, summary, horizon_days=holdout_days)
    actual = tables["actual"]
    report = holdout_report(predicted, actual, tables["baseline"])
    new = set(actual["customer_id"]) - set(summary["customer_id"])
    return {
        "calibration_end": (calibration_end - timedelta(days=1)).isoformat(),
        "holdout_start": calibration_end.isoformat(),
        "holdout_end": as_of.isoformat(),
        "holdout_days": holdout_days,
        "new_customers_in_holdout_excluded": len(new),
        "parameters": model.parameters,
        **report,
    }, fitted


def predictions_table(
    customers: list[str],
    predicted: pd.DataFrame,
    as_of: date,
    model_id: str,
    level: float | None = None,
) -> pa.Table:
    """One row per current customer; those without a purchase get a reason, no numbers.
    `predicted` may carry the interval columns (`clv_low`, ...); `level` is theirs."""
    frame = pd.DataFrame({"customer_id": customers}).merge(predicted, on="customer_id", how="left")
    scored = frame["clv"].notna().to_numpy()

    def column(name: str) -> list:
        if name not in frame:
            return [None] * len(frame)
        values = frame[name].to_numpy(dtype=float)
        return [float(v) if ok else None for v, ok in zip(values, scored, strict=True)]

    has_intervals = level is not None and "clv_low" in frame

    n = len(frame)
    return pa.Table.from_pydict(
        {
            "customer_id": frame["customer_id"].astype(str).tolist(),
            "clv_as_of": [as_of] * n,
            "fitted_at": [datetime.now(UTC).replace(tzinfo=None, microsecond=0)] * n,
            "is_scored": scored.tolist(),
            "probability_alive": column("probability_alive"),
            "expected_transactions_12m": column("expected_transactions"),
            "expected_spend_per_transaction": column("expected_spend_per_transaction"),
            "clv_12m": column("clv"),
            "clv_12m_if_retained": column("clv_if_retained"),
            "not_scored_reason": [None if ok else NO_PURCHASE for ok in scored],
            "model_id": [model_id] * n,
            **{out: column(source) for out, source in INTERVAL_COLUMNS.items()},
            "clv_interval_level": [level if has_intervals and ok else None for ok in scored],
        },
        schema=CLV_SCHEMA,
    )


def with_intervals(
    model, summary: pd.DataFrame, predicted: pd.DataFrame, discount_rate: float, seed: int
) -> tuple[pd.DataFrame, dict]:
    """`predicted` with each customer's interval columns, and the report's `intervals`
    entry (level, method, draws, the total's interval; or why there are none)."""
    skipped = laplace_draws(model, draws=INTERVAL_DRAWS, seed=seed)
    if skipped:
        return predicted, {"skipped": skipped}
    found = predict_intervals(
        model, summary, months=HORIZON_MONTHS, discount_rate=discount_rate, level=INTERVAL_LEVEL
    )
    low, high = found.total_clv
    return predicted.merge(found.customers, on="customer_id", how="left"), {
        "level": found.level,
        "method": "Laplace approximation around the MAP (normal in log parameters), "
        f"{found.draws} draws; equal-tailed; parameter uncertainty only",
        "draws": found.draws,
        "columns": sorted(INTERVAL_COLUMNS),
        "total_clv_12m": {"low": low, "high": high},
    }


def fit_and_write(
    paths: Paths,
    holdout_days: int = DEFAULT_HOLDOUT_DAYS,
    discount_rate: float = 0.0,
    seed: int = 42,
    target: str | None = None,
) -> ClvSummary:
    """Validate (unless holdout_days is 0), fit on everything up to the as-of date, predict
    12 months for every customer, write the predictions and the report (no publish)."""
    seconds: dict[str, float] = {}
    try:
        with engine_for(paths, target) as engine:
            started = time.perf_counter()
            as_of = rfm_queries.read_as_of(engine)
            frame = rfm_queries.read_summary(engine)
            customers = rfm_queries.customer_ids(engine)
            seconds["rfm_query"] = round(time.perf_counter() - started, 2)
    except (rfm_queries.RfmError, EngineError) as exc:
        raise ClvError(str(exc).strip().splitlines()[0]) from None
    built = rfm_queries.built_holdout_days(frame)
    if holdout_days > 0 and built is not None and built != holdout_days:
        raise StaleInputs(built, holdout_days)
    tables = rfm_queries.split_summary(frame)
    summary = tables["full"]
    if holdout_days <= 0:
        tables = None
    validation = None
    if tables is not None:
        started = time.perf_counter()
        try:
            validation, fit_seconds = validate(tables, as_of, holdout_days, seed)
        except ValueError as exc:
            raise ClvError(f"holdout check: {exc}") from None
        seconds["validation_fit"] = round(fit_seconds, 2)
        seconds["validation_total"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    try:
        model = fit_clv(summary, seed=seed)
    except ValueError as exc:
        raise ClvError(str(exc)) from None
    seconds["fit"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    predicted = predict_clv(
        model, summary, horizon_days=HORIZON_MONTHS * DAYS_PER_MONTH, discount_rate=discount_rate
    )
    seconds["predict"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    predicted, intervals = with_intervals(model, summary, predicted, discount_rate, seed)
    seconds["intervals"] = round(time.perf_counter() - started, 2)
    digest = json.dumps(model.parameters, sort_keys=True) + as_of.isoformat()
    model_id = "clv-" + hashlib.sha256(digest.encode()).hexdigest()[:12]
    table = predictions_table(customers, predicted, as_of, model_id, intervals.get("level"))
    path = engine.write_output(table, CLV_FILE, CLV_SCHEMA)
    clv = np.asarray(predicted["clv"], dtype=float)
    report = {
        "model_id": model_id,
        "as_of_date": as_of.isoformat(),
        "method": METHOD,
        "priors": PRIORS_TEXT,
        "time_unit": TIME_UNIT,
        "transaction": "a day with an approved purchase",
        "horizon_days": HORIZON_MONTHS * DAYS_PER_MONTH,
        "discount_rate_monthly": discount_rate,
        "customers": len(customers),
        "scored": len(predicted),
        "total_clv_12m": float(np.nansum(clv)),
        "parameters": model.parameters,
        "intervals": intervals,
        "validation": validation,
        "seconds": seconds,
    }
    report_file = report_path(paths.home)
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(json.dumps(report, indent=2) + "\n")
    return ClvSummary(
        model_id=model_id,
        as_of_date=as_of.isoformat(),
        customers=len(customers),
        scored=len(predicted),
        total_clv_12m=float(np.nansum(clv)),
        parameters=model.parameters,
        time_unit=TIME_UNIT,
        intervals=intervals,
        validation=validation,
        seconds=seconds,
        predictions=str(path),
        report=str(report_file),
        build=None,
    )
