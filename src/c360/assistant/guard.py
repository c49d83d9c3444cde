"""The SQL guard: only one read-only query over allow-listed gold tables and columns.

Both engines' SQL passes through `check` before anything runs. It parses with sqlglot
(DuckDB dialect) and accepts exactly one SELECT (CTEs and UNION/INTERSECT/EXCEPT allowed)
that:

- contains no statement other than a query anywhere (no DML/DDL, also not inside a CTE;
  no PRAGMA, ATTACH, COPY, INSTALL/LOAD, SET, USE, ...), no SELECT ... INTO, no recursive CTE
  and no bind parameters;
- reads only tables named in the semantic model, in the `gold` schema, by name: no table
  functions (`read_csv(...)`, `range(...)`), no quoted file paths, no other schema or
  catalog;
- uses only allow-listed functions (aggregates, arithmetic, text, dates; nothing that reads
  files, settings, the environment or the catalog);
- names only columns the semantic model lists (sqlglot's qualifier resolves every column;
  `*` expands to the listed columns only).

The accepted query is then rewritten from its syntax tree: tables and columns qualified and
a LIMIT enforced (added when missing, clamped when larger than the cap). The rewritten SQL
is what runs, so what was checked is what executes. Each refusal is one line saying why.
"""

import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from c360.assistant.semantic import SemanticModel

DIALECT = "duckdb"
SCHEMA = "gold"
MAX_SQL_CHARS = 20_000
DEFAULT_MAX_ROWS = 1_000

# sqlglot expression keys (lower-cased class names) of the functions a query may call.
ALLOWED_FUNCTIONS = frozenset(
    {
        # aggregates
        "count", "sum", "avg", "min", "max", "median", "mode", "percentilecont",
        "percentiledisc", "stddev", "stddevsamp", "stddevpop", "variance", "variancepop",
        "countif", "anyvalue", "argmax", "argmin", "corr", "covarsamp", "covarpop",
        "logicalor", "logicaland", "first", "last", "groupconcat",
        # window functions
        "rank", "denserank", "rownumber", "ntile", "percentrank", "cumedist", "lag", "lead",
        "firstvalue", "lastvalue", "nthvalue",
        # logic and conditionals, casts
        "and", "or", "xor", "exists", "case", "if", "coalesce", "nullif", "cast", "trycast",
        "greatest", "least",
        # arithmetic
        "abs", "ceil", "floor", "round", "sqrt", "ln", "log", "pow", "exp", "sign",
        "safedivide",
        # text
        "lower", "upper", "length", "concat", "concatws", "trim", "substring", "replace",
        "left", "right", "splitpart", "contains", "startswith", "endswith", "regexplike",
        # dates
        "timestamptrunc", "datetrunc", "datetimetrunc", "extract", "year", "month",
        "quarter", "day", "dayofweek", "dayofweekiso", "dayofmonth", "dayofyear", "week",
        "weekofyear", "datediff", "dateadd", "datesub", "timetostr", "currentdate",
        "datefromparts", "lastday", "monthname", "dayname", "tsordstodate", "todate",
        "date", "strtodate", "timestampdiff",
    }
)  # fmt: skip
# Functions sqlglot does not model (exp.Anonymous) that are harmless.
ALLOWED_ANONYMOUS = frozenset({"date_part", "datepart"})

_FORBIDDEN = tuple(
    getattr(exp, name)
    for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterColumn",
        "TruncateTable", "Command", "Pragma", "Set", "SetItem", "Attach", "Detach", "Use",
        "Copy", "Install", "Describe", "Summarize", "Show", "Into", "Transaction", "Commit",
        "Rollback", "LoadData", "Analyze", "Cache", "Uncache", "Refresh", "Export",
        "Placeholder", "Parameter", "SessionParameter", "Lateral", "Grant", "Revoke",
        "Comment", "Declare", "Fetch",
    )
    if hasattr(exp, name)
)  # fmt: skip
_QUERY_TYPES = (exp.Select, exp.Union, exp.Intersect, exp.Except)

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to Command" warnings


@dataclass(frozen=True)
class Verdict:
    """The guard's decision: `sql` is the rewritten query to run when `ok`."""

    ok: bool
    reason: str = ""
    sql: str | None = None
    limit: int | None = None
    limit_enforced: bool = False  # the guard added or lowered the LIMIT


def refuse(reason: str) -> Verdict:
    return Verdict(ok=False, reason=" ".join(reason.split()))


def _short(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


_STATEMENT_NAMES = {"truncatetable": "TRUNCATE", "transaction": "BEGIN"}


def _statement_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, (exp.Column, exp.Identifier)):
        return node.name.upper()[:30]
    return _STATEMENT_NAMES.get(node.key, node.key.upper())


def _function_name(node: exp.Func) -> str:
    return node.name.lower() if isinstance(node, exp.Anonymous) else node.key


