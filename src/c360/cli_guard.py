"""The command line's safety net: whatever goes wrong, the user gets one line, not a traceback.

`GuardedTyper` is the Typer app `c360` runs (`c360.cli:app` and `python -m c360`). Around a
command it turns
- a usage error (a bad flag or value) into `error: <what> (see `c360 CMD --help`)`, exit 2;
- an OSError (read-only or full disk, a home that is a file, ...) into one line naming the
  path and the reason, exit 1;
- any other exception into one line that says it is unexpected, exit 1.
`C360_DEBUG=1` shows the full traceback instead. Tests that drive the CLI through
`typer.testing.CliRunner` bypass this wrapper, so a real bug still fails them with its
traceback; the subprocess tests (`tests/test_cli_bad_inputs.py`) check that no bad input
reaches the "unexpected" line.
"""

import os
import sys
from typing import Any

import typer

DEBUG_ENV = "C360_DEBUG"
UNEXPECTED = "unexpected"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return " ".join(lines) if len(lines) <= 3 else lines[0]


def describe(exc: BaseException) -> str:
    """One line for the user about `exc`."""
    if isinstance(exc, OSError) and exc.strerror:
        where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        return f"{where}: {exc.strerror}" if where else exc.strerror
    if isinstance(exc, OSError | MemoryError) or "IOException" in type(exc).__name__:
        return _first_line(str(exc)) or type(exc).__name__
    message = _first_line(str(exc))
    return f"{UNEXPECTED} {type(exc).__name__}: {message} (set {DEBUG_ENV}=1 for the traceback)"


def _say(message: str) -> None:
    """`error: message` on stderr, the message as plain text (never read as markup)."""
    from rich.text import Text

    from c360.console import err_console

    line = Text.assemble(("error:", "bold red"), " ", message)
    err_console.print(line, highlight=False, soft_wrap=True)


class GuardedTyper(typer.Typer):
    """A Typer app whose every failure is one line on stderr and a non-zero exit."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            return super().__call__(*args, **kwargs)
        try:
            result = super().__call__(*args, **{**kwargs, "standalone_mode": False})
        except typer.TyperException as exc:  # Typer's own (click-derived) usage errors
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `c360`: the help
                exc.show()
            else:
                ctx = getattr(exc, "ctx", None)
                hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
                _say(_first_line(exc.format_message()) + hint)
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            _say("aborted")
            sys.exit(1)
        except Exception as exc:
            _say(describe(exc))
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)
