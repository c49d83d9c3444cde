"""`c360 daily`: the one command a scheduler runs every day.

Steps, in order, under the home's writer lock (a second run waits or fails in one line):
freshness (`dbt source freshness` on bronze), refresh (incremental build, published only
when every data test passed), score, CLV and uplift refits when due (`refit_every_days`,
remembered in `$C360_HOME/daily_state.json`), and the monitor when one is installed. A
failed step is retried with exponential backoff; if it still fails, the later steps are
skipped and the served warehouse stays yesterday's (each step publishes atomically or not
at all). A failed run, stale bronze or a monitor warning sends an alert (c360.ops.alert).
"""

import importlib
import importlib.util
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from c360.config import Paths, resolve_target
from c360.lock import home_lock
from c360.ops.alert import send_alert

STATE_FILE = "daily_state.json"
DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY = 30.0  # seconds before the first retry; doubled before each next one
DEFAULT_REFIT_DAYS = 7
REFITS = ("clv", "uplift")
# The monitoring step runs when this c360 has the monitor (`c360 monitor`): its report's
# `build_report(paths)` -> {"verdict": {"status", "line"}, ...}, written to MONITOR_REPORT.
MONITOR_MODULE = "c360.monitor.report"
MONITOR_REPORT = "logs/monitor_report.json"
ATTENTION = ("stale", "warn")  # alerted, not failures

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class DailyOptions:
    retries: int = DEFAULT_RETRIES
    retry_delay: float = DEFAULT_RETRY_DELAY
    refit_every_days: int = DEFAULT_REFIT_DAYS  # 0 = refit CLV and uplift on every run
    seed: int = 42


@dataclass
class StepResult:
    name: str
    status: str  # ok | stale | warn | skipped | failed
    detail: str
    attempts: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.name:<9} {self.status:<7} {self.detail}{tries}"


@dataclass
class DailyReport:
    home: str
    started_at: str = ""
    finished_at: str = ""
    steps: list[StepResult] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.status != "failed" for step in self.steps)

    @property
    def status(self) -> str:
        """failed, else the first attention status (stale, warn), else ok."""
        if not self.ok:
            return "failed"
        return next((s.status for s in self.steps if s.status in ATTENTION), "ok")

    def summary(self) -> str:
        failed = [s for s in self.steps if s.status == "failed"]
        if failed:
            return f"c360 daily failed at {failed[0].name}: {failed[0].detail}"
        attention = [s.name for s in self.steps if s.status in ATTENTION]
        if attention:
            return f"c360 daily passed, with warnings from {', '.join(attention)}"
        return "c360 daily passed"

    def to_dict(self) -> dict:
        return {"status": self.status, "ok": self.ok, "summary": self.summary(), **asdict(self)}


class StepError(Exception):
    """A step did not pass; one line."""


def run_daily(
    paths: Paths,
    options: DailyOptions | None = None,
    progress: Progress = _no_progress,
    on_step: Callable[[StepResult], None] = lambda step: None,
    sleep: Callable[[float], None] = time.sleep,
) -> DailyReport:
    """Run the day's steps under the home's writer lock; alert unless all went well."""
    options = options or DailyOptions()
    report = DailyReport(home=str(paths.home))
    with home_lock(paths.home, "daily"):
        report.started_at = _now().isoformat(timespec="seconds")
        state = load_state(paths.home)
        for name, step in _steps(paths, options, state, progress):
            if not report.ok:
                result = StepResult(name, "skipped", "an earlier step failed")
            else:
                result = attempt_step(name, step, options, sleep)
            report.steps.append(result)
            on_step(result)
        state["last_run"] = {"at": report.started_at, "status": report.status}
        save_state(paths.home, state)
        report.finished_at = _now().isoformat(timespec="seconds")
    if report.status != "ok":
        report.alerts = send_alert(alert_payload(report))
    return report


def _steps(paths: Paths, options: DailyOptions, state: dict, progress: Progress):
    def label(step: str) -> Progress:
        return lambda stage, done, total: progress(f"{step}: {stage}", done, total)

    target = resolve_target()  # $C360_TARGET: every step but the monitor runs on it
    on_snowflake = target == "snowflake"
    remote = "bronze is in Snowflake: check it there (dbt source freshness)"
    # the monitor reads a DuckDB file: DuckDB's warehouse or a Spark build's serving file
    no_file = "reads a DuckDB file (the warehouse, or Spark's serving file); Snowflake has none"
    yield "freshness", _skip(remote) if on_snowflake else _freshness(paths)
    yield "refresh", lambda: _refresh(paths, label("refresh"))
    yield "score", lambda: _score(paths, label("score"))
    for name in REFITS:
        yield name, _refit(name, paths, options, state, label(name))
    yield "monitor", _skip(no_file) if on_snowflake else (lambda: _monitor(paths))


def _skip(reason: str) -> Callable[[], tuple[str, str]]:
    return lambda: ("skipped", reason)


