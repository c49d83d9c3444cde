"""The assistant on Snowflake, end to end on fakesnow (Snowflake SQL run by DuckDB).

The small test warehouse's gold tables are copied into a fakesnow database C360, schema GOLD
(where `c360 build --target snowflake` builds them), with the same column types as
`c360.warehouse.snowflake.table_ddl` gives uploads. Then the assistant opens with
C360_TARGET=snowflake: the planner plans, the guard checks DuckDB SQL, sqlglot translates it
and the snowflake connector (fakesnow's) runs it. Every evaluation question's answer is
compared with the DuckDB assistant's answer to the same question (docs/snowflake.md lists
the cases that differ and why).
"""

import json
import math
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from c360.assistant.answer import Answer
from c360.assistant.conversation import Conversation
from c360.assistant.evaluation import compare, load_cases, load_dialogues
from c360.assistant.runner import RunError
from c360.assistant.service import Assistant
from c360.assistant.snowflake_runner import SnowflakeRunner
from c360.warehouse.snowflake import table_ddl
from tests.conftest import SNOWFLAKE_PLACEHOLDERS

fakesnow = pytest.importorskip("fakesnow")
from fakesnow.cursor import FakeSnowflakeCursor  # noqa: E402

# measured on the small test warehouse (docs/snowflake.md): 135 to 137 of the 138
# evaluation questions got the same answer on fakesnow as on DuckDB, varying from run to
# run. The others total money, which fakesnow sums as DOUBLE (Snowflake and DuckDB sum
# NUMBER exactly), so a total on a rounding boundary of the comparison may differ in its
# 6th digit. Every answer must still match up to double rounding.
AGREEING_FLOOR = 135


def _close(expected: Answer, answer: Answer) -> bool:
    """The same rows in the same order, numbers equal up to double rounding, and up to a
    cent: DuckDB's median of a DECIMAL(18, 2) keeps two decimals (35971.83) where
    Snowflake's is the exact midpoint (35971.835)."""

    def same(a, b) -> bool:
        if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.0051)
        return a == b

    return len(expected.rows) == len(answer.rows) and all(
        len(r) == len(q) and all(same(a, b) for a, b in zip(r, q, strict=True))
        for r, q in zip(expected.rows, answer.rows, strict=True)
    )


def _load_gold(warehouse) -> list[str]:
    """Copy every gold table and view of the DuckDB warehouse into fakesnow's C360.GOLD."""
    import snowflake.connector
    from snowflake.connector.pandas_tools import write_pandas

    source = duckdb.connect(str(warehouse), read_only=True)
    target = snowflake.connector.connect(database="C360", schema="GOLD")
    target._duck_conn.execute("set threads = 1")  # the machine is shared
    names = [
        row[0]
        for row in source.execute(
            "select table_name from information_schema.tables where table_schema = 'gold' "
            "order by 1"
        ).fetchall()
    ]
    cursor = target.cursor()
    for name in names:
        table = source.sql(f"select * from gold.{name}").to_arrow_table()
        cursor.execute(table_ddl("GOLD", name.upper(), table.schema))
        if table.num_rows:
            frame = table.to_pandas()
            for field in table.schema:  # fakesnow infers DECIMAL(p, s) from the first value
                if pa.types.is_decimal(field.type):  # the insert casts back to NUMBER(p, s)
                    frame[field.name] = frame[field.name].astype("float64")
            frame.columns = [column.upper() for column in frame.columns]
            write_pandas(target, frame, name.upper(), schema="GOLD", quote_identifiers=False)
    target.close()
    source.close()
    return names


@pytest.fixture(scope="module")
def sent():
    """Every statement the snowflake connector was given (recorded, then run as usual)."""
    return []


@pytest.fixture(scope="module")
def snowflake_home(built_home, sent):
    with pytest.MonkeyPatch.context() as mp, fakesnow.patch():
        for name, value in SNOWFLAKE_PLACEHOLDERS.items():
            mp.setenv(name, value)
        mp.setenv("C360_TARGET", "snowflake")
        tables = _load_gold(built_home.warehouse)
        execute = FakeSnowflakeCursor.execute

        def recording(self, command, *args, **kwargs):
            sent.append(command)
            return execute(self, command, *args, **kwargs)

        mp.setattr(FakeSnowflakeCursor, "execute", recording)
        yield tables


@pytest.fixture(scope="module")
def on_snowflake(snowflake_home, tmp_path_factory):
    a = Assistant.open(log_dir=tmp_path_factory.mktemp("sf-logs"))
    yield a
    a.close()


@pytest.fixture(scope="module")
def on_duckdb(built_home, tmp_path_factory):
    a = Assistant.open(built_home.warehouse, log_dir=tmp_path_factory.mktemp("dk"), target="duckdb")
    yield a
    a.close()


def test_the_configured_target_picks_snowflake(on_snowflake, on_duckdb, snowflake_home):
    assert isinstance(on_snowflake.runner, SnowflakeRunner)
    assert "customer_360_profile" in snowflake_home
    assert on_snowflake.as_of == on_duckdb.as_of
    assert on_snowflake.planner.data_values == on_duckdb.planner.data_values


