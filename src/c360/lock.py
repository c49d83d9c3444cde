"""One writer per home: every command that writes under `$C360_HOME` holds this lock.

The lock is `flock` on `$C360_HOME/.c360.lock`: the kernel releases it when its holder
exits, however it exits, so a killed command never leaves a lock that blocks the next one.
The file also records who holds it (pid, command, start time); a record whose pid is dead
is a stale lock, which the next writer takes over and says so.

Re-entrant within a thread: `c360 run` holds the lock and calls build, train and score,
which take it again without waiting for themselves (another thread waits its turn).
Readers (the app, `c360 ask`) never take it: DuckDB lets them read the published file while
a writer stages the next one.

A waiting writer polls until its timeout: `c360 --lock-timeout SECONDS ...` or
`$C360_LOCK_TIMEOUT` (default 600 s; 0 = fail at once). When it gives up, it fails with one
line naming the holder's command and pid.
"""

import fcntl
import functools
import json
import math
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = ".c360.lock"
DEFAULT_TIMEOUT = 600.0
TIMEOUT_ENV = "C360_LOCK_TIMEOUT"
POLL_SECONDS = 0.2

_timeout_override: float | None = None
_held: dict[tuple[Path, int], tuple[int, int]] = {}  # (home, thread) -> (fd, depth)
_guard = threading.Lock()


class LockError(Exception):
    """Another writer holds the home; one line for the user."""


def parse_timeout(value: str | float) -> float:
    """Seconds, 0 or more (finite); raises LockError with one line otherwise."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise LockError(f"lock timeout must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise LockError(f"lock timeout must be 0 or more seconds, got {value!r}")
    return seconds


def set_timeout(seconds: float | None) -> None:
    """The CLI's `--lock-timeout`; None falls back to $C360_LOCK_TIMEOUT, then the default."""
    global _timeout_override
    _timeout_override = None
    if seconds is not None:
        _timeout_override = parse_timeout(seconds)


def timeout() -> float:
    if _timeout_override is not None:
        return _timeout_override
    value = os.environ.get(TIMEOUT_ENV)
    return DEFAULT_TIMEOUT if value in (None, "") else parse_timeout(value)


def _command_line() -> str:
    argv = list(sys.argv) or ["python"]
    head = Path(argv[0]).name
    if head in ("__main__.py", "c360"):
        head = "c360"
    line = " ".join([head, *argv[1:]])
    return line if len(line) <= 120 else line[:117] + "..."


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_holder(home: Path) -> dict | None:
    """Who holds (or last held) the lock of `home`, from the lock file; None if unknown."""
    try:
        record = json.loads((Path(home) / LOCK_FILE).read_text() or "null")
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def describe(holder: dict | None, held: bool = True) -> str:
    if not holder or holder.get("released"):
        return "another c360 command (holder unknown)"
    pid = holder.get("pid", "?")
    text = f"`{holder.get('command', '?')}` (pid {pid}, since {holder.get('since', '?')})"
    if held and isinstance(pid, int) and not pid_alive(pid):
        text += ", no longer running but a process it started still holds the lock"
    return text


@contextmanager
def home_lock(
    home: Path, operation: str, wait: float | None = None, clean: bool = True
) -> Iterator[None]:
    """Hold the writer lock of `home` for the block; re-entrant within this process.

    The outermost holder cleans up staging that killed commands left behind (see
    `clean_stale_staging`): nobody else can be writing while we hold the lock. `clean=False`
    for a directory that may not be a c360 home (a bronze written elsewhere).
    """
    home = Path(home).resolve()
    key = (home, threading.get_ident())  # another thread of this process waits its turn
    with _guard:
        reentered = key in _held
        if reentered:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
    if reentered:
        try:
            yield
        finally:
            with _guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return
    fd = _acquire(home, operation, timeout() if wait is None else parse_timeout(wait))
    with _guard:
        _held[key] = (fd, 1)
    try:
        if clean:
            clean_stale_staging(home)
        yield
    finally:
        with _guard:
            del _held[key]
        _release(fd)


