"""Write-then-rename output so a failed or killed run never leaves half a bronze layer."""

import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "_manifest.json"


class OutputError(Exception):
    """The output directory cannot be used; the message is one line for the user."""


def check_target(output: Path, force: bool) -> None:
    if output.exists() and not output.is_dir():
        raise OutputError(f"output {output} exists and is not a directory")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise OutputError(f"output directory {output} is not empty; use --force to replace it")


@contextmanager
def staged_directory(output: Path, force: bool) -> Iterator[Path]:
    """Yield a fresh temporary sibling of `output`; swap it in only if the block succeeds."""
    check_target(output, force)
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
    path = bronze / MANIFEST
    if not path.exists():
        raise OutputError(f"no bronze data at {bronze} (missing {MANIFEST}); run `c360 generate`")
    return json.loads(path.read_text())
