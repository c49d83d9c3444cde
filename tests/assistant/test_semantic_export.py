"""`c360 semantic export`: the semantic model as Cortex Analyst and OSI 0.1.1 YAML.

The field sets below are written from the published specifications, independently of the
exporter: Snowflake's "Cortex Analyst semantic model specification" and "Verified Query
Repository" pages, and the OSI (Apache Ossie) 0.1.1 core spec (core-spec/spec.md and
osi-schema.json at the osi-0.1.1-rc1 tag). The OSI JSON schema is not shipped with c360;
point C360_OSI_SCHEMA at a copy of that osi-schema.json to validate against it too.
No warehouse is needed: only semantic_model.yml.
"""

import json
import os
from pathlib import Path

import duckdb
import pytest
import sqlglot
import yaml
from sqlglot import exp
from typer.testing import CliRunner

from c360.assistant import semantic_export
from c360.assistant.semantic_export import ExportError, render, to_cortex, to_osi
from c360.cli import app

DATABASE = "ANALYTICS"

# Cortex Analyst: {level: (required keys, optional keys)}
CORTEX_FIELDS = {
    "model": (
        {"name", "tables"},
        {
            "description",
            "relationships",
            "verified_queries",
            "custom_instructions",
            "module_custom_instructions",
        },
    ),
    "table": (
        {"name", "base_table"},
        {
            "description",
            "synonyms",
            "primary_key",
            "dimensions",
            "time_dimensions",
            "facts",
            "metrics",
            "filters",
        },
    ),
    "base_table": ({"database", "schema", "table"}, set()),
    "primary_key": ({"columns"}, set()),
    "dimensions": (
        {"name", "expr", "data_type"},
        {"description", "synonyms", "sample_values", "unique"},
    ),
    "time_dimensions": (
        {"name", "expr", "data_type"},
        {"description", "synonyms", "sample_values", "unique"},
    ),
    "facts": ({"name", "expr", "data_type"}, {"description", "synonyms", "sample_values"}),
    "metrics": ({"name", "expr"}, {"description", "synonyms"}),
    "filters": ({"name", "expr"}, {"description", "synonyms"}),
    "relationship": (
        {
            "name",
            "left_table",
            "right_table",
            "relationship_columns",
            "join_type",
            "relationship_type",
        },
        set(),
    ),
    "relationship_columns": ({"left_column", "right_column"}, set()),
    "verified_query": (
        {"name", "question", "sql"},
        {"verified_at", "verified_by", "use_as_onboarding_question"},
    ),
}
CORTEX_COLUMN_KINDS = ("dimensions", "time_dimensions", "facts")
CORTEX_JOIN_TYPES = {"inner", "left_outer"}
CORTEX_RELATIONSHIP_TYPES = {"many_to_one", "one_to_one"}

# OSI 0.1.1
OSI_FIELDS = {
    "document": ({"version", "semantic_model"}, {"dialects", "vendors"}),
    "semantic_model": (
        {"name", "datasets"},
        {"description", "ai_context", "relationships", "metrics", "custom_extensions"},
    ),
    "dataset": (
        {"name", "source"},
        {
            "primary_key",
            "unique_keys",
            "description",
            "ai_context",
            "fields",
            "custom_extensions",
        },
    ),
    "field": (
        {"name", "expression"},
        {"dimension", "label", "description", "ai_context", "custom_extensions"},
    ),
    "dimension": (set(), {"is_time"}),
    "expression": ({"dialects"}, set()),
    "dialect_expression": ({"dialect", "expression"}, set()),
    "relationship": (
        {"name", "from", "to", "from_columns", "to_columns"},
        {"ai_context", "custom_extensions"},
    ),
    "metric": ({"name", "expression"}, {"description", "ai_context", "custom_extensions"}),
}
OSI_DIALECTS = {"ANSI_SQL", "SNOWFLAKE", "MDX", "TABLEAU", "DATABRICKS", "MAQL"}
SQLGLOT_DIALECT = {"ANSI_SQL": "", "SNOWFLAKE": "snowflake"}

runner = CliRunner()


