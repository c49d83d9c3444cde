"""The CLI's safety net: one line on stderr and a non-zero exit, the traceback only on request,
and tests that use CliRunner still see real exceptions."""

import errno
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from c360.cli_guard import DEBUG_ENV, GuardedTyper


def make_app() -> GuardedTyper:
    app = GuardedTyper(add_completion=False, pretty_exceptions_enable=False)

    @app.command()
    def full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/model/booster.txt")

    @app.command()
    def bug() -> None:
        raise ValueError("boom [bold]not markup[/bold]\nsecond line")

    @app.command()
    def count(n: Annotated[int, typer.Option()] = 1) -> None:
        typer.echo(n)

    @app.command()
    def leave(code: int = 3) -> None:
        raise typer.Exit(code)

    return app


def run(app, args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        app(args=args, prog_name="c360")
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.fixture(autouse=True)
def no_debug(monkeypatch):
    monkeypatch.delenv(DEBUG_ENV, raising=False)


def test_an_os_error_is_one_line_naming_the_path(capsys):
    code, _, err = run(make_app(), ["full"], capsys)
    assert code == 1
    assert err.splitlines() == ["error: /data/model/booster.txt: No space left on device"]


def test_any_other_exception_is_one_line_saying_it_is_unexpected(capsys):
    code, _, err = run(make_app(), ["bug"], capsys)
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("error: unexpected ValueError: boom [bold]not markup[/bold] second line")
    assert f"{DEBUG_ENV}=1" in err
    assert "Traceback" not in err


def test_the_traceback_on_request(monkeypatch):
    monkeypatch.setenv(DEBUG_ENV, "1")
    with pytest.raises(ValueError, match="boom"):
        make_app()(args=["bug"], prog_name="c360")


def test_a_usage_error_is_one_line_with_where_to_look(capsys):
    code, _, err = run(make_app(), ["count", "--n", "1e9"], capsys)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith("error: Invalid value for '--n'")
    assert "(see `c360 count --help`)" in err


def test_exit_codes_pass_through(capsys):
    assert run(make_app(), ["leave", "--code", "3"], capsys)[0] == 3
    assert run(make_app(), ["count", "--n", "5"], capsys)[:2] == (0, "5\n")


def test_cli_runner_still_sees_the_real_exception():
    """Tests that drive the app through CliRunner get the bug itself, not the safety net."""
    result = CliRunner().invoke(make_app(), ["bug"])
    assert isinstance(result.exception, ValueError)


def test_the_c360_app_is_guarded():
    from c360.cli import app

    assert isinstance(app, GuardedTyper)
