"""The assistant's semantic model in two standard formats (`c360 semantic export`).

- `cortex`: a Snowflake Cortex Analyst semantic model (YAML) over the gold tables that
  `c360 build --target snowflake` makes (`<database>.GOLD.<TABLE>`), so Cortex Analyst
  answers from the same tables, vocabulary and verified questions as `c360 ask`.
- `osi`: an Open Semantic Interchange (Apache Ossie) 0.1.1 file with the same datasets,
  fields, relationships and metrics.

Both come from one reading of semantic_model.yml (`_logical_tables`): every physical
column becomes a logical column of its table (a dimension, time dimension or fact) named
as the column, carrying the synonyms and sample values of the model's dimensions and facts
that are just that column; dimensions computed from a table's columns (`age_band`) are
added to that table; measures become metrics and flags filters (Cortex) or boolean
fields (OSI). A measure's `where` is folded into each aggregate as
`CASE WHEN <where> THEN <argument> END`, which counts the same rows as DuckDB's
`FILTER (WHERE ...)` (tested). Not exported: time grains (Cortex derives them from a time
dimension; OSI 0.1.1 has no such concept), value synonyms ("california" = CA; neither
format has a field for them) and rollups (a planner optimisation).

Cortex verified queries are the model's verified question/SQL pairs, transpiled from
DuckDB to Snowflake SQL by sqlglot; as Cortex requires, they name the logical tables
(`__customer_360_profile`) and columns, not the physical ones.
"""

import contextlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from c360.assistant.semantic import SemanticModel, Table, load

FORMATS = ("cortex", "osi")
OSI_VERSION = "0.1.1"
DEFAULT_DATABASE = "C360"
CORTEX_TABLE_PREFIX = "__"  # how Cortex verified queries name a logical table
# semantic_model.yml: "`customer` = the profile (p), `transaction` = fct_transactions (t)"
ENTITY_TABLES = {"customer": "customer_360_profile", "transaction": "fct_transactions"}
ROW_NOUNS = {"customer_360_profile": "customers", "fct_transactions": "transactions"}
RELATIONSHIP_KINDS = ("many_to_one", "one_to_one")  # the kinds Cortex and OSI both express
# Integer columns that label a group rather than measure an amount: dimensions, not facts.
CATEGORICAL_NUMBERS = frozenset(
    {
        "recency_score",
        "frequency_score",
        "monetary_score",
        "version_number",
        "year_number",
        "quarter_number",
        "month_number",
        "day_of_month",
        "iso_day_of_week",
    }
)
T = exp.DataType.Type
SNOWFLAKE_TYPES = {
    T.VARCHAR: "VARCHAR",
    T.TEXT: "VARCHAR",
    T.BOOLEAN: "BOOLEAN",
    T.DATE: "DATE",
    T.TIMESTAMP: "TIMESTAMP_NTZ",
    T.TIMESTAMPNTZ: "TIMESTAMP_NTZ",
    T.TINYINT: "NUMBER",
    T.SMALLINT: "NUMBER",
    T.INT: "NUMBER",
    T.BIGINT: "NUMBER",
    T.DOUBLE: "FLOAT",
    T.FLOAT: "FLOAT",
}
TIME_TYPES = frozenset({T.DATE, T.TIMESTAMP, T.TIMESTAMPNTZ})
LABEL_TYPES = frozenset({T.VARCHAR, T.TEXT, T.BOOLEAN})


class ExportError(Exception):
    """The semantic model cannot be exported as asked; one line for the user."""


@dataclass
class LogicalColumn:
    """A dimension, time dimension or fact of one logical table."""

    name: str
    kind: str  # dimension | time_dimension | fact
    expr: exp.Expression  # over the table's own columns, unqualified
    data_type: str  # the semantic model's (DuckDB) type name
    description: str
    label: str = ""
    synonyms: list[str] = field(default_factory=list)
    sample_values: list[str] = field(default_factory=list)
    unique: bool = False


