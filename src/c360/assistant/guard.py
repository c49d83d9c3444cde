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

import atexit
import json
import logging
import re
import threading
from dataclasses import dataclass

import duckdb
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


def _plain_limits(tree: exp.Expression) -> str | None:
    """Every LIMIT/OFFSET anywhere is a bare whole number: no PERCENT, WITH TIES, expressions."""
    for node in tree.find_all(exp.Limit, exp.Offset):
        word = "LIMIT" if isinstance(node, exp.Limit) else "OFFSET"
        value = node.expression
        if not (isinstance(value, exp.Literal) and value.is_int):
            return f"{word} must be a whole number"
        extra = {k for k, v in node.args.items() if v is not None and k != "expression"}
        if extra:
            return f"{word} must be a plain number of rows (no PERCENT, WITH TIES or offsets)"
    return None


def _source_names(tree: exp.Expression) -> set[str]:
    """Every name a query gives a row source: tables, their aliases, CTEs, subqueries."""
    names = set()
    for table in tree.find_all(exp.Table):
        names |= {table.name.lower(), table.alias_or_name.lower()}
    for node in tree.find_all(exp.CTE, exp.Subquery):
        if node.alias:
            names.add(node.alias.lower())
    return names


def _check_names(tree: exp.Expression) -> str | None:
    """After qualification every column names its table; bare names may only be output aliases.

    A bare name equal to a row source is a whole-row reference (`SELECT p FROM t p`), which
    would return every column of the table, allow-listed or not."""
    if any(True for _ in tree.find_all(exp.Dot)):
        return "field access with '.' on a value is not allowed"
    whole_row = next(tree.find_all(exp.TableColumn), None)
    if whole_row is not None:
        return f"whole-row references are not allowed ({_short(whole_row.name, 40)!r} is a table)"
    sources = _source_names(tree)
    aliases = {a.alias.lower() for a in tree.find_all(exp.Alias)}
    for column in tree.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            return "'*' must read a table of the semantic model"
        if column.table:
            continue
        name = column.name.lower()
        if name in sources:
            return f"whole-row references are not allowed ({_short(column.name, 40)!r} is a table)"
        if name not in aliases:
            return f"unknown column {_short(column.name, 40)!r} (not in the semantic model)"
    return None


