"""`c360 app`: the command it runs, passing Streamlit options through."""

import sys

import pytest
from typer.testing import CliRunner

from c360 import cli
from c360.app.launch import ENTRY, LaunchError, streamlit_argv


def test_argv_runs_the_entry_point_with_port_and_extra_options():
    argv = streamlit_argv(8765, ["--server.headless", "true", "--theme.base=dark"])
    assert argv[:5] == [sys.executable, "-m", "streamlit", "run", str(ENTRY)]
    assert ENTRY.exists()
    assert argv[argv.index("--server.port") + 1] == "8765"
    assert argv[argv.index("--server.enableXsrfProtection") + 1] == "true"
    assert argv[-3:] == ["--server.headless", "true", "--theme.base=dark"]
    assert "--server.port" not in streamlit_argv(None)


@pytest.mark.parametrize(
    "extra",
    [
        ["--server.enableXsrfProtection", "false"],
        ["--server.enableXsrfProtection=false"],
        ["--server.enablexsrfprotection", "0"],
    ],
)
def test_xsrf_protection_cannot_be_turned_off(extra):
    with pytest.raises(LaunchError):
        streamlit_argv(None, extra)


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
    result = CliRunner().invoke(cli.app, ["app", "--server.enableXsrfProtection", "false"])
    assert result.exit_code == 1
    assert "XSRF" in result.output
