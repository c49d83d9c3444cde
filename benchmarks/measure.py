"""Run a command and measure wall time, CPU use and the peak RSS of its whole process tree."""

import subprocess
import time
from dataclasses import dataclass, field

import psutil

SAMPLE_SECONDS = 0.05


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float  # the sum over the command and all its children, sampled
    cpu_percent: float  # 200 = both of two cores busy for the whole run
    returncode: int
    stdout: str
    samples: list[tuple[float, int]] = field(default_factory=list)  # (perf_counter, bytes)


def measure(command: list[str], env: dict | None = None, keep_samples: bool = False) -> Measurement:
    """`keep_samples` keeps every (time.perf_counter(), tree RSS in bytes) sample taken."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    root = psutil.Process(process.pid)
    peak = 0
    cpu_seen: dict[int, float] = {}
    samples: list[tuple[float, int]] = []
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = 0
        for proc in tree:
            try:
                rss += proc.memory_info().rss
                times = proc.cpu_times()
                cpu_seen[proc.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                continue
        peak = max(peak, rss)
        if keep_samples:
            samples.append((time.perf_counter(), rss))
        time.sleep(SAMPLE_SECONDS)
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - started
    return Measurement(
        seconds=seconds,
        peak_rss_mb=peak / 2**20,
        cpu_percent=100 * sum(cpu_seen.values()) / seconds,
        returncode=process.returncode,
        stdout=stdout,
        samples=samples,
    )