@dataclass(frozen=True)
class LogicalItem:
    """A metric (aggregate) or filter (boolean) of one logical table."""

    name: str
    expr: exp.Expression  # over the table's own columns, unqualified
    label: str
    description: str
    synonyms: tuple[str, ...]


@dataclass
class LogicalTable:
    table: Table
    columns: list[LogicalColumn]
    metrics: list[LogicalItem]
    filters: list[LogicalItem]


# --- reading the semantic model ---------------------------------------------------------


def _parse(sql: str, where: str) -> exp.Expression:
    try:
        return sqlglot.parse_one(sql, read="duckdb")
    except SqlglotError as exc:
        raise ExportError(f"{where}: cannot parse {sql!r}: {' '.join(str(exc).split())}") from None


def _localise(
    tree: exp.Expression, model: SemanticModel, where: str
) -> tuple[Table, exp.Expression]:
    """The one table an expression reads, and the expression with its qualifiers removed."""
    tree = tree.copy()
    by_alias = {t.alias: t for t in model.tables}
    aliases = {c.table for c in tree.find_all(exp.Column)}
    if len(aliases) != 1 or next(iter(aliases)) not in by_alias:
        raise ExportError(f"{where}: reads {sorted(aliases) or 'no table'}, not one table")
    table = by_alias[aliases.pop()]
    for column in tree.find_all(exp.Column):
        if column.name not in table.column_names():
            raise ExportError(f"{where}: {table.name} has no column {column.name}")
        column.set("table", None)
    return table, tree


def _count_keys(tree: exp.Expression, table: Table) -> exp.Expression:
    """`count(*)` as `count(<primary key>)`, the same number (keys are tested not null),
    naming the table it counts, as a metric spanning datasets must (OSI)."""
    if len(table.primary_key) != 1:
        return tree
    key = exp.column(table.primary_key[0], table=table.alias)

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Count) and isinstance(node.this, exp.Star):
            node.set("this", key.copy())
        return node

    return tree.copy().transform(rewrite, copy=False)


def _with_where(tree: exp.Expression, condition: exp.Expression) -> exp.Expression:
    """Every aggregate in `tree` counting only rows where `condition` holds."""

    def only_where(value: exp.Expression) -> exp.Expression:
        return exp.Case(ifs=[exp.If(this=condition.copy(), true=value)])

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.AggFunc):
            return node
        argument = node.this
        if isinstance(argument, exp.Star):
            node.set("this", only_where(exp.Literal.number(1)))
        elif isinstance(argument, exp.Distinct):
            argument.set("expressions", [only_where(e) for e in argument.expressions])
        else:
            node.set("this", only_where(argument))
        return node

    return tree.copy().transform(rewrite, copy=False)


def _unique(words: Iterable[str], exclude: str) -> list[str]:
    seen, out = {exclude.lower()}, []
    for word in words:
        if word and word.lower() not in seen:
            seen.add(word.lower())
            out.append(word)
    return out


def _column_kind(column: str, type_name: str, keys: set[str]) -> str:
    kind = exp.DataType.build(type_name, dialect="duckdb").this
    if kind in TIME_TYPES:
        return "time_dimension"
    if kind in LABEL_TYPES or column in keys or column in CATEGORICAL_NUMBERS:
        return "dimension"
    return "fact"


def _physical(model: SemanticModel) -> dict[str, LogicalTable]:
    """Every column of every table as a logical column named as the column."""
    keys: dict[str, set[str]] = {t.name: set(t.primary_key) for t in model.tables}
    for rel in model.relationships:
        for end in (rel["from"], rel["to"]):
            table, column = end.split(".")
            keys.setdefault(table, set()).add(column)
    return {
        t.name: LogicalTable(
            table=t,
            columns=[
                LogicalColumn(
                    name=c.name,
                    kind=_column_kind(c.name, c.type, keys[t.name]),
                    expr=exp.column(c.name),
                    data_type=c.type,
                    description=c.description,
                    unique=t.primary_key == (c.name,),
                )
                for c in t.columns
            ],
            metrics=[],
            filters=[],
        )
        for t in model.tables
    }