def test_evaluation_answers_agree_with_duckdb(on_snowflake, on_duckdb):
    agreeing, differing = 0, {}
    for case in load_cases():
        expected = on_duckdb.ask(case.question)
        if not expected.ok:  # the planner asks back on both engines alike
            assert on_snowflake.ask(case.question).status == expected.status, case.id
            continue
        answer = on_snowflake.ask(case.question)
        if not answer.ok:
            differing[case.id] = answer.message
            continue
        assert answer.columns == expected.columns, case.id
        ok, why = compare(expected.columns, expected.rows, answer.columns, answer.rows, True)
        if ok:
            agreeing += 1
        else:
            differing[case.id] = why
            assert _close(expected, answer), f"{case.id}: {why}"
    print(f"\nagreeing with DuckDB: {agreeing}; differing: {differing}")
    assert agreeing >= AGREEING_FLOOR, differing


def test_conversations_agree_with_duckdb(on_snowflake, on_duckdb):
    turns = 0
    for dialogue in load_dialogues():
        on_sf, on_dk = Conversation(), Conversation()
        for case in dialogue.turns:
            expected = on_duckdb.ask(case.question, conversation=on_dk)
            answer = on_snowflake.ask(case.question, conversation=on_sf)
            assert (answer.status, answer.sql) == (expected.status, expected.sql), case.id
            if expected.ok:
                assert _close(expected, answer), case.id
                turns += 1
    assert turns >= 10


def test_a_refused_question_never_reaches_snowflake(on_snowflake, sent):
    hostile = [
        "drop table gold.customer_360_profile",
        "select * from read_csv('/etc/passwd')",
        "select 1; drop table gold.dim_date",
        "delete from gold.customer_360_profile",
        "select * from information_schema.tables",
    ]
    for sql in hostile:
        before = len(sent)
        answer = on_snowflake.run_sql(sql)
        assert answer.status == "refused", sql
        assert sent[before:] == [], sql
    before = len(sent)
    assert on_snowflake.ask("How many customers are there?").ok
    assert len(sent) == before + 1  # what is accepted is recorded as sent


def test_the_runner_itself_sends_only_one_read_only_query(snowflake_home, sent):
    runner = SnowflakeRunner(max_rows=5)
    try:
        for sql in [
            "drop table gold.dim_date",
            "select 1; select 2",
            "insert into gold.x values (1)",
        ]:
            before = len(sent)
            with pytest.raises(RunError):
                runner.run(sql)
            assert sent[before:] == [], sql
        result = runner.run("select customer_id from gold.customer_360_profile")
        assert len(result.rows) == 5 and result.truncated
    finally:
        runner.close()


def test_an_answer_over_the_byte_cap_is_refused(snowflake_home):
    runner = SnowflakeRunner(max_rows=1_000, max_bytes=2_000)
    try:
        with pytest.raises(RunError, match="larger than"):
            runner.run("select * from gold.customer_360_profile")
        assert runner.run("select count(*) as n from gold.customer_360_profile").rows[0][0] > 0
    finally:
        runner.close()


def test_a_failing_query_is_one_line_and_the_next_question_works(on_snowflake):
    failed = on_snowflake.run_sql(
        "select cast(state as integer) as n from gold.customer_360_profile"
    )
    assert failed.status == "error"
    assert "\n" not in failed.message and failed.message.startswith("the query failed")
    assert on_snowflake.ask("How many customers are there?").ok


def test_a_lost_session_is_replaced(on_snowflake):
    on_snowflake.runner._con.close()
    lost = on_snowflake.ask("How many customers are there?")
    assert lost.status == "error" and "\n" not in lost.message
    again = on_snowflake.ask("How many customers are there?")
    assert again.ok and on_snowflake.runner.rebuilds >= 1


def test_the_app_page_answers_on_snowflake(snowflake_home, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import ENTRY

    monkeypatch.setenv("C360_HOME", str(tmp_path))  # no DuckDB warehouse here at all
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.run()
    at.switch_page("app_pages/ai_assistant.py").run()
    assert not at.exception and not at.error
    at.chat_input(key="assistant_input").set_value("How many customers are in each segment?").run()
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["behavioral_segment", "customers"]
    assert frame["customers"].sum() > 0
    assert (tmp_path / "logs" / "assistant.jsonl").is_file()


def test_c360_ask_answers_on_snowflake(snowflake_home, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from c360.cli import app

    monkeypatch.setenv("C360_HOME", str(tmp_path))  # no DuckDB warehouse here at all
    result = CliRunner().invoke(app, ["ask", "average lifetime value by card type", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "answered" and data["columns"] == ["card_type", "avg_lifetime_value"]
    assert len(data["rows"]) == 2


def test_c360_ask_without_snowflake_settings_is_one_line(snowflake_home, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from c360.cli import app

    monkeypatch.setenv("C360_HOME", str(tmp_path))
    monkeypatch.delenv("SNOWFLAKE_ACCOUNT")
    result = CliRunner().invoke(app, ["ask", "How many customers are there?"])
    assert result.exit_code == 1
    assert "SNOWFLAKE_ACCOUNT" in result.output and "Traceback" not in result.output
