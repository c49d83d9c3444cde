"""`c360 ask`: table and SQL, JSON, the evaluation, and one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from c360.cli import app
from tests.assistant.conftest import private_home

runner = CliRunner()


@pytest.fixture()
def home(built_home, tmp_path, monkeypatch):
    path = private_home(built_home, tmp_path / "home")
    monkeypatch.setenv("C360_HOME", str(path))
    for name in ("C360_LLM_BASE_URL", "C360_LLM_MODEL", "C360_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_ask_prints_the_table_summary_and_sql(home):
    result = runner.invoke(app, ["ask", "How many customers are in each segment?"])
    assert result.exit_code == 0, result.output
    assert "Stable Mid-Spenders" in result.stdout
    assert "has the most customers" in result.stdout
    assert "SELECT" in result.stdout and "GROUP BY" in result.stdout
    assert (home / "logs" / "assistant.jsonl").exists()


def test_ask_json(home):
    result = runner.invoke(app, ["ask", "average lifetime value by card type", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["question"] == "average lifetime value by card type"
    assert data["engine"] == "offline" and data["status"] == "answered"
    assert data["columns"] == ["card_type", "avg_lifetime_value"]
    assert len(data["rows"]) == 2 and data["sql"].startswith("SELECT")


def test_a_question_it_cannot_map_exits_2_with_suggestions(home):
    result = runner.invoke(app, ["ask", "churn risk by favourite colour"])
    assert result.exit_code == 2
    assert "I don't know what" in result.stdout and "try:" in result.stdout
    as_json = runner.invoke(app, ["ask", "churn risk by favourite colour", "--json"])
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["status"] == "clarify"


def test_rows_option_limits_the_printed_table(home):
    result = runner.invoke(app, ["ask", "customers by state", "--rows", "3"])
    assert result.exit_code == 0
    assert "more rows (use --rows or --json)" in result.stdout


def test_eval_prints_execution_accuracy(home):
    result = runner.invoke(app, ["ask", "--eval", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == (0 if data["accuracy"] >= data["target"] else 1)
    assert data["cases"] >= 60 and data["engine"] == "offline"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask"], "ask needs a question"),
        (["ask", "   "], "ask needs a question"),
        (["ask", "x", "--eval"], "either a question or --eval"),
        (["ask", "x", "--engine", "magic"], "--engine must be one of"),
        (["ask", "x", "--engine", "llm"], "needs C360_LLM_BASE_URL"),
        (["ask", "x", "--rows", "-1"], "--rows must be 0 or more"),
        (["ask", "x" * 5000], "longer than 1,000 characters"),
    ],
)
def test_bad_input_fails_with_one_line(home, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_missing_warehouse_fails_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(tmp_path))
    result = runner.invoke(app, ["ask", "churn risk by state"])
    assert result.exit_code == 1
    assert "run `c360 build` first" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_ask_has_help():
    result = runner.invoke(app, ["ask", "--help"])
    assert result.exit_code == 0 and "--eval" in result.output and "--engine" in result.output
