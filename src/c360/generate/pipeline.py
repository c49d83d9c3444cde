"""`c360 generate`: the whole synthetic bronze layer, streamed chunk by chunk.

Transactions are produced in three cheap passes over fixed chunks of customers so that
the result is identical whatever the number of worker processes:
1. sum each chunk's expected intensity -> one scale factor hitting the target row count;
2. draw each chunk's Poisson counts -> first transaction id of every chunk;
3. build and write each chunk's rows (in parallel, one Parquet file per chunk).
"""

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from c360.generate import transactions as tx
from c360.generate.behaviour import Behaviour, intensity
from c360.generate.campaign import run_campaign
from c360.generate.changes import build_changes
from c360.generate.output import (
    MANIFEST,
    check_target,
    staged_directory,
    write_json,
    write_parquet,
)
from c360.generate.population import build_population
from c360.generate.tables import (
    campaign_exposures_table,
    campaigns_table,
    customers_table,
    merchant_categories_table,
    truth_customers_table,
)
from c360.generate.timeline import Timeline
from c360.generate.workers import available_memory, die_with_parent, population_bytes, worker_limit

GENERATOR_VERSION = 3
# A chunk of 1,000 customers is built in memory at once: this keeps it under ~1 GiB.
MAX_TRANSACTIONS_PER_CUSTOMER = 10_000
STREAM_COUNTS, STREAM_ROWS, STREAM_TABLES = 4, 5, 7

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class GenerateError(ValueError):
    """Invalid generation request; the message is one line for the user."""


@dataclass(frozen=True)
class GenerateRequest:
    customers: int
    transactions: int
    seed: int
    as_of: date
    output: Path
    force: bool = False
    workers: int = 0  # 0 = as many as the CPUs and memory allow; always capped by them

    def validate(self) -> None:
        if self.customers <= 0:
            raise GenerateError(f"--customers must be positive, got {self.customers}")
        if self.transactions <= 0:
            raise GenerateError(f"--transactions must be positive, got {self.transactions}")
        if self.transactions < self.customers:
            raise GenerateError(
                f"--transactions ({self.transactions}) must be at least --customers "
                f"({self.customers})"
            )
        if self.seed < 0:
            raise GenerateError(f"--seed must be zero or positive, got {self.seed}")
        if self.transactions > MAX_TRANSACTIONS_PER_CUSTOMER * self.customers:
            raise GenerateError(
                f"--transactions ({self.transactions:,}) must be at most "
                f"{MAX_TRANSACTIONS_PER_CUSTOMER:,} per customer "
                f"({MAX_TRANSACTIONS_PER_CUSTOMER * self.customers:,} for {self.customers:,})"
            )
        memory = available_memory()
        if memory is not None and population_bytes(self.customers) > memory:
            raise GenerateError(
                f"--customers {self.customers:,} needs about "
                f"{population_bytes(self.customers) / 2**30:,.1f} GiB of memory; "
                f"{memory / 2**30:,.1f} GiB is available"
            )


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def build_world(customers: int, timeline: Timeline, seed: int):
    """The hidden population, its campaign and the resulting behaviour (deterministic)."""
    pop = build_population(customers, timeline, seed)
    campaign = run_campaign(pop, timeline, seed)
    return pop, campaign, Behaviour.of(pop, campaign, timeline.start)


def generate_bronze(request: GenerateRequest, progress: Progress = _no_progress) -> dict:
    """Generate bronze into `request.output` atomically; return the manifest."""
    request.validate()
    check_target(request.output, request.force)  # again under the lock, before the swap
    timeline = Timeline.ending(request.as_of)
    pop, campaign, behaviour = build_world(request.customers, timeline, request.seed)
    rng = np.random.default_rng([request.seed, STREAM_TABLES])

    with staged_directory(request.output, request.force) as out:
        customers, customer_defects = customers_table(pop, timeline, rng)
        small = {
            "customers": customers,
            "customer_changes": build_changes(
                pop, campaign.effective_onset, timeline, request.seed
            ),
            "merchant_categories": merchant_categories_table(timeline),
            "campaigns": campaigns_table(timeline, campaign),
            "campaign_exposures": campaign_exposures_table(pop, timeline, campaign, rng),
        }
        for name, table in small.items():
            write_parquet(table, out / name / "part-00000.parquet")
        write_parquet(
            truth_customers_table(pop, timeline, campaign), out / "_truth/customers.parquet"
        )
        write_parquet(pa.table(customer_defects), out / "_truth/customer_defects.parquet")

        plan = _TransactionPlan(behaviour, timeline, request.seed, request.transactions)
        workers = worker_limit(request.workers, request.customers)
        written, scale, next_id = plan.run(out, workers, progress)

        manifest = {
            "generator_version": GENERATOR_VERSION,
            "seed": request.seed,
            "customers": request.customers,
            "target_transactions": request.transactions,
            "start_date": timeline.start.isoformat(),
            "as_of_date": timeline.as_of.isoformat(),
            "generated_as_of_date": timeline.as_of.isoformat(),
            "landed_days": 0,
            "campaign_date": timeline.date_of(timeline.campaign_day).isoformat(),
            "intensity_scale": scale,
            "next_transaction_id": next_id,
            "rows": {name: t.num_rows for name, t in small.items()} | {"transactions": written},
        }
        write_json(manifest, out / MANIFEST)
    return manifest


