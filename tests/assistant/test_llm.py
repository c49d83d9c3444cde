"""The LLM engine against a fake OpenAI-compatible endpoint (a real local HTTP server)."""

import pytest

from c360.assistant.llm import LLMClient, LLMConfig, LLMError, extract_sql
from c360.assistant.service import Assistant
from tests.assistant.fake_llm import FakeLLM

GOOD = (
    "```sql\nselect card_type, count(*) as customers from gold.customer_360_profile group by 1\n```"
)


@pytest.fixture()
def fake():
    with FakeLLM() as server:
        yield server


@pytest.fixture()
def llm_assistant(assistant, fake, tmp_path):
    config = LLMConfig(fake.base_url, "test-model", api_key="sk-test", timeout_s=5)
    return Assistant(assistant.runner, assistant.model, tmp_path / "logs", LLMClient(config))


def test_sql_from_the_endpoint_is_guarded_and_run(llm_assistant, fake):
    fake.replies.append(GOOD)
    answer = llm_assistant.ask("How many customers per card type?", engine="llm")
    assert answer.ok and answer.engine == "llm"
    assert {row[0] for row in answer.rows} == {"Standard", "Premium"}
    assert "LIMIT 1000" in answer.sql  # the guard's rewrite is what ran
    assert answer.chart is not None and answer.chart.kind == "bar"
    request = fake.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    assert request["body"]["model"] == "test-model" and request["body"]["temperature"] == 0
    system = request["body"]["messages"][0]["content"]
    assert "gold.customer_360_profile" in system and "2025-12-31" in system
    assert "churn_probability" in system
    assert request["body"]["messages"][-1] == {
        "role": "user",
        "content": "How many customers per card type?",
    }
    # verified queries are few-shot examples
    assert any(
        m["content"] == "Which states have the highest churn risk?"
        for m in request["body"]["messages"]
    )


def test_refused_sql_is_repaired_once(llm_assistant, fake):
    fake.replies.extend(["```sql\nselect * from meta.build_info\n```", GOOD])
    answer = llm_assistant.ask("customers per card type", engine="llm")
    assert answer.ok
    assert len(fake.requests) == 2
    repair = fake.requests[1]["body"]["messages"][-1]["content"]
    assert "only gold tables can be read" in repair


def test_failing_sql_is_repaired_once(llm_assistant, fake):
    bad = "```sql\nselect cast(state as integer) from gold.customer_360_profile\n```"
    fake.replies.extend([bad, GOOD])
    answer = llm_assistant.ask("customers per card type", engine="llm")
    assert answer.ok and len(fake.requests) == 2
    assert "the query failed" in fake.requests[1]["body"]["messages"][-1]["content"]


def test_only_one_repair(llm_assistant, fake):
    fake.replies.extend(["```sql\ndrop table gold.dim_date\n```"] * 3)
    answer = llm_assistant.ask("drop it", engine="llm")
    assert answer.status == "refused" and "DROP" in answer.message
    assert len(fake.requests) == 2


def test_a_reply_without_sql_is_a_clarification(llm_assistant, fake):
    fake.replies.append("I can't answer that from these tables.")
    answer = llm_assistant.ask("what is the weather", engine="llm")
    assert answer.status == "clarify" and "can't answer" in answer.message
    assert answer.sql is None


def test_endpoint_errors_are_one_line(llm_assistant, fake):
    fake.replies.append((500, {"error": "boom"}))
    answer = llm_assistant.ask("churn by state", engine="llm")
    assert answer.status == "error" and "HTTP 500" in answer.message
    fake.replies.append((200, b"not json"))
    answer = llm_assistant.ask("churn by state", engine="llm")
    assert answer.status == "error" and "not a chat completion" in answer.message


def test_an_unreachable_endpoint_is_an_error(assistant, tmp_path):
    config = LLMConfig("http://127.0.0.1:9/v1", "m", timeout_s=2)
    a = Assistant(assistant.runner, assistant.model, tmp_path, LLMClient(config))
    answer = a.ask("churn by state", engine="llm")
    assert answer.status == "error" and "cannot reach" in answer.message


def test_configuration_from_the_environment(monkeypatch):
    monkeypatch.delenv("C360_LLM_BASE_URL", raising=False)
    assert LLMConfig.from_env() is None
    monkeypatch.setenv("C360_LLM_BASE_URL", "http://localhost:11434/v1/")
    monkeypatch.setenv("C360_LLM_MODEL", "qwen")
    config = LLMConfig.from_env()
    assert config.url == "http://localhost:11434/v1/chat/completions" and config.api_key is None
    with pytest.raises(LLMError, match="http"):
        _ = LLMConfig("file:///etc/passwd", "m").url
    monkeypatch.setenv("C360_LLM_TIMEOUT", "soon")
    with pytest.raises(LLMError, match="seconds"):
        LLMConfig.from_env()


@pytest.mark.parametrize(
    ("reply", "sql"),
    [
        ("```sql\nselect 1\n```", "select 1"),
        ("Here you go:\n```\nSELECT 2\n```\nThanks", "SELECT 2"),
        ("with x as (select 1) select * from x", "with x as (select 1) select * from x"),
        ("Sorry, I cannot.", None),
    ],
)
def test_extract_sql(reply, sql):
    assert extract_sql(reply) == sql
