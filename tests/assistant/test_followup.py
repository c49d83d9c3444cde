"""Follow-up questions: the spec a follow-up changes, its executed answer, sessions in the
shell, the LLM's history, and the multi-turn evaluation."""

import json

import pytest
from typer.testing import CliRunner

from c360.assistant import guard
from c360.assistant.conversation import Conversation, Turn, load, save, session_path
from c360.assistant.evaluation import (
    TARGET_ACCURACY,
    evaluate_dialogues,
    load_dialogues,
)
from c360.assistant.llm import LLMClient, LLMConfig
from c360.assistant.planner import Clarification, Plan
from c360.assistant.service import Assistant
from c360.cli import app
from tests.assistant.conftest import private_home
from tests.assistant.fake_llm import FakeLLM


def _chain(planner, *questions) -> Plan | Clarification:
    """Plan each question as a follow-up of the previous answer; the last result."""
    spec = None
    result = None
    for question in questions:
        result = planner.plan(question, spec)
        if isinstance(result, Plan):
            spec = result.spec
    return result


def _filters(plan: Plan) -> dict[str, tuple]:
    return {f.dim: (f.values, f.negated) for f in plan.spec.filters if f.dim}


# -- the spec a follow-up changes ----------------------------------------------------------


def test_a_filter_follow_up_replaces_that_dimension_and_keeps_the_rest(planner):
    plan = _chain(planner, "Show the top 5 customers by lifetime value", "and what about Florida?")
    assert plan.kind == "customers" and plan.limit == 5
    assert _filters(plan) == {"state": (("FL",), False)}
    plan = _chain(
        planner, "How many customers are in Texas?", "and for California?", "only Premium"
    )
    assert plan.kind == "aggregate" and [m.alias for m in plan.measures] == ["customers"]
    assert _filters(plan) == {"state": (("CA",), False), "card_type": (("Premium",), False)}


def test_exclude_takes_a_value_out(planner):
    plan = _chain(planner, "Top 5 states by total lifetime value", "exclude California")
    assert _filters(plan) == {"state": (("CA",), True)}
    assert plan.limit == 5 and plan.order[1] == "desc"
    plan = _chain(planner, "How many customers live in Florida or Georgia?", "but not Georgia")
    assert _filters(plan)["state"] == (("FL",), False)


def test_grouping_measure_time_size_and_order_follow_ups(planner):
    plan = _chain(planner, "Average churn probability by behavioural segment", "now by state")
    assert [d.alias for d in plan.dimensions] == ["state"]
    assert [m.alias for m in plan.measures] == ["avg_churn_probability"]
    plan = _chain(planner, "Average lifetime value by card type", "what about churn risk?")
    assert [m.alias for m in plan.measures] == ["avg_churn_probability"]
    assert [d.alias for d in plan.dimensions] == ["card_type"]
    plan = _chain(planner, "Total spend by month in 2025", "and in 2024?")
    assert (plan.time.start.isoformat(), plan.time.end.isoformat()) == ("2024-01-01", "2025-01-01")
    assert plan.time_grain == "month"
    plan = _chain(planner, "Top 5 states by total lifetime value", "just the top 3")
    assert plan.limit == 3
    plan = _chain(
        planner, "Which state has the highest average churn probability?", "and the lowest?"
    )
    assert plan.order[1] == "asc" and plan.limit == 1
    plan = _chain(planner, "Total spend by channel last month", "what about the month before that?")
    assert (plan.time.start.isoformat(), plan.time.end.isoformat()) == ("2025-10-01", "2025-11-01")


def test_an_aggregate_turns_into_its_customers(planner):
    plan = _chain(planner, "How many high risk customers are there?", "show me those customers")
    assert plan.kind == "customers" and plan.order == ("churn_risk_score", "desc")
    assert _filters(plan) == {"churn_risk_tier": (("High",), False)}
    # customers behind a transaction aggregate: those with such transactions in the window
    plan = _chain(planner, "How many customers were active last month?", "list them")
    assert plan.kind == "customers" and plan.time is None
    assert any("with transactions" in f for f in plan.filters)
    plan = _chain(planner, "Count of customers by card type", "show me those customers")
    assert isinstance(plan, Clarification) and "one row per group" in plan.message


def test_a_new_question_starts_over(planner):
    plan = _chain(planner, "How many customers are in Texas?", "Average lifetime value by state")
    assert not plan.spec.filters and [d.alias for d in plan.dimensions] == ["state"]


def test_a_follow_up_it_cannot_place_asks_and_says_what_it_can_change(planner):
    result = _chain(planner, "How many customers are in Texas?", "and what about it?")
    assert isinstance(result, Clarification)
    assert "changes in the last answer" in result.message and "now by state" in result.message
    # a follow-up of a customer measure over time is refused as a new question would be
    result = _chain(planner, "Average lifetime value by card type", "and last quarter?")
    assert isinstance(result, Clarification) and "as of the as-of date" in result.message


def test_follow_up_sql_passes_the_guard(planner, model):
    plan = _chain(planner, "How many customers were active last month?", "only online", "list them")
    assert guard.check(plan.sql, model).ok


# -- executed, through the assistant -------------------------------------------------------


