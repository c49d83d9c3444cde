"""Joins from the semantic model's relationships: which tables an answer needs, and how
they join its base table (`fct_transactions t` to `customer_360_profile p` and
`dim_merchant_category c`), never written by hand in the compiler."""

from collections.abc import Iterable
from functools import lru_cache

import sqlglot
from sqlglot import exp

from c360.assistant.semantic import SemanticModel


@lru_cache(maxsize=4096)
def _aliases(sql: str) -> frozenset[str]:
    tree = sqlglot.parse_one(sql, read="duckdb")
    return frozenset(
        c.table
        for c in tree.find_all(exp.Column)
        if c.table and c.find_ancestor(exp.Select) is None  # not a subquery's own tables
    )


def aliases(expressions: Iterable[str]) -> set[str]:
    """Table aliases the expressions read (outside their own subqueries)."""
    found: set[str] = set()
    for sql in expressions:
        if sql:
            found |= _aliases(sql)
    return found


def joins(model: SemanticModel, base_alias: str, needed: set[str]) -> list[tuple[str, str]]:
    """(table with alias, join condition) for every alias in `needed` other than the base,
    in the model's table order; a needed table no relationship reaches is a bug."""
    by_alias = {t.alias: t for t in model.tables}
    base = by_alias[base_alias]
    return [
        (f"{table.qualified} {table.alias}", _on(model, base, table))
        for table in model.tables
        if table.alias != base_alias and table.alias in needed
    ]


def _on(model: SemanticModel, base, other) -> str:
    for rel in model.relationships:
        left_table, left_col = rel["from"].split(".")
        right_table, right_col = rel["to"].split(".")
        if (left_table, right_table) == (base.name, other.name):
            return f"{base.alias}.{left_col} = {other.alias}.{right_col}"
        if (left_table, right_table) == (other.name, base.name):
            return f"{base.alias}.{right_col} = {other.alias}.{left_col}"
    raise ValueError(f"no relationship joins {base.name} to {other.name}")
