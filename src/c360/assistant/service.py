"""The assistant: one interface over both engines, the guard, the runner and the log.

    assistant = Assistant.open(Path("data/warehouse.duckdb"))
    answer = assistant.ask("Which states have the highest churn risk?")

Every question, the SQL tried, the guard's verdict and the outcome are appended as one JSON
line to `<home>/logs/assistant.jsonl`; thumbs up/down go to `assistant_feedback.jsonl`.
"""

import json
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from c360.assistant import guard
from c360.assistant.answer import Answer, choose_chart, summarize
from c360.assistant.conversation import Conversation, Turn
from c360.assistant.limits import MAX_QUESTION_CHARS
from c360.assistant.llm import (
    LLMClient,
    LLMConfig,
    LLMError,
    build_messages,
    extract_sql,
    repair_messages,
)
from c360.assistant.planner import Clarification, Plan, Planner
from c360.assistant.runner import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, RunError, Runner
from c360.assistant.semantic import SemanticModel, load
from c360.config import Paths, TargetError, resolve_target

if TYPE_CHECKING:
    from c360.assistant.snowflake_runner import SnowflakeRunner

ENGINES = ("offline", "llm")
LOG_FILE = "assistant.jsonl"
FEEDBACK_FILE = "assistant_feedback.jsonl"
MAX_LOGGED_CHARS = 4_000


class AssistantError(Exception):
    """The assistant cannot start or was asked something malformed; one line."""


