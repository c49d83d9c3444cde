"""Terminal output shared by CLI commands: errors, JSON, and rich progress bars."""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

err_console = Console(stderr=True)

STAGE_LABELS = {
    "plan": "Planning transaction volumes",
    "count": "Drawing transaction counts",
    "write": "Writing transactions",
    "land": "Landing new days",
    "dbt": "Building models and tests (dbt)",
}


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line to stderr and return the Exit to raise. The message is printed
    as it is: text from the user (a bad value, e.g. "[/]") is never read as markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@contextmanager
def stage_progress(enabled: bool = True) -> Iterator:
    """A callback `(stage, done, total)` drawing one progress bar per stage on stderr."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    columns = (
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Started at the first update, so a command that fails before any stage prints nothing
    # but its one error line.
    bars = Progress(*columns, console=err_console, transient=False)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if not tasks:
            bars.start()
        if stage not in tasks:
            tasks[stage] = bars.add_task(STAGE_LABELS.get(stage, stage), total=total)
        bars.update(tasks[stage], completed=done)

    try:
        yield update
    finally:
        if tasks:
            bars.stop()
