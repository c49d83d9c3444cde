"""Start the Streamlit app: the command line `c360 app` runs."""

import sys
from collections.abc import Sequence
from pathlib import Path

ENTRY = Path(__file__).with_name("streamlit_app.py")


class LaunchError(Exception):
    """The app cannot be started as asked."""


def _disables_xsrf(args: Sequence[str]) -> bool:
    flat = " ".join(args).replace("=", " ").lower().split()
    for i, token in enumerate(flat):
        if token == "--server.enablexsrfprotection" and i + 1 < len(flat):
            return flat[i + 1] in {"false", "0", "no"}
    return False


def streamlit_argv(port: int | None = None, extra: Sequence[str] = ()) -> list[str]:
    """The command that serves the app; `extra` goes to `streamlit run` unchanged.

    Streamlit's own options (`--server.headless true`, `--theme.base dark`, ...) and its
    `STREAMLIT_*` environment variables work as usual; XSRF protection cannot be turned off.
    """
    if _disables_xsrf(extra):
        raise LaunchError("XSRF protection stays on in c360's app")
    argv = [sys.executable, "-m", "streamlit", "run", str(ENTRY)]
    argv += ["--server.enableXsrfProtection", "true", "--browser.gatherUsageStats", "false"]
    argv += ["--server.enableStaticServing", "true"]  # the map's topology, see static/
    if port is not None:
        argv += ["--server.port", str(port)]
    return [*argv, *extra]
