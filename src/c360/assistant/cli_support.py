"""What `c360 ask` prints: the answer as a table with its summary and SQL, or JSON; and the
evaluation report. Kept here so the CLI module stays a thin layer."""

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from c360.assistant import conversation
from c360.assistant.answer import Answer, format_value
from c360.assistant.limits import MAX_QUESTION_CHARS
from c360.assistant.llm import LLMConfig, LLMError
from c360.assistant.service import ENGINES, Assistant, AssistantError

EXIT_ANSWERED, EXIT_FAILED, EXIT_CLARIFY = 0, 1, 2


class CliError(Exception):
    """A one-line error for the CLI to print."""


def _session_path(home: Path, name: str) -> Path:
    try:
        return conversation.session_path(home, name)
    except conversation.SessionError as exc:
        raise CliError(str(exc)) from None


def open_assistant(warehouse: Path, engine: str) -> Assistant:
    if engine not in ENGINES:
        raise CliError(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    llm_config = None
    if engine == "llm":
        try:
            llm_config = LLMConfig.from_env()
        except LLMError as exc:
            raise CliError(str(exc)) from None
        if llm_config is None:
            raise CliError(
                "the llm engine needs C360_LLM_BASE_URL and C360_LLM_MODEL "
                "(and C360_LLM_API_KEY if the endpoint wants one)"
            )
    try:
        return Assistant.open(warehouse, llm_config=llm_config)
    except AssistantError as exc:
        raise CliError(str(exc)) from None


def _exit_code(answer: Answer) -> int:
    if answer.status == "answered":
        return EXIT_ANSWERED
    return EXIT_CLARIFY if answer.status == "clarify" else EXIT_FAILED


def ask(
    warehouse: Path,
    question: str | None,
    engine: str,
    as_json: bool,
    rows: int,
    session: str | None = None,
    reset: bool = False,
) -> int:
    """Answer one question (in the named session, if any); print it; return the exit code."""
    path = _session_path(warehouse.parent, session) if session else None
    if reset and path is not None:
        conversation.reset(path)
        if question is None:
            Console().print(f"session {session!r} started over")
            return EXIT_ANSWERED
    if question is None:
        raise CliError("ask needs a question")
    if len(question) > MAX_QUESTION_CHARS:
        raise CliError(f"the question is longer than {MAX_QUESTION_CHARS:,} characters")
    if "\x00" in question:
        raise CliError("the question contains a NUL character")
    try:
        talk = conversation.load(path) if path is not None else None
    except conversation.SessionError as exc:
        raise CliError(str(exc)) from None
    assistant = open_assistant(warehouse, engine)
    try:
        answer = assistant.ask(question, engine=engine, conversation=talk)
    except AssistantError as exc:
        raise CliError(str(exc)) from None
    finally:
        assistant.close()
    if talk is not None:
        try:
            conversation.save(path, talk)
        except OSError as exc:
            raise CliError(f"could not save session {session!r}: {exc.strerror or exc}") from None
    if as_json:
        from c360.console import print_json

        print_json(answer.to_json())
        return _exit_code(answer)
    if answer.status in ("refused", "error"):
        raise CliError(answer.message)
    out = Console(soft_wrap=True, highlight=False)
    if answer.status == "clarify":
        out.print(answer.message, markup=False)
        for suggestion in answer.suggestions:
            out.print(f"  try: {suggestion}", markup=False)
        return EXIT_CLARIFY
    print_answer(out, answer, rows)
    return EXIT_ANSWERED


def print_answer(out: Console, answer: Answer, rows: int) -> None:
    table = Table(show_edge=False, header_style="bold")
    for column in answer.columns:
        table.add_column(column, justify="left", overflow="fold")
    for row in answer.rows[:rows]:
        table.add_row(
            *(
                format_value(v, answer.formats.get(c, "text"))
                for c, v in zip(answer.columns, row, strict=True)
            )
        )
    if answer.rows and rows:
        out.print(table)
    hidden = len(answer.rows) - min(rows, len(answer.rows))
    if hidden > 0:
        out.print(f"… {hidden:,} more row{'s' if hidden != 1 else ''} (use --rows or --json)")
    out.print(answer.summary, markup=False)
    if answer.interpretation:
        out.print(f"[dim]understood as: {answer.interpretation}[/]", highlight=False)
    out.print("\n" + (answer.sql or ""), markup=False)


def run_eval(warehouse: Path, engine: str, as_json: bool) -> int:
    """Run the evaluation set; print the report; 1 when below the target accuracy."""
    from c360.assistant.evaluation import (
        TARGET_ACCURACY,
        evaluate,
        evaluate_dialogues,
        load_cases,
        load_dialogues,
    )

    assistant = open_assistant(warehouse, engine)
    try:
        report = evaluate(assistant, load_cases(), engine=engine)
        dialogues = evaluate_dialogues(assistant, load_dialogues(), engine=engine)
    except (AssistantError, ValueError) as exc:
        raise CliError(str(exc)) from None
    finally:
        assistant.close()
    below = report.accuracy < TARGET_ACCURACY or dialogues.accuracy < TARGET_ACCURACY
    if as_json:
        from c360.console import print_json

        print_json({**report.to_json(), "conversations": dialogues.to_json()})
        return EXIT_FAILED if below else EXIT_ANSWERED
    out = Console(soft_wrap=True, highlight=False)
    table = Table(title=f"Execution accuracy ({engine})", show_edge=False)
    for name in ("group", "passed", "cases", "accuracy"):
        table.add_column(name, justify="right" if name != "group" else "left")
    for key in ("theme", "split"):
        for group, (passed, total) in report.by(key).items():
            table.add_row(f"{key}: {group}", str(passed), str(total), f"{passed / total:.1%}")
    out.print(table)
    for r in report.results:
        if not r.passed:
            out.print(
                f"failed {r.case.id}: {r.case.question} — {r.status}: {r.reason}", markup=False
            )
    for dialogue, turns in dialogues.results:
        for i, r in enumerate(turns):
            if not r.passed:
                out.print(
                    f"failed {dialogue.id} turn {i + 1}: {r.case.question} — {r.status}: "
                    f"{r.reason}",
                    markup=False,
                )
    verdict = "below" if below else "meets"
    passed_turns, total_turns = dialogues.turns
    out.print(
        f"execution accuracy {report.accuracy:.1%} ({report.passed}/{report.total}); "
        f"conversations {dialogues.accuracy:.1%} ({dialogues.passed}/{dialogues.total}, "
        f"turns {passed_turns}/{total_turns}); {verdict} the {TARGET_ACCURACY:.0%} target"
    )
    sys.stdout.flush()
    return EXIT_FAILED if below else EXIT_ANSWERED
