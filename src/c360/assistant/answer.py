"""An answer: status, SQL, rows, a one-line summary and a chart suggestion.

The summary and chart are chosen here (not in the page) from the plan when the offline
planner answered, or from the shape of the result when the SQL came from an LLM.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from c360.assistant.planner import Plan

STATUSES = ("answered", "clarify", "refused", "error")


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    x: str
    y: str
    color: str | None = None
    title: str = ""


@dataclass
class Answer:
    question: str
    engine: str
    status: str
    sql: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    summary: str = ""
    message: str = ""
    suggestions: list[str] = field(default_factory=list)
    chart: Chart | None = None
    truncated: bool = False
    seconds: float = 0.0
    interpretation: str = ""
    formats: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "answered"

    def to_json(self) -> dict:
        """The answer as JSON-safe data (what `c360 ask --json` prints)."""
        return {
            "question": self.question,
            "engine": self.engine,
            "status": self.status,
            "sql": self.sql,
            "columns": self.columns,
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "summary": self.summary,
            "message": self.message,
            "suggestions": self.suggestions,
            "interpretation": self.interpretation,
            "truncated": self.truncated,
            "seconds": round(self.seconds, 4),
        }

    def frame(self):
        """The rows as a pandas DataFrame (imported late: the CLI does not need pandas)."""
        import pandas as pd

        data = [[json_value(v) if isinstance(v, Decimal) else v for v in r] for r in self.rows]
        return pd.DataFrame(data, columns=self.columns)


def json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def format_value(value, kind: str = "text") -> str:
    """A value for people: money, percent, count or plain."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
        if kind == "money":
            return f"${number:,.0f}" if abs(number) >= 100 else f"${number:,.2f}"
        if kind == "percent":
            return f"{number * 100:.1f}%"
        if kind == "count" or float(number).is_integer():
            return f"{number:,.0f}"
        return f"{number:,.2f}"
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def summarize(plan: Plan | None, columns: list[str], rows: list[tuple], truncated: bool) -> str:
    """One line saying what the answer shows."""
    n = len(rows)
    if plan is None:
        return _generic_summary(columns, rows, truncated)
    scope = ""
    if plan.filters:
        scope += " where " + "; ".join(plan.filters)
    if plan.time:
        scope += f", {plan.time.describe()}"
    if n == 0:
        return f"No rows match{scope}."
    if plan.kind == "customers":
        shown = f"{n:,} customer{'s' if n != 1 else ''}"
        text = f"{shown}{scope}"
        if plan.order:
            direction = "highest" if plan.order[1] == "desc" else "lowest"
            text += f", {direction} {plan.order[0].replace('_', ' ')} first"
        if plan.limit is not None and n >= plan.limit:
            text += f" (first {plan.limit:,} shown)"
        return text + "."
    if plan.kind == "transactions":
        text = f"{n:,} transaction{'s' if n != 1 else ''}{scope}"
        if plan.order:
            text += (
                f", {'largest' if plan.order[1] == 'desc' else 'smallest'} {plan.order[0]} first"
            )
        return text + "."
    index = {c: i for i, c in enumerate(columns)}
    first = plan.measures[0]
    fmt = first.format
    if not plan.dimensions:
        parts = [
            f"{m.label}: {format_value(rows[0][index[m.alias]], m.format)}"
            for m in plan.measures
            if m.alias in index
        ]
        return "; ".join(parts) + (f" ({scope.strip(' ,')})" if scope else "") + "."
    dim = plan.dimensions[0]
    if (
        plan.time_grain not in (None, "day_of_week")
        and plan.dimensions[0].alias == plan.time_grain
        and len(plan.dimensions) == 1
    ):
        a, b = rows[0], rows[-1]
        va, vb = a[index[first.alias]], b[index[first.alias]]
        change = ""
        if _is_number(va) and _is_number(vb) and float(va):
            change = f" ({(float(vb) - float(va)) / abs(float(va)):+.1%})"
        return (
            f"{first.label} by {dim.label.lower()}{scope}: {format_value(va, fmt)} in "
            f"{format_value(a[index[dim.alias]])} to {format_value(vb, fmt)} in "
            f"{format_value(b[index[dim.alias]])}{change}."
        )
    direction = plan.order[1] if plan.order else "desc"
    if first.format == "count":
        word = "the most" if direction == "desc" else "the fewest"
    else:
        word = "the highest" if direction == "desc" else "the lowest"
    top = rows[0]
    label = " / ".join(
        "(none)" if top[index[d.alias]] is None else format_value(top[index[d.alias]])
        for d in plan.dimensions
    )
    value = format_value(top[index[first.alias]], fmt)
    text = f"{label} has {word} {first.label.lower()} ({value})"
    if n > 1:
        noun = "rows" if len(plan.dimensions) > 1 else (dim.plural or dim.label.lower())
        text += f" of the {n:,} {noun} shown"
    return text + scope + "."


def _generic_summary(columns: list[str], rows: list[tuple], truncated: bool) -> str:
    n = len(rows)
    if n == 0:
        return "No rows."
    if n == 1 and len(columns) <= 3:
        return (
            "; ".join(f"{c}: {format_value(v)}" for c, v in zip(columns, rows[0], strict=True))
            + "."
        )
    text = f"{n:,} row{'s' if n != 1 else ''}"
    numeric = [i for i, v in enumerate(rows[0]) if _is_number(v)]
    labels = [i for i, v in enumerate(rows[0]) if isinstance(v, str)]
    if numeric and labels:
        i, j = labels[0], numeric[0]
        text += f"; first: {rows[0][i]} ({columns[j]} {format_value(rows[0][j])})"
    if truncated:
        text += " (truncated)"
    return text + "."


def choose_chart(plan: Plan | None, columns: list[str], rows: list[tuple]) -> Chart | None:
    """A line chart for a time series, a bar chart for a few groups, else None."""
    if len(rows) < 2:
        return None
    if plan is not None:
        if plan.kind != "aggregate" or not plan.dimensions:
            return None
        y = plan.measures[0].alias
        x = plan.dimensions[0].alias
        color = plan.dimensions[1].alias if len(plan.dimensions) > 1 else None
        if plan.time_grain and plan.time_grain != "day_of_week":
            x = plan.time_grain
            others = [d.alias for d in plan.dimensions if d.alias != x]
            color = others[0] if others else None
            return Chart("line", x, y, color, plan.measures[0].label)
        if len(rows) > 60:
            return None
        return Chart("bar", x, y, color, plan.measures[0].label)
    first = rows[0]
    dates = [i for i, v in enumerate(first) if isinstance(v, (date, datetime))]
    numbers = [i for i, v in enumerate(first) if _is_number(v)]
    texts = [i for i, v in enumerate(first) if isinstance(v, str)]
    if not numbers:
        return None
    y = columns[numbers[-1]] if dates or texts else None
    if dates and y:
        return Chart("line", columns[dates[0]], y)
    if texts and y and len(rows) <= 60:
        return Chart("bar", columns[texts[0]], y)
    return None
