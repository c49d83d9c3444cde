"""The uplift stage: fit an uplift learner on the past randomised campaign, evaluate it on
held-out participants (Qini; and against the generator's truth when present), score every
eligible customer today, write the scores and the report. Publishing is the pipeline's job
(`c360.pipeline.run_uplift`)."""

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from c360.config import Paths
from c360.contracts.outputs import UPLIFT_FILE, UPLIFT_SCHEMA, outputs_dir
from c360.uplift import dataset
from c360.uplift.learners import fit_uplift
from c360.uplift.qini import downsample, qini_area, qini_curve
from c360.warehouse.engines import EngineError, engine_for

DEFAULT_HOLDOUT_SHARE = 0.3
MIN_PARTICIPANTS = 40


class UpliftError(Exception):
    """The uplift model cannot be fitted; one line for the user."""


class NoCampaign(UpliftError):
    """Nothing to learn from: the data has no randomised campaign."""


class TooLittleData(UpliftError):
    """The campaign is there, but too small to learn from (too few participants, or an arm
    whose outcome never varies)."""


def uplift_path(home: Path) -> Path:
    return outputs_dir(home) / UPLIFT_FILE


def report_path(home: Path) -> Path:
    return home / "uplift" / "report.json"


@dataclass
class UpliftSummary:
    model_id: str
    campaign_id: str
    learner: str
    participants: int
    holdout: int
    qini_area: float
    qini_area_by_risk: float | None
    truth: dict | None
    scored: int
    customers: int
    seconds: dict
    predictions: str
    report: str
    build: dict | None


def split_holdout(frame: pd.DataFrame, share: float, seed: int) -> np.ndarray:
    """A boolean held-out mask, stratified by arm, seeded."""
    rng = np.random.default_rng(seed)
    holdout = np.zeros(len(frame), dtype=bool)
    treated = frame["treated"].to_numpy(dtype=bool)
    for arm in (True, False):
        index = np.flatnonzero(treated == arm)
        rng.shuffle(index)
        holdout[index[: round(len(index) * share)]] = True
    return holdout


def churn_risk(paths: Paths, frame: pd.DataFrame) -> np.ndarray | None:
    """The churn model's probability for these rows, or None when no model is trained."""
    from c360.ml.model import ChurnModel, ModelError
    from c360.ml.pipeline import model_dir

    try:
        model = ChurnModel.load(model_dir(paths))
        return model.probability(frame)
    except (ModelError, FileNotFoundError, KeyError, ValueError):
        return None


def evaluate(
    participants: pd.DataFrame, holdout: np.ndarray, uplift: np.ndarray, risk: np.ndarray | None
) -> dict:
    """Qini curves and areas on the held-out participants: model, churn risk, random."""
    test = participants[holdout]
    treated = test["treated"].to_numpy(bool)
    retained = test["retained"].to_numpy(float)
    curves = {"uplift_model": qini_curve(uplift, treated, retained)}
    if risk is not None:
        curves["churn_risk"] = qini_curve(risk, treated, retained)
    treated_rate = retained[treated].mean() if treated.any() else float("nan")
    control_rate = retained[~treated].mean() if (~treated).any() else float("nan")
    return {
        "holdout_customers": len(test),
        "holdout_treated": int(treated.sum()),
        "holdout_retention_treated": float(treated_rate),
        "holdout_retention_control": float(control_rate),
        "qini_area": {name: qini_area(curve) for name, curve in curves.items()},
        "qini_curve": {name: downsample(curve) for name, curve in curves.items()},
    }