def _readable_alias(node: exp.Expression, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", node.sql(DIALECT).lower()).strip("_")[:40] or "value"
    alias, n = base, 2
    while alias in taken:
        alias, n = f"{base}_{n}", n + 1
    taken.add(alias)
    return alias


def _name_projections(query: exp.Expression) -> None:
    """Give unnamed output columns readable names (sqlglot would call them _col_0)."""
    selects = [query] if isinstance(query, exp.Select) else []
    if isinstance(query, (exp.Union, exp.Intersect, exp.Except)):
        selects = [query.left] if isinstance(query.left, exp.Select) else []
    for select in selects:
        taken = {p.alias_or_name for p in select.expressions}
        for i, projection in enumerate(select.expressions):
            if isinstance(projection, (exp.Alias, exp.Column, exp.Star)):
                continue
            alias = _readable_alias(projection, taken)
            select.expressions[i] = exp.alias_(projection, alias)
            select.expressions[i].parent = select


def _check_tables(tree: exp.Expression, allowed: dict[str, dict[str, str]]) -> str | None:
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            return "table functions are not allowed (only gold tables can be read)"
        name = table.name
        if table.this.quoted and re.search(r"[/\\.:~]", name):
            return f"reading files is not allowed ({_short(name, 40)!r})"
        if table.catalog:
            return f"only gold tables can be read, not {_short(table.sql(DIALECT), 50)}"
        if not table.db and name.lower() in cte_names:
            continue
        if table.db and table.db.lower() != SCHEMA:
            return f"only gold tables can be read, not {_short(table.sql(DIALECT), 50)}"
        if name.lower() not in allowed:
            return f"table {_short(name, 40)!r} is not in the semantic model"
    return None


def _limit(query: exp.Expression, max_rows: int) -> tuple[int, bool] | str:
    """Enforce LIMIT <= max_rows on the outermost query; (limit, enforced) or a refusal."""
    limit_node = query.args.get("limit")
    offset_node = query.args.get("offset")
    if offset_node is not None:
        value = offset_node.expression
        if not (isinstance(value, exp.Literal) and value.is_int):
            return "OFFSET must be a whole number"
    if limit_node is None:
        query.set("limit", exp.Limit(expression=exp.Literal.number(max_rows)))
        return max_rows, True
    value = limit_node.expression
    if not (isinstance(value, exp.Literal) and value.is_int):
        return "LIMIT must be a whole number"
    requested = int(value.this)
    if requested > max_rows:
        limit_node.set("expression", exp.Literal.number(max_rows))
        return max_rows, True
    return requested, False


def check(sql: str, model: SemanticModel, max_rows: int = DEFAULT_MAX_ROWS) -> Verdict:
    """Accept one read-only query over the semantic model's tables, or say why not."""
    if not isinstance(sql, str) or not sql.strip():
        return refuse("empty SQL")
    if len(sql) > MAX_SQL_CHARS:
        return refuse(f"SQL longer than {MAX_SQL_CHARS:,} characters")
    if "\x00" in sql:
        return refuse("SQL contains a NUL character")
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        return refuse(f"could not parse the SQL: {_short(first, 80)}")
    except (SqlglotError, RecursionError, ValueError) as exc:
        return refuse(f"could not parse the SQL: {_short(exc, 80)}")
    if len(statements) != 1:
        return refuse(f"exactly one statement is allowed, got {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, _QUERY_TYPES):
        return refuse(f"only SELECT queries are allowed, not {_statement_name(tree)}")

    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            if isinstance(node, exp.Into):
                return refuse("SELECT ... INTO is not allowed")
            if isinstance(node, (exp.Placeholder, exp.Parameter, exp.SessionParameter)):
                return refuse("parameters and variables are not allowed")
            if isinstance(node, exp.Fetch):
                return refuse("use LIMIT instead of FETCH")
            return refuse(f"{_statement_name(node)} is not allowed (read-only queries only)")
        if isinstance(node, exp.With) and node.args.get("recursive"):
            return refuse("recursive CTEs are not allowed")
        if isinstance(node, exp.Func):
            name = _function_name(node)
            allowed = (
                name in ALLOWED_ANONYMOUS
                if isinstance(node, exp.Anonymous)
                else name in ALLOWED_FUNCTIONS
            )
            if not allowed:
                shown = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
                return refuse(f"function {_short(shown, 40)}() is not allowed")

    allowed_columns = {t.lower(): cols for t, cols in model.allowed_columns().items()}
    problem = _check_tables(tree, allowed_columns)
    if problem:
        return refuse(problem)
    if not any(True for _ in tree.find_all(exp.Table)):
        return refuse("the query must read at least one gold table")

    _name_projections(tree)
    try:
        qualified = qualify(
            tree,
            schema={SCHEMA: allowed_columns},
            db=SCHEMA,
            dialect=DIALECT,
            validate_qualify_columns=True,
            quote_identifiers=False,
            identify=False,
        )
    except OptimizeError as exc:
        message = str(exc).split(". Line")[0]
        column = re.search(r"Unknown column: (\S+)", message) or re.search(
            r"Column '([^']+)' could not be resolved", message
        )
        if column:
            table = re.search(r"for table: '([^']+)'", message)
            where = f" of {table.group(1)!r}" if table else ""
            return refuse(f"unknown column {column.group(1)!r}{where} (not in the semantic model)")
        return refuse(f"the query does not fit the semantic model: {_short(message, 80)}")
    except (SqlglotError, RecursionError, ValueError, KeyError) as exc:
        return refuse(f"the query does not fit the semantic model: {_short(exc, 80)}")

    enforced = _limit(qualified, max_rows)
    if isinstance(enforced, str):
        return refuse(enforced)
    limit, limit_enforced = enforced
    try:
        text = qualified.sql(dialect=DIALECT, pretty=True)
    except (SqlglotError, RecursionError, ValueError) as exc:
        return refuse(f"could not write the checked SQL: {_short(exc, 80)}")
    return Verdict(ok=True, sql=text, limit=limit, limit_enforced=limit_enforced)
