"""The AI Assistant page through the app's entry point (streamlit.testing.v1.AppTest)."""

import json
import os
import shutil

import duckdb
import pytest

from tests.app.conftest import copy_home, set_build_id, texts
from tests.assistant.fake_llm import FakeLLM

PAGE = "app_pages/ai_assistant.py"


@pytest.fixture()
def home(built_home, tmp_path):
    """A private copy of the small warehouse: the page writes its log under the home."""
    return copy_home(built_home, tmp_path / "home")


def _open(app_for, home):
    at = app_for(home.home)
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def test_page_offers_suggested_questions_by_theme(app_for, home):
    at = _open(app_for, home)
    assert "AI Assistant" in texts(at)
    assert [t.label for t in at.tabs] == [
        "Churn analysis",
        "Segmentation",
        "Spending trends",
        "Geography",
        "Campaign targeting",
    ]
    labels = [b.label for b in at.button]
    assert "Which states have the highest churn risk?" in labels
    assert not at.chat_message  # no history yet


def test_a_typed_question_gets_summary_table_chart_and_sql(app_for, home):
    at = _open(app_for, home)
    at.chat_input(key="assistant_input").set_value("How many customers are in each segment?").run()
    assert not at.exception
    shown = texts(at)
    assert "has the most customers" in shown
    sql = [c.value for c in at.code]
    assert any("behavioral_segment" in s and "COUNT(*)" in s for s in sql)
    frame = at.dataframe[0].value
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        expected = con.execute(
            "select count(distinct behavioral_segment) from gold.customer_360_profile"
        ).fetchone()[0]
    assert len(frame) == expected
    assert at.get("plotly_chart")  # a bar chart of the segments
    assert len(at.chat_message) == 2  # the question and the answer


def test_a_suggested_question_is_asked_when_clicked_and_history_grows(app_for, home):
    at = _open(app_for, home)
    at.button(key="assistant_theme_spending trends_0").click().run()
    assert not at.exception
    assert "Total spend by month" in texts(at)
    at.chat_input(key="assistant_input").set_value("Top 5 states by total lifetime value").run()
    assert not at.exception
    assert len(at.chat_message) == 4
    assert len(at.code) == 2


def test_an_unknown_question_gets_a_clarification_not_a_query(app_for, home):
    at = _open(app_for, home)
    at.chat_input(key="assistant_input").set_value("churn risk by favourite colour").run()
    assert not at.exception
    assert "I don't know what" in texts(at)
    assert not at.code
    assert not at.dataframe


def test_injection_through_the_chat_is_shown_as_text_and_changes_nothing(app_for, home):
    at = _open(app_for, home)
    attack = "'; DROP TABLE gold.customer_360_profile; -- <script>alert(1)</script>"
    at.chat_input(key="assistant_input").set_value(attack).run()
    assert not at.exception
    assert not at.dataframe
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from gold.customer_360_profile").fetchone()[0] > 0


def test_thumbs_feedback_is_stored_locally(app_for, home):
    at = _open(app_for, home)
    at.chat_input(key="assistant_input").set_value("Churn rate by card type").run()
    feedback = at.feedback[0]
    feedback.set_value(1).run()
    assert not at.exception
    log = home.home / "logs" / "assistant_feedback.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[-1]["rating"] == "up"
    assert records[-1]["question"] == "Churn rate by card type"
    assert "card_type" in records[-1]["sql"]
    questions = (home.home / "logs" / "assistant.jsonl").read_text()
    assert "Churn rate by card type" in questions


def test_the_llm_engine_can_be_chosen_when_configured(app_for, home, monkeypatch):
    with FakeLLM() as fake:
        fake.replies.append(
            "```sql\nselect card_type, count(*) as customers "
            "from gold.customer_360_profile group by 1\n```"
        )
        monkeypatch.setenv("C360_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("C360_LLM_MODEL", "fake-model")
        at = _open(app_for, home)
        at.radio(key="assistant_engine").set_value("llm").run()
        at.chat_input(key="assistant_input").set_value("customers per card type").run()
        assert not at.exception
        assert len(fake.requests) == 1
        assert any("customer_360_profile" in c.value for c in at.code)
        assert len(at.dataframe[0].value) == 2


def test_a_follow_up_builds_on_the_previous_answer_until_cleared(app_for, home):
    at = _open(app_for, home)
    at.chat_input(key="assistant_input").set_value("How many customers are in Texas?").run()
    at.chat_input(key="assistant_input").set_value("only Premium").run()
    assert not at.exception
    sql = [c.value for c in at.code]
    assert "'TX'" in sql[-1] and "'Premium'" in sql[-1]
    at.button(key="assistant_clear").click().run()
    at.chat_input(key="assistant_input").set_value("only Premium").run()
    assert "'TX'" not in [c.value for c in at.code][-1]  # a new conversation


def descriptors_of(path) -> int:
    """How many of this process's open file descriptors refer to the file at `path` (a
    lock probe cannot tell: POSIX locks belong to the process, and closing any descriptor
    of a file drops them all)."""
    wanted = os.stat(path)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            found = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += (found.st_dev, found.st_ino) == (wanted.st_dev, wanted.st_ino)
    return count


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_after_a_publish_the_page_lets_go_of_the_replaced_file(app_for, home, tmp_path):
    """The replaced file is the next refresh's standby, used only when nobody holds it:
    the first run after a publish closes the old build's assistant and connection."""
    staged = tmp_path / "staged.duckdb"  # before the page opens the file (see test_queries)
    shutil.copy2(home.warehouse, staged)
    set_build_id(staged, "20990101T000000Z-abcdef")
    at = _open(app_for, home)
    at.chat_input(key="assistant_input").set_value("How many customers are in each segment?").run()
    assert not at.exception
    replaced = tmp_path / "replaced.duckdb"
    os.link(home.warehouse, replaced)
    assert descriptors_of(replaced) >= 2  # the page's connection and the assistant's
    os.replace(staged, home.warehouse)
    at.chat_input(key="assistant_input").set_value("Which states have the highest churn risk?")
    at.run()
    assert not at.exception
    assert len(at.chat_message) == 4  # answered from the new build
    assert descriptors_of(replaced) == 0
    assert descriptors_of(home.warehouse) >= 2