def fit_and_write(
    paths: Paths,
    learner: str = "x",
    campaign_id: str | None = None,
    holdout_share: float = DEFAULT_HOLDOUT_SHARE,
    seed: int = 42,
    target: str | None = None,
) -> UpliftSummary:
    """Fit, evaluate, score today's eligible customers, write the scores and the report."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    try:
        with engine_for(paths, target) as engine:
            campaign = dataset.find_campaign(engine, campaign_id)
            frame = dataset.participants(engine, campaign)
            current = dataset.scoring_frame(engine)
    except dataset.NoCampaignError as exc:
        raise NoCampaign(str(exc)) from None
    except (dataset.UpliftDataError, EngineError) as exc:
        raise UpliftError(str(exc).strip().splitlines()[0]) from None
    seconds["query"] = round(time.perf_counter() - started, 2)
    if len(frame) < MIN_PARTICIPANTS:
        raise TooLittleData(
            f"campaign {campaign.campaign_id} has {len(frame)} participants with features; "
            f"uplift needs at least {MIN_PARTICIPANTS}"
        )
    features = dataset.uplift_features(frame)
    holdout = split_holdout(frame, holdout_share, seed)
    try:
        started = time.perf_counter()
        model = fit_uplift(frame[~holdout], features, learner=learner, seed=seed)
        seconds["fit_train_split"] = round(time.perf_counter() - started, 2)
        predicted = model.predict(frame[holdout])
        risk = churn_risk(paths, frame[holdout])
        evaluation = evaluate(frame, holdout, predicted, risk)
        started = time.perf_counter()
        final = fit_uplift(frame, features, learner=learner, seed=seed)
        seconds["fit_all"] = round(time.perf_counter() - started, 2)
    except ValueError as exc:
        raise TooLittleData(f"campaign {campaign.campaign_id}: {exc}") from None

    # evaluation only: the truth sees predictions, never the other way round
    from c360.uplift.truth import truth_report

    scored_holdout = frame.loc[holdout, ["customer_id"]].assign(uplift=predicted)
    if risk is not None:
        scored_holdout["churn_probability"] = risk
    truth = truth_report(paths.bronze, scored_holdout)

    eligible = current["is_eligible"].fillna(False).astype(bool).to_numpy()
    uplift_now = np.full(len(current), np.nan)
    if eligible.any():
        uplift_now[eligible] = final.predict(current[eligible])
    as_of = campaign.as_of_date
    digest = f"{learner}|{campaign.campaign_id}|{as_of}|{seed}|{np.round(uplift_now, 6).tolist()}"
    model_id = "uplift-" + hashlib.sha256(digest.encode()).hexdigest()[:12]
    n = len(current)
    table = pa.Table.from_pydict(
        {
            "customer_id": current["customer_id"].astype(str).tolist(),
            "uplift_as_of": [as_of] * n,
            "fitted_at": [datetime.now(UTC).replace(tzinfo=None, microsecond=0)] * n,
            "is_scored": eligible.tolist(),
            "retention_uplift": [
                float(v) if ok else None for v, ok in zip(uplift_now, eligible, strict=True)
            ],
            "not_scored_reason": [
                None if ok else str(reason)
                for reason, ok in zip(current["ineligible_reason"], eligible, strict=True)
            ],
            "campaign_id": [campaign.campaign_id] * n,
            "model_id": [model_id] * n,
        },
        schema=UPLIFT_SCHEMA,
    )
    path = engine.write_output(table, UPLIFT_FILE, UPLIFT_SCHEMA)
    report = {
        "model_id": model_id,
        "learner": learner,
        "campaign": {k: str(v) for k, v in asdict(campaign).items()},
        "outcome": (
            f"retained: an approved purchase in the last {dataset.ACTIVE_DAYS} days of the "
            f"{dataset.WINDOW_DAYS} days after assignment"
        ),
        "participants": len(frame),
        "features": features,
        "holdout_share": holdout_share,
        "evaluation": evaluation,
        "truth": truth,
        "scored": int(eligible.sum()),
        "mean_predicted_uplift_today": float(np.nanmean(uplift_now)) if eligible.any() else None,
        "seconds": seconds,
    }
    report_file = report_path(paths.home)
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(json.dumps(report, indent=2) + "\n")
    areas = evaluation["qini_area"]
    return UpliftSummary(
        model_id=model_id,
        campaign_id=campaign.campaign_id,
        learner=learner,
        participants=len(frame),
        holdout=int(holdout.sum()),
        qini_area=areas["uplift_model"],
        qini_area_by_risk=areas.get("churn_risk"),
        truth=truth,
        scored=int(eligible.sum()),
        customers=n,
        seconds=seconds,
        predictions=str(path),
        report=str(report_file),
        build=None,
    )
