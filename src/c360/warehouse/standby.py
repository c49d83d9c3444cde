"""Where an incremental DuckDB build starts: a clone, the standby file, or a copy.

A refresh runs dbt on a private file and swaps it in, so the served file is never written.
That private file used to be a full copy of the served one (1.7 GB at the default size,
16 GB at 10x). In order of preference it is now:

1. a copy-on-write clone of the served file (Linux FICLONE: btrfs, XFS; `cp --reflink`),
   which costs no time and no disk until dbt writes; ext4 and tmpfs refuse it;
2. the standby: the file the previous publish replaced, kept aside (blue/green) with a small
   JSON naming its build, its as-of date and the build that replaced it. dbt brings it up to
   date from its own incremental watermarks and its own as-of date, and rebuilds every
   table model anyway. Only a refresh uses it (a `select` republish rebuilds a few nodes,
   so it must start from the served file), only when it is exactly the file published just
   before the served one, and only when no reader holds it open;
3. a copy of the served file, as before.

The standby is consumed by the next DuckDB build of the home, whatever it is: moved into
the build when used, deleted otherwise. A failed build therefore never leaves a standby that
dbt half-updated. It doubles the warehouse's disk use; `C360_KEEP_STANDBY=0` turns it off.
"""

import errno
import fcntl
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

FICLONE = getattr(fcntl, "FICLONE", 0x40049409)  # Linux: _IOW(0x94, 9, int)
KEEP_ENV = "C360_KEEP_STANDBY"


@dataclass(frozen=True)
class Start:
    """How a build got its private file: "clone", "standby", "copy" or "new" (a full
    build starts from nothing), the seconds that took, and the as-of date of the build
    the file holds ('' for a new file)."""

    method: str
    seconds: float
    previous_as_of: str = ""


def standby_enabled() -> bool:
    return os.environ.get(KEEP_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def standby_folder(home: Path) -> Path:
    return home / "standby"


def clone_file(source: Path, target: Path) -> bool:
    """Clone `source` to a new `target` sharing its blocks (copy-on-write); False, with no
    `target` left behind, where the filesystem or the platform cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open(source, "rb") as src, open(target, "xb") as dst:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        if exc.errno == errno.EEXIST:
            raise
        return False
    shutil.copystat(source, target)
    return True


def in_use(path: Path) -> bool:
    """Whether any connection, of this process or another, holds `path` open.

    DuckDB locks a file it opens (shared when read-only) with a POSIX record lock. On Linux
    /proc/locks lists every such lock, this process's included, without opening the file:
    probing with a lock of our own would not see this process's locks, and closing the probe
    would release them (POSIX locks belong to the process, not to a descriptor). The probe
    then still catches locks it does not list (a file on NFS held from another host).
    Not seen: a connection of this process whose lock the process already dropped by
    closing another descriptor of the file (copying it in-process does); c360 keeps no
    connection open across builds, and the app and assistant run in their own process."""
    try:
        status = os.stat(path)
    except OSError:
        return True
    if _listed_lock(status):
        return True
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # releases the probe's lock
    return False


def _listed_lock(status: os.stat_result) -> bool:
    """Whether /proc/locks (Linux) lists a lock on the file; False where there is none."""
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    wanted = (os.major(status.st_dev), os.minor(status.st_dev), status.st_ino)
    for line in lines:
        for field in line.split():
            parts = field.split(":")
            if len(parts) == 3 and parts[2].isdigit():  # MAJOR:MINOR:INODE, hex:hex:dec
                try:
                    if (int(parts[0], 16), int(parts[1], 16), int(parts[2])) == wanted:
                        return True
                except ValueError:
                    continue
    return False


def drop_standby(home: Path) -> None:
    shutil.rmtree(standby_folder(home), ignore_errors=True)


def keep_standby(home: Path, previous: Path, name: str, info: dict, followed_by: str) -> None:
    """Keep `previous` (the file just replaced, holding build `info`) as the standby
    `name` of the build `followed_by`. The file is moved in first and the JSON written after, so a
    kill in between leaves a file without its JSON, which the next build deletes."""
    folder = standby_folder(home)
    drop_standby(home)
    record = {
        "build_id": info["build_id"],
        "as_of_date": info["as_of_date"],
        "followed_by": followed_by,
    }
    try:
        folder.mkdir(parents=True)
        previous.replace(folder / name)
        staged = folder / ".standby.json.tmp"
        staged.write_text(json.dumps(record, indent=2) + "\n")
        staged.replace(folder / "standby.json")
    except OSError:  # e.g. another filesystem (not worth a copy) or a full disk
        drop_standby(home)


def start_incremental(
    home: Path, served: Path, served_info: dict, staged: Path, use_standby: bool
) -> Start:
    """Put the file an incremental build runs on at `staged`: a clone of the served file
    (whose build_id and as_of_date are `served_info`), else (when `use_standby`) the
    standby, else a copy. Whatever happens, no standby is left behind."""
    started = time.perf_counter()
    try:
        if clone_file(served, staged):
            return Start("clone", _since(started), served_info["as_of_date"])
        standby = _usable_standby(home, served.name, served_info) if use_standby else None
        if standby is not None:
            path, as_of = standby
            (path.parent / "standby.json").unlink()
            path.replace(staged)
            return Start("standby", _since(started), as_of)
    finally:
        drop_standby(home)  # before a copy: never three files on disk at once
    shutil.copy2(served, staged)
    return Start("copy", _since(started), served_info["as_of_date"])


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _usable_standby(home: Path, name: str, served_info: dict) -> tuple[Path, str] | None:
    """The standby file and its as-of date, when it is the file published just before the
    served one (its JSON says so and the file itself agrees), stands alone (no WAL) and
    nobody holds it open; None otherwise."""
    folder = standby_folder(home)
    try:
        record = json.loads((folder / "standby.json").read_text())
        path = folder / name
        if record["followed_by"] != served_info["build_id"] or not path.is_file():
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(p != path for p in folder.iterdir() if p.name.startswith(path.name)):
        return None  # a WAL or spill folder: someone wrote to it
    if in_use(path):
        return None
    info = _read_build(path)
    if info is None or info != (record["build_id"], record["as_of_date"]):
        return None
    return path, record["as_of_date"]


def _read_build(database: Path) -> tuple[str, str] | None:
    """(build id, as-of date) of a warehouse file, opened read-only in a private
    in-memory instance (never one this process may have cached for the same path)."""
    location = str(database).replace("'", "''")
    try:
        with duckdb.connect() as con:
            con.execute(f"attach '{location}' as standby (read_only)")
            row = con.execute("select build_id, as_of_date from standby.meta.build_info").fetchone()
    except duckdb.Error:
        return None
    return (row[0], str(row[1])) if row else None
