"""`c360 generate --days N`: land the next N days of transactions after the current end.

Each new day is drawn from the same hidden population with its own random stream per
(day, chunk), so landing 2 days at once gives the same rows and ids as 1 day twice.
Files are staged and moved in before the manifest is updated, so an interrupted landing
is simply repeated.

`drift=True` (`c360 generate --days N --drift`) lands days whose behaviour has shifted, to
test the monitor: a seeded share of customers buys less often and spends less per purchase
on every day of this landing (DRIFT below; the same seed picks the same customers).
"""

import dataclasses
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from c360.generate import transactions as tx
from c360.generate.output import MANIFEST, OutputError, read_manifest, write_json, write_parquet
from c360.generate.pipeline import (
    GENERATOR_VERSION,
    GenerateError,
    Progress,
    _no_progress,
    build_world,
)
from c360.generate.timeline import Timeline
from c360.lock import home_lock

STREAM_LANDING = 6
STREAM_DRIFT = 7
# --drift: the share of customers whose behaviour shifts, and how (multipliers of their
# daily purchase rate and of their amounts).
DRIFT = {"share": 0.5, "frequency": 0.4, "spend": 0.6}


def land_days(
    bronze: Path, days: int, progress: Progress = _no_progress, drift: bool = False
) -> dict:
    """Append `days` new days of transactions to `bronze`; return the updated manifest.

    Holds the writer lock of bronze's folder (the home), and first removes the staging
    of a killed landing."""
    if days <= 0:
        raise GenerateError(f"--days must be positive, got {days}")
    with home_lock(bronze.parent, "generate --days", clean=False):
        for stale in bronze.glob(".landing-*"):
            shutil.rmtree(stale, ignore_errors=True)
        return _land_days(bronze, days, progress, drift)


def drifted(behaviour, seed: int):
    """`behaviour` with DRIFT applied to a seeded share of customers; also their count."""
    rng = np.random.default_rng([seed, STREAM_DRIFT])
    chosen = rng.random(len(behaviour)) < DRIFT["share"]
    shifted = dataclasses.replace(
        behaviour,
        base_rate=np.where(chosen, behaviour.base_rate * DRIFT["frequency"], behaviour.base_rate),
        amount_multiplier=np.where(
            chosen, behaviour.amount_multiplier * DRIFT["spend"], behaviour.amount_multiplier
        ),
    )
    return shifted, int(chosen.sum())


def _land_days(bronze: Path, days: int, progress: Progress, drift: bool) -> dict:
    manifest = read_manifest(bronze)
    if manifest.get("generator_version") != GENERATOR_VERSION:
        raise GenerateError(
            f"bronze at {bronze} was made by generator version "
            f"{manifest.get('generator_version')}, this is {GENERATOR_VERSION}; "
            "generate it again with --force"
        )
    timeline = Timeline.ending(date.fromisoformat(manifest["generated_as_of_date"]))
    _, _, behaviour = build_world(manifest["customers"], timeline, manifest["seed"])
    if drift:
        behaviour, drifted_customers = drifted(behaviour, manifest["seed"])
    first_day = timeline.day_of(date.fromisoformat(manifest["as_of_date"])) + 1
    scale, next_id = manifest["intensity_scale"], manifest["next_transaction_id"]

    staging = bronze / f".landing-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot write to {bronze}: {exc.strerror}") from exc
    try:
        rows = 0
        for i, day in enumerate(range(first_day, first_day + days), start=1):
            table, defects, next_id = _one_day(behaviour, day, scale, next_id, manifest["seed"])
            name = f"day-{timeline.date_of(day):%Y%m%d}.parquet"
            write_parquet(table, staging / "transactions" / name)
            write_parquet(defects, staging / "_truth" / "transaction_defects" / name)
            rows += table.num_rows
            progress("land", i, days)
        for path in sorted(staging.rglob("*.parquet")):
            target = bronze / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    new_end = timeline.date_of(first_day + days - 1)
    manifest["as_of_date"] = new_end.isoformat()
    manifest["landed_days"] = manifest.get("landed_days", 0) + days
    manifest["next_transaction_id"] = next_id
    manifest["rows"]["transactions"] += rows
    manifest["last_landing"] = {
        "from": (new_end - timedelta(days=days - 1)).isoformat(),
        "to": new_end.isoformat(),
        "transactions": rows,
        **({"drift": DRIFT | {"customers": drifted_customers}} if drift else {}),
    }
    temporary = bronze / f".{MANIFEST}.tmp"
    write_json(manifest, temporary)
    temporary.replace(bronze / MANIFEST)
    return manifest


def _one_day(behaviour, day: int, scale: float, first_id: int, seed: int):
    days = np.array([day])
    tables, defects = [], []
    for chunk in range(tx.n_chunks(len(behaviour))):
        rows = tx.chunk_rows(len(behaviour), chunk)
        rng = np.random.default_rng([seed, STREAM_LANDING, day, chunk])
        counts = tx.draw_counts(behaviour, rows, days, scale, rng)
        result = tx.build_chunk(
            behaviour,
            rows,
            days,
            counts,
            first_id,
            rng,
            orphan_base=tx.ORPHAN_ID_BASE + 500_000 + day * 1_000 + chunk,
        )
        first_id += int(counts.sum())
        tables.append(result.table)
        defects.append(pa.table(result.defects))
    table = pa.concat_tables(tables).unify_dictionaries().combine_chunks()
    return table, pa.concat_tables(defects), first_id