def attempt_step(
    name: str, step: Callable[[], tuple[str, str]], options: DailyOptions, sleep
) -> StepResult:
    """Run `step` up to 1 + retries times, waiting retry_delay, 2x, 4x ... between tries."""
    started = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        try:
            status, detail = step()
            break
        except Exception as exc:  # a scheduler's run reports every failure, then alerts
            detail = one_line(exc)
            if attempts > options.retries:
                status = "failed"
                break
            wait = options.retry_delay * 2 ** (attempts - 1)
            sys.stderr.write(
                f"c360 daily: {name} failed (attempt {attempts} of {options.retries + 1}): "
                f"{detail}; retrying in {wait:g}s\n"
            )
            sleep(wait)
    return StepResult(name, status, detail, attempts, round(time.perf_counter() - started, 2))


def one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    known = type(exc).__module__.startswith("c360.")
    return text if known and text else f"{type(exc).__name__}: {text}".rstrip(": ")


def _freshness(paths: Paths) -> Callable[[], tuple[str, str]]:
    def step() -> tuple[str, str]:
        from c360.warehouse.freshness import check_freshness

        report = check_freshness(paths)
        if report.failed:
            raise StepError(report.describe())
        return ("stale" if report.stale else "ok"), report.describe()

    return step


def _refresh(paths: Paths, progress: Progress) -> tuple[str, str]:
    from c360.warehouse.publish import build_warehouse

    build = build_warehouse(paths, incremental=True, progress=progress)
    return "ok", (
        f"published build {build.build_id} as of {build.as_of_date} "
        f"({build.nodes} dbt nodes, {build.seconds:.1f}s)"
    )


def _score(paths: Paths, progress: Progress) -> tuple[str, str]:
    from c360.pipeline import score

    summary = score(paths, progress=progress)
    return "ok", (
        f"{summary.scored:,} of {summary.customers:,} customers scored as of "
        f"{summary.as_of_date} with model {summary.model_id}"
    )


def _refit(name: str, paths: Paths, options: DailyOptions, state: dict, progress: Progress):
    def step() -> tuple[str, str]:
        last = state.get(name, {}).get("last_success")
        if not refit_due(last, options.refit_every_days, _now()):
            return "skipped", (f"not due: last refit {last}, every {options.refit_every_days} days")
        status, detail = (_clv if name == "clv" else _uplift)(paths, options.seed, progress)
        if status == "ok":
            state[name] = {"last_success": _now().isoformat(timespec="seconds")}
        return status, detail

    return step


def _clv(paths: Paths, seed: int, progress: Progress) -> tuple[str, str]:
    from c360.pipeline import run_clv

    summary = run_clv(paths, seed=seed, progress=progress)
    return "ok", (
        f"model {summary.model_id}: {summary.scored:,} of {summary.customers:,} customers, "
        f"12-month total ${summary.total_clv_12m:,.0f}"
    )


def _uplift(paths: Paths, seed: int, progress: Progress) -> tuple[str, str]:
    from c360.pipeline import run_uplift
    from c360.uplift.pipeline import NoCampaign, TooLittleData

    try:
        summary = run_uplift(paths, seed=seed, progress=progress)
    except (NoCampaign, TooLittleData) as exc:
        return "skipped", str(exc)
    return "ok", (
        f"model {summary.model_id} on {summary.campaign_id}: held-out Qini area "
        f"{summary.qini_area:+.4f}; {summary.scored:,} of {summary.customers:,} scored"
    )


def _monitor(paths: Paths) -> tuple[str, str]:
    """The monitor's report, written to MONITOR_REPORT; a verdict other than healthy is a
    warning (alerted), a monitor that cannot read what it needs fails the step."""
    try:
        found = importlib.util.find_spec(MONITOR_MODULE) is not None
    except ModuleNotFoundError:  # c360.monitor itself is missing
        found = False
    if not found:
        return "skipped", "this c360 has no monitor (c360 monitor)"
    report = importlib.import_module(MONITOR_MODULE).build_report(paths)
    path = paths.home / MONITOR_REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    staged.write_text(json.dumps(report, indent=2, default=str) + "\n")
    staged.replace(path)
    verdict = report["verdict"]
    return ("ok" if verdict["status"] == "healthy" else "warn"), f"{verdict['line']}; {path}"


def refit_due(last_success: str | None, every_days: int, now: datetime) -> bool:
    if every_days <= 0 or not last_success:
        return True
    try:
        last = datetime.fromisoformat(last_success)
    except ValueError:
        return True
    return now - last >= timedelta(days=every_days)


def load_state(home: Path) -> dict:
    """What earlier daily runs remembered; an unreadable file counts as none (refit)."""
    try:
        state = json.loads((Path(home) / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def save_state(home: Path, state: dict) -> None:
    path = Path(home) / STATE_FILE
    staged = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    staged.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    staged.replace(path)


def alert_payload(report: DailyReport) -> dict:
    return {
        "source": "c360 daily",
        "host": socket.gethostname(),
        **report.to_dict(),
    }


def _now() -> datetime:
    return datetime.now(UTC)