def check_keys(obj: dict, level: str, fields: dict, where: str) -> None:
    required, optional = fields[level]
    assert isinstance(obj, dict), f"{where}: not a mapping"
    missing = required - obj.keys()
    unknown = obj.keys() - required - optional
    assert not missing, f"{where}: missing {sorted(missing)}"
    assert not unknown, f"{where}: not in the {level} field set: {sorted(unknown)}"


def strings(value, where: str) -> None:
    assert isinstance(value, list) and value, f"{where}: not a non-empty list"
    assert all(isinstance(v, str) and v for v in value), f"{where}: not all strings"


def columns_of(sql: str, dialect: str) -> set[tuple[str, str]]:
    tree = sqlglot.parse_one(sql, read=dialect)
    return {(c.table, c.name) for c in tree.find_all(exp.Column)}


@pytest.fixture(scope="module")
def cortex(model) -> dict:
    return yaml.safe_load(render("cortex", database=DATABASE, model=model))


@pytest.fixture(scope="module")
def osi(model) -> dict:
    return yaml.safe_load(render("osi", database=DATABASE, model=model))


def cortex_columns(table: dict) -> list[dict]:
    return [c for kind in CORTEX_COLUMN_KINDS for c in table.get(kind, [])]


# --- Cortex Analyst ---------------------------------------------------------------------


def test_the_written_cortex_yaml_is_the_model_built(model, cortex):
    assert cortex == to_cortex(model, DATABASE)


def test_cortex_uses_only_documented_fields(cortex):
    check_keys(cortex, "model", CORTEX_FIELDS, "model")
    assert isinstance(cortex["tables"], list) and cortex["tables"]
    for table in cortex["tables"]:
        where = f"table {table.get('name')}"
        check_keys(table, "table", CORTEX_FIELDS, where)
        check_keys(table["base_table"], "base_table", CORTEX_FIELDS, f"{where}.base_table")
        if "primary_key" in table:
            check_keys(table["primary_key"], "primary_key", CORTEX_FIELDS, f"{where}.primary_key")
            strings(table["primary_key"]["columns"], f"{where}.primary_key")
        for kind in (*CORTEX_COLUMN_KINDS, "metrics", "filters"):
            for item in table.get(kind, []):
                item_where = f"{where}.{kind}.{item.get('name')}"
                check_keys(item, kind, CORTEX_FIELDS, item_where)
                for key in ("synonyms", "sample_values"):
                    if key in item:
                        strings(item[key], f"{item_where}.{key}")
                if "unique" in item:
                    assert isinstance(item["unique"], bool)
    for rel in cortex["relationships"]:
        check_keys(rel, "relationship", CORTEX_FIELDS, f"relationship {rel.get('name')}")
        for pair in rel["relationship_columns"]:
            check_keys(pair, "relationship_columns", CORTEX_FIELDS, rel["name"])
        assert rel["join_type"] in CORTEX_JOIN_TYPES
        assert rel["relationship_type"] in CORTEX_RELATIONSHIP_TYPES
    for query in cortex["verified_queries"]:
        check_keys(query, "verified_query", CORTEX_FIELDS, f"verified query {query.get('name')}")
        assert isinstance(query.get("use_as_onboarding_question", False), bool)
    assert isinstance(cortex["custom_instructions"], str) and cortex["custom_instructions"]


def test_cortex_names_are_unique(cortex):
    tables = [t["name"] for t in cortex["tables"]]
    assert len(set(tables)) == len(tables)
    for table in cortex["tables"]:
        names = [
            item["name"]
            for kind in (*CORTEX_COLUMN_KINDS, "metrics", "filters")
            for item in table.get(kind, [])
        ]
        assert len(set(names)) == len(names), table["name"]
    queries = [q["name"] for q in cortex["verified_queries"]]
    assert len(set(queries)) == len(queries)


def test_cortex_base_tables_are_the_gold_tables(model, cortex):
    assert [t["name"] for t in cortex["tables"]] == [t.name for t in model.tables]
    for table in cortex["tables"]:
        source = model.table(table["name"])
        assert table["base_table"] == {
            "database": DATABASE,
            "schema": source.schema.upper(),
            "table": source.name.upper(),
        }
        if source.primary_key:
            assert table["primary_key"]["columns"] == list(source.primary_key)