@dataclass
class _TransactionPlan:
    behaviour: Behaviour
    timeline: Timeline
    seed: int
    target: int

    def run(self, out: Path, workers: int, progress: Progress) -> tuple[int, float, int]:
        chunks = range(tx.n_chunks(len(self.behaviour)))
        context = _ChunkContext(self.behaviour, self.seed, np.arange(self.timeline.n_days))
        with _executor(context, workers) as run_all:
            expected = sum(run_all(_chunk_intensity, [(c,) for c in chunks], "plan", progress))
            scale = self.target / expected
            counts = run_all(_chunk_count, [(c, scale) for c in chunks], "count", progress)
            first_ids = np.concatenate([[1], 1 + np.cumsum(counts)[:-1]]).astype(np.int64)
            jobs = [(c, scale, int(first_ids[c]), str(out)) for c in chunks]
            written = sum(run_all(_chunk_write, jobs, "write", progress))
        return written, scale, int(1 + sum(counts))


@dataclass
class _ChunkContext:
    behaviour: Behaviour
    seed: int
    days: np.ndarray

    def rows(self, chunk: int) -> slice:
        return tx.chunk_rows(len(self.behaviour), chunk)


_CONTEXT: _ChunkContext | None = None


def _init_worker(context: _ChunkContext, parent_pid: int | None = None) -> None:
    global _CONTEXT
    if parent_pid is not None:  # in a pool worker: die with the parent
        die_with_parent(parent_pid)
    _CONTEXT = context


def _chunk_intensity(chunk: int) -> float:
    return float(intensity(_CONTEXT.behaviour, _CONTEXT.rows(chunk), _CONTEXT.days).sum())


def _chunk_counts(chunk: int, scale: float) -> np.ndarray:
    rng = np.random.default_rng([_CONTEXT.seed, STREAM_COUNTS, chunk])
    return tx.draw_counts(_CONTEXT.behaviour, _CONTEXT.rows(chunk), _CONTEXT.days, scale, rng)


def _chunk_count(chunk: int, scale: float) -> int:
    return int(_chunk_counts(chunk, scale).sum())


def _chunk_write(chunk: int, scale: float, first_id: int, out: str) -> int:
    counts = _chunk_counts(chunk, scale)
    rng = np.random.default_rng([_CONTEXT.seed, STREAM_ROWS, chunk])
    result = tx.build_chunk(
        _CONTEXT.behaviour,
        _CONTEXT.rows(chunk),
        _CONTEXT.days,
        counts,
        first_id,
        rng,
        orphan_base=tx.ORPHAN_ID_BASE + chunk * 1_000,
    )
    name = f"part-{chunk:05d}.parquet"
    write_parquet(result.table, Path(out) / "transactions" / name)
    write_parquet(pa.table(result.defects), Path(out) / "_truth/transaction_defects" / name)
    return result.table.num_rows


def _star(args: tuple) -> object:
    function, arguments = args
    return function(*arguments)


class _executor:
    """Runs chunk jobs in order, in this process or a spawned pool, reporting progress."""

    def __init__(self, context: _ChunkContext, workers: int):
        self._context, self._workers, self._pool = context, workers, None

    def __enter__(self) -> Callable[..., list]:
        if self._workers > 1:
            ctx = mp.get_context("spawn")
            self._pool = ctx.Pool(self._workers, _init_worker, (self._context, os.getpid()))
        else:
            _init_worker(self._context)
        return self._run_all

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate() if exc[0] else self._pool.close()
            self._pool.join()

    def _run_all(self, function, jobs: list[tuple], stage: str, progress: Progress) -> list:
        tasks: Iterable = [(function, job) for job in jobs]
        results = self._pool.imap(_star, tasks) if self._pool else map(_star, tasks)
        collected = []
        for done, result in enumerate(results, start=1):
            collected.append(result)
            progress(stage, done, len(jobs))
        return collected
