"""Alerts for unattended runs: a shell command and/or a webhook, never an exception.

`C360_ALERT_COMMAND` runs through the shell with the alert's JSON on stdin and in
`$C360_ALERT` (plus `$C360_ALERT_STATUS` and a one-line `$C360_ALERT_SUMMARY`);
`C360_ALERT_WEBHOOK` receives the same JSON in a POST. An alert that cannot be delivered
is logged on stderr and recorded in the run's report: it never turns a passed run into a
failed one, nor hides why a failed one failed.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

COMMAND_ENV = "C360_ALERT_COMMAND"
WEBHOOK_ENV = "C360_ALERT_WEBHOOK"
TIMEOUT_SECONDS = 30.0


def send_alert(alert: dict, timeout: float = TIMEOUT_SECONDS) -> list[str]:
    """Deliver `alert` to every configured channel; one outcome line per channel."""
    body = json.dumps(alert, default=str)
    outcomes = []
    command = os.environ.get(COMMAND_ENV, "").strip()
    if command:
        outcomes.append(_run_command(command, body, alert, timeout))
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if url:
        outcomes.append(_post(url, body, timeout))
    for line in outcomes:
        if "failed" in line:
            sys.stderr.write(f"c360: {line}\n")
    return outcomes


def _run_command(command: str, body: str, alert: dict, timeout: float) -> str:
    env = os.environ | {
        "C360_ALERT": body,
        "C360_ALERT_STATUS": str(alert.get("status", "")),
        "C360_ALERT_SUMMARY": str(alert.get("summary", "")),
    }
    try:
        done = subprocess.run(
            command,
            shell=True,
            input=body,
            text=True,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"alert command failed: still running after {timeout:g}s"
    except OSError as exc:
        return f"alert command failed: {exc.strerror or exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()
        why = f": {tail[-1]}" if tail else ""
        return f"alert command failed: exit {done.returncode}{why}"
    return "alert command ran"


def _post(url: str, body: str, timeout: float) -> str:
    if not url.lower().startswith(("http://", "https://")):
        return f"alert webhook failed: {url!r} is not an http(s) URL"
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={"Content-Type": "application/json", "User-Agent": "c360-daily"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return f"alert webhook answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"alert webhook failed: HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"alert webhook failed: {reason}"