def writes_home(operation: str) -> Callable:
    """Decorate a stage `fn(paths, ...)` to run under the writer lock of `paths.home`."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def locked(paths, *args, **kwargs):
            with home_lock(paths.home, operation):
                return fn(paths, *args, **kwargs)

        return locked

    return decorate


def holds_lock(home: Path) -> bool:
    """Whether this thread holds the writer lock of `home`."""
    with _guard:
        return (Path(home).resolve(), threading.get_ident()) in _held


def _acquire(home: Path, operation: str, wait: float) -> int:
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LockError(f"cannot write to {home} (its writer lock): {exc.strerror}") from None
    started = time.monotonic()
    deadline = started + wait
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            # after a second of waiting, say for whom (a short timeout fails in one line)
            if not said and time.monotonic() - started >= 1 and deadline - time.monotonic() > 0:
                sys.stderr.write(
                    f"c360: waiting up to {wait:g}s for {describe(read_holder(home))} to "
                    f"finish writing in {home}\n"
                )
                said = True
            if time.monotonic() >= deadline:
                holder = read_holder(home)
                os.close(fd)
                raise LockError(
                    f"{home} is locked by {describe(holder)}; {operation} waited {wait:g}s "
                    f"(raise it with --lock-timeout or ${TIMEOUT_ENV})"
                ) from None
            time.sleep(POLL_SECONDS)
    previous = read_holder(home)
    if previous and previous.get("pid") != os.getpid() and not previous.get("released"):
        pid = previous.get("pid")
        if isinstance(pid, int) and not pid_alive(pid):
            sys.stderr.write(
                f"c360: took over a stale lock in {home} from {describe(previous, held=False)}, "
                "which is no longer running\n"
            )
    record = {
        "pid": os.getpid(),
        "command": _command_line(),
        "operation": operation,
        "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    _write_record(fd, record)
    return fd


def _write_record(fd: int, record: dict) -> None:
    data = (json.dumps(record) + "\n").encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except OSError:
        pass  # the record is informational; the flock is the lock


def _release(fd: int) -> None:
    try:
        record = {"released": True, "pid": os.getpid()}
        _write_record(fd, record)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# Staging that a command killed half-way leaves in a home (each writer makes unique names
# of these shapes); removed by the next writer once it holds the lock.
STALE_STAGING = (
    ".model-staging-*",  # c360 train: the next model, before its swap
    ".model.old-*",  # c360 train: the retired model, during the swap
    ".model-staging",  # older c360: fixed staging name
    "model.previous",  # older c360
    "builds",  # c360 build/refresh: the staged warehouse
    ".warehouse.duckdb.*",  # publish: the previous warehouse and stale side files
    "spark/.serving.duckdb.*",  # the same for the serving file of a Spark build
    ".bronze.tmp-*",  # c360 generate: the next bronze
    ".bronze.old-*",  # c360 generate: the retired bronze
    ".import-spill-*",  # c360 import: DuckDB spill files
    "bronze/.landing-*",  # c360 generate --days
    "bronze/._manifest.json.tmp",
    "predictions/.*.tmp-*",  # score, clv, uplift: the next predictions file
    ".daily_state.json.tmp-*",  # c360 daily: the next state file
)


# A retired folder is renamed away just before the new one is renamed in; a command killed
# between the two renames leaves only the retired one, which is put back, not removed.
RETIRED = {"model": ".model.old-*", "bronze": ".bronze.old-*"}


def clean_stale_staging(home: Path) -> list[Path]:
    """Remove what killed writers left in `home`; call only while holding its lock."""
    home = Path(home)
    for name, pattern in RETIRED.items():
        restore_retired(home / name, pattern)
    removed = []
    for pattern in STALE_STAGING:
        for path in Path(home).glob(pattern):
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def restore_retired(folder: Path, pattern: str) -> None:
    """If `folder` is missing but a retired copy of it (`pattern`, beside it) exists, a swap
    was killed between its two renames: put the newest retired copy back."""
    if folder.exists():
        return
    retired = sorted(folder.parent.glob(pattern), key=lambda p: p.stat().st_mtime)
    if retired:
        retired[-1].rename(folder)
