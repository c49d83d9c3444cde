"""The SQL guard: one read-only query over allow-listed gold tables and columns."""

import pytest
import sqlglot
from sqlglot import exp

from c360.assistant import guard

ACCEPTED = [
    "select state, count(*) from gold.customer_360_profile group by state",
    "select state, avg(churn_probability) as p from customer_360_profile group by 1 order by 2",
    "with s as (select state, count(*) as n from gold.customer_360_profile group by all) "
    "select * from s where n > 3",
    "select c.category_name, sum(t.amount) as spend from gold.fct_transactions t "
    "join gold.dim_merchant_category c using (category_key) where t.status = 'Approved' "
    "group by all order by spend desc limit 5",
    "select state from gold.customer_360_profile union all select state from gold.dim_customer",
    "select date_trunc('month', transaction_ts) as m, count(*) filter (where status = "
    "'Declined') from gold.fct_transactions group by m",
    "select customer_id, rank() over (order by lifetime_value desc) as r "
    "from gold.customer_360_profile qualify r <= 3",
    "select * from gold.build_as_of",
    "from gold.dim_merchant_category",
    "select customer_id from gold.customer_360_profile where customer_id in "
    "(select customer_id from gold.fct_transactions where amount > 1000)",
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_read_only_queries_are_accepted_and_run(sql, model, assistant):
    verdict = guard.check(sql, model)
    assert verdict.ok, verdict.reason
    result = assistant.runner.run(verdict.sql)
    assert result.columns


def _limit_of(sql: str) -> int | None:
    limit = sqlglot.parse_one(sql, read="duckdb").args.get("limit")
    return int(limit.expression.this) if limit else None


def test_a_missing_limit_is_added_and_a_large_one_clamped(model, assistant):
    added = guard.check("select * from gold.dim_date", model, max_rows=50)
    assert added.ok and added.limit == 50 and added.limit_enforced
    assert _limit_of(added.sql) == 50 and len(assistant.runner.run(added.sql).rows) == 50
    clamped = guard.check("select * from gold.dim_date limit 5000", model, max_rows=50)
    assert clamped.limit == 50 and clamped.limit_enforced and _limit_of(clamped.sql) == 50
    kept = guard.check("select * from gold.dim_date limit 7", model, max_rows=50)
    assert kept.limit == 7 and not kept.limit_enforced and _limit_of(kept.sql) == 7
    union = guard.check(
        "select state from gold.customer_360_profile union select state from gold.dim_customer",
        model,
        max_rows=50,
    )
    assert union.ok and _limit_of(union.sql) == 50


def test_star_expands_to_the_semantic_model_columns_only(model, assistant):
    verdict = guard.check("select * from gold.customer_segments", model)
    listed = model.table("customer_segments").column_names()
    assert assistant.runner.run(verdict.sql).columns == listed


def test_unqualified_tables_get_the_gold_schema(model, assistant):
    verdict = guard.check("select count(*) from dim_date", model)
    tables = {(t.db, t.name) for t in sqlglot.parse_one(verdict.sql).find_all(exp.Table)}
    assert tables == {("gold", "dim_date")}
    assert assistant.runner.run(verdict.sql).rows[0][0] > 0


def test_unnamed_columns_get_readable_names(model, assistant):
    verdict = guard.check("select avg(age) from gold.customer_360_profile", model)
    assert assistant.runner.run(verdict.sql).columns == ["avg_age"]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("drop table gold.dim_date", "only SELECT queries are allowed, not DROP"),
        ("with x as (delete from gold.dim_date returning *) select * from x", "DELETE is not"),
        ("select 1 from gold.dim_date; select 2 from gold.dim_date", "exactly one statement"),
        ("pragma database_list", "not PRAGMA"),
        ("attach 'x.db' as x", "not ATTACH"),
        ("copy gold.dim_date to '/tmp/x.csv'", "not COPY"),
        ("install httpfs", "not INSTALL"),
        ("load httpfs", "not LOAD"),
        ("set threads = 1", "not SET"),
        ("select * from read_csv('/etc/passwd')", "function READ_CSV() is not allowed"),
        ("select * from '/etc/passwd'", "reading files is not allowed"),
        ("select * from range(10)", "is not allowed"),
        ("select current_setting('threads') from gold.dim_date", "current_setting()"),
        ("select * from duckdb_settings()", "duckdb_settings()"),
        ("select * from meta.build_info", "only gold tables"),
        ("select * from wh.gold.dim_date", "only gold tables"),
        ("select * from gold.nope", "not in the semantic model"),
        ("select secret from gold.customer_360_profile", "unknown column 'secret'"),
        ("select * into t from gold.dim_date", "SELECT ... INTO"),
        ("select * from gold.dim_date where date_key = ?", "parameters"),
        ("with recursive r as (select 1 as n) select * from r, gold.dim_date", "recursive"),
        ("select * from gold.dim_date limit (select 1)", "LIMIT must be a whole number"),
        ("select 1", "at least one gold table"),
        ("", "empty SQL"),
        ("select * from gold.dim_date\x00", "NUL"),
        ("select " + "1 + " * 10_000 + "1 from gold.dim_date", "longer than"),
        ("selec * fro gold.dim_date", "could not parse"),
    ],
)
def test_refusals_say_why_in_one_line(sql, reason, model):
    verdict = guard.check(sql, model)
    assert not verdict.ok and verdict.sql is None
    assert reason in verdict.reason
    assert "\n" not in verdict.reason and len(verdict.reason) < 160


def test_checked_sql_is_what_runs_not_the_input(model):
    verdict = guard.check("SELECT state FROM customer_360_profile -- trailing comment", model)
    assert verdict.ok
    tree = sqlglot.parse_one(verdict.sql, read="duckdb")
    assert not any(node.comments for node in tree.walk())
    assert {(t.db, t.name) for t in tree.find_all(exp.Table)} == {("gold", "customer_360_profile")}
