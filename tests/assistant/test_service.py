"""The assistant end to end on the small warehouse: answers, summaries, charts, logs."""

import json

import pytest

from c360.assistant.service import Assistant, AssistantError
from tests.assistant.conftest import private_home


@pytest.fixture()
def logged(built_home, tmp_path):
    """An assistant whose log we can read."""
    a = Assistant.open(built_home.warehouse, log_dir=tmp_path / "logs")
    yield a, tmp_path / "logs"
    a.close()


def test_answer_has_rows_summary_chart_and_checked_sql(assistant, warehouse_sql):
    answer = assistant.ask("How many customers are in each segment?")
    assert answer.ok and answer.engine == "offline"
    expected = dict(
        warehouse_sql.execute(
            "select behavioral_segment, count(*) from gold.customer_360_profile group by 1"
        ).fetchall()
    )
    assert dict(answer.rows) == expected
    top = max(expected, key=expected.get)
    assert answer.summary.startswith(f"{top} has the most customers ({expected[top]:,})")
    assert answer.chart.kind == "bar" and answer.chart.x == "behavioral_segment"
    assert answer.sql.startswith("SELECT") and "LIMIT 1000" in answer.sql


def test_a_time_series_gets_a_line_chart_and_a_trend_summary(assistant):
    answer = assistant.ask("total spend by month in 2025")
    assert answer.ok and len(answer.rows) == 12
    assert answer.chart.kind == "line" and answer.chart.x == "month"
    assert (
        "2025-01-01" in answer.summary and "2025-12-01" in answer.summary and "%" in answer.summary
    )


def test_single_values_and_lists(assistant):
    count = assistant.ask("How many Premium cardholders live in Texas?")
    assert count.ok and len(count.rows) == 1 and count.summary.startswith("Customers: ")
    assert count.chart is None
    listed = assistant.ask("Top 10 customers by lifetime value")
    assert listed.ok and len(listed.rows) == 10
    values = [row[listed.columns.index("lifetime_value")] for row in listed.rows]
    assert values == sorted(values, reverse=True)


def test_to_json_is_serialisable(assistant):
    data = assistant.ask("average lifetime value by card type").to_json()
    assert set(data) >= {"question", "engine", "status", "sql", "columns", "rows"}
    json.dumps(data)
    assert all(isinstance(v, (float, int, str, type(None))) for r in data["rows"] for v in r)


def test_every_question_sql_and_verdict_is_logged(logged):
    assistant, logs = logged
    assistant.ask("churn risk by state")
    assistant.ask("churn by favourite colour")
    assistant.run_sql("drop table gold.dim_date")
    lines = [json.loads(line) for line in (logs / "assistant.jsonl").read_text().splitlines()]
    assert [r["status"] for r in lines] == ["answered", "clarify", "refused"]
    assert lines[0]["question"] == "churn risk by state" and "GROUP BY" in lines[0]["sql"]
    assert lines[0]["attempts"][0]["verdict"] == "accepted"
    assert "favourite" in lines[1]["attempts"][0]["reason"]
    assert lines[2]["attempts"][0]["verdict"] == "refused"
    assert "DROP" in lines[2]["attempts"][0]["reason"]
    assert all("ts" in r for r in lines)


def test_feedback_is_stored_and_validated(logged):
    assistant, logs = logged
    assistant.feedback("churn risk by state", "SELECT 1", "up", engine="offline")
    assistant.feedback("churn risk by state", "SELECT 1", "down")
    ratings = [
        json.loads(line)["rating"]
        for line in (logs / "assistant_feedback.jsonl").read_text().splitlines()
    ]
    assert ratings == ["up", "down"]
    with pytest.raises(AssistantError):
        assistant.feedback("q", None, "meh")


def test_logs_default_to_the_home(built_home, tmp_path):
    home = private_home(built_home, tmp_path / "home")
    a = Assistant.open(home / "warehouse.duckdb")
    try:
        a.ask("churn risk by card type")
    finally:
        a.close()
    assert (home / "logs" / "assistant.jsonl").exists()


def test_the_llm_engine_needs_configuration(assistant):
    with pytest.raises(AssistantError, match="C360_LLM_BASE_URL"):
        assistant.ask("churn risk by state", engine="llm")
    with pytest.raises(AssistantError, match="unknown engine"):
        assistant.ask("churn risk by state", engine="magic")


def test_a_log_that_cannot_be_written_does_not_stop_answers(tmp_path, capsys):
    """A read-only or full home still answers; the first failed write says so on stderr."""
    from c360.assistant.service import JsonLog

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    log = JsonLog(blocker / "logs" / "assistant.jsonl")  # its folder cannot be made
    log.write({"question": "one"})
    log.write({"question": "two"})
    err = capsys.readouterr().err
    assert err.count("warning: not logging to") == 1
    assert blocker.read_text() == ""
