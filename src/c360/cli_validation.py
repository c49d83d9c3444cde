"""Checks of flags and of `$C360_HOME` at the command line's edge.

Each check returns the value to use or prints one line (`error: ...`) and raises the Exit
(code 1), before any work starts and before anything is written.
"""

import math
import os
import tempfile
from datetime import date
from pathlib import Path

from c360 import config
from c360.console import fail

MIN_AS_OF = config.EARLIEST_GENERATED_AS_OF
MAX_AS_OF = config.LATEST_GENERATED_AS_OF
MAX_LANDING_DAYS = 3_660  # ten years at once
MAX_SEED = 2**32 - 1  # numpy's and LightGBM's seeds are 32-bit
MAX_HOLDOUT_DAYS = 3_650  # far beyond any history; larger ones overflow the calendar


def scale(value: float) -> float:
    """`--scale`: a positive, finite multiple of the default sizes."""
    if not math.isfinite(value) or value <= 0:
        raise fail(f"--scale must be positive and finite, got {value}")
    return value


def as_of(text: str) -> date:
    """`--as-of`: an ISO date between 1971 and 2099 (config's bounds for generated data)."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise fail(f"--as-of must be a date like 2025-12-31, got {text!r}") from None
    if not MIN_AS_OF <= value <= MAX_AS_OF:
        raise fail(f"--as-of must be between {MIN_AS_OF} and {MAX_AS_OF}, got {value}")
    return value


def workers(value: int | None) -> int:
    """`--workers`: 1 or more (the generator caps it by CPUs and memory); absent = 0 (auto)."""
    if value is None:
        return 0
    if value < 1:
        raise fail(f"--workers must be 1 or more (leave it out to use every CPU), got {value}")
    return value


def days(value: int) -> int:
    """`generate --days`: 1 to ten years of days."""
    if not 1 <= value <= MAX_LANDING_DAYS:
        raise fail(f"--days must be between 1 and {MAX_LANDING_DAYS:,}, got {value}")
    return value


def seed(value: int) -> int:
    if not 0 <= value <= MAX_SEED:
        raise fail(f"--seed must be between 0 and {MAX_SEED:,}, got {value}")
    return value


def port(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 65_535:
        raise fail(f"--port must be between 1 and 65535, got {value}")
    return value


def finite(name: str, value: float, low: float, high: float) -> float:
    """A finite number in [low, high]."""
    if not (math.isfinite(value) and low <= value <= high):
        raise fail(f"{name} must be a number from {low:g} to {high:g}, got {value}")
    return value


def writable_dir(path: Path, what: str) -> Path:
    """`path` is a directory this process can create files in, or can be created: checked
    by creating and removing an empty file in it (or in its nearest existing parent)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise fail(f"{what} {path} is not a directory")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise fail(f"cannot write to {what} {path}: {existing} is not a directory")
    try:
        handle, probe = tempfile.mkstemp(prefix=".c360-write-check-", dir=existing)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise fail(f"cannot write to {what} {path}: {exc.strerror or exc}") from None
    return path


def writable_home() -> config.Paths:
    """The home's paths, once `$C360_HOME` is known to be a writable directory."""
    paths = config.Paths.from_env()
    writable_dir(paths.home, "C360_HOME")
    return paths
