"""Generator workers: never more than the CPUs and memory allow, and none outlive the parent."""

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from c360.generate import workers
from c360.generate.pipeline import GenerateError, GenerateRequest


@pytest.fixture()
def machine(monkeypatch):
    """A machine with 2 CPUs and 8 GiB available."""
    monkeypatch.setattr(workers, "usable_cpus", lambda: 2)
    monkeypatch.setattr(workers, "available_memory", lambda: 8 << 30)


@pytest.mark.parametrize(("requested", "expected"), [(0, 2), (1, 1), (2, 2), (1000, 2)])
def test_workers_are_capped_by_the_cpus(machine, requested, expected):
    assert workers.worker_limit(requested, customers=50_000) == expected


def test_workers_are_capped_by_memory(machine):
    # 2 million customers: ~4 GiB in the parent, ~4.25 GiB per worker: only one fits
    assert workers.worker_limit(1000, customers=2_000_000) == 1
    assert workers.worker_limit(0, customers=3_000_000) == 1  # never fewer than one


def test_negative_requests_do_not_mean_more(machine):
    assert workers.worker_limit(-3, customers=100) <= 2


def test_the_real_machine_gives_a_sane_count():
    assert 1 <= workers.worker_limit(1000, customers=1_000) <= (os.cpu_count() or 1)


def test_a_population_larger_than_memory_is_refused(tmp_path, monkeypatch):
    from c360.generate import pipeline

    monkeypatch.setattr(pipeline, "available_memory", lambda: 1 << 30)
    request = GenerateRequest(
        customers=1_000_000, transactions=2_000_000, seed=1, as_of=pipeline.date(2025, 12, 31),
        output=tmp_path / "bronze",
    )  # fmt: skip
    with pytest.raises(GenerateError, match="GiB of memory"):
        request.validate()
    assert not (tmp_path / "bronze").exists()


PARENT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from c360.generate.pipeline import _ChunkContext, _executor

    context = _ChunkContext(behaviour=None, seed=1, days=np.arange(3))
    with _executor(context, 2) as run_all:
        print("ready", flush=True)
        run_all(time.sleep, [(120,), (120,)], "sleep", lambda *a: None)
    """
)


def test_workers_exit_when_the_parent_is_killed(tmp_path):
    """A generator killed with SIGKILL (no clean-up runs) leaves no worker behind."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=env
    )
    children = []
    try:
        assert parent.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while len(children) < 2 and time.monotonic() < deadline:
            children = [
                c
                for c in psutil.Process(parent.pid).children()
                if "resource_tracker" not in " ".join(c.cmdline())
            ]
            time.sleep(0.2)
        assert len(children) == 2, "the pool did not start its two workers"
        time.sleep(1)  # let them take their jobs
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        _, alive = psutil.wait_procs(children, timeout=15)
        assert alive == [], f"workers outlived their parent: {[p.pid for p in alive]}"
    finally:
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        if parent.poll() is None:
            parent.kill()
