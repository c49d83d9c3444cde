"""Runs the stages in order and publishes: the only module that both builds the warehouse
and runs stages (ml, clv, uplift), so the stages never build it themselves.

Each single-stage entry (`score`, `run_clv`, `run_uplift`) writes its model output and
then republishes the profile; `run_all` (`c360 run`) builds, runs every stage and
republishes once at the end. Model inputs are dbt models; the one stage parameter that
changes one (`c360 clv --holdout-days`, dbt var `clv_holdout_days`) rebuilds that model
with the var before the stage reads it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from c360.clv import pipeline as clv_stage
from c360.config import Paths, resolve_target
from c360.lock import home_lock
from c360.ml import pipeline as churn_stage
from c360.ml.pipeline import ScoreSummary, TrainSummary, train
from c360.uplift import pipeline as uplift_stage
from c360.warehouse.dbt import Progress
from c360.warehouse.publish import BuildReport, build_warehouse

__all__ = ["TrainSummary", "run_all", "run_clv", "run_uplift", "score", "train"]

CHURN_OUTPUTS_SELECTOR = "stg_churn_predictions+"
# Both value outputs' staging models (so a warehouse built before either output existed
# still builds) and the profile.
VALUE_OUTPUTS_SELECTOR = "stg_clv_predictions+ stg_uplift_predictions+"
ALL_OUTPUTS_SELECTOR = f"{CHURN_OUTPUTS_SELECTOR} {VALUE_OUTPUTS_SELECTOR}"
CLV_INPUTS_SELECTOR = "clv_rfm_summary"


def republish(paths: Paths, select: str, target: str | None = None, progress=None) -> BuildReport:
    """Rebuild what reads the model outputs and publish it."""
    return build_warehouse(paths, incremental=True, progress=progress, select=select, target=target)


def score(
    paths: Paths, progress: Progress | None = None, target: str | None = None
) -> ScoreSummary:
    """Score every customer at the as-of date, write the predictions, republish the profile."""
    with home_lock(paths.home, "score"):  # the predictions file and the republish
        summary, scoring = churn_stage.score_to_file(paths, target=target)
        summary.build = republish(paths, CHURN_OUTPUTS_SELECTOR, target, progress)
        summary.kept_as = str(churn_stage.keep_scoring(paths, scoring))
    summary.as_of_date = summary.build.as_of_date
    return summary


def _clv(paths: Paths, holdout_days: int, discount_rate: float, seed: int, target, progress):
    """The CLV stage, rebuilding its input first when it holds another holdout."""
    try:
        return clv_stage.fit_and_write(paths, holdout_days, discount_rate, seed, target)
    except clv_stage.StaleInputs as exc:
        build_warehouse(
            paths,
            incremental=True,
            progress=progress,
            select=CLV_INPUTS_SELECTOR,
            target=target,
            dbt_vars={"clv_holdout_days": exc.wanted},
        )
    return clv_stage.fit_and_write(paths, holdout_days, discount_rate, seed, target)


def run_clv(
    paths: Paths,
    holdout_days: int = clv_stage.DEFAULT_HOLDOUT_DAYS,
    discount_rate: float = 0.0,
    seed: int = 42,
    publish: bool = True,
    progress: Progress | None = None,
    target: str | None = None,
) -> clv_stage.ClvSummary:
    """`c360 clv`: fit, validate, write the predictions and (unless publish=False)
    republish the profile."""
    with home_lock(paths.home, "clv"):
        summary = _clv(paths, holdout_days, discount_rate, seed, target, progress)
        if publish:
            build = republish(paths, VALUE_OUTPUTS_SELECTOR, target, progress)
            summary.build = build.__dict__
    return summary


def run_uplift(
    paths: Paths,
    learner: str = "x",
    campaign_id: str | None = None,
    holdout_share: float = uplift_stage.DEFAULT_HOLDOUT_SHARE,
    seed: int = 42,
    publish: bool = True,
    progress: Progress | None = None,
    target: str | None = None,
) -> uplift_stage.UpliftSummary:
    """`c360 uplift`: fit, evaluate, write the scores and (unless publish=False) republish."""
    with home_lock(paths.home, "uplift"):
        summary = uplift_stage.fit_and_write(
            paths, learner, campaign_id, holdout_share, seed, target
        )
        if publish:
            build = republish(paths, VALUE_OUTPUTS_SELECTOR, target, progress)
            summary.build = build.__dict__
    return summary


@dataclass
class Stage:
    """One step of `run_all`: its name and what it returns (or why it was skipped)."""

    name: str
    result: object
    seconds: float = 0.0  # wall time of this stage alone


def run_all(
    paths: Paths,
    seed: int = 42,
    target: str | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[Stage], None] | None = None,
) -> dict[str, object]:
    """Build, train, score, CLV and uplift on one engine, then republish once.

    Uplift is skipped (not failed) when the data has no randomised campaign, or one too
    small to learn from. `on_stage`
    hears each finished stage (the CLI prints it)."""
    target = resolve_target(target)
    done: dict[str, object] = {}
    clock = [time.perf_counter()]

    def finished(name: str, result: object) -> None:
        done[name] = result
        now = time.perf_counter()
        seconds, clock[0] = round(now - clock[0], 2), now
        if on_stage is not None:
            on_stage(Stage(name, result, seconds))

    with home_lock(paths.home, "run"):
        finished("build", build_warehouse(paths, progress=progress, target=target))
        finished("train", train(paths, seed=seed, target=target))
        scored, scoring = churn_stage.score_to_file(paths, target=target)
        finished("score", scored)
        finished(
            "clv",
            _clv(paths, clv_stage.DEFAULT_HOLDOUT_DAYS, 0.0, seed, target, progress),
        )
        try:
            uplift = uplift_stage.fit_and_write(paths, seed=seed, target=target)
        except (uplift_stage.NoCampaign, uplift_stage.TooLittleData) as exc:
            uplift = {"skipped": str(exc)}  # what the data allows: the run goes on
        finished("uplift", uplift)
        finished("publish", republish(paths, ALL_OUTPUTS_SELECTOR, target, progress))
        scored.kept_as = str(churn_stage.keep_scoring(paths, scoring))
    return done
