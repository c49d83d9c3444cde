"""One writer per home: a second writer waits or fails in one line naming the holder, a
killed holder's lock and staging are taken over, nested stages do not wait for themselves."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import c360
from c360 import lock
from c360.cli import app
from c360.ml.model import ChurnModel
from c360.ml.pipeline import model_dir
from c360.ml.predictions import predictions_path
from tests.conftest import copy_built_home


def c360_process(home: Path, *args: str) -> subprocess.Popen:
    """`c360 <args>` as a real process on `home`, with this checkout's code."""
    env = os.environ | {
        "C360_HOME": str(home),
        "PYTHONPATH": str(Path(c360.__file__).parents[1]),
    }
    env.pop("C360_LOCK_TIMEOUT", None)
    return subprocess.Popen(
        [sys.executable, "-m", "c360", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_c360(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    process = c360_process(home, *args)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def wait_until_holding(home: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    """Until the lock file names `process` as its holder."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        holder = lock.read_holder(home) or {}
        if holder.get("pid") == process.pid and not holder.get("released"):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"{process.args} never took the writer lock of {home}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def home(built_home, tmp_path):
    return copy_built_home(built_home, tmp_path / "home")


def test_the_lock_is_re_entrant_and_released(tmp_path):
    with lock.home_lock(tmp_path, "outer", wait=0):
        with lock.home_lock(tmp_path, "inner", wait=0):
            assert lock.read_holder(tmp_path)["operation"] == "outer"
        assert lock.holds_lock(tmp_path)
    assert not lock.holds_lock(tmp_path)
    assert lock.read_holder(tmp_path)["released"]


def test_another_thread_waits_its_turn(tmp_path):
    refused = []

    def other_writer():
        try:
            with lock.home_lock(tmp_path, "other", wait=0):
                pass
        except lock.LockError as exc:
            refused.append(str(exc))

    with lock.home_lock(tmp_path, "first", wait=0):
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join()
    assert len(refused) == 1 and f"pid {os.getpid()}" in refused[0]
    other_writer()
    assert len(refused) == 1  # free again


HOLD_LOCK = """
import sys
from c360.lock import home_lock
sys.argv = ["c360", "train", "--json"]  # what the lock records as the holder's command
with home_lock(sys.stdin.readline().strip(), "train"):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes stdin
"""


def test_a_second_writer_fails_in_one_line_naming_the_holder(home):
    """A holder that keeps the lock as long as the test needs (a real train on the small home
    can finish before the second command has started)."""
    predictions = predictions_path(home.home)
    before = digest(predictions)
    env = os.environ | {"PYTHONPATH": str(Path(c360.__file__).parents[1])}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        holder.stdin.write(f"{home.home}\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "held"
        second = run_c360(home.home, "--lock-timeout", "0.5", "score")
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert "Traceback" not in second.stderr
    assert "c360 train --json" in lines[0] and f"pid {holder.pid}" in lines[0]
    assert digest(predictions) == before  # score wrote nothing outside the lock
    assert holder.returncode == 0


def test_a_killed_writers_lock_and_staging_are_taken_over(home):
    holder = c360_process(home.home, "train")
    wait_until_holding(home.home, holder)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    # what killed commands leave behind
    (home.home / ".model-staging-0badf00d").mkdir()
    (home.home / ".model-staging-0badf00d" / "booster.txt").write_text("half a model")
    (home.home / "builds" / "next").mkdir(parents=True)
    (home.home / "builds" / "next" / "warehouse.duckdb").write_bytes(b"half a warehouse")
    (home.home / ".bronze.tmp-0badf00d" / "transactions").mkdir(parents=True)
    (home.home / "predictions" / ".churn_predictions.parquet.tmp-99999").write_bytes(b"PAR1")

    result = run_c360(home.home, "--lock-timeout", "0", "score")
    assert result.returncode == 0, result.stderr
    assert f"took over a stale lock in {home.home} from `c360 train` (pid {holder.pid}" in (
        result.stderr
    )
    left = {p.name for p in home.home.iterdir()} | {
        p.name for p in (home.home / "predictions").iterdir()
    }
    assert not {n for n in left if ".tmp-" in n or "staging" in n}
    assert not list((home.home / "builds").glob("*"))
    ChurnModel.load(model_dir(home))


def test_a_swap_killed_between_its_renames_gets_its_model_back(home):
    retired = home.home / ".model.old-0badf00d"
    model_dir(home).rename(retired)
    with lock.home_lock(home.home, "train", wait=0):
        pass
    assert not retired.exists()
    ChurnModel.load(model_dir(home))


@pytest.mark.parametrize("value", ["nan", "-1", "soon"])
def test_a_bad_lock_timeout_is_one_line(home, monkeypatch, value):
    monkeypatch.setenv("C360_HOME", str(home.home))
    result = CliRunner().invoke(app, ["--lock-timeout", value, "score"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "lock timeout" in result.output
    monkeypatch.setenv("C360_LOCK_TIMEOUT", value)
    result = CliRunner().invoke(app, ["score"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "lock timeout" in result.output
    assert json.loads((model_dir(home) / "model.json").read_text())["model_id"]


WRITERS = [
    ["generate", "--customers", "30", "--transactions", "900", "--workers", "1"],
    ["generate", "--days", "1"],
    ["build"],
    ["refresh"],
    ["train"],
    ["score"],
    ["clv"],
    ["uplift"],
    ["run", "--scale", "0.001"],
    ["daily"],
]


@pytest.fixture()
def held_home(tmp_path, monkeypatch):
    """An empty home whose writer lock another thread of this process holds."""
    home = tmp_path / "home"
    monkeypatch.setenv("C360_HOME", str(home))
    taken, done = threading.Event(), threading.Event()

    def hold():
        with lock.home_lock(home, "test holder", wait=0):
            taken.set()
            done.wait(60)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    yield home
    done.set()
    thread.join()


@pytest.mark.parametrize("args", WRITERS, ids=lambda args: " ".join(args[:2]))
def test_every_writer_takes_the_lock_first(held_home, args):
    result = CliRunner().invoke(app, ["--lock-timeout", "0", *args])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"pid {os.getpid()}" in lines[0], result.output
    assert sorted(p.name for p in held_home.iterdir()) == [lock.LOCK_FILE]