class JsonLog:
    """Append-only JSON lines, safe across the app's session threads.

    Best effort: a home that is read-only or full still answers questions; the first failed
    write says so in one line on stderr."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._warned = False

    def write(self, record: dict) -> None:
        record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), **record}
        line = json.dumps(record, default=str, ensure_ascii=False)
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
            except OSError as exc:
                if not self._warned:
                    self._warned = True
                    sys.stderr.write(
                        f"warning: not logging to {self.path}: {exc.strerror or exc}\n"
                    )


def _clip(text, n: int = MAX_LOGGED_CHARS):
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= n else text[:n] + f"… [{len(text) - n} more characters]"


def open_runner(
    warehouse: Path | None, target: str | None = None, **limits
) -> "Runner | SnowflakeRunner":
    """The one place that picks the engine the assistant's SQL runs on: Snowflake when the
    target (`target`, else $C360_TARGET) is snowflake, else the DuckDB warehouse file (the
    Spark target publishes one too). Raises RunError or TargetError (one line)."""
    if resolve_target(target) == "snowflake":
        from c360.assistant.snowflake_runner import SnowflakeRunner  # sqlglot, connector

        return SnowflakeRunner(**limits)
    if warehouse is None:
        raise RunError("no warehouse file given")
    return Runner(Path(warehouse), **limits)


class Assistant:
    """Answers questions about one published warehouse."""

    def __init__(
        self,
        runner: "Runner | SnowflakeRunner",
        model: SemanticModel,
        log_dir: Path,
        llm: LLMClient | None = None,
    ):
        self.runner = runner
        self.model = model
        self.as_of = runner.as_of()
        self.planner = Planner(model, self.as_of, self._data_values())
        self.llm = llm
        self.log = JsonLog(log_dir / LOG_FILE)
        self.feedback_log = JsonLog(log_dir / FEEDBACK_FILE)

    @classmethod
    def open(
        cls,
        warehouse: Path | None = None,
        log_dir: Path | None = None,
        llm_config: LLMConfig | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS,
        target: str | None = None,
    ) -> "Assistant":
        """An assistant on the configured target (`target`, else $C360_TARGET): the DuckDB
        warehouse file, or Snowflake. Logs go to `log_dir`, else next to the warehouse
        file, else to `$C360_HOME/logs`."""
        try:
            runner = open_runner(warehouse, target, timeout_s=timeout_s, max_rows=max_rows)
        except (RunError, TargetError) as exc:
            raise AssistantError(str(exc)) from None
        if log_dir is None:
            log_dir = Path(warehouse).parent if warehouse else Paths.from_env().home
            log_dir = log_dir / "logs"
        try:
            llm = LLMClient(llm_config) if llm_config else None
            return cls(runner, load(), log_dir, llm)
        except RunError as exc:
            runner.close()
            raise AssistantError(str(exc)) from None

    def close(self) -> None:
        self.runner.close()

    def _data_values(self) -> dict[str, list[str]]:
        sources = {"p": "gold.customer_360_profile p", "c": "gold.dim_merchant_category c"}
        values = {}
        for dim in self.model.dimensions:
            alias = dim.expr.split(".")[0]
            if dim.values_from_data and alias in sources:
                sql = f"select distinct {dim.expr} from {sources[alias]} order by 1"
                values[dim.name] = self.runner.distinct(sql)
        return values

    # -- asking --

    def ask(
        self, question: str, engine: str = "offline", conversation: Conversation | None = None
    ) -> Answer:
        """Answer `question` with the chosen engine; never raises for a bad question.

        With a `conversation`, a follow-up builds on its previous turns, and the turn is
        added to it."""
        if engine not in ENGINES:
            raise AssistantError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        started = time.perf_counter()
        question = question if isinstance(question, str) else str(question)
        try:
            if engine == "llm":
                answer, attempts = self._ask_llm(question, conversation)
            else:
                answer, attempts = self._ask_offline(question, conversation)
        except AssistantError:
            raise
        except Exception as exc:  # a bug must cost one answer, never the assistant
            message = f"internal error ({type(exc).__name__}); the question was not answered"
            answer = Answer(question, engine, "error", message=message)
            attempts = [{"error": f"{type(exc).__name__}: {_clip(exc, 500)}"}]
        answer.seconds = time.perf_counter() - started
        if conversation is not None:
            conversation.add(
                Turn(question, engine, answer.status, answer.sql, answer.interpretation)
            )
        self.log.write(
            {
                "event": "ask",
                "question": _clip(question),
                "engine": engine,
                "status": answer.status,
                "sql": _clip(answer.sql),
                "message": _clip(answer.message, 500),
                "rows": len(answer.rows),
                "seconds": round(answer.seconds, 4),
                "attempts": attempts,
                **({"turn": len(conversation.turns)} if conversation is not None else {}),
            }
        )
        return answer

    def _previous_spec(self, conversation: Conversation | None):
        """The last answered offline turn's spec; a loaded conversation replays its turns."""
        if conversation is None:
            return None
        if conversation.spec is None and conversation.turns and not conversation.replayed:
            spec = None
            for turn in conversation.turns:
                if turn.engine == "offline" and turn.status == "answered":
                    planned = self.planner.plan(turn.question, spec)
                    if isinstance(planned, Plan):
                        spec = planned.spec
            conversation.spec = spec
        conversation.replayed = True
        return conversation.spec

    def _ask_offline(
        self, question: str, conversation: Conversation | None = None
    ) -> tuple[Answer, list[dict]]:
        planned = self.planner.plan(question, self._previous_spec(conversation))
        if isinstance(planned, Clarification):
            answer = Answer(
                question=question,
                engine="offline",
                status="clarify",
                message=planned.message,
                suggestions=planned.suggestions,
            )
            return answer, [{"verdict": "clarify", "reason": planned.message}]
        answer, attempts = self._execute(question, "offline", planned.sql, planned)
        if answer.ok and conversation is not None:
            conversation.spec = planned.spec
        return answer, attempts

    def _execute(
        self, question: str, engine: str, sql: str, plan: Plan | None
    ) -> tuple[Answer, list[dict]]:
        try:
            verdict = guard.check(sql, self.model, max_rows=self.runner.max_rows)
        except Exception as exc:  # the guard failing to check means refusing, never running
            verdict = guard.refuse(f"the guard could not check this SQL ({type(exc).__name__})")
        attempt = {"sql": _clip(sql), "verdict": "accepted" if verdict.ok else "refused"}
        if not verdict.ok:
            attempt["reason"] = verdict.reason
            answer = Answer(
                question, engine, "refused", sql=sql, message=f"refused: {verdict.reason}"
            )
            return answer, [attempt]
        try:
            result = self.runner.run(verdict.sql)
        except RunError as exc:
            attempt["error"] = str(exc)
            return Answer(question, engine, "error", sql=verdict.sql, message=str(exc)), [attempt]
        truncated = result.truncated or (
            verdict.limit_enforced and len(result.rows) >= (verdict.limit or 0)
        )
        formats = {}
        if plan is not None:
            formats = {m.alias: m.format for m in plan.measures}
        answer = Answer(
            question=question,
            engine=engine,
            status="answered",
            sql=verdict.sql,
            columns=result.columns,
            rows=result.rows,
            summary=summarize(plan, result.columns, result.rows, truncated),
            chart=choose_chart(plan, result.columns, result.rows),
            truncated=truncated,
            interpretation=plan.describe() if plan else "",
            formats=formats,
        )
        attempt["rows"] = len(result.rows)
        return answer, [attempt]

    def _ask_llm(
        self, question: str, conversation: Conversation | None = None
    ) -> tuple[Answer, list[dict]]:
        if self.llm is None:
            raise AssistantError(
                "the LLM engine is not configured: set C360_LLM_BASE_URL and C360_LLM_MODEL"
            )
        if not question.strip():
            return Answer(question, "llm", "clarify", message="Ask a question."), []
        history = conversation.history() if conversation is not None else []
        messages = build_messages(
            self.model, self.as_of, question[:MAX_QUESTION_CHARS], history=history
        )
        attempts: list[dict] = []
        for round_ in (1, 2):
            try:
                reply = self.llm.complete(messages)
            except LLMError as exc:
                attempts.append({"error": str(exc)})
                return Answer(question, "llm", "error", message=str(exc)), attempts
            sql = extract_sql(reply)
            if sql is None:
                attempts.append({"verdict": "no sql", "reply": _clip(reply, 500)})
                text = " ".join(reply.split())[:500]
                return Answer(question, "llm", "clarify", message=text), attempts
            answer, tried = self._execute(question, "llm", sql, None)
            attempts += tried
            if answer.ok or round_ == 2:
                return answer, attempts
            messages = repair_messages(messages, reply, answer.message.removeprefix("refused: "))
        raise AssertionError("unreachable")

    def run_sql(self, sql: str, question: str = "", engine: str = "sql") -> Answer:
        """Guard and run given SQL (evaluation's expected queries, tests); logged."""
        answer, attempts = self._execute(question, engine, sql, None)
        self.log.write(
            {
                "event": "sql",
                "question": _clip(question),
                "engine": engine,
                "status": answer.status,
                "sql": _clip(sql),
                "attempts": attempts,
            }
        )
        return answer

    # -- feedback --

    def feedback(self, question: str, sql: str | None, rating: str, engine: str = "") -> None:
        """Store a thumbs up ('up') or down ('down') for an answer."""
        if rating not in ("up", "down"):
            raise AssistantError("rating must be 'up' or 'down'")
        self.feedback_log.write(
            {"question": _clip(question), "sql": _clip(sql), "rating": rating, "engine": engine}
        )
