"""Follow-ups: a short question that changes one part of the previous turn's spec.

"and for Texas?" replaces the state filter, "only Premium" adds one, "exclude California"
takes a value out; "now by state" replaces the grouping; "what about lifetime value?" the
measure; "and last quarter?" the time range; "just the top 3" the size; "and the lowest?"
the order; "show me those customers" turns an aggregate into the customers behind it. What
the follow-up does not name stays as it was. A follow-up that names nothing the planner can
apply is answered with a clarification that says which parts it can change.
"""

import dataclasses
import re
from datetime import date, timedelta

from c360.assistant import timerange
from c360.assistant.planner.interpret import Fragment, _Interpretation
from c360.assistant.planner.joins import aliases, joins
from c360.assistant.planner.lexicon import (
    ANAPHORA,
    DEFAULT_LIST_LIMIT,
    FOLLOWUP_PAIRS,
    FOLLOWUP_STARTS,
    FOLLOWUP_WEAK_STARTS,
)
from c360.assistant.planner.spec import Filter, PlanningError, QuerySpec
from c360.assistant.planner.sqlparts import query, time_clause
from c360.assistant.planner.text import normalize

WHAT_CAN_CHANGE = (
    "a filter ('only Premium', 'and for Texas?', 'exclude California'), the grouping "
    "('now by state'), the measure ('what about lifetime value?'), the time range ('and "
    "last quarter?'), the size ('just the top 3') or the customers behind it ('show me "
    "those customers')"
)


def cue(text: str) -> str | None:
    """'strong' when the wording marks a follow-up ("and ...", "what about ...", "those"),
    'weak' when it only starts like one ("for ...", "in ...", "by ..."), else None."""
    words = normalize(text).split()
    if not words:
        return None
    if words[0] in FOLLOWUP_STARTS or tuple(words[:2]) in FOLLOWUP_PAIRS:
        return "strong"
    if set(words) & (ANAPHORA - {"that", "same"}):
        return "strong"
    return "weak" if words[0] in FOLLOWUP_WEAK_STARTS else None


def plan_followup(planner, previous: QuerySpec, text: str) -> QuerySpec | None:
    """The previous spec changed by `text`, or None when `text` is a question of its own:
    one without a follow-up's wording that names what to compute ("how many ...", "average
    ...", "customers in Texas")."""
    strength = cue(text)
    text_read, shifted = _shifted_time(text, previous)
    reading = _Interpretation(planner, text_read)
    try:
        fragment = reading.fragment()
    except PlanningError:
        if strength is None:
            return None  # read as a question of its own, with its own clarification
        raise
    if shifted is not None:
        fragment.time = shifted
    if strength != "strong" and (fragment.has_subject or fragment.is_empty()):
        return None
    if strength is None and fragment.names_rows:
        return None
    if fragment.is_empty():
        raise PlanningError(
            f"I couldn't tell what {text!r} changes in the last answer "
            f"({_described(previous)}). I can change {WHAT_CAN_CHANGE}."
        )
    return merge(reading, previous, fragment, text)


_SHIFT = re.compile(
    r"\b(?:the\s+)?(?P<unit>week|month|quarter|year)\s+(?P<dir>before|after)"
    r"(?:\s+(?:that|this|it))?\b"
)


def _shifted_time(text: str, previous: QuerySpec):
    """'the month before that': the previous time range moved back (or on) by one unit;
    the text without those words."""
    m = _SHIFT.search(text.lower())
    if m is None or previous.time is None:
        return text, None
    unit, back = m["unit"], m["dir"] == "before"
    prev = previous.time
    if unit == "week":
        step = timedelta(days=7)
        start, end = (prev.start - step, prev.start) if back else (prev.end, prev.end + step)
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[unit]
        if back:
            start, end = timerange.add_months(prev.start, -months), prev.start
        else:
            start, end = prev.end, timerange.add_months(prev.end, months)
    label = f"the {unit} {m['dir']} {prev.label}"
    if end > planner_end(previous):
        end = planner_end(previous)
    shifted = timerange.TimeRange(start, end, label)
    return text[: m.start()] + " " + text[m.end() :], shifted


def planner_end(previous: QuerySpec):
    """No range reaches past the data: the previous range's end bounds a shift forward
    only when it was cut at the as-of date."""
    return previous.time.end if previous.time.end.day != 1 else date.max


def merge(reading: _Interpretation, previous: QuerySpec, frag: Fragment, text: str) -> QuerySpec:
    """`previous` with what `frag` names replaced or added."""
    spec = dataclasses.replace(
        previous,
        question=text,
        measures=list(previous.measures),
        groups=list(previous.groups),
        grains=list(previous.grains),
        timedims=list(previous.timedims),
        filters=list(previous.filters),
        list_columns=list(previous.list_columns),
    )
    if frag.time is not None:
        spec.time = frag.time
    if frag.timedims:
        spec.timedims = list(frag.timedims)
    for f in frag.filters:
        spec.filters = _with_filter(reading, spec.filters, f)
    if frag.groups or frag.grains:
        _regroup(reading, spec, frag)
    if frag.measures or frag.facts or frag.count:
        _remeasure(reading, spec, frag)
    if frag.limit is not None:
        spec.limit = frag.limit
        spec.singular = spec.sort_only = False
        spec.direction = frag.direction or spec.direction or "desc"
    elif frag.direction is not None:
        spec.direction = frag.direction
    if frag.to_list:
        _to_list(reading, spec, frag.to_list)
    return spec


