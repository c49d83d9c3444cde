"""Card transactions for one chunk of customers, with controlled dirt.

Rows are drawn as Poisson counts per (customer, day) cell from `behaviour.intensity`,
then given a time, category, merchant, amount, channel and status. String columns are
dictionary-encoded so 60M rows stay cheap to build and write.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from c360.generate import reference as ref
from c360.generate.behaviour import Behaviour, intensity
from c360.generate.personas import PERSONAS
from c360.generate.schema import TRANSACTIONS

CHUNK_CUSTOMERS = 1_000
HOUR_WEIGHTS = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.5,
        1.2,
        2.5,
        4,
        4.5,
        5,
        5.5,
        6.5,
        6,
        5.5,
        5.5,
        6,
        6.5,
        7,
        6.5,
        5.5,
        4,
        3,
        1.8,
    ]
)
# controlled dirt, as shares of rows
DUPLICATE_SHARE = 0.001
LATE_SHARE = 0.002
DIRTY_CATEGORY_SHARE = 0.01
NULL_MERCHANT_SHARE = 0.0005
NULL_CHANNEL_SHARE = 0.0005
NULL_AMOUNT_SHARE = 0.00002
ORPHAN_SHARE = 0.00002
ORPHAN_ID_BASE = 90_000_000

_N_CATS = len(ref.CATEGORIES)
_GROUP_OF_CAT = np.array([ref.CATEGORY_GROUPS.index(c[1]) for c in ref.CATEGORIES])
_MEDIAN = np.array([c[3] for c in ref.CATEGORIES])
_SIGMA = np.array([c[4] for c in ref.CATEGORIES])
_POPULARITY = np.array([c[5] for c in ref.CATEGORIES])
_ONLINE = np.array([c[6] for c in ref.CATEGORIES])
_MOBILE = np.array([c[7] for c in ref.CATEGORIES])
_HOUR_CDF = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()

CATEGORY_NAMES = [c[0] for c in ref.CATEGORIES]
# canonical names first, then three dirty spellings of each: UPPER, lower, padded
CATEGORY_DICTIONARY = pa.array(
    CATEGORY_NAMES
    + [n.upper() for n in CATEGORY_NAMES]
    + [n.lower() for n in CATEGORY_NAMES]
    + [f"  {n} " for n in CATEGORY_NAMES]
)
MERCHANT_DICTIONARY = pa.array(
    [
        f"{ref.MERCHANT_WORDS[(i * 7 + j * 11) % len(ref.MERCHANT_WORDS)]} {name}"
        + ("" if j < len(ref.MERCHANT_WORDS) // 3 else f" #{j}")
        for i, name in enumerate(CATEGORY_NAMES)
        for j in range(ref.MERCHANTS_PER_CATEGORY)
    ]
)
CHANNEL_DICTIONARY = pa.array(list(ref.CHANNELS))
STATUS_DICTIONARY = pa.array(list(ref.STATUSES))


def _category_cdfs() -> np.ndarray:
    """Per persona, the cumulative probability over the 50 categories."""
    rows = []
    for persona in PERSONAS:
        mix = np.array(persona.group_mix)[_GROUP_OF_CAT]
        within = _POPULARITY / np.bincount(_GROUP_OF_CAT, _POPULARITY)[_GROUP_OF_CAT]
        weights = mix * within
        rows.append(np.cumsum(weights) / weights.sum())
    return np.array(rows)


_CATEGORY_CDF = _category_cdfs()


@dataclass
class ChunkResult:
    table: pa.Table
    defects: dict[str, np.ndarray]  # transaction_id, defect_type, detail


def chunk_rows(n_customers: int, chunk: int) -> slice:
    return slice(chunk * CHUNK_CUSTOMERS, min((chunk + 1) * CHUNK_CUSTOMERS, n_customers))


def n_chunks(n_customers: int) -> int:
    return -(-n_customers // CHUNK_CUSTOMERS)


def draw_counts(b: Behaviour, rows: slice, days: np.ndarray, scale: float, rng) -> np.ndarray:
    return rng.poisson(intensity(b, rows, days) * scale)


def build_chunk(
    b: Behaviour,
    rows: slice,
    days: np.ndarray,
    counts: np.ndarray,
    first_id: int,
    rng: np.random.Generator,
    orphan_base: int,
) -> ChunkResult:
    """Turn per-cell counts into transaction rows, then inject the controlled dirt."""
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    n = len(cell)
    local = cell // len(days)
    day = days[cell % len(days)]
    customer = local + rows.start

    hour = np.searchsorted(_HOUR_CDF, rng.random(n), side="right")
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    ts = (
        np.datetime64(b.start, "us")
        + day.astype("timedelta64[D]").astype("timedelta64[us]")
        + seconds.astype("timedelta64[s]").astype("timedelta64[us]")
    )

    category = np.empty(n, dtype=np.int32)
    u = rng.random(n)
    persona = b.persona[customer]
    for p in range(len(PERSONAS)):
        mask = persona == p
        category[mask] = np.searchsorted(_CATEGORY_CDF[p], u[mask], side="right")
    np.minimum(category, _N_CATS - 1, out=category)

    mu = np.log(_MEDIAN[category] * b.amount_multiplier[customer])
    amount = np.round(np.maximum(np.exp(mu + _SIGMA[category] * rng.standard_normal(n)), 1.0), 2)
    merchant = category * ref.MERCHANTS_PER_CATEGORY + (
        rng.random(n) ** 1.8 * ref.MERCHANTS_PER_CATEGORY
    ).astype(np.int32)

    u = rng.random(n)
    channel = np.where(
        u < _ONLINE[category], 0, np.where(u < _ONLINE[category] + _MOBILE[category], 2, 1)
    ).astype(np.int32)
    rel = day - b.onset[customer]
    distress = ((rel >= -30) & (rel < b.churn_duration[customer])) * 0.015
    status = (rng.random(n) < b.decline_prob[customer] + distress).astype(np.int32)
    loaded_at = (
        (ts.astype("datetime64[D]") + np.timedelta64(1, "D")).astype("datetime64[us]")
        + np.timedelta64(2, "h")
        + rng.integers(0, 3600, n).astype("timedelta64[s]")
    )
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    customer_code = local.astype(np.int32)

    dirt = _Dirt(rng, n, ids)
    late = dirt.pick("late_arrival", LATE_SHARE, eligible=day <= days.max() - 25)
    loaded_at[late] += rng.integers(3, 22, len(late)).astype("timedelta64[D]")
    dirty = dirt.pick("dirty_category_name", DIRTY_CATEGORY_SHARE)
    category[dirty] += _N_CATS * rng.integers(1, 4, len(dirty)).astype(np.int32)
    merchant_null = np.zeros(n, bool)
    merchant_null[dirt.pick("null_merchant_name", NULL_MERCHANT_SHARE)] = True
    channel_null = np.zeros(n, bool)
    channel_null[dirt.pick("null_channel", NULL_CHANNEL_SHARE)] = True
    amount_null = np.zeros(n, bool)
    amount_null[dirt.pick("null_amount", NULL_AMOUNT_SHARE)] = True
    orphans = dirt.pick("orphan_customer", ORPHAN_SHARE)
    n_local = rows.stop - rows.start
    customer_code[orphans] = n_local + np.arange(len(orphans), dtype=np.int32)
    customer_dictionary = np.concatenate(
        [b.customer_id[rows], [f"CUST{orphan_base + k:08d}" for k in range(len(orphans))]]
    )

    table = pa.Table.from_arrays(
        [
            pa.array(ids),
            pa.DictionaryArray.from_arrays(customer_code, pa.array(customer_dictionary)),
            pa.array(ts),
            pa.array(amount, mask=amount_null),
            pa.DictionaryArray.from_arrays(
                pa.array(merchant, mask=merchant_null), MERCHANT_DICTIONARY
            ),
            pa.DictionaryArray.from_arrays(category, CATEGORY_DICTIONARY),
            pa.DictionaryArray.from_arrays(
                pa.array(channel, mask=channel_null), CHANNEL_DICTIONARY
            ),
            pa.DictionaryArray.from_arrays(status, STATUS_DICTIONARY),
            pa.array(loaded_at),
        ],
        schema=TRANSACTIONS,
    )
    duplicates = dirt.pick("duplicate", DUPLICATE_SHARE)
    if len(duplicates):
        table = pa.concat_tables([table, table.take(np.sort(duplicates))])
    return ChunkResult(table=table, defects=dirt.records())


class _Dirt:
    """Picks disjoint rows for each defect and remembers them for `_truth`."""

    def __init__(self, rng: np.random.Generator, n: int, ids: np.ndarray):
        self._rng, self._ids = rng, ids
        self._taken = np.zeros(n, dtype=bool)
        self._picked: list[tuple[str, np.ndarray]] = []

    def pick(self, defect: str, share: float, eligible: np.ndarray | None = None) -> np.ndarray:
        free = ~self._taken if eligible is None else ~self._taken & eligible
        candidates = np.flatnonzero(free)
        k = self._rng.binomial(len(candidates), share) if len(candidates) else 0
        chosen = np.sort(self._rng.choice(candidates, k, replace=False)) if k else candidates[:0]
        self._taken[chosen] = True
        self._picked.append((defect, chosen))
        return chosen

    def records(self) -> dict[str, np.ndarray]:
        ids = [self._ids[rows] for _, rows in self._picked]
        kinds = [np.full(len(rows), defect) for defect, rows in self._picked]
        return {
            "transaction_id": np.concatenate(ids) if ids else np.array([], np.int64),
            "defect_type": np.concatenate(kinds) if kinds else np.array([], str),
        }