def _add_vocabulary(model: SemanticModel, tables: dict[str, LogicalTable]) -> None:
    """Dimensions, time dimensions and facts: the words of a column go on the column; a
    dimension computed from a table's columns becomes a column of its own."""
    vocabulary = [
        *(("dimension", d, d.sample_values) for d in model.dimensions),
        *(("time_dimension", d, ()) for d in model.time_dimensions),
        *(("fact", f, ()) for f in model.facts),
    ]
    for kind, item, samples in vocabulary:
        where = f"{kind} {item.name}"
        table, tree = _localise(_parse(item.expr, where), model, where)
        synonyms = [item.name.replace("_", " "), item.label.lower(), *item.synonyms]
        columns = tables[table.name].columns
        if isinstance(tree, exp.Column):
            column = next(c for c in columns if c.name == tree.name)
            column.synonyms = _unique([*column.synonyms, *synonyms], exclude=column.name)
            column.sample_values = _unique([*column.sample_values, *samples], exclude="")
            column.label = column.label or item.label
            continue
        if kind != "dimension":
            raise ExportError(f"{where}: only dimensions may be computed, not {item.expr!r}")
        columns.append(
            LogicalColumn(
                name=item.name,
                kind="dimension",
                expr=tree,
                data_type="varchar",
                description=f"{item.label}, computed from {table.name}.",
                label=item.label,
                synonyms=_unique(synonyms, exclude=item.name),
                sample_values=list(samples),
            )
        )


def _add_measures_and_flags(model: SemanticModel, tables: dict[str, LogicalTable]) -> None:
    for measure in model.measures:
        where = f"measure {measure.name}"
        tree = _count_keys(_parse(measure.expr, where), model.table(ENTITY_TABLES[measure.entity]))
        description = f"{measure.label} ({measure.format})."
        if measure.where:
            condition = _parse(measure.where, where)
            tree = _with_where(tree, condition)
            description += f" Counts only rows where {_localise(condition, model, where)[1].sql()}."
        table, tree = _localise(tree, model, where)
        tables[table.name].metrics.append(
            LogicalItem(measure.name, tree, measure.label, description, measure.synonyms)
        )
    for flag in model.flags:
        where = f"flag {flag.name}"
        table, tree = _localise(_parse(flag.expr, where), model, where)
        noun = ROW_NOUNS.get(table.name, "rows")
        tables[table.name].filters.append(
            LogicalItem(flag.name, tree, flag.label, f"{noun} {flag.label}", flag.synonyms)
        )


def _logical_tables(model: SemanticModel) -> list[LogicalTable]:
    """The semantic model as logical tables, the shape both formats are written from."""
    tables = _physical(model)
    _add_vocabulary(model, tables)
    _add_measures_and_flags(model, tables)
    for logical in tables.values():
        names = [
            *(c.name for c in logical.columns),
            *(m.name for m in logical.metrics),
            *(f.name for f in logical.filters),
        ]
        clashes = sorted({n for n in names if names.count(n) > 1})
        if clashes:
            raise ExportError(f"{logical.table.name}: names used twice: {', '.join(clashes)}")
    return list(tables.values())


def _relationships(model: SemanticModel) -> list[dict]:
    out = []
    for rel in model.relationships:
        if rel.get("kind") not in RELATIONSHIP_KINDS:
            raise ExportError(
                f"relationship {rel['name']}: kind {rel.get('kind')!r} is not one of "
                f"{', '.join(RELATIONSHIP_KINDS)}"
            )
        left, left_column = rel["from"].split(".")
        right, right_column = rel["to"].split(".")
        out.append(
            {
                "name": rel["name"],
                "left": left,
                "right": right,
                "columns": [(left_column, right_column)],
                "kind": rel["kind"],
            }
        )
    return out


def _instructions(model: SemanticModel) -> str:
    return "\n".join(f"{name}: {text}" for name, text in model.conventions.items())


def _sql(tree: exp.Expression, dialect: str, pretty: bool = False) -> str:
    return tree.sql(dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE)


