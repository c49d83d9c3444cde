"""The offline planner on a fixed vocabulary and as-of date (no warehouse)."""

import pytest

from c360.assistant import guard
from c360.assistant.planner import Clarification, Plan, normalize


def plan(planner, question) -> Plan:
    result = planner.plan(question)
    assert isinstance(result, Plan), getattr(result, "message", result)
    return result


def clarify(planner, question) -> Clarification:
    result = planner.plan(question)
    assert isinstance(result, Clarification), result.sql
    return result


def flat(sql: str) -> str:
    return " ".join(sql.split())


def test_normalize_joins_spellings():
    assert normalize("High-Value Travelers' spend & Premium's") == (
        "high value travelers spend and premium"
    )
    assert normalize("$10,000 in D.C.?") == "$10000 in dc"


def test_ranking_by_state(planner):
    p = plan(planner, "Which states have the highest churn risk?")
    sql = flat(p.sql)
    assert "avg(p.churn_probability) as avg_churn_probability" in sql
    assert "group by state" in sql and "desc" in sql and sql.endswith("limit 10")
    assert p.dimensions[0].alias == "state" and p.order == ("avg_churn_probability", "desc")


def test_singular_ranking_returns_one_row(planner):
    assert plan(planner, "Which segment has the lowest average age?").limit == 1
    assert plan(planner, "Which segments have the lowest average age?").limit is None


def test_filters_from_names_codes_and_synonyms(planner):
    sql = flat(plan(planner, "Show Premium cardholders in California with high churn risk").sql)
    assert "p.card_type = 'Premium'" in sql
    assert "p.state = 'CA'" in sql
    assert "p.churn_risk_tier = 'High'" in sql
    assert "from gold.customer_360_profile p" in sql


def test_state_codes_need_capitals_when_they_are_words(planner):
    assert "p.state = 'IN'" in plan(planner, "customers in IN").sql
    assert "p.state = 'TX'" in plan(planner, "customers in tx").sql
    sql = plan(planner, "how many customers in texas or in oregon").sql
    assert "'TX'" in sql and "'OR'" in sql and "'IN'" not in sql


def test_compare_two_values_groups_by_their_dimension(planner):
    p = plan(planner, "Premium vs Standard churn probability")
    assert p.dimensions[0].alias == "card_type"
    assert "in ('Premium', 'Standard')" in p.sql


def test_negation(planner):
    sql = plan(planner, "customers not in California with churn score above 50").sql
    assert "p.state <> 'CA'" in sql and "p.churn_risk_score > 50" in sql


def test_numbers_money_and_percent(planner):
    assert "p.lifetime_value > 50000" in plan(planner, "customers with ltv over $50k").sql
    assert (
        "p.churn_probability > 0.5"
        in plan(planner, "customers with churn probability over 50%").sql
    )
    assert "p.age between 30 and 40" in plan(planner, "average lifetime value aged 30 to 40").sql
    assert "p.age > 50" in plan(planner, "how many customers over 50 are contactable").sql
    assert "p.spend_change_pct <= -50" in plan(planner, "customers whose spending fell by 50%").sql


def test_time_ranges_become_literal_dates(planner):
    sql = flat(plan(planner, "Total spend by month in the last 90 days").sql)
    assert "t.transaction_ts >= date '2025-10-03'" in sql
    assert "t.transaction_ts < date '2026-01-01'" in sql
    assert "t.status = 'Approved'" in sql and "date_trunc('month', t.transaction_ts)" in sql


def test_declines_override_the_approved_filter(planner):
    sql = flat(plan(planner, "How many transactions were declined last week?").sql)
    assert "t.status = 'Declined'" in sql and "'Approved'" not in sql
    monthly = flat(plan(planner, "How many transactions were declined last month?").sql)
    assert "sum(m.declined_transaction_count) as transactions" in monthly


