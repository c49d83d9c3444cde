"""Dated attribute changes (the feed gold turns into an SCD Type 2 dimension).

Each event changes one attribute (a move changes state and city together); old and new
values chain correctly per customer because events are applied in date order.
"""

import numpy as np
import pyarrow as pa

from c360.generate import reference as ref
from c360.generate.population import Population
from c360.generate.schema import CUSTOMER_CHANGES
from c360.generate.timeline import Timeline

STREAM_CHANGES = 2
EVENTS_PER_YEAR = 0.16
EVENT_KINDS = (
    "limit_increase",
    "limit_decrease",
    "upgrade",
    "downgrade",
    "relocation",
    "employment_change",
)
EVENT_SHARES = (0.36, 0.12, 0.13, 0.05, 0.16, 0.18)
PRE_CHURN_LIMIT_CUT_SHARE = 0.3  # churners whose decline follows a credit limit cut


def build_changes(pop: Population, onset: np.ndarray, timeline: Timeline, seed: int) -> pa.Table:
    rng = np.random.default_rng([seed, STREAM_CHANGES])
    last_day = timeline.n_days - 1
    tenure_years = (last_day - pop.open_day) / 365.0
    n_events = rng.poisson(EVENTS_PER_YEAR * tenure_years)
    who = np.repeat(np.arange(len(pop)), n_events)
    day = pop.open_day[who] + (rng.random(len(who)) * (last_day - pop.open_day[who])).astype(int)
    kind = rng.choice(len(EVENT_KINDS), len(who), p=EVENT_SHARES)

    churners = np.flatnonzero(
        (onset <= last_day)
        & (onset - pop.open_day > 90)
        & (rng.random(len(pop)) < PRE_CHURN_LIMIT_CUT_SHARE)
    )
    who = np.concatenate([who, churners])
    day = np.concatenate([day, onset[churners] - rng.integers(10, 61, len(churners))])
    kind = np.concatenate([kind, np.full(len(churners), EVENT_KINDS.index("limit_decrease"))])
    seconds = rng.integers(8 * 3600, 20 * 3600, len(who))

    order = np.lexsort((seconds, day, who))
    state = {
        "card_type": pop.card_type.astype(object).copy(),
        "credit_limit": pop.credit_limit.astype(np.int64).copy(),
        "state": pop.state.astype(object).copy(),
        "city": pop.city.astype(object).copy(),
        "employment_status": pop.employment_status.astype(object).copy(),
    }
    rows: list[tuple] = []
    for i in order:
        c, d, k = int(who[i]), int(day[i]), EVENT_KINDS[kind[i]]
        ts = np.datetime64(timeline.start, "s") + np.timedelta64(d * 86400 + int(seconds[i]), "s")
        for attribute, new, reason in _apply(k, c, state, rng):
            old = state[attribute][c]
            old = None if old is None else str(old)
            if old == str(new):
                continue
            rows.append((c, ts, attribute, old, str(new), reason))
            state[attribute][c] = new
    return _to_table(rows, pop)


def _apply(kind: str, c: int, state: dict, rng: np.random.Generator):
    """The attribute changes one event makes, as (attribute, new value, reason)."""
    if kind == "limit_increase":
        return [
            (
                "credit_limit",
                min(50_000, state["credit_limit"][c] + 1_000 * rng.integers(1, 11)),
                kind,
            )
        ]
    if kind == "limit_decrease":
        return [
            (
                "credit_limit",
                max(5_000, state["credit_limit"][c] - 1_000 * rng.integers(1, 9)),
                kind,
            )
        ]
    if kind == "upgrade":
        return [("card_type", "Premium", kind)]
    if kind == "downgrade":
        return [("card_type", "Standard", kind)]
    if kind == "relocation":
        code, _, cities = ref.STATES[rng.integers(len(ref.STATES))]
        return [("state", code, kind), ("city", cities[rng.integers(len(cities))], kind)]
    return [("employment_status", ref.EMPLOYMENT_STATUSES[rng.integers(5)], kind)]


def _to_table(rows: list[tuple], pop: Population) -> pa.Table:
    customer = np.array([r[0] for r in rows], dtype=np.int64)
    changed_at = np.array([r[1] for r in rows], dtype="datetime64[us]")
    loaded_at = changed_at.astype("datetime64[D]") + np.timedelta64(1, "D") + np.timedelta64(3, "h")
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(1, len(rows) + 1, dtype=np.int64)),
            pa.array(pop.customer_id[customer] if len(rows) else [], pa.string()),
            pa.array(changed_at),
            pa.array([r[2] for r in rows], pa.string()),
            pa.array([r[3] for r in rows], pa.string()),
            pa.array([r[4] for r in rows], pa.string()),
            pa.array([r[5] for r in rows], pa.string()),
            pa.array(loaded_at.astype("datetime64[us]")),
        ],
        schema=CUSTOMER_CHANGES,
    )