def snowflake_type(type_name: str) -> str:
    """The Snowflake type of a semantic-model (DuckDB) column type."""
    built = exp.DataType.build(type_name, dialect="duckdb")
    if built.this == T.DECIMAL:
        params = [p.sql() for p in built.expressions]
        return f"NUMBER({', '.join(params)})" if params else "NUMBER"
    if built.this not in SNOWFLAKE_TYPES:
        raise ExportError(f"column type {type_name!r} has no Snowflake type here")
    return SNOWFLAKE_TYPES[built.this]


# --- Cortex Analyst ---------------------------------------------------------------------


def cortex_sql(sql: str, model: SemanticModel) -> str:
    """A verified DuckDB query as Snowflake SQL over Cortex's logical tables."""
    known = {(t.schema, t.name) for t in model.tables}
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            if not table.db and table.name in ctes:
                continue
            if (table.db, table.name) not in known:
                raise ExportError(f"verified query reads {table.sql()}, not a semantic-model table")
            logical = exp.Table(this=exp.to_identifier(CORTEX_TABLE_PREFIX + table.name))
            if table.args.get("alias"):
                logical.set("alias", table.args["alias"])
            table.replace(logical)
        return _sql(tree, "snowflake", pretty=True)
    except SqlglotError as exc:
        raise ExportError(f"verified query: {' '.join(str(exc).split())}") from None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _cortex_column(column: LogicalColumn) -> dict:
    entry = {
        "name": column.name,
        "expr": _sql(column.expr, "snowflake"),
        "data_type": snowflake_type(column.data_type),
        "description": column.description,
    }
    if column.synonyms:
        entry["synonyms"] = column.synonyms
    if column.sample_values and column.kind != "fact":
        entry["sample_values"] = column.sample_values
    if column.unique:
        entry["unique"] = True
    return entry


def _cortex_item(item: LogicalItem, description: str | None = None) -> dict:
    entry = {
        "name": item.name,
        "expr": _sql(item.expr, "snowflake"),
        "description": description or item.description,
    }
    if item.synonyms:
        entry["synonyms"] = list(item.synonyms)
    return entry


def to_cortex(model: SemanticModel, database: str = DEFAULT_DATABASE) -> dict:
    """The semantic model as a Cortex Analyst semantic model (a mapping to dump as YAML)."""
    tables = []
    for logical in _logical_tables(model):
        t = logical.table
        entry: dict = {
            "name": t.name,
            "description": t.description,
            "base_table": {
                "database": database.upper(),
                "schema": t.schema.upper(),
                "table": t.name.upper(),
            },
        }
        if t.primary_key:
            entry["primary_key"] = {"columns": list(t.primary_key)}
        for kind, key in (
            ("dimension", "dimensions"),
            ("time_dimension", "time_dimensions"),
            ("fact", "facts"),
        ):
            columns = [_cortex_column(c) for c in logical.columns if c.kind == kind]
            if columns:
                entry[key] = columns
        if logical.metrics:
            entry["metrics"] = [_cortex_item(m) for m in logical.metrics]
        if logical.filters:
            entry["filters"] = [
                _cortex_item(f, description=f"Only {f.description}.") for f in logical.filters
            ]
        tables.append(entry)
    onboarding = {q for questions in model.suggested_questions.values() for q in questions}
    return {
        "name": model.name,
        "description": model.description,
        "tables": tables,
        "relationships": [
            {
                "name": rel["name"],
                "left_table": rel["left"],
                "right_table": rel["right"],
                "relationship_columns": [
                    {"left_column": left, "right_column": right} for left, right in rel["columns"]
                ],
                # a fact without its dimension row still counts
                "join_type": "left_outer",
                "relationship_type": rel["kind"],
            }
            for rel in _relationships(model)
        ],
        "verified_queries": [
            {
                "name": _slug(q.question),
                "question": q.question,
                "sql": cortex_sql(q.sql, model),
                "use_as_onboarding_question": q.question in onboarding,
            }
            for q in model.verified_queries
        ],
        "custom_instructions": _instructions(model),
    }


# --- Open Semantic Interchange ----------------------------------------------------------


