"""What the planner understood, as data: the query spec (interpretation's output, the
follow-up merge's input and output, the compiler's input) and the plan it compiles to."""

from dataclasses import dataclass, field

from c360.assistant import timerange


@dataclass(frozen=True)
class Output:
    """A column of the answer: its alias, a label for people and a format."""

    alias: str
    label: str
    format: str = "text"
    plural: str = ""


@dataclass
class Plan:
    """What the planner understood, and the SQL that answers it."""

    question: str
    sql: str
    kind: str  # "aggregate", "customers" or "transactions"
    measures: list[Output]
    dimensions: list[Output]
    time_grain: str | None
    filters: list[str]
    time: timerange.TimeRange | None
    order: tuple[str, str] | None
    limit: int | None
    tables: tuple[str, ...] = ()  # what the SQL reads
    spec: "QuerySpec | None" = None  # what was understood, for follow-ups

    def describe(self) -> str:
        """One line: what was computed, for whom, when."""
        if self.kind == "aggregate":
            what = ", ".join(m.label for m in self.measures)
            if self.dimensions:
                what += " by " + ", ".join(d.label.lower() for d in self.dimensions)
        else:
            what = "Customers" if self.kind == "customers" else "Transactions"
        parts = [what]
        if self.filters:
            parts.append("where " + "; ".join(self.filters))
        if self.time:
            parts.append(self.time.describe())
        return " · ".join(parts)


@dataclass
class Clarification:
    """The planner could not map the question; `message` says why, with suggestions."""

    question: str
    message: str
    suggestions: list[str] = field(default_factory=list)


class PlanningError(Exception):
    """Raised internally to turn into a Clarification."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


# --- text ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """A condition on customers or transactions; `key` says what it constrains (a
    dimension, a fact or a flag), so a follow-up can replace it."""

    sql: str
    text: str
    entity: str  # customer or transaction
    dim: str | None = None  # a dimension-value filter: which dimension ...
    values: tuple = ()  # ... which values (or a comparison's numbers)
    negated: bool = False
    key: str | None = None
    op: str | None = None  # a comparison: ">", "<=", "between", ...


@dataclass(frozen=True)
class Metric:
    alias: str
    expr: str
    label: str
    format: str
    entity: str
    where: str | None = None
    column: str | None = None  # a customer column to sort lists by


@dataclass(frozen=True)
class Group:
    alias: str
    expr: str
    label: str
    entity: str
    is_time: bool = False
    many: bool = False
    order_expr: str | None = None
    plural: str = ""


@dataclass
class QuerySpec:
    """One question's meaning: what to compute (an aggregate, or a list of customers or
    transactions), for whom, when, in which order and how many rows."""

    question: str
    kind: str  # "aggregate", "customers" or "transactions"
    measures: list[Metric] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)  # dimensions; time grains separately
    grains: list[str] = field(default_factory=list)
    timedims: list[str] = field(default_factory=list)  # "opened": account opening dates
    filters: list[Filter] = field(default_factory=list)
    time: timerange.TimeRange | None = None
    direction: str | None = None  # "asc" or "desc": a ranking
    limit: int | None = None  # asked for in so many words
    singular: bool = False  # "which state has the highest ...": one row
    sort_only: bool = False  # "highest first": an order, no cut
    sort_fact: str | None = None  # a customer list's order
    list_columns: list[str] = field(default_factory=list)
    recent: bool = False  # a transaction list, newest first
