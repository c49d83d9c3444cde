"""SQL fragments: literals quoted by sqlglot, never by hand."""

from datetime import date

import sqlglot
from sqlglot import exp

from c360.assistant import timerange


def lit(value) -> str:
    """A SQL literal, quoted by sqlglot (never by hand)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = int(value) if float(value).is_integer() else float(value)
        return exp.Literal.number(number).sql("duckdb")
    return exp.Literal.string(str(value)).sql("duckdb")


def date_lit(d: date) -> str:
    return f"date {lit(d.isoformat())}"


def with_filter(expr: str, condition: str) -> str:
    """Add FILTER (WHERE condition) to every aggregate in `expr`."""
    tree = sqlglot.parse_one(expr, read="duckdb")

    def add(node):
        if isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Filter):
            cond = sqlglot.parse_one(condition, read="duckdb")
            return exp.Filter(this=node.copy(), expression=exp.Where(this=cond))
        return node

    return tree.transform(add).sql("duckdb")


def time_clause(column: str, time: timerange.TimeRange | None) -> list[str]:
    """Conditions that keep `column` inside the time range (none without one)."""
    if time is None:
        return []
    clauses = []
    if time.start > date(1900, 1, 1):
        clauses.append(f"{column} >= {date_lit(time.start)}")
    clauses.append(f"{column} < {date_lit(time.end)}")
    return clauses


def query(
    select: list[str],
    source: str,
    joins: list[tuple[str, str]] = (),
    where: list[str] = (),
    group_by: list[str] = (),
    order_by: list[str] = (),
    limit: int | None = None,
) -> str:
    """One SELECT built with sqlglot's builder from expressions in DuckDB SQL."""
    q = exp.select(*select, dialect="duckdb").from_(source, dialect="duckdb")
    for table, on in joins:
        q = q.join(table, on=on, dialect="duckdb")
    if where:
        q = q.where(*where, dialect="duckdb")
    if group_by:
        q = q.group_by(*group_by, dialect="duckdb")
    if order_by:
        q = q.order_by(*order_by, dialect="duckdb")
    if limit is not None:
        q = q.limit(int(limit))
    return q.sql(dialect="duckdb", pretty=True)