def test_every_cortex_expression_reads_columns_of_its_own_table(model, cortex):
    for table in cortex["tables"]:
        physical = set(model.table(table["name"]).column_names())
        for kind in (*CORTEX_COLUMN_KINDS, "metrics", "filters"):
            for item in table.get(kind, []):
                used = columns_of(item["expr"], "snowflake")
                assert used, f"{table['name']}.{item['name']} reads no column"
                assert {t for t, _ in used} == {""}, f"{item['name']}: qualified column"
                unknown = {c for _, c in used} - physical
                assert not unknown, f"{table['name']}.{item['name']} reads {unknown}"
        for column in cortex_columns(table):
            exp.DataType.build(column["data_type"], dialect="snowflake")  # a Snowflake type
        plain = {c["name"] for c in cortex_columns(table) if c["expr"] == c["name"]}
        assert plain == physical, f"{table['name']}: every column is a logical column"


def test_cortex_keeps_the_models_vocabulary(model, cortex):
    tables = {t["name"]: t for t in cortex["tables"]}
    metrics = {m["name"] for t in cortex["tables"] for m in t.get("metrics", [])}
    filters = {f["name"] for t in cortex["tables"] for f in t.get("filters", [])}
    assert metrics == {m.name for m in model.measures}
    assert filters == {f.name for f in model.flags}
    words = {
        word
        for t in tables.values()
        for c in cortex_columns(t)
        for word in [c["name"], *c.get("synonyms", [])]
    }
    for item in (*model.dimensions, *model.time_dimensions, *model.facts):
        assert item.name in words or item.name.replace("_", " ") in words, item.name
        assert set(item.synonyms) <= words, item.name
    state = next(c for c in tables["customer_360_profile"]["dimensions"] if c["name"] == "state")
    assert state["sample_values"] == list(model.dimension("state").sample_values)


def test_cortex_relationships_join_on_the_right_tables_key(model, cortex):
    tables = {t["name"]: t for t in cortex["tables"]}
    assert len(cortex["relationships"]) == len(model.relationships)
    for rel in cortex["relationships"]:
        left, right = tables[rel["left_table"]], tables[rel["right_table"]]
        lefts = [p["left_column"] for p in rel["relationship_columns"]]
        rights = [p["right_column"] for p in rel["relationship_columns"]]
        assert set(lefts) <= {c["name"] for c in cortex_columns(left)}
        assert rights == right["primary_key"]["columns"], rel["name"]


def test_cortex_verified_queries_are_snowflake_sql_over_logical_tables(model, cortex):
    tables = {t["name"]: t for t in cortex["tables"]}
    queries = cortex["verified_queries"]
    assert [q["question"] for q in queries] == [q.question for q in model.verified_queries]
    for query in queries:
        tree = sqlglot.parse_one(query["sql"], read="snowflake")  # raises unless it parses
        aliases = {}
        for table in tree.find_all(exp.Table):
            assert not table.db and not table.catalog, f"{query['name']}: {table.sql()}"
            assert table.name.startswith("__"), f"{query['name']}: {table.name}"
            logical = tables.get(table.name[2:])
            assert logical, f"{query['name']}: no logical table {table.name}"
            aliases[table.alias_or_name] = {c["name"] for c in cortex_columns(logical)}
        outputs = {s.alias_or_name for s in tree.find_all(exp.Select) for s in s.expressions}
        every = set().union(*aliases.values())
        for column in tree.find_all(exp.Column):
            if column.table:
                assert column.name in aliases[column.table], f"{query['name']}: {column.sql()}"
            else:
                assert column.name in every | outputs, f"{query['name']}: {column.sql()}"


def test_cortex_sql_refuses_a_table_outside_the_model(model):
    with pytest.raises(ExportError, match="not a semantic-model table"):
        semantic_export.cortex_sql("select * from silver.stg_customers", model)


