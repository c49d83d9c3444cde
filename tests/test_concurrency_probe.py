"""The issue-16 probe: writers started together, or killed mid-way, lose nothing.

Real `c360` processes on a copy of the small built home: build + refresh + score at once,
train + score at once, and a build killed while dbt runs. Afterwards the served warehouse
opens read-only, the model loads, and the next command works."""

import json
import signal
import time

import duckdb

from c360.ml.model import ChurnModel
from c360.ml.pipeline import model_dir
from tests.conftest import copy_built_home
from tests.test_lock import c360_process, run_c360, wait_until_holding


def _finish(processes) -> list[tuple[int, str, str]]:
    outcomes = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=900)
        outcomes.append((process.returncode, stdout, stderr))
    return outcomes


def _served_build(home) -> str:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select build_id from meta.build_info order by finished_at desc limit 1"
        ).fetchone()[0]


def _scored_customers(home) -> int:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select count(*) from gold.customer_360_profile where churn_probability is not null"
        ).fetchone()[0]


def test_build_refresh_and_score_at_once_all_succeed_in_turn(built_home, tmp_path):
    home = copy_built_home(built_home, tmp_path / "home")
    landed = run_c360(home.home, "generate", "--days", "1")
    assert landed.returncode == 0, landed.stderr
    outcomes = _finish(
        [c360_process(home.home, *args) for args in (["build"], ["refresh"], ["score"])]
    )
    for code, _, stderr in outcomes:
        assert code == 0 and "Traceback" not in stderr, stderr
    assert _served_build(home)
    assert _scored_customers(home) > 0
    assert ChurnModel.load(model_dir(home))


def test_train_and_score_at_once_keep_model_and_scores(built_home, tmp_path):
    home = copy_built_home(built_home, tmp_path / "home")
    expected = json.loads((model_dir(built_home) / "model.json").read_text())["model_id"]
    outcomes = _finish([c360_process(home.home, "train"), c360_process(home.home, "score")])
    for code, _, stderr in outcomes:
        assert code == 0 and "Traceback" not in stderr, stderr
    assert ChurnModel.load(model_dir(home)).metadata["model_id"] == expected
    assert _scored_customers(home) > 0


def test_a_build_killed_mid_way_changes_nothing_served(built_home, tmp_path):
    home = copy_built_home(built_home, tmp_path / "home")
    before = _served_build(home)
    build = c360_process(home.home, "build")
    wait_until_holding(home.home, build)
    time.sleep(5)  # well inside dbt's run on the small home
    build.send_signal(signal.SIGKILL)
    build.communicate(timeout=60)
    assert _served_build(home) == before
    scored = run_c360(home.home, "score", "--json")  # takes the stale lock over
    assert scored.returncode == 0, scored.stderr
    assert _scored_customers(home) > 0