def _osi_expression(tree: exp.Expression) -> dict:
    ansi = _sql(tree, "")
    dialects = [{"dialect": "ANSI_SQL", "expression": ansi}]
    snowflake = _sql(tree, "snowflake")
    if snowflake != ansi:
        dialects.append({"dialect": "SNOWFLAKE", "expression": snowflake})
    return {"dialects": dialects}


def _qualified(tree: exp.Expression, dataset: str) -> exp.Expression:
    tree = tree.copy()
    for column in tree.find_all(exp.Column):
        column.set("table", exp.to_identifier(dataset))
    return tree


def _osi_field(column: LogicalColumn) -> dict:
    entry: dict = {"name": column.name, "expression": _osi_expression(column.expr)}
    if column.kind != "fact":
        entry["dimension"] = {"is_time": column.kind == "time_dimension"}
    if column.label:
        entry["label"] = column.label
    entry["description"] = column.description
    context: dict = {}
    if column.synonyms:
        context["synonyms"] = column.synonyms
    if column.sample_values:
        context["instructions"] = "Sample values: " + ", ".join(column.sample_values)
    if context:
        entry["ai_context"] = context
    return entry


def _osi_filter_field(item: LogicalItem) -> dict:
    entry: dict = {
        "name": item.name,
        "expression": _osi_expression(item.expr),
        "dimension": {"is_time": False},
        "label": item.label,
        "description": f"A filter: true for {item.description}.",
    }
    if item.synonyms:
        entry["ai_context"] = {"synonyms": list(item.synonyms)}
    return entry


def to_osi(model: SemanticModel, database: str = DEFAULT_DATABASE) -> dict:
    """The semantic model as an OSI 0.1.1 document (a mapping to dump as YAML)."""
    datasets, metrics = [], []
    for logical in _logical_tables(model):
        t = logical.table
        dataset: dict = {"name": t.name, "source": f"{database}.{t.schema}.{t.name}"}
        if t.primary_key:
            dataset["primary_key"] = list(t.primary_key)
        dataset["description"] = t.description
        dataset["fields"] = [
            *(_osi_field(c) for c in logical.columns),
            *(_osi_filter_field(f) for f in logical.filters),
        ]
        datasets.append(dataset)
        for metric in logical.metrics:
            entry: dict = {
                "name": metric.name,
                "expression": _osi_expression(_qualified(metric.expr, t.name)),
                "description": metric.description,
            }
            if metric.synonyms:
                entry["ai_context"] = {"synonyms": list(metric.synonyms)}
            metrics.append(entry)
    examples = [q for questions in model.suggested_questions.values() for q in questions]
    return {
        "version": OSI_VERSION,
        "semantic_model": [
            {
                "name": model.name,
                "description": model.description,
                "ai_context": {"instructions": _instructions(model), "examples": examples},
                "datasets": datasets,
                "relationships": [
                    {
                        "name": rel["name"],
                        "from": rel["left"],
                        "to": rel["right"],
                        "from_columns": [left for left, _ in rel["columns"]],
                        "to_columns": [right for _, right in rel["columns"]],
                    }
                    for rel in _relationships(model)
                ],
                "metrics": metrics,
            }
        ],
    }


# --- output -----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (SQL, instructions) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(fmt: str, database: str = DEFAULT_DATABASE, model: SemanticModel | None = None) -> str:
    """The export in format `fmt` (cortex or osi) as YAML text."""
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if not database.strip():
        raise ExportError("the database name is empty")
    model = model or load()
    document = to_cortex(model, database) if fmt == "cortex" else to_osi(model, database)
    header = (
        f"# c360 semantic model exported as {'Cortex Analyst' if fmt == 'cortex' else 'OSI'}"
        " by `c360 semantic export`; generated from semantic_model.yml, do not edit.\n"
    )
    return header + yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def write_atomic(text: str, path: Path) -> None:
    """Write `text` to `path` whole or not at all (a temporary file, then a rename)."""
    directory = path.parent
    if not directory.is_dir():
        raise ExportError(f"cannot write {path}: {directory} is not a directory")
    temporary = directory / f".{path.name}.{os.getpid()}.tmp"
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
