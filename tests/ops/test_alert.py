"""Alerts reach a real webhook and a real shell command; an alert that cannot be delivered
is reported, never raised."""

import json
import socket

from c360.ops.alert import COMMAND_ENV, WEBHOOK_ENV, send_alert
from tests.ops.conftest import Listener

ALERT = {"source": "c360 daily", "status": "failed", "summary": "c360 daily failed at refresh"}


def test_the_webhook_receives_the_alert_as_json(webhook, monkeypatch):
    monkeypatch.delenv(COMMAND_ENV, raising=False)
    monkeypatch.setenv(WEBHOOK_ENV, webhook.url)
    assert send_alert(ALERT) == ["alert webhook answered 200"]
    assert webhook.received == [{"content_type": "application/json", "json": ALERT}]


def test_the_command_gets_the_alert_on_stdin_and_in_its_environment(tmp_path, monkeypatch):
    out = tmp_path / "alert"
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(
        COMMAND_ENV,
        f'cat > {out}.json; printf "%s|%s" "$C360_ALERT_STATUS" "$C360_ALERT" > {out}.env',
    )
    assert send_alert(ALERT) == ["alert command ran"]
    assert json.loads((tmp_path / "alert.json").read_text()) == ALERT
    status, body = (tmp_path / "alert.env").read_text().split("|", 1)
    assert status == "failed" and json.loads(body) == ALERT


def test_undeliverable_alerts_are_logged_not_raised(monkeypatch, capsys):
    refusing = Listener(answer=500)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens on this port now
    try:
        monkeypatch.setenv(COMMAND_ENV, "echo 'no pager configured' >&2; exit 3")
        monkeypatch.setenv(WEBHOOK_ENV, refusing.url)
        assert send_alert(ALERT) == [
            "alert command failed: exit 3: no pager configured",
            "alert webhook failed: HTTP 500 Internal Server Error",
        ]
        monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{port}/alert")
        monkeypatch.setenv(COMMAND_ENV, "true")
        outcomes = send_alert(ALERT, timeout=5)
    finally:
        refusing.close()
    assert outcomes[0] == "alert command ran"
    assert outcomes[1].startswith("alert webhook failed: ") and "refused" in outcomes[1]
    assert len(refusing.received) == 1
    assert "c360: alert webhook failed: HTTP 500" in capsys.readouterr().err


def test_no_channel_configured_sends_nothing(monkeypatch):
    monkeypatch.delenv(COMMAND_ENV, raising=False)
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    assert send_alert(ALERT) == []
