"""Property-based attacks on the guard through the LLM path (hypothesis).

A hostile OpenAI-compatible endpoint (a real local HTTP server) answers with SQL built from
generated aliases, quoted identifiers, comments, string literals and statement separators.
Whatever the guard lets through must, by independent oracles:

- read nothing outside the allow-list: it runs unchanged on a *strict* warehouse that holds
  only the allow-listed gold tables and columns (anything else would fail to bind there);
- be one statement, as DuckDB's own parser splits it;
- leave the assistant working: the next question is answered.
"""

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from c360.assistant.llm import LLMClient, LLMConfig
from c360.assistant.runner import RunError, Runner
from c360.assistant.service import Assistant
from tests.assistant.fake_llm import FakeLLM

PROFILE = "gold.customer_360_profile"
HOSTILE_PIECES = [
    '"', "'", ";", "--", "/*", "*/", "\n", "\r", " ", ")", "(", ",", ".", "\\", "$$", "`",
    "select ", "from ", "ml.churn_labels", "meta.build_info", "silver.stg_customers",
    "information_schema.tables", "current_setting('threads')", "duckdb_settings()",
    "detach wh", "use memory", "attach 'x' as y", "as leak", "union all ",
    "read_csv('/etc/passwd')",
    "(select count(*) from ml.churn_labels) as leak --", "(select max(value) from meta.build_info)",
    "1 as x from information_schema.tables --", "x; detach wh; select 1 --",
]  # fmt: skip
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(min_size=1, max_size=4)),
    min_size=1,
    max_size=8,
).map("".join)


def quoted(text: str) -> str:
    """A correctly quoted identifier (the attacker's best case: it parses)."""
    return '"' + text.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


TEMPLATES = {
    "table alias": lambda t: (
        "SELECT * EXCLUDE (as_of_end_ts, history_start_date, as_of_source) "
        f"FROM gold.build_as_of AS {quoted(t)}"
    ),
    "star alias": lambda t: f"SELECT * FROM gold.build_as_of AS {quoted(t)}",
    "alias in expression": lambda t: (
        f"SELECT {quoted(t)}.state, count(*) AS n FROM {PROFILE} AS {quoted(t)} GROUP BY 1"
    ),
    "column alias": lambda t: f"SELECT state AS {quoted(t)} FROM {PROFILE}",
    "cte name": lambda t: (
        f"WITH {quoted(t)} AS (SELECT state FROM {PROFILE}) SELECT * FROM {quoted(t)}"
    ),
    "string literal": lambda t: f"SELECT {literal(t)} AS x, state FROM {PROFILE}",
    "comments": lambda t: f"SELECT state /* {t} */ FROM {PROFILE} -- {t}",
    "raw alias": lambda t: f"SELECT state FROM {PROFILE} AS {t}",
    "separator": lambda t: f"SELECT state FROM {PROFILE}; {t}",
    "whole row": lambda t: f"SELECT {quoted(t)} FROM {PROFILE} AS {quoted(t)}",
}


@pytest.fixture(scope="module")
def strict_runner(built_home, tmp_path_factory):
    """A warehouse with only the allow-listed gold tables and columns (a few rows each)."""
    from c360.assistant.semantic import load

    path = tmp_path_factory.mktemp("strict") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{built_home.warehouse}' as src (read_only)")
        con.execute("create schema gold")
        for table, columns in load().allowed_columns().items():
            names = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"create table gold.{table} as select {names} from src.gold.{table}")
    runner = Runner(path, timeout_s=5.0)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def hostile(assistant, tmp_path_factory):
    """An assistant on the real warehouse (ml, meta and silver beside gold) whose LLM
    endpoint answers whatever the test queues."""
    with FakeLLM() as fake:
        a = Assistant(
            assistant.runner,
            assistant.model,
            tmp_path_factory.mktemp("hostile-logs"),
            LLMClient(LLMConfig(fake.base_url, "m", timeout_s=5)),
        )
        yield a, fake


def ask_hostile(hostile, sql: str):
    a, fake = hostile
    fake.replies.clear()
    fake.replies.extend([f"```sql\n{sql}\n```"] * 2)  # the answer and the one repair
    return a.ask("hostile", engine="llm")


