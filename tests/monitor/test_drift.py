"""The monitor end to end through the CLI: undrifted days pass, drifted days are caught.

On a copy of the session's small home (one scoring kept): land 30 ordinary days, rebuild
the warehouse in full, score, and the monitor says "model healthy" (and the scoring kept
before the rebuild is still there); then land 30 days with `--drift`, refresh, score, and
the monitor recommends retraining for drift. The Model health page shows the same verdict.
"""

import json
import os
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from c360.monitor.thresholds import THRESHOLDS
from tests.app.conftest import ENTRY
from tests.conftest import copy_built_home


def c360(home, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, C360_HOME=str(home), C360_DBT_THREADS="1")
    return subprocess.run(
        [sys.executable, "-m", "c360", *args], env=env, capture_output=True, text=True
    )


def step(home, *args: str) -> None:
    result = c360(home, *args)
    assert result.returncode == 0, result.stderr


def monitor(home) -> tuple[int, dict]:
    result = c360(home, "monitor", "--json", "--check")
    assert result.returncode in (0, 2), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def drift_run(built_home, tmp_path_factory):
    paths = copy_built_home(built_home, tmp_path_factory.mktemp("drift") / "home")
    home = paths.home
    kept = sorted((home / "monitoring" / "scorings").glob("*.parquet"))
    step(home, "generate", "--days", "30")
    step(home, "build")  # a full rebuild: the kept scoring must survive it
    step(home, "score")
    healthy = monitor(home)
    step(home, "generate", "--days", "30", "--drift")
    step(home, "refresh")
    step(home, "score")
    return {"home": home, "kept": kept, "healthy": healthy, "drifted": monitor(home)}


def test_undrifted_days_are_healthy_and_history_survives_a_rebuild(drift_run):
    code, report = drift_run["healthy"]
    assert len(drift_run["kept"]) == 1 and drift_run["kept"][0].exists()
    assert code == 0, report["verdict"]
    assert report["verdict"] == {"status": "healthy", "line": "model healthy", "reasons": []}
    before, after = report["scorings"]
    assert after["as_of"] == "2026-01-30" and before["file"] == drift_run["kept"][0].name
    assert after["score_psi_vs_reference"] < THRESHOLDS["score_psi"]
    assert max(after["feature_psi"].values()) < THRESHOLDS["feature_psi"]


def test_drifted_days_recommend_retraining(drift_run):
    code, report = drift_run["drifted"]
    assert code == 2
    assert report["verdict"]["status"] == "retrain"
    latest = report["scorings"][-1]
    assert latest["as_of"] == "2026-03-01" and len(report["scorings"]) == 3
    drifted = [name for name, v in latest["feature_psi"].items() if v > THRESHOLDS["feature_psi"]]
    assert {"txn_count_30d", "active_days_30d"} <= set(drifted)
    assert "top feature(s) drifted" in report["verdict"]["line"]
    assert latest["mean_probability"] > report["scorings"][-2]["mean_probability"]


def test_the_text_report_and_the_page_show_the_verdict(drift_run, monkeypatch):
    text = c360(drift_run["home"], "monitor")
    assert text.returncode == 0
    assert "verdict: retrain recommended:" in text.stdout
    monkeypatch.setenv("C360_HOME", str(drift_run["home"]))
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.run()
    at.switch_page("app_pages/model_health.py").run()
    assert not at.exception
    assert any("retrain recommended" in w.value for w in at.warning)
    assert [s.value for s in at.subheader][:4] == [
        "Score distribution over time",
        "Feature drift, latest scoring",
        "Predicted vs realised churn",
        "Data volume and freshness",
    ]