def fct_transactions(model) -> duckdb.DuckDBPyConnection:
    """A few transactions (approved, declined, a null amount) in memory."""
    con = duckdb.connect()
    columns = model.table("fct_transactions").columns
    con.execute(
        f"create table fct_transactions ({', '.join(f'{c.name} {c.type}' for c in columns)})"
    )
    rows = [
        (1, "C1", 10.0, "Approved"),
        (2, "C1", 30.0, "Declined"),
        (3, "C2", 5.5, "Approved"),
        (4, "C3", None, "Approved"),
        (5, "C3", 99.0, "Declined"),
        (6, "C2", 4.5, "Approved"),
    ]
    con.executemany(
        "insert into fct_transactions (transaction_id, customer_id, amount, status) "
        "values (?, ?, ?, ?)",
        rows,
    )
    return con


def test_metric_filters_count_the_same_rows_as_the_models_where(model, cortex, osi):
    """A measure's `where` folded into its aggregates gives the model's number (DuckDB)."""
    con = fct_transactions(model)
    cortex_metrics = {
        m["name"]: m["expr"]
        for t in cortex["tables"]
        if t["name"] == "fct_transactions"
        for m in t["metrics"]
    }
    osi_metrics = {
        m["name"]: m["expression"]["dialects"][0]["expression"]
        for m in osi["semantic_model"][0]["metrics"]
    }
    measures = [m for m in model.measures if m.entity == "transaction"]
    assert any(m.where for m in measures)
    for measure in measures:
        where = f" where {measure.where}" if measure.where else ""
        expected = con.execute(f"select {measure.expr} from fct_transactions t{where}").fetchone()
        as_duckdb = sqlglot.transpile(cortex_metrics[measure.name], "snowflake", "duckdb")[0]
        assert con.execute(f"select {as_duckdb} from fct_transactions").fetchone() == expected
        ansi = sqlglot.transpile(osi_metrics[measure.name], "", "duckdb")[0]
        assert con.execute(f"select {ansi} from fct_transactions").fetchone() == expected


# --- OSI 0.1.1 --------------------------------------------------------------------------


def check_expression(value: dict, where: str) -> list[str]:
    check_keys(value, "expression", OSI_FIELDS, where)
    assert isinstance(value["dialects"], list) and value["dialects"], where
    out = []
    for item in value["dialects"]:
        check_keys(item, "dialect_expression", OSI_FIELDS, where)
        assert item["dialect"] in OSI_DIALECTS, f"{where}: {item['dialect']}"
        sqlglot.parse_one(item["expression"], read=SQLGLOT_DIALECT[item["dialect"]])
        out.append(item["expression"])
    return out


def check_ai_context(value, where: str) -> None:
    if isinstance(value, str):
        return
    assert isinstance(value, dict), where
    if "instructions" in value:
        assert isinstance(value["instructions"], str)
    for key in ("synonyms", "examples"):
        if key in value:
            strings(value[key], f"{where}.{key}")


def test_the_written_osi_yaml_is_the_model_built(model, osi):
    assert osi == to_osi(model, DATABASE)
    assert osi["version"] == "0.1.1"  # a string, as the schema's const


def test_osi_uses_only_the_fields_of_the_spec(osi):
    check_keys(osi, "document", OSI_FIELDS, "document")
    assert len(osi["semantic_model"]) == 1
    sm = osi["semantic_model"][0]
    check_keys(sm, "semantic_model", OSI_FIELDS, "semantic_model")
    check_ai_context(sm["ai_context"], "semantic_model.ai_context")
    for dataset in sm["datasets"]:
        where = f"dataset {dataset.get('name')}"
        check_keys(dataset, "dataset", OSI_FIELDS, where)
        if "primary_key" in dataset:
            strings(dataset["primary_key"], f"{where}.primary_key")
        for field in dataset["fields"]:
            field_where = f"{where}.{field.get('name')}"
            check_keys(field, "field", OSI_FIELDS, field_where)
            check_expression(field["expression"], field_where)
            if "dimension" in field:
                check_keys(field["dimension"], "dimension", OSI_FIELDS, field_where)
                assert isinstance(field["dimension"]["is_time"], bool)
            if "ai_context" in field:
                check_ai_context(field["ai_context"], field_where)
    for rel in sm["relationships"]:
        check_keys(rel, "relationship", OSI_FIELDS, f"relationship {rel.get('name')}")
    for metric in sm["metrics"]:
        check_keys(metric, "metric", OSI_FIELDS, f"metric {metric.get('name')}")
        check_expression(metric["expression"], metric["name"])
        if "ai_context" in metric:
            check_ai_context(metric["ai_context"], metric["name"])