def test_a_follow_up_answers_on_the_warehouse(assistant):
    talk = Conversation()
    first = assistant.ask("Show the top 5 customers by lifetime value", conversation=talk)
    second = assistant.ask("and what about Florida?", conversation=talk)
    assert first.ok and second.ok and len(talk.turns) == 2
    expected = assistant.run_sql(
        "select customer_id from gold.customer_360_profile where state = 'FL' "
        "order by lifetime_value desc, customer_id limit 5"
    )
    at = second.columns.index("customer_id")
    assert [r[at] for r in second.rows] == [r[0] for r in expected.rows]


def test_a_failed_turn_keeps_the_previous_interpretation(assistant):
    talk = Conversation()
    assistant.ask("How many customers are in Texas?", conversation=talk)
    assert assistant.ask("banana smoothie", conversation=talk).status == "clarify"
    again = assistant.ask("only Premium", conversation=talk)
    expected = assistant.run_sql(
        "select count(*) from gold.customer_360_profile "
        "where state = 'TX' and card_type = 'Premium'"
    )
    assert again.ok and again.rows == expected.rows


def test_a_loaded_conversation_replays_its_turns(assistant, tmp_path):
    talk = Conversation()
    assistant.ask("How many customers are in Texas?", conversation=talk)
    save(tmp_path / "s.json", talk)
    loaded = load(tmp_path / "s.json")
    assert loaded.spec is None and [t.question for t in loaded.turns] == [
        "How many customers are in Texas?"
    ]
    answer = assistant.ask("and for California?", conversation=loaded)
    expected = assistant.run_sql(
        "select count(*) from gold.customer_360_profile where state = 'CA'"
    )
    assert answer.rows == expected.rows


def test_multi_turn_evaluation_meets_the_target(assistant):
    dialogues = load_dialogues()
    assert len(dialogues) >= 40
    assert all(2 <= len(d.turns) <= 4 for d in dialogues)
    report = evaluate_dialogues(assistant, dialogues)
    failures = report.to_json()["failures"]
    assert report.accuracy >= TARGET_ACCURACY, failures


# -- the LLM engine gets the previous turns -------------------------------------------------


def test_the_llm_receives_previous_questions_and_sql(assistant, tmp_path):
    with FakeLLM() as fake:
        config = LLMConfig(fake.base_url, "test-model", timeout_s=5)
        llm = Assistant(assistant.runner, assistant.model, tmp_path / "logs", LLMClient(config))
        first_sql = "select count(*) as n from gold.customer_360_profile where state = 'TX'"
        fake.replies.append(f"```sql\n{first_sql}\n```")
        fake.replies.append(
            "```sql\nselect count(*) as n from gold.customer_360_profile where state = 'CA'\n```"
        )
        talk = Conversation()
        assert llm.ask("How many customers in Texas?", engine="llm", conversation=talk).ok
        assert llm.ask("and California?", engine="llm", conversation=talk).ok
        messages = fake.requests[1]["body"]["messages"]
        contents = [m["content"] for m in messages]
        assert "How many customers in Texas?" in contents
        assert any("'TX'" in c and c.startswith("```sql") for c in contents)
        assert contents[-1] == "and California?"
        first_contents = [m["content"] for m in fake.requests[0]["body"]["messages"]]
        assert not any("'TX'" in c for c in first_contents)  # nothing before the first turn


def test_llm_history_keeps_within_its_budget():
    talk = Conversation()
    for i in range(30):
        talk.add(Turn(f"question {i}", "llm", "answered", "select 1 -- " + "x" * 500))
    kept = talk.history(budget=2_000)
    assert 0 < len(kept) < 30 and kept[-1].question == "question 29"
    assert sum(len(t.question) + len(t.sql) for t in kept) <= 2_000


# -- the shell ------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture()
def home(built_home, tmp_path, monkeypatch):
    path = private_home(built_home, tmp_path / "home")
    monkeypatch.setenv("C360_HOME", str(path))
    return path


def test_ask_session_keeps_the_conversation_as_readable_json(home):
    first = runner.invoke(app, ["ask", "--session", "t1", "--json", "How many customers in Texas?"])
    second = runner.invoke(app, ["ask", "--session", "t1", "--json", "only Premium"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    answer = json.loads(second.stdout)
    assert "'TX'" in answer["sql"] and "'Premium'" in answer["sql"]
    saved = json.loads(session_path(home, "t1").read_text())
    assert [t["question"] for t in saved["turns"]] == [
        "How many customers in Texas?",
        "only Premium",
    ]
    # without the session, the same words are a question of their own
    alone = json.loads(runner.invoke(app, ["ask", "--json", "only Premium"]).stdout)
    assert "'Premium'" in alone["sql"] and "'TX'" not in alone["sql"]
    reset = runner.invoke(app, ["ask", "--session", "t1", "--reset"])
    assert reset.exit_code == 0 and not session_path(home, "t1").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "--session", "../escape", "x"], "session name '../escape' is not usable"),
        (["ask", "--reset", "x"], "--reset needs --session"),
        (["ask", "--eval", "--session", "a"], "either --eval or --session"),
    ],
)
def test_bad_session_input_fails_with_one_line(home, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_unreadable_session_file_is_one_line(home):
    path = session_path(home, "broken")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    result = runner.invoke(app, ["ask", "--session", "broken", "How many customers?"])
    assert result.exit_code == 1 and "unreadable" in result.output
    assert path.read_text() == "{not json"  # nothing lost
