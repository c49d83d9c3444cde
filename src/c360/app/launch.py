"""Start the Streamlit app: the command line `c360 app` runs."""

import sys
from collections.abc import Sequence
from pathlib import Path

ENTRY = Path(__file__).with_name("streamlit_app.py")
DEFAULT_HOST = "127.0.0.1"  # this machine only; `c360 app --host 0.0.0.0` exposes it
XSRF_PARAM = "server_enableXsrfProtection"  # the name `streamlit run` gives the option


class LaunchError(Exception):
    """The app cannot be started as asked."""


def streamlit_options(argv: Sequence[str]) -> dict:
    """The options `streamlit run` will use for `argv` (the words after `run`), parsed by
    Streamlit's own command-line parser, so values and repeats count as they will there."""
    import click
    from streamlit.web.cli import main_run  # imported late: Streamlit is slow to import

    try:
        with main_run.make_context("streamlit run", list(argv)) as ctx:
            return dict(ctx.params)
    except click.ClickException as exc:
        raise LaunchError(exc.format_message()) from None
    except (click.exceptions.Exit, click.exceptions.Abort, SystemExit) as exc:
        raise LaunchError(f"Streamlit refuses these options ({exc})") from None


def streamlit_argv(
    port: int | None = None, extra: Sequence[str] = (), host: str = DEFAULT_HOST
) -> list[str]:
    """The command that serves the app; `extra` goes to `streamlit run` unchanged.

    Streamlit's own options (`--server.headless true`, `--theme.base dark`, ...) and its
    `STREAMLIT_*` environment variables work as usual; XSRF protection cannot be turned off.
    The app listens on `host` (this machine only by default) and hides Streamlit's developer
    options (Deploy, Rerun, Clear cache) from viewers.
    """
    argv = [sys.executable, "-m", "streamlit", "run", str(ENTRY)]
    argv += ["--server.enableXsrfProtection", "true", "--browser.gatherUsageStats", "false"]
    argv += ["--server.enableStaticServing", "true"]  # the map's topology, see static/
    argv += ["--server.address", host, "--client.toolbarMode", "viewer"]
    if port is not None:
        argv += ["--server.port", str(port)]
    argv += list(extra)
    if streamlit_options(argv[5:]).get(XSRF_PARAM) is not True:
        raise LaunchError("XSRF protection stays on in c360's app")
    return argv