def test_osi_references_resolve(model, osi):
    sm = osi["semantic_model"][0]
    datasets = {d["name"]: d for d in sm["datasets"]}
    assert list(datasets) == [t.name for t in model.tables]
    fields = {}
    for name, dataset in datasets.items():
        table = model.table(name)
        assert dataset["source"] == f"{DATABASE}.{table.schema}.{table.name}"
        names = [f["name"] for f in dataset["fields"]]
        assert len(set(names)) == len(names), name
        fields[name] = set(names)
        assert set(dataset.get("primary_key", [])) <= fields[name]
        for field in dataset["fields"]:
            for dialect in field["expression"]["dialects"]:
                read = SQLGLOT_DIALECT[dialect["dialect"]]
                used = columns_of(dialect["expression"], read)
                assert {c for _, c in used} <= set(table.column_names()), field["name"]
    for rel in sm["relationships"]:
        assert rel["from"] in datasets and rel["to"] in datasets, rel["name"]
        assert len(rel["from_columns"]) == len(rel["to_columns"]) >= 1
        assert set(rel["from_columns"]) <= fields[rel["from"]]
        assert set(rel["to_columns"]) <= fields[rel["to"]]
    names = [m["name"] for m in sm["metrics"]]
    assert names == [m.name for m in model.measures]
    for metric in sm["metrics"]:
        for dialect in metric["expression"]["dialects"]:
            used = columns_of(dialect["expression"], SQLGLOT_DIALECT[dialect["dialect"]])
            assert used, metric["name"]
            for dataset, column in used:
                assert column in fields.get(dataset, ()), f"{metric['name']}: {dataset}.{column}"


@pytest.mark.skipif(
    not os.environ.get("C360_OSI_SCHEMA"),
    reason="set C360_OSI_SCHEMA to the OSI 0.1.1 osi-schema.json to validate against it",
)
def test_osi_validates_against_the_published_json_schema(osi):
    from jsonschema import Draft202012Validator

    schema = json.loads(Path(os.environ["C360_OSI_SCHEMA"]).read_text(encoding="utf-8"))
    assert schema["properties"]["version"]["const"] == "0.1.1"
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(osi)
    ]
    assert not errors, errors[:5]
    assert json.loads(json.dumps(osi)) == osi  # JSON round trip: nothing YAML-only


# --- the command ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["cortex", "osi"])
def test_export_writes_the_file(model, tmp_path, fmt):
    target = tmp_path / f"c360.{fmt}.yml"
    result = runner.invoke(
        app,
        ["semantic", "export", "--format", fmt, "--output", str(target)],
        env={"SNOWFLAKE_DATABASE": DATABASE},
    )
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == render(fmt, database=DATABASE, model=model)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def test_export_prints_to_stdout_without_output(model):
    result = runner.invoke(app, ["semantic", "export", "--format", "osi", "--database", "X"])
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout) == to_osi(model, "X")


def test_a_bad_format_is_refused_in_one_line(tmp_path):
    target = tmp_path / "out.yml"
    result = runner.invoke(
        app, ["semantic", "export", "--format", "lookml", "--output", str(target)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: --format must be one of cortex, osi, got 'lookml'"
    ]
    assert not target.exists()


def test_an_unwritable_output_is_refused_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = runner.invoke(
        app, ["semantic", "export", "--format", "cortex", "--output", str(blocker / "out.yml")]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write")
    directory = tmp_path / "a-dir"
    directory.mkdir()
    result = runner.invoke(
        app, ["semantic", "export", "--format", "cortex", "--output", str(directory)]
    )
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-dir", "a-file"]  # no temporary
