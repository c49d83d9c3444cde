"""Execution accuracy: run each evaluation question and its expected SQL, compare results.

A case passes when the engine answered and its result equals the expected result:

- the same number of rows;
- every expected column matches a distinct answer column value for value (numbers rounded
  to 6 significant digits, timestamps at midnight compared as dates); extra answer columns
  are allowed (a count next to an average, say), column names are not compared;
- rows compare in order when the case says `ordered: true`, otherwise as multisets.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import yaml

from c360.assistant.answer import Answer
from c360.assistant.conversation import Conversation

QUESTIONS_PATH = Path(__file__).with_name("eval") / "questions.yml"
CONVERSATIONS_PATH = Path(__file__).with_name("eval") / "conversations.yml"
TARGET_ACCURACY = 0.90


@dataclass(frozen=True)
class Case:
    id: str
    theme: str
    question: str
    sql: str
    ordered: bool = False
    split: str = "dev"


@dataclass
class CaseResult:
    case: Case
    passed: bool
    status: str
    reason: str = ""
    sql: str | None = None
    seconds: float = 0.0


@dataclass
class Report:
    engine: str
    results: list[CaseResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def by(self, key: str) -> dict[str, tuple[int, int]]:
        groups: dict[str, list[CaseResult]] = {}
        for r in self.results:
            groups.setdefault(getattr(r.case, key), []).append(r)
        return {k: (sum(r.passed for r in v), len(v)) for k, v in sorted(groups.items())}

    def to_json(self) -> dict:
        return {
            "engine": self.engine,
            "cases": self.total,
            "passed": self.passed,
            "accuracy": round(self.accuracy, 4),
            "target": TARGET_ACCURACY,
            "by_theme": {k: {"passed": p, "cases": n} for k, (p, n) in self.by("theme").items()},
            "by_split": {k: {"passed": p, "cases": n} for k, (p, n) in self.by("split").items()},
            "failures": [
                {
                    "id": r.case.id,
                    "question": r.case.question,
                    "status": r.status,
                    "reason": r.reason,
                    "sql": r.sql,
                }
                for r in self.results
                if not r.passed
            ],
        }


def load_cases(path: Path = QUESTIONS_PATH) -> list[Case]:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return [
        Case(
            id=str(c["id"]),
            theme=str(c["theme"]),
            question=str(c["question"]),
            sql=str(c["sql"]).strip(),
            ordered=bool(c.get("ordered", False)),
            split=str(c.get("split", "dev")),
        )
        for c in raw["cases"]
    ]


def normalize(value):
    """A value in comparable form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if number != number:  # NaN
            return None
        return float(f"{number:.6g}")
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _key(value) -> tuple:
    """Sort key that orders mixed types and None deterministically."""
    return (value is None, type(value).__name__, "" if value is None else value)


def compare(
    expected_columns: list[str],
    expected_rows: list[tuple],
    actual_columns: list[str],
    actual_rows: list[tuple],
    ordered: bool,
) -> tuple[bool, str]:
    """(equal, why not) for two results, by the rules in the module docstring."""
    if len(expected_rows) != len(actual_rows):
        return False, f"expected {len(expected_rows)} rows, got {len(actual_rows)}"
    exp_cols = [[normalize(r[i]) for r in expected_rows] for i in range(len(expected_columns))]
    act_cols = [[normalize(r[i]) for r in actual_rows] for i in range(len(actual_columns))]

    def same(a: list, b: list) -> bool:
        return a == b if ordered else Counter(a) == Counter(b)

    mapping: list[int] = []
    for i, column in enumerate(exp_cols):
        found = next(
            (j for j, other in enumerate(act_cols) if j not in mapping and same(column, other)),
            None,
        )
        if found is None:
            return False, f"no answer column matches expected column {expected_columns[i]!r}"
        mapping.append(found)
    projected = [
        tuple(col[k] for col in (act_cols[j] for j in mapping)) for k in range(len(actual_rows))
    ]
    wanted = [tuple(col[k] for col in exp_cols) for k in range(len(expected_rows))]
    if ordered:
        ok = projected == wanted
    else:
        ok = sorted(projected, key=lambda r: [_key(v) for v in r]) == sorted(
            wanted, key=lambda r: [_key(v) for v in r]
        )
    return (True, "") if ok else (False, "rows differ")


def evaluate(assistant, cases: list[Case], engine: str = "offline") -> Report:
    """Run every case through `assistant` (a c360.assistant.service.Assistant)."""
    report = Report(engine)
    for case in cases:
        report.results.append(_score(assistant, case, engine))
    return report


@dataclass(frozen=True)
class Dialogue:
    """A multi-turn case: each turn is a Case answered in the conversation so far."""

    id: str
    theme: str
    turns: tuple[Case, ...]
    split: str = "dev"


@dataclass
class DialogueReport:
    """Conversations pass when every turn passes; turns are counted too."""

    engine: str
    results: list[tuple[Dialogue, list[CaseResult]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(all(r.passed for r in turns) for _, turns in self.results)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def turns(self) -> tuple[int, int]:
        flat = [r for _, turns in self.results for r in turns]
        return sum(r.passed for r in flat), len(flat)

    def to_json(self) -> dict:
        passed_turns, total_turns = self.turns
        return {
            "engine": self.engine,
            "conversations": self.total,
            "passed": self.passed,
            "accuracy": round(self.accuracy, 4),
            "turns": total_turns,
            "turns_passed": passed_turns,
            "target": TARGET_ACCURACY,
            "failures": [
                {
                    "id": d.id,
                    "turn": i + 1,
                    "question": r.case.question,
                    "status": r.status,
                    "reason": r.reason,
                    "sql": r.sql,
                }
                for d, turns in self.results
                for i, r in enumerate(turns)
                if not r.passed
            ],
        }


def load_dialogues(path: Path = CONVERSATIONS_PATH) -> list[Dialogue]:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    dialogues = []
    for c in raw["conversations"]:
        turns = tuple(
            Case(
                id=f"{c['id']}#{i + 1}",
                theme=str(c["theme"]),
                question=str(t["question"]),
                sql=str(t["sql"]).strip(),
                ordered=bool(t.get("ordered", False)),
            )
            for i, t in enumerate(c["turns"])
        )
        split = str(c.get("split", "dev"))
        dialogues.append(Dialogue(str(c["id"]), str(c["theme"]), turns, split))
    return dialogues


def evaluate_dialogues(
    assistant, dialogues: list[Dialogue], engine: str = "offline"
) -> DialogueReport:
    """Each conversation in a fresh `Conversation`; every turn scored like a single case."""
    report = DialogueReport(engine)
    for dialogue in dialogues:
        conversation = Conversation()
        results = []
        for case in dialogue.turns:
            results.append(_score(assistant, case, engine, conversation))
        report.results.append((dialogue, results))
    return report


def _score(assistant, case: Case, engine: str, conversation=None) -> CaseResult:
    expected: Answer = assistant.run_sql(case.sql, question=f"[eval expected] {case.id}")
    if not expected.ok:
        raise ValueError(f"expected SQL of {case.id} does not run: {expected.message}")
    if conversation is None:
        answer: Answer = assistant.ask(case.question, engine=engine)
    else:
        answer = assistant.ask(case.question, engine=engine, conversation=conversation)
    if not answer.ok:
        result = CaseResult(case, False, answer.status, answer.message, answer.sql)
    else:
        ok, why = compare(
            expected.columns, expected.rows, answer.columns, answer.rows, case.ordered
        )
        result = CaseResult(case, ok, answer.status, why, answer.sql)
    result.seconds = answer.seconds
    return result
