"""Write-then-rename output so a failed or killed run never leaves half a bronze layer."""

import json
import math
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from c360.contracts.bronze import DATASETS
from c360.lock import home_lock, restore_retired

MANIFEST = "_manifest.json"


class OutputError(Exception):
    """The output directory cannot be used; the message is one line for the user."""


# What a bronze layer holds at its top: one folder per dataset, the hidden truth, the manifest,
# and the staging of an interrupted `generate --days` (removed by the next landing).
BRONZE_ENTRIES = {*DATASETS, "_truth", MANIFEST, f".{MANIFEST}.tmp"}


def check_target(output: Path, force: bool) -> None:
    """`output` may be replaced: absent, empty, or (with force) a bronze layer and nothing
    else, so `--force` can never wipe a home or any other folder."""
    if output.exists() and not output.is_dir():
        raise OutputError(f"output {output} exists and is not a directory")
    if not output.is_dir() or not any(output.iterdir()):
        return
    if not force:
        raise OutputError(f"output directory {output} is not empty; use --force to replace it")
    if not (output / MANIFEST).is_file():
        raise OutputError(
            f"refusing to replace {output}: it is not a bronze layer (no {MANIFEST}); "
            "--force replaces only bronze or an empty directory"
        )
    others = sorted(
        p.name
        for p in output.iterdir()
        if p.name not in BRONZE_ENTRIES and not p.name.startswith(".landing-")
    )
    if others:
        raise OutputError(
            f"refusing to replace {output}: it holds {others[0]!r}"
            + (f" and {len(others) - 1} more" if len(others) > 1 else "")
            + ", which is not bronze; --force replaces only bronze or an empty directory"
        )


@contextmanager
def staged_directory(output: Path, force: bool, operation: str = "generate") -> Iterator[Path]:
    """Yield a fresh temporary sibling of `output`; swap it in only if the block succeeds.

    Holds the writer lock of `output`'s folder (the home, by default), and first removes
    staging that a killed run left beside `output`."""
    with home_lock(output.parent, operation, clean=False):
        restore_retired(output, f".{output.name}.old-*")
        check_target(output, force)
        for stale in [
            *output.parent.glob(f".{output.name}.tmp-*"),
            *output.parent.glob(f".{output.name}.old-*"),
        ]:
            shutil.rmtree(stale, ignore_errors=True)
        with _staged(output) as staging:
            yield staging


@contextmanager
def _staged(output: Path) -> Iterator[Path]:
    staging = output.parent / f".{output.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(f"cannot write to {output.parent}: {exc.strerror}") from exc
    try:
        yield staging
        _swap_in(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, output: Path) -> None:
    retired = output.parent / f".{output.name}.old-{uuid.uuid4().hex[:8]}"
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", compression_level=1, row_group_size=1 << 20)


def write_json(data: dict, path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_manifest(bronze: Path) -> dict:
    """The bronze manifest, or OutputError naming what is wrong with it in one line."""
    path = bronze / MANIFEST
    if not path.exists():
        raise OutputError(f"no bronze data at {bronze} (missing {MANIFEST}); run `c360 generate`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise OutputError(f"bronze manifest {path} cannot be read: {exc}") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise OutputError(f"bronze manifest {path} {problem}; generate bronze again with --force")
    return manifest


# Keys every manifest has (builds read them), and those a generated one adds (landing reads them)
_DATES = ("as_of_date",)
_GENERATED_DATES = ("generated_as_of_date",)
_GENERATED_COUNTS = ("customers", "seed", "next_transaction_id")


def _manifest_problem(manifest: object) -> str | None:
    if not isinstance(manifest, dict):
        return f"is not a JSON object but {type(manifest).__name__}"
    generated = "generator_version" in manifest
    for key in _DATES + (_GENERATED_DATES if generated else ()):
        try:
            date.fromisoformat(manifest[key])
        except KeyError:
            return f"has no {key}"
        except (TypeError, ValueError):
            return f"has {key} {manifest[key]!r}, not a date like 2025-12-31"
    rows = manifest.get("rows")
    if not isinstance(rows, dict) or not _count(rows.get("transactions")):
        return "has no rows.transactions count"
    for key in _GENERATED_COUNTS if generated else ():
        if not _count(manifest.get(key)):
            return f"has {key} {manifest.get(key)!r}, not a count"
    scale = manifest.get("intensity_scale")
    if generated and not (_number(scale) and math.isfinite(scale) and scale > 0):
        return f"has intensity_scale {scale!r}, not a positive number"
    return None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
