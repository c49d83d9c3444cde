"""Run the project's dbt commands in-process and turn results into one clear outcome."""

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from c360.config import Paths

Progress = Callable[[str, int, int], None]
FAILED = {"error", "fail", "runtime error"}


def project_dir() -> Path:
    """The dbt project shipped with c360 (override with C360_DBT_PROJECT)."""
    override = os.environ.get("C360_DBT_PROJECT")
    return Path(override) if override else Path(__file__).resolve().parents[3] / "dbt"


@dataclass
class DbtOutcome:
    success: bool
    nodes: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        shown = "; ".join(self.failures[:3])
        more = f" (and {len(self.failures) - 3} more)" if len(self.failures) > 3 else ""
        return shown + more


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt(
    args: list[str],
    env: dict[str, str],
    paths: Paths,
    progress: Progress | None = None,
    target: str | None = None,
    target_path: Path | None = None,
) -> DbtOutcome:
    """Invoke `dbt <args>` against the c360 project; never raises for dbt failures.

    `target` names the profile output (dbt/profiles.yml); None leaves it to the profile
    ($C360_TARGET, else duckdb). `target_path` is dbt's artifacts folder (default
    `$C360_HOME/dbt_target`, the builds').
    """
    from dbt.cli.main import dbtRunner  # imported late: dbt is slow to import

    done = {"n": 0}

    def on_event(event) -> None:
        if progress is None:
            return
        if event.info.name == "LogStartLine":
            done["total"] = event.data.total
        elif event.info.name == "NodeFinished":
            done["n"] += 1
            progress("dbt", done["n"], max(done.get("total", 0), done["n"]))

    project = project_dir()
    common = [
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(target_path or paths.home / "dbt_target"),
        "--log-path", str(paths.home / "logs"),
        *(["--target", target] if target else []),
    ]  # fmt: skip
    with _environment(env):
        try:
            result = dbtRunner(callbacks=[on_event]).invoke([*args, *common, "--quiet"])
        finally:
            _close_duckdb()
    if result.exception is not None:
        first_line = str(result.exception).strip().splitlines()[0:3]
        return DbtOutcome(False, failures=[" ".join(line.strip() for line in first_line)])
    failures = []
    results = getattr(result.result, "results", []) or []
    for node_result in results:
        if str(node_result.status) in FAILED:
            node = node_result.node
            reason = failure_reason(node_result.message or "")
            failures.append(f"{node.resource_type} {node.name} failed: {reason}")
    return DbtOutcome(result.success and not failures, nodes=len(results), failures=failures)


def failure_reason(message: str) -> str:
    """One line from a dbt failure message: its first line, and when that only says where
    ("Runtime Error in model x (path)"), the next line too, which says what went wrong."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "no message"
    if " Error in " in lines[0] and len(lines) > 1:
        return f"{lines[0]}: {lines[1]}"
    return lines[0]


def _close_duckdb() -> None:
    """Release dbt-duckdb's cached database handle, which outlives the dbt invocation.

    Left open, it holds the file and its settings, so our own connection to the new build
    (to record the build) and a later invocation with other settings would be refused.
    """
    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if connections is None:  # DuckDB's adapter has not run in this process: nothing to close
        # (importing it only to find that out, next to a live Spark session, makes DuckDB's
        # bindings report leaked objects when the process exits)
        return
    DuckDBConnectionManager = connections.DuckDBConnectionManager
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
