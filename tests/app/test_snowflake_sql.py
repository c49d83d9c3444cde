"""Translating the app's DuckDB SQL to Snowflake: the rewrites, and what is refused.

`check_statement` is the check every query function's Snowflake SQL must pass
(tests/app/test_snowflake_source.py); it is tested here against statements that must fail.
"""

from datetime import date
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from c360.app.snowflake_sql import SCALARS, Statement, Untranslatable, to_snowflake

DBT = Path(__file__).parents[2] / "dbt"


def dbt_relations() -> set[tuple[str, str]]:
    """(schema, table) of every model: its folder's `+schema` in dbt_project.yml (the
    project's generate_schema_name uses it as is) and its file name (no model sets alias)."""
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text())
    folders = project["models"]["c360"]
    relations = set()
    for folder, config in folders.items():
        if isinstance(config, dict) and "+schema" in config:
            for model in (DBT / "models" / folder).rglob("*.sql"):
                relations.add((config["+schema"].lower(), model.stem.lower()))
    return relations


RELATIONS = dbt_relations()


def check_statement(statement: Statement, database: str) -> list[str]:
    """Why this Snowflake statement would not run as the app means it; empty when fine."""
    try:
        tree = sqlglot.parse_one(statement.sql, read="snowflake")
    except sqlglot.errors.SqlglotError as exc:
        return [f"does not parse as Snowflake SQL: {exc}"]
    problems = []
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not table.db and table.name in ctes:
            continue
        if table.catalog != database:
            problems.append(f"{table.sql('snowflake')} is not in database {database}")
        if (table.db.lower(), table.name.lower()) not in RELATIONS:
            problems.append(f"{table.sql('snowflake')} is not a model of the dbt project")
    numbers = [node.this for node in tree.find_all(exp.Placeholder)]
    expected = [str(n) for n in range(1, len(statement.params) + 1)]
    if sorted(numbers, key=int) != expected:
        problems.append(f"placeholders {numbers} for {len(statement.params)} values")
    problems += [f"{v!r} is not a scalar" for v in statement.params if not isinstance(v, SCALARS)]
    return problems


def test_the_dbt_project_defines_the_gold_and_silver_relations_the_app_reads():
    assert {("gold", "customer_360_profile"), ("gold", "fct_transactions")} <= RELATIONS
    assert {("gold", "build_as_of"), ("silver", "stg_campaigns")} <= RELATIONS


def test_list_parameters_become_in_lists_and_limits_constants():
    statement = to_snowflake(
        "with profile as (select * from gold.customer_360_profile) "
        "select count(*) filter (where state = 'a?') as n from profile "
        "where list_contains(?, state) and lifetime_value >= ? and list_contains(?, card_type) "
        "order by n limit ? offset ?",
        [["NY", "CA"], 5.0, ("Gold",), 10, 20],
        "C360",
    )
    assert "C360.gold.customer_360_profile" in statement.sql
    assert "COUNT_IF(state = 'a?')" in statement.sql  # the ? in the string stays text
    assert "LIMIT 10 OFFSET 20" in statement.sql
    assert "ARRAY_CONTAINS" not in statement.sql
    assert sorted(statement.params, key=str) == [5.0, "CA", "Gold", "NY"]
    tree = sqlglot.parse_one(statement.sql, read="snowflake")
    for node in tree.find_all(exp.In):  # each IN list binds the values of its own list
        values = {statement.params[int(p.this) - 1] for p in node.find_all(exp.Placeholder)}
        assert values == ({"NY", "CA"} if node.this.name == "state" else {"Gold"})
    assert check_statement(statement, "C360") == []


def test_an_empty_list_matches_nothing():
    statement = to_snowflake("select 1 from gold.dim_customer where list_contains(?, state)", [[]])
    assert "WHERE FALSE" in statement.sql and statement.params == ()


def test_dates_bind_as_values():
    statement = to_snowflake(
        "select 1 from gold.fct_transactions t where t.transaction_ts < cast(? as date) + 1",
        [date(2025, 1, 31)],
    )
    assert statement.params == (date(2025, 1, 31),)
    assert ":1" in statement.sql


@pytest.mark.parametrize(
    ("sql", "params", "reason"),
    [
        ("select histogram(state) from gold.dim_customer", [], "histogram"),
        ("select customer_id::hugeint from gold.dim_customer", [], "cast to"),
        ("select * from dim_customer", [], "needs its schema"),
        ("select * from gold.dim_customer where state = ?", [["NY"]], "scalar"),
        ("select * from gold.dim_customer limit ?", ["10"], "non-negative int"),
        ("select * from gold.dim_customer where state = ?", [], "1 parameters but 0"),
        ("select * from gold.dim_customer where state = $1", ["NY"], "write parameters as ?"),
    ],
)
def test_what_cannot_run_on_snowflake_is_refused(sql, params, reason):
    with pytest.raises(Untranslatable, match=reason):
        to_snowflake(sql, params)


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        (Statement("select * from C360.gold.not_a_model", ()), "not a model"),
        (Statement("select * from OTHER.gold.dim_customer", ()), "not in database"),
        (Statement("select * from C360.gold.dim_customer where a = :1", ()), "placeholders"),
        (Statement("select * from C360.gold.dim_customer where a = :2", (1,)), "placeholders"),
        (Statement("select * from C360.gold.dim_customer where a = :1", ([1],)), "scalar"),
        (Statement("select * from C360.gold.dim_customer where", ()), "does not parse"),
    ],
)
def test_the_statement_check_catches_what_would_fail(statement, problem):
    assert any(problem in p for p in check_statement(statement, "C360"))