@pytest.mark.parametrize(
    ("question", "table"),
    [
        ("Total spend by month in 2025", "monthly_customer_spending"),
        ("average transaction amount by card type last quarter", "monthly_customer_spending"),
        ("travel spend by segment in 2025", "monthly_customer_spending"),
        ("active customers last month", "monthly_customer_spending"),
        ("Total spend in the last 90 days", "fct_transactions"),
        ("spend by channel in 2025", "fct_transactions"),
        ("spend by weekday in 2025", "fct_transactions"),
        ("grocery spend by month in 2025", "fct_transactions"),
        ("spend by month since 2025-03-15", "fct_transactions"),
    ],
)
def test_whole_month_questions_use_the_monthly_rollup(planner, question, table):
    sql = plan(planner, question).sql
    assert f"gold.{table}" in sql
    other = {"monthly_customer_spending", "fct_transactions"} - {table}
    assert f"gold.{other.pop()}" not in sql


def test_share_of_a_value(planner):
    p = plan(planner, "What share of customers are high risk in each age group?")
    assert "avg(case when p.churn_risk_tier = 'High' then 1.0 else 0.0 end)" in p.sql
    assert "where" not in p.sql  # the value became the measure, not a filter


def test_customer_spend_over_a_window_is_a_subquery(planner):
    sql = flat(plan(planner, "customers who spent more than 5000 in the last 90 days").sql)
    assert "p.customer_id in (select t.customer_id from gold.fct_transactions t" in sql
    assert "having sum(t.amount) > 5000" in sql


def test_names_are_quoted_by_sqlglot_not_by_hand(planner):
    sql = plan(planner, "customers named O'Brien").sql
    assert "'o''brien'" in sql
    sql = plan(planner, "customers named \"x' OR '1'='1\"").sql
    assert "'x'' or ''1''=''1'" in sql


def test_transaction_list(planner):
    p = plan(planner, "Show the 10 largest transactions in December 2025")
    assert p.kind == "transactions" and p.limit == 10
    assert "order by t.amount desc" in p.sql


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("what's the weather like", "I don't know what 'weather' means"),
        ("churn risk by favourite colour", "'favourite', 'colour'"),
        ("How many at-risk customers are there?", "'at risk' is ambiguous"),
        ("average churn probability in 2025", "a time range or trend only applies"),
        ("churn risk by category", "customer measure"),
        ("customers with 5000", "can't tell what '5,000' refers to"),
        ("total spend in 2099", "after the data's as-of date"),
        ("", "Ask a question"),
        ("x" * 1_100, "longer than 1,000 characters"),
        (";;;;", "Ask a question"),
    ],
)
def test_clarifications_instead_of_guesses(planner, question, says):
    result = clarify(planner, question)
    assert says in result.message
    assert result.suggestions


def test_a_typo_gets_a_corrected_suggestion_that_plans(planner):
    result = clarify(planner, "Califrnia customers by segmnt")
    assert "Did you mean" in result.message
    assert isinstance(planner.plan(result.suggestions[0]), Plan)


def test_ambiguity_suggestions_each_plan(planner):
    for suggestion in clarify(planner, "How many at-risk customers are there?").suggestions:
        assert isinstance(planner.plan(suggestion), Plan), suggestion


def test_every_plan_passes_the_guard_and_is_deterministic(planner, model):
    questions = [
        "Top 5 merchant categories by spend in the last 90 days",
        "spend by weekday",
        "number of new accounts by month in 2025",
        "High-risk customers eligible for a retention offer",
        "decline rate by channel in Q3 2025",
        "Average transaction amount by category group",
    ]
    for q in questions:
        first, second = plan(planner, q), plan(planner, q)
        assert first.sql == second.sql
        verdict = guard.check(first.sql, model)
        assert verdict.ok, (q, verdict.reason)


def test_clv_means_the_predicted_12_month_value_and_lifetime_value_the_spend_so_far(planner):
    sql = flat(plan(planner, "Average CLV by behavioral segment").sql)
    assert "avg(p.clv_12m)" in sql and "group by" in sql
    assert "p.lifetime_value" not in sql
    assert "avg(p.lifetime_value)" in flat(plan(planner, "Average lifetime value by state").sql)


def test_retention_uplift_is_a_customer_measure(planner):
    sql = flat(plan(planner, "Which states have the highest retention uplift?").sql)
    assert "avg(p.retention_uplift)" in sql and "desc" in sql
