"""`c360 app`: the command it runs, passing Streamlit options through."""

import sys

import pytest
from typer.testing import CliRunner

from c360 import cli
from c360.app.launch import ENTRY, LaunchError, streamlit_argv, streamlit_options


def test_argv_runs_the_entry_point_with_port_and_extra_options():
    argv = streamlit_argv(8765, ["--server.headless", "true", "--theme.base=dark"])
    assert argv[:5] == [sys.executable, "-m", "streamlit", "run", str(ENTRY)]
    assert ENTRY.exists()
    assert argv[argv.index("--server.port") + 1] == "8765"
    assert argv[argv.index("--server.enableXsrfProtection") + 1] == "true"
    assert argv[-3:] == ["--server.headless", "true", "--theme.base=dark"]
    assert "--server.port" not in streamlit_argv(None)


def _value(argv: list[str], option: str) -> str:
    """The value Streamlit will use for `option`: the last one given."""
    return argv[len(argv) - 1 - argv[::-1].index(option) + 1]


@pytest.mark.parametrize(
    "extra",
    [
        ["--server.enableXsrfProtection", "false"],
        ["--server.enableXsrfProtection=false"],
        ["--server.enableXsrfProtection", "0"],
        # every spelling of "false" that Streamlit's parser (click's BOOL) accepts
        ["--server.enableXsrfProtection", "off"],
        ["--server.enableXsrfProtection", "f"],
        ["--server.enableXsrfProtection", "n"],
        ["--server.enableXsrfProtection", " No "],
        ["--server.enableXsrfProtection=off"],
        ["--server.enableXsrfProtection=F"],
        ["--server.enableXsrfProtection="],  # the empty value is false too
        # the last of repeated options wins
        ["--server.enableXsrfProtection", "true", "--server.enableXsrfProtection", "OFF"],
        ["--server.enableXsrfProtection", "maybe"],  # Streamlit would refuse it too
    ],
)
def test_xsrf_protection_cannot_be_turned_off(extra):
    with pytest.raises(LaunchError):
        streamlit_argv(None, extra)


@pytest.mark.parametrize(
    "extra",
    [
        ["--server.enableXsrfProtection", "true"],
        ["--server.enableXsrfProtection=on"],
        ["--server.headless", "off"],  # other booleans are the user's
        ["--", "--server.enableXsrfProtection", "false"],  # after --: the script's own args
    ],
)
def test_other_options_pass(extra):
    assert streamlit_argv(None, extra)[-len(extra) :] == extra


def test_xsrf_environment_variable_cannot_turn_it_off(monkeypatch):
    monkeypatch.setenv("STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION", "false")
    argv = streamlit_argv(None)
    assert streamlit_options(argv[5:])["server_enableXsrfProtection"] is True


def test_listens_on_this_machine_only_unless_told_and_hides_deploy():
    argv = streamlit_argv(None)
    assert _value(argv, "--server.address") == "127.0.0.1"
    assert _value(argv, "--client.toolbarMode") == "viewer"  # no Deploy / Rerun for viewers
    assert _value(streamlit_argv(None, host="0.0.0.0"), "--server.address") == "0.0.0.0"
    exposed = streamlit_argv(None, ["--server.address", "0.0.0.0"])
    assert streamlit_options(exposed[5:])["server_address"] == "0.0.0.0"


def test_cli_app_host_option(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli.subprocess, "call", lambda argv: seen.setdefault("argv", argv) and 0)
    result = CliRunner().invoke(cli.app, ["app", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert _value(seen["argv"], "--server.address") == "0.0.0.0"


def test_cli_app_passes_options_through(monkeypatch):
    seen = {}

    def fake_call(argv):
        seen["argv"] = argv
        return 0

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    result = CliRunner().invoke(cli.app, ["app", "--port", "9999", "--server.headless", "true"])
    assert result.exit_code == 0, result.output
    assert seen["argv"][seen["argv"].index("--server.port") + 1] == "9999"
    assert seen["argv"][-2:] == ["--server.headless", "true"]


def test_cli_app_refuses_to_turn_off_xsrf(monkeypatch):
    monkeypatch.setattr(cli.subprocess, "call", lambda argv: pytest.fail("must not start"))
    for value in ("false", "off", "f", "n"):
        result = CliRunner().invoke(cli.app, ["app", "--server.enableXsrfProtection", value])
        assert result.exit_code == 1
        assert "XSRF" in result.output