def _with_filter(reading: _Interpretation, filters: list[Filter], new: Filter) -> list[Filter]:
    """Add `new`: a value of a dimension replaces that dimension's values ("and for Texas?"),
    an excluded value is taken out of them ("exclude California"); any other filter
    replaces one on the same thing and its opposite ("not contactable")."""
    if new.dim is None or not new.negated:
        kept = [f for f in filters if not _same_subject(f, new)]
        return [*kept, new]
    kept = []
    narrowed = False
    for f in filters:
        if f.key != new.key:
            kept.append(f)
        elif not f.negated:  # "Florida or Georgia", then "but not Georgia": Florida
            remaining = [v for v in f.values if v not in new.values]
            if remaining:
                dim = reading.model.dimension(f.dim)
                kept.append(reading._in_filter(dim, remaining, False))
                narrowed = True
        else:  # "excluding Texas" then "exclude California": both out
            new = reading._in_filter(
                reading.model.dimension(new.dim), [*f.values, *new.values], True
            )
    return kept if narrowed else [*kept, new]


def _same_subject(old: Filter, new: Filter) -> bool:
    if new.key is None:
        return old.sql == new.sql
    if old.key == new.key:
        return True
    flags = {old.key, new.key}
    return all(k and k.startswith("flag:") for k in flags) and _opposite(old.sql, new.sql)


def _opposite(a: str, b: str) -> bool:
    def positive(sql: str) -> str:
        sql = sql.removeprefix("not ")
        return sql.replace(" is not null", " is null")

    return a != b and positive(a) == positive(b)


def _regroup(reading: _Interpretation, spec: QuerySpec, frag: Fragment) -> None:
    """'now by state': the follow-up's grouping replaces the previous one."""
    spec.groups = list(frag.groups)
    spec.grains = list(frag.grains)
    if spec.kind != "aggregate":  # "list them" then "by state": how many, by state
        spec.kind = "aggregate"
        spec.measures = [reading._metric(reading.model.measure(_count_measure(spec)))]
        spec.sort_fact = None


def _remeasure(reading: _Interpretation, spec: QuerySpec, frag: Fragment) -> None:
    """'what about lifetime value?': the follow-up's measure replaces the previous one; on
    a customer list a customer fact becomes its order."""
    columns = [f.name for f in frag.facts] + [m.column for m in frag.measures]
    sorts = spec.kind == "customers" and all(columns) and not frag.count
    if sorts and not frag.aggregated:  # "sort them by churn score"
        fact = reading.model.fact(columns[0])
        spec.sort_fact = fact.name
        spec.list_columns = [fact.expr]
        spec.direction = frag.direction
        if spec.limit is None:  # the same customers, in a new order
            spec.limit = DEFAULT_LIST_LIMIT
        return
    measures = list(frag.measures)
    measures += [reading._fact_metric(f, f.default_agg) for f in frag.facts]
    if frag.count and not any(m.format == "count" for m in measures):
        count = _count_measure(spec)
        measures = [reading._metric(reading.model.measure(count)), *measures]
    spec.measures = list({m.alias: m for m in measures}.values())
    if spec.kind != "aggregate":  # "how many of them": an aggregate of the list
        spec.kind = "aggregate"
        spec.sort_fact = None
        spec.direction = None
        spec.limit = None


def _count_measure(spec: QuerySpec) -> str:
    return "transactions" if spec.kind == "transactions" else "customers"


def _to_list(reading: _Interpretation, spec: QuerySpec, kind: str) -> None:
    """'show me those customers': the customers (or transactions) behind an aggregate."""
    if spec.kind == kind:
        return
    customer_groups = [g for g in spec.groups if g.alias in ("customer_id", "full_name")]
    if (spec.groups and not customer_groups) or spec.grains:
        raise PlanningError(
            "The last answer has one row per group; say which group's customers to list, "
            "e.g. 'customers in Texas', or ask again without the grouping."
        )
    if customer_groups:  # a ranking of customers already lists them
        return
    if kind == "customers":
        _activity_to_filter(reading, spec)
    spec.kind = kind
    spec.measures = []
    spec.groups = []
    spec.sort_fact = None
    spec.singular = False
    if spec.limit is not None and spec.direction is None:
        spec.limit = None


def _activity_to_filter(reading: _Interpretation, spec: QuerySpec) -> None:
    """The customers behind a transaction aggregate ("active customers last month", "spend
    online"): those with such transactions, as a filter on customers."""
    transaction_filters = [f for f in spec.filters if f.entity == "transaction"]
    opened = "account_open_date" in spec.timedims
    timed = spec.time is not None and not opened
    transactional = any(m.entity == "transaction" for m in spec.measures)
    if not (timed or transaction_filters or transactional):
        return
    statuses = {m.where for m in spec.measures if m.entity == "transaction"} - {None}
    where = [f.sql for f in transaction_filters]
    if not any(f.dim == "transaction_status" for f in transaction_filters):
        where += sorted(statuses) or ["t.status = 'Approved'"]
    if timed:
        where += time_clause("t.transaction_ts", spec.time)
    joined = joins(reading.model, "t", aliases(where) - {"p"})
    sub = query(["t.customer_id"], "gold.fct_transactions t", joined, where)
    words = [f.text for f in transaction_filters]
    if timed:
        words.append(spec.time.describe())
    text = "with transactions" + (" (" + "; ".join(words) + ")" if words else "")
    customer_filters = [f for f in spec.filters if f.entity != "transaction"]
    spec.filters = [*customer_filters, Filter(f"p.customer_id in ({sub})", text, "customer")]
    if timed:
        spec.time = None


def _described(spec: QuerySpec) -> str:
    what = {"customers": "a list of customers", "transactions": "a list of transactions"}
    if spec.kind in what:
        return what[spec.kind]
    shown = ", ".join(m.label.lower() for m in spec.measures) or "an aggregate"
    if spec.groups:
        shown += " by " + ", ".join(g.label.lower() for g in spec.groups)
    return shown