def assert_safe(answer, strict_runner, hostile) -> None:
    if answer.ok:
        assert len(duckdb.connect().extract_statements(answer.sql)) == 1, answer.sql
        try:
            strict_runner.run(answer.sql)
        except RunError as exc:
            assert "longer than" in str(exc), (answer.sql, str(exc))
    a, _ = hostile
    follow_up = a.ask("how many customers are there")
    assert follow_up.ok and follow_up.rows[0][0] > 0, follow_up.message


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(template=st.sampled_from(sorted(TEMPLATES)), text=hostile_text)
@example(template="table alias", text="(select count(*) from ml.churn_labels) as leak --")
@example(template="alias in expression", text="x; detach wh; select 1 --")
@example(template="separator", text="use memory; detach wh; select 1 --")
@example(template="whole row", text="p")
@example(template="comments", text="*/ , (select count(*) from ml.churn_labels) /*")
def test_hostile_llm_sql_reads_only_the_allow_list(template, text, hostile, strict_runner):
    answer = ask_hostile(hostile, TEMPLATES[template](text))
    assert_safe(answer, strict_runner, hostile)


def test_the_reported_alias_leak_reads_nothing_outside_gold(hostile, strict_runner):
    sql = (
        "SELECT * EXCLUDE (as_of_end_ts, history_start_date, as_of_source) "
        'FROM gold.build_as_of AS "(select count(*) from ml.churn_labels) as leak --"'
    )
    answer = ask_hostile(hostile, sql)
    assert answer.ok, answer.message  # a strange alias is harmless once it stays quoted
    assert answer.columns == ["as_of_date"]
    assert_safe(answer, strict_runner, hostile)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        (f"SELECT p FROM {PROFILE} p", "whole-row"),
        (f"SELECT {PROFILE.split('.')[1]} FROM {PROFILE}", "whole-row"),
        (f"SELECT state FROM {PROFILE} LIMIT 100 PERCENT", "plain number"),
        (f"SELECT state FROM {PROFILE} LIMIT 5 WITH TIES", "plain number"),
        (f"SELECT state FROM {PROFILE} AS x; detach wh", "exactly one statement"),
    ],
)
def test_whole_rows_odd_limits_and_second_statements_are_refused(sql, reason, hostile):
    answer = ask_hostile(hostile, sql)
    assert answer.status == "refused" and reason in answer.message


def test_a_huge_answer_is_refused_by_size(built_home):
    runner = Runner(built_home.warehouse, max_bytes=100_000)
    try:
        with pytest.raises(RunError, match="larger than"):
            runner.run(
                f"select group_concat(a.customer_id || b.customer_id) from {PROFILE} a, {PROFILE} b"
            )
        assert runner.run("select 1 as ok").rows == [(1,)]
    finally:
        runner.close()


def test_a_broken_connection_is_rebuilt_and_the_failure_logged(assistant, tmp_path):
    import json

    runner = Runner(assistant.runner.warehouse)
    a = Assistant(runner, assistant.model, tmp_path)
    try:
        runner._con.execute("detach wh")  # what a multi-statement answer once did
        broken = a.run_sql(f"select count(*) from {PROFILE}")
        assert broken.status == "error" and "\n" not in broken.message
        assert runner.rebuilds == 1
        again = a.ask("how many customers are there")
        assert again.ok and again.rows[0][0] > 0
        log = [json.loads(line) for line in (tmp_path / "assistant.jsonl").read_text().splitlines()]
        assert any(attempt.get("error") for entry in log for attempt in entry["attempts"])
    finally:
        runner.close()


def test_the_runner_runs_exactly_one_select(built_home):
    runner = Runner(built_home.warehouse)
    try:
        for sql in ("select 1; select 2", "select 1 as a; use memory", "use memory"):
            with pytest.raises(RunError, match=r"exactly one statement|only SELECT"):
                runner.run(sql)
        assert runner.run(f"select count(*) from {PROFILE}").rows[0][0] > 0
    finally:
        runner.close()
