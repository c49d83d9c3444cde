"""The app's SQL (DuckDB dialect, `?` parameters) as Snowflake SQL, translated by sqlglot.

One copy of every query: `queries.py` writes DuckDB SQL and this module translates it when
the app reads Snowflake. What sqlglot does not cover is handled here, explicitly:

- parameters: each `?` is numbered (`:1`, `:2`, ... Snowflake's `numeric` paramstyle,
  bound on the server), so translation may move expressions without mixing up values;
- `list_contains(?, column)` with a list value becomes `column in (:i, :j, ...)`, one
  bound value per item (Snowflake binds scalars only);
- `limit ?` / `offset ?` become the integer itself (Snowflake wants constants there; the
  values are Python ints, never text);
- tables named `schema.table` get the database: `<database>.schema.table`, where the dbt
  snowflake target builds them (`generate_schema_name`: gold, silver, ...);
- anything else DuckDB-only that sqlglot does not know (a function it passes through
  verbatim, a cast to a type outside `PORTABLE_TYPES`) raises `Untranslatable` rather than
  reaching Snowflake.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.tokens import TokenType

Type = exp.DataType.Type
PORTABLE_TYPES = frozenset(
    {
        Type.BIGINT,
        Type.BOOLEAN,
        Type.DATE,
        Type.DECIMAL,
        Type.DOUBLE,
        Type.FLOAT,
        Type.INT,
        Type.TEXT,
        Type.TIMESTAMP,
        Type.TIMESTAMPNTZ,
        Type.VARCHAR,
    }
)
SCALARS = (str, int, float, bool, date, datetime, type(None))


class Untranslatable(ValueError):
    """App SQL that cannot run on Snowflake as written; names the construct."""


@dataclass(frozen=True)
class Statement:
    """Snowflake SQL with `:n` placeholders and the values they bind, in order."""

    sql: str
    params: tuple


def _numbered(sql: str) -> tuple[str, int]:
    """`?` -> `$1`, `$2`, ... in text order (tokens, so a '?' inside a string stays); the
    SQL and the number of parameters."""
    out, last, n = [], 0, 0
    for token in DuckDB().tokenize(sql):
        if token.token_type == TokenType.PARAMETER:
            raise Untranslatable(f"write parameters as ?, not {token.text}...")
        if token.token_type == TokenType.PLACEHOLDER:
            n += 1
            out += [sql[last : token.start], f"${n}"]
            last = token.end + 1
    return "".join([*out, sql[last:]]), n


def _index(node: exp.Expression) -> int | None:
    """The 0-based parameter index of a numbered placeholder, else None."""
    if isinstance(node, exp.Placeholder) and str(node.this).isdigit():
        return int(node.this) - 1
    return None


def _refuse_unknown(tree: exp.Expression) -> None:
    for node in tree.find_all(exp.Anonymous):  # sqlglot would pass it through verbatim
        raise Untranslatable(f"{node.name}() is not known to translate to Snowflake")
    for node in tree.find_all(exp.DataType):
        if node.this not in PORTABLE_TYPES:
            raise Untranslatable(f"cast to {node.sql('duckdb')} has no portable translation")


def _expand_lists(tree: exp.Expression, params: list) -> None:
    """list_contains(?, column) with a list value -> column in (one placeholder per item)."""
    for node in list(tree.find_all(exp.ArrayContains)):
        i = _index(node.this)
        if i is not None and isinstance(params[i], list | tuple):
            items = [exp.Placeholder(this=f"list:{i}:{k}") for k in range(len(params[i]))]
            node.replace(exp.In(this=node.expression, expressions=items) if items else exp.false())


def _inline_limits(tree: exp.Expression, params: list) -> None:
    for clause in (exp.Limit, exp.Offset):
        for node in tree.find_all(clause):
            i = _index(node.expression)
            if i is not None:
                value = params[i]
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise Untranslatable(f"{clause.key} needs a non-negative int, not {value!r}")
                node.set("expression", exp.Literal.number(value))


def _qualify_tables(tree: exp.Expression, database: str) -> None:
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.db and not table.catalog:
            table.set("catalog", exp.to_identifier(database))
        elif not table.db and table.name not in ctes:
            raise Untranslatable(f"table {table.name} needs its schema (gold.{table.name})")


def _bind(tree: exp.Expression, params: list) -> list:
    """Number the placeholders left :1, :2, ... in reading order; their values."""
    bound = []
    for node in tree.find_all(exp.Placeholder, bfs=False):
        if str(node.this).startswith("list:"):
            _, i, k = str(node.this).split(":")
            value = params[int(i)][int(k)]
        else:
            value = params[_index(node)]
        if not isinstance(value, SCALARS):
            raise Untranslatable(f"parameter {value!r} must be a scalar or a list_contains list")
        bound.append(value)
        node.set("this", str(len(bound)))
    return bound


def to_snowflake(sql: str, params: Sequence = (), database: str = "C360") -> Statement:
    """Translate one app query; raises Untranslatable (one line) if it cannot be."""
    numbered, count = _numbered(sql)
    if count != len(params):
        raise Untranslatable(f"the query has {count} parameters but {len(params)} values")
    try:
        tree = sqlglot.parse_one(numbered, read="duckdb")
        _refuse_unknown(tree)
        _expand_lists(tree, list(params))
        _inline_limits(tree, list(params))
        _qualify_tables(tree, database)
        bound = _bind(tree, list(params))
        text = tree.sql(dialect="snowflake", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise Untranslatable(" ".join(str(exc).split())) from None
    return Statement(text, tuple(bound))
