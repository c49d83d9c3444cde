"""A conversation: the turns so far, so a follow-up ("and for Texas?") can build on them.

The offline planner keeps the last answered turn's spec in memory; a conversation loaded
from disk rebuilds it by planning its offline turns again (deterministic, milliseconds).
The LLM engine gets the previous turns' questions and SQL, newest first, within a size
budget. Named sessions (`c360 ask --session NAME`) are readable JSON files under
`$C360_HOME/sessions/`, written atomically.
"""

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_TURNS = 50  # a session keeps its last 50 turns
LLM_HISTORY_CHARS = 6_000  # previous questions and SQL sent to the LLM, at most


class SessionError(Exception):
    """A session name or file that cannot be used; one line."""


@dataclass
class Turn:
    question: str
    engine: str
    status: str
    sql: str | None = None
    interpretation: str = ""


@dataclass
class Conversation:
    """Turns of one conversation; `spec` is the offline planner's state (not saved)."""

    turns: list[Turn] = field(default_factory=list)
    spec: object | None = None  # c360.assistant.planner.QuerySpec of the last answer
    replayed: bool = False

    def add(self, turn: Turn, spec=None) -> None:
        self.turns = [*self.turns, turn][-MAX_TURNS:]
        if spec is not None:
            self.spec = spec

    def history(self, budget: int = LLM_HISTORY_CHARS) -> list[Turn]:
        """Answered turns with SQL, oldest first, the newest that fit in `budget` chars."""
        kept: list[Turn] = []
        used = 0
        for turn in reversed(self.turns):
            if turn.status != "answered" or not turn.sql:
                continue
            size = len(turn.question) + len(turn.sql)
            if used + size > budget:
                break
            kept.append(turn)
            used += size
        return list(reversed(kept))


def session_path(home: Path, name: str) -> Path:
    if not SESSION_NAME.match(name or ""):
        raise SessionError(
            f"session name {name!r} is not usable: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return home / "sessions" / f"{name}.json"


def load(path: Path) -> Conversation:
    """The saved conversation, or an empty one if there is none yet."""
    if not path.exists():
        return Conversation()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        turns = [Turn(**t) for t in raw["turns"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SessionError(
            f"session file {path} is unreadable ({type(exc).__name__}); start over with --reset"
        ) from None
    return Conversation(turns=turns)


def save(path: Path, conversation: Conversation) -> None:
    """Write the session atomically (a crash leaves the previous file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "turns": [asdict(t) for t in conversation.turns]}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def reset(path: Path) -> None:
    path.unlink(missing_ok=True)
