"""Answers from the monthly rollup equal the same answers computed from fct_transactions."""

import dataclasses

import pytest

from c360.assistant.evaluation import compare
from c360.assistant.planner import Plan, Planner

QUESTIONS = [
    "Total spend by month in 2025",
    "total spend by state in 2025",
    "How many transactions were declined last month?",
    "decline rate by card type in 2025",
    "average transaction amount by segment last quarter",
    "active customers by card type in Q3 2025",
    "travel spend by segment in 2025",
    "spend per customer by state last month",
    "number of transactions by quarter for Premium cardholders",
    "total spend by year",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_rollup_and_fact_table_agree(assistant, question):
    with_rollup = assistant.planner.plan(question)
    bare = dataclasses.replace(assistant.model, rollups=())
    without = Planner(bare, assistant.as_of, assistant.planner.data_values).plan(question)
    assert isinstance(with_rollup, Plan) and isinstance(without, Plan)
    assert with_rollup.tables[0] == "gold.monthly_customer_spending"
    assert without.tables[0] == "gold.fct_transactions"
    a = assistant.run_sql(with_rollup.sql)
    b = assistant.run_sql(without.sql)
    assert a.ok and b.ok and b.rows
    ok, why = compare(b.columns, b.rows, a.columns, a.rows, ordered=False)
    assert ok, why
