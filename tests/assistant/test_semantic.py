"""The semantic model matches the warehouse, and everything it defines runs."""

import pytest

from c360.assistant import semantic
from c360.assistant.llm import render_schema
from c360.assistant.planner import Plan

SOURCES = {
    "customer": "gold.customer_360_profile p",
    "transaction": "gold.fct_transactions t join gold.dim_merchant_category c "
    "on t.category_key = c.category_key join gold.customer_360_profile p "
    "on t.customer_id = p.customer_id",
}


def test_every_table_and_column_exists_in_the_warehouse(model, warehouse_sql):
    """Listed columns exist with their types; columns the model does not list stay hidden
    (the guard expands `*` to the listed ones only)."""
    for table in model.tables:
        found = dict(
            warehouse_sql.execute(
                "select column_name, lower(data_type) from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [table.schema, table.name],
            ).fetchall()
        )
        assert found, f"{table.qualified} is missing from the warehouse"
        listed = {c.name: c.type.lower() for c in table.columns}
        missing = {n: t for n, t in listed.items() if found.get(n) != t}
        assert not missing, (table.qualified, missing)


def test_every_expression_runs(model, assistant):
    checks = []
    for d in model.dimensions:
        checks.append((d.name, f"select {d.expr} as v from {SOURCES[d.entity]} limit 1"))
    for m in model.measures:
        where = f" where {m.where}" if m.where else ""
        checks.append((m.name, f"select {m.expr} as v from {SOURCES[m.entity]}{where}"))
    for f in model.facts:
        checks.append((f.name, f"select avg({f.expr}) as v from {SOURCES[f.entity]}"))
    for f in model.flags:
        checks.append((f.name, f"select count(*) from gold.customer_360_profile p where {f.expr}"))
    for td in model.time_dimensions:
        for g in td.grains.values():
            checks.append((f"{td.name}.{g.name}", f"select {g.expr} from {SOURCES[td.entity]}"))
    for name, sql in checks:
        answer = assistant.run_sql(sql)
        assert answer.ok, (name, answer.message)


def test_verified_queries_pass_the_guard_and_run(model, assistant):
    assert len(model.verified_queries) >= 5
    for vq in model.verified_queries:
        answer = assistant.run_sql(vq.sql)
        assert answer.ok, (vq.question, answer.message)  # some are empty at the small size


def test_suggested_questions_cover_the_five_themes_and_are_answered(model, assistant):
    assert set(model.suggested_questions) == {
        "churn analysis",
        "segmentation",
        "spending trends",
        "geography",
        "campaign targeting",
    }
    for questions in model.suggested_questions.values():
        for question in questions:
            assert isinstance(assistant.planner.plan(question), Plan), question
            assert assistant.ask(question).ok, question


def test_values_from_data_reach_the_vocabulary(assistant, warehouse_sql):
    city = warehouse_sql.execute(
        "select city from gold.customer_360_profile where city is not null "
        "group by city order by count(*) desc limit 1"
    ).fetchone()[0]
    expected = warehouse_sql.execute(
        "select count(*) from gold.customer_360_profile where city = ?", [city]
    ).fetchone()[0]
    answer = assistant.ask(f"how many customers live in the city of {city}")
    assert answer.ok, answer.message
    assert answer.rows == [(expected,)]


def test_the_prompt_is_rendered_from_the_model(model):
    text = render_schema(model)
    for table in model.tables:
        assert table.qualified in text
        for column in table.columns:
            assert column.name in text
    for measure in model.measures:
        assert measure.expr in text


def test_a_malformed_model_is_one_clear_error():
    with pytest.raises(semantic.SemanticModelError, match="malformed"):
        semantic.parse({"tables": [{"name": "x"}]})