def _parse_one(sql: str) -> exp.Expression | str:
    """The one statement in `sql`, or a refusal."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        return f"could not parse the SQL: {_short(first, 80)}"
    except (SqlglotError, RecursionError, ValueError) as exc:
        return f"could not parse the SQL: {_short(exc, 80)}"
    if len(statements) != 1:
        return f"exactly one statement is allowed, got {len(statements)}"
    return statements[0]


def _check_nodes(tree: exp.Expression) -> str | None:
    """Statement kinds and functions, anywhere in the tree."""
    if not isinstance(tree, _QUERY_TYPES):
        return f"only SELECT queries are allowed, not {_statement_name(tree)}"
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            if isinstance(node, exp.Into):
                return "SELECT ... INTO is not allowed"
            if isinstance(node, (exp.Placeholder, exp.Parameter, exp.SessionParameter)):
                return "parameters and variables are not allowed"
            if isinstance(node, exp.Fetch):
                return "use LIMIT instead of FETCH"
            return f"{_statement_name(node)} is not allowed (read-only queries only)"
        if isinstance(node, exp.With) and node.args.get("recursive"):
            return "recursive CTEs are not allowed"
        if isinstance(node, exp.Func):
            name = _function_name(node)
            allowed = (
                name in ALLOWED_ANONYMOUS
                if isinstance(node, exp.Anonymous)
                else name in ALLOWED_FUNCTIONS
            )
            if not allowed:
                shown = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
                return f"function {_short(shown, 40)}() is not allowed"
    return None


def _qualify(tree: exp.Expression, allowed_columns: dict) -> exp.Expression | str:
    try:
        return qualify(
            tree,
            schema={SCHEMA: allowed_columns},
            db=SCHEMA,
            dialect=DIALECT,
            validate_qualify_columns=True,
            quote_identifiers=True,
            identify=True,
        )
    except OptimizeError as exc:
        message = str(exc).split(". Line")[0]
        column = re.search(r"Unknown column: (\S+)", message) or re.search(
            r"Column '([^']+)' could not be resolved", message
        )
        if column:
            table = re.search(r"for table: '([^']+)'", message)
            where = f" of {table.group(1)!r}" if table else ""
            return f"unknown column {column.group(1)!r}{where} (not in the semantic model)"
        return f"the query does not fit the semantic model: {_short(message, 80)}"
    except (SqlglotError, RecursionError, ValueError, KeyError) as exc:
        return f"the query does not fit the semantic model: {_short(exc, 80)}"


@dataclass(frozen=True)
class _Checked:
    sql: str
    limit: int
    limit_enforced: bool


def _check_once(sql: str, allowed_columns: dict, max_rows: int) -> _Checked | str:
    """One full pass: parse, check, qualify, cap, and write the SQL back out fully quoted."""
    tree = _parse_one(sql)
    if isinstance(tree, str):
        return tree
    problem = _check_nodes(tree) or _check_tables(tree, allowed_columns) or _plain_limits(tree)
    if problem:
        return problem
    if not any(True for _ in tree.find_all(exp.Table)):
        return "the query must read at least one gold table"
    _name_projections(tree)
    qualified = _qualify(tree, allowed_columns)
    if isinstance(qualified, str):
        return qualified
    problem = _check_nodes(qualified) or _check_tables(qualified, allowed_columns)
    problem = problem or _check_names(qualified)
    if problem:
        return problem
    enforced = _limit(qualified, max_rows)
    if isinstance(enforced, str):
        return enforced
    try:
        # identify=True quotes every identifier; comments are dropped (they are not checked)
        text = qualified.sql(dialect=DIALECT, pretty=True, identify=True, comments=False)
    except (SqlglotError, RecursionError, ValueError) as exc:
        return f"could not write the checked SQL: {_short(exc, 80)}"
    return _Checked(text, *enforced)


def check(sql: str, model: SemanticModel, max_rows: int = DEFAULT_MAX_ROWS) -> Verdict:
    """Accept one read-only query over the semantic model's tables, or say why not.

    The SQL that runs is written out from the checked tree with every identifier quoted,
    then read back and checked again from scratch; it is accepted only when that second
    check passes and writes out exactly the same SQL, and DuckDB's own parser agrees that
    it is one SELECT reading only allow-listed gold tables (`engine_audit`)."""
    if not isinstance(sql, str) or not sql.strip():
        return refuse("empty SQL")
    if len(sql) > MAX_SQL_CHARS:
        return refuse(f"SQL longer than {MAX_SQL_CHARS:,} characters")
    if "\x00" in sql:
        return refuse("SQL contains a NUL character")
    allowed_columns = {t.lower(): cols for t, cols in model.allowed_columns().items()}
    first = _check_once(sql, allowed_columns, max_rows)
    if isinstance(first, str):
        return refuse(first)
    second = _check_once(first.sql, allowed_columns, max_rows)
    if isinstance(second, str) or second.sql != first.sql:
        why = second if isinstance(second, str) else "it changed"
        return refuse(f"the checked SQL did not pass a second check ({_short(why, 80)})")
    problem = engine_audit(first.sql, set(allowed_columns))
    if problem:
        return refuse(problem)
    return Verdict(ok=True, sql=first.sql, limit=first.limit, limit_enforced=first.limit_enforced)


_AUDIT = threading.local()  # one parser connection per thread (connecting costs ~10 ms)
_AUDIT_CONNECTIONS: list[duckdb.DuckDBPyConnection] = []


@atexit.register
def _close_audit_connections() -> None:
    for con in _AUDIT_CONNECTIONS:
        con.close()


def _statements_as_duckdb_reads_them(sql: str) -> dict:
    con = getattr(_AUDIT, "con", None)
    if con is None:
        con = _AUDIT.con = duckdb.connect(":memory:")
        con.execute("set enable_external_access = false")
        _AUDIT_CONNECTIONS.append(con)
    return json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])


def _dicts(node):
    """Every JSON object inside `node` (DuckDB's serialized syntax tree), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def engine_audit(sql: str, allowed_tables: set[str]) -> str | None:
    """An independent check with DuckDB's own parser: one SELECT statement whose base tables
    are allow-listed gold tables (or its own CTEs) and which calls no table function."""
    try:
        parsed = _statements_as_duckdb_reads_them(sql)
    except (duckdb.Error, ValueError) as exc:
        return f"DuckDB could not read the checked SQL: {_short(exc, 80)}"
    if parsed.get("error"):
        return f"DuckDB could not read the checked SQL: {_short(parsed.get('error_message'), 80)}"
    statements = parsed.get("statements") or []
    if len(statements) != 1:
        return f"exactly one statement is allowed, DuckDB reads {len(statements)}"
    nodes = list(_dicts(statements[0]))
    ctes = {
        entry["key"].lower()
        for node in nodes
        if isinstance(node.get("cte_map"), dict)
        for entry in node["cte_map"].get("map", [])
        if "key" in entry
    }
    for node in nodes:
        if node.get("type") == "TABLE_FUNCTION":
            return "table functions are not allowed (only gold tables can be read)"
        if node.get("type") != "BASE_TABLE":
            continue
        schema, name = (node.get("schema_name") or "").lower(), node["table_name"].lower()
        if node.get("catalog_name"):
            return f"only gold tables can be read, not {_short(node['catalog_name'], 40)}"
        if not schema and name in ctes:
            continue
        if schema != SCHEMA or name not in allowed_tables:
            return f"only gold tables can be read, not {_short(schema + '.' + name, 50)}"
    return None
