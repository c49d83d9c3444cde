"""The churn stage: read the ML tables, train or score, save. Publishing the scores is
the pipeline's job (`c360.pipeline.score`)."""

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc

from c360.config import Paths
from c360.lock import home_lock
from c360.ml.card import model_card, target_checks
from c360.ml.dataset import KEYS, read_modelling_table
from c360.ml.evaluate import reliability_plot, truth_recall
from c360.ml.history import append_scoring, feature_frame, top_features, write_reference
from c360.ml.model import ChurnModel
from c360.ml.predictions import predictions_path, write_predictions
from c360.ml.score import score_customers
from c360.ml.train import train_churn_model


def model_dir(paths: Paths) -> Path:
    return paths.home / "model"


@dataclass
class TrainSummary:
    model_id: str
    model_dir: str
    report: dict
    targets_met: bool


def train(paths: Paths, seed: int = 42, target: str | None = None) -> TrainSummary:
    """Train out of time on the published warehouse; save model, card and plot atomically.

    Holds the home's writer lock throughout, so two trains run one after the other."""
    with home_lock(paths.home, "train"):
        return _train(paths, seed, target)


def _train(paths: Paths, seed: int, target: str | None) -> TrainSummary:
    frame = read_modelling_table(paths, roles=("train", "calibration", "test"), target=target)
    result = train_churn_model(frame, seed=seed)
    result.report["truth_recall"] = truth_recall(
        result.holdout, paths.bronze / "_truth" / "customers.parquet"
    )
    staged = paths.home / f".model-staging-{uuid.uuid4().hex[:8]}"
    try:
        result.model.metadata["metrics"] = result.report
        result.model.save(staged)  # names the model after its booster's sha256
        model_id = result.model.metadata["model_id"]
        holdout = result.holdout
        reliability_plot(
            holdout["churned"].to_numpy(dtype=float),
            holdout["probability"].to_numpy(),
            staged / "reliability.png",
        )
        (staged / "model_card.md").write_text(model_card(result.report, model_id))
        (staged / "report.json").write_text(json.dumps(result.report, indent=2, default=str))
        top = top_features(result.model.metadata, result.model.features)
        test_rows = holdout[KEYS].merge(frame, on=KEYS, how="left")
        write_reference(staged, holdout, feature_frame(test_rows, top))
        _swap_in(staged, model_dir(paths))
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return TrainSummary(
        model_id=model_id,
        model_dir=str(model_dir(paths)),
        report=result.report,
        targets_met=all(ok for _, ok in target_checks(result.report)),
    )


def _swap_in(staged: Path, target: Path) -> None:
    """Replace the model folder so a reader sees the old model or the new one (a moment
    with neither, between two renames, reads as "no trained model")."""
    retired = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(retired)
    try:
        staged.rename(target)
    except OSError:
        if retired.exists():
            retired.rename(target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


@dataclass
class ScoreSummary:
    model_id: str
    as_of_date: str
    customers: int
    scored: int
    tiers: dict
    predictions: str
    build: object = None  # the republish's BuildReport, set by the pipeline
    kept_as: str = ""  # the scoring's file in the history the monitor reads


@dataclass
class Scoring:
    """A scoring waiting to be kept in the history once it is published."""

    predictions: object  # pyarrow.Table
    features: object  # pandas.DataFrame, row-aligned with `predictions`
    model_dir: Path


def score_to_file(paths: Paths, target: str | None = None) -> tuple[ScoreSummary, Scoring]:
    """Score every customer at the as-of date and write the predictions (no publish); the
    scoring to keep (`keep_scoring`) once the pipeline has republished."""
    model = ChurnModel.load(model_dir(paths))
    frame = read_modelling_table(paths, roles=("score",), target=target)
    model_id = model.metadata.get("model_id", "unknown")
    table = score_customers(model, frame, model_id)
    path = predictions_path(paths.home)
    write_predictions(table, path)
    current = frame[frame["cutoff_role"] == "score"].reset_index(drop=True)
    top = top_features(model.metadata, model.features)
    scoring = Scoring(table, feature_frame(current, top), model_dir(paths))
    tiers = pc.value_counts(table.column("churn_risk_tier")).to_pylist()
    as_of = pc.min(table.column("scored_as_of")).as_py() if table.num_rows else None
    return ScoreSummary(
        model_id=model_id,
        as_of_date=str(as_of),
        customers=table.num_rows,
        scored=int(pc.sum(table.column("is_scored")).as_py() or 0),
        tiers={str(t["values"]): t["counts"] for t in tiers if t["values"] is not None},
        predictions=str(path),
    ), scoring


def keep_scoring(paths: Paths, scoring: Scoring) -> Path:
    """Append a published scoring to the history the monitor reads (c360.ml.history)."""
    return append_scoring(paths.home, scoring.predictions, scoring.features, scoring.model_dir)
