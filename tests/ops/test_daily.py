"""`c360 daily` end to end on a small home, as real processes: the lock keeps two runs
apart, the refits follow their cadence, a bad delivery fails the day with yesterday's
warehouse still served, and every failure or stale day reaches the alert webhook."""

import importlib.util
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.generate.landing import land_days
from c360.ops.alert import COMMAND_ENV, WEBHOOK_ENV
from c360.ops.daily import MONITOR_REPORT, DailyOptions, StepError, attempt_step, refit_due
from c360.warehouse.publish import read_build_info
from tests.conftest import copy_built_home
from tests.test_lock import c360_process, digest, run_c360, wait_until_holding


@pytest.fixture()
def landed_home(built_home, tmp_path, monkeypatch):
    """A copy of the built, scored home with one more day landed in bronze."""
    monkeypatch.setenv("C360_DBT_THREADS", "1")
    paths = copy_built_home(built_home, tmp_path / "home")
    land_days(paths.bronze, 1)
    return paths


def statuses(report: dict) -> dict[str, str]:
    return {step["name"]: step["status"] for step in report["steps"]}


def assert_monitor_step(report: dict, home) -> None:
    """Skipped where this c360 has no monitor; otherwise its verdict, and its report kept."""
    (step,) = [s for s in report["steps"] if s["name"] == "monitor"]
    if importlib.util.find_spec("c360.monitor") is None:
        assert step["status"] == "skipped"
        return
    written = json.loads((home / MONITOR_REPORT).read_text())
    assert step["detail"].startswith(written["verdict"]["line"])
    assert step["status"] == ("ok" if written["verdict"]["status"] == "healthy" else "warn")


def test_a_failed_step_is_retried_with_backoff():
    calls, waits = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise StepError(f"not yet ({len(calls)})")
        return "ok", "passed"

    result = attempt_step("refresh", flaky, DailyOptions(retries=2, retry_delay=5), waits.append)
    assert (result.status, result.detail, result.attempts) == ("ok", "passed", 3)
    assert waits == [5, 10]

    calls.clear()
    waits.clear()
    result = attempt_step("refresh", flaky, DailyOptions(retries=1, retry_delay=5), waits.append)
    assert (result.status, result.detail, result.attempts) == ("failed", "not yet (2)", 2)
    assert waits == [5]


def test_refits_are_due_by_their_cadence():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 8, 6, tzinfo=UTC)
    assert refit_due(None, 7, now)
    assert refit_due("2026-01-01T06:00:00+00:00", 7, now)
    assert not refit_due("2026-01-01T06:00:01+00:00", 7, now)
    assert refit_due("2026-01-08T05:00:00+00:00", 0, now)
    assert refit_due("not a date", 7, now)


def test_two_daily_runs_never_overlap_and_refits_follow_the_cadence(
    landed_home, webhook, monkeypatch
):
    monkeypatch.setenv(WEBHOOK_ENV, webhook.url)
    monkeypatch.delenv(COMMAND_ENV, raising=False)
    home = landed_home.home
    landed = json.loads((landed_home.bronze / "_manifest.json").read_text())["as_of_date"]

    first = c360_process(home, "daily", "--json", "--retry-delay", "0")
    wait_until_holding(home, first)
    refused = run_c360(home, "--lock-timeout", "0", "daily")
    second = c360_process(home, "daily", "--json", "--retry-delay", "0")
    out, err = first.communicate(timeout=900)
    assert first.returncode == 0, err
    later_out, later_err = second.communicate(timeout=900)
    assert second.returncode == 0, later_err

    # the run that found the lock held says so in one line and does nothing
    assert refused.returncode == 1
    assert "is locked by `c360 daily --json" in refused.stderr
    assert f"pid {first.pid}" in refused.stderr
    assert "waiting up to" in later_err  # the other one waited its turn

    report, later = json.loads(out), json.loads(later_out)
    assert later["started_at"] >= report["finished_at"]
    # synthetic bronze is as old as its as-of date: stale, so alerted, but the day passed
    assert statuses(report) == {
        "freshness": "stale",
        "refresh": "ok",
        "score": "ok",
        "clv": "ok",
        "uplift": "ok",
        "monitor": statuses(report)["monitor"],
    }
    assert_monitor_step(report, home)
    assert report["status"] == "stale" and report["ok"] is True
    assert "bronze.transactions warn" in report["steps"][0]["detail"]
    assert read_build_info(landed_home.warehouse)["as_of_date"] == landed
    # the second run, within the week, refreshes and scores but does not refit
    assert statuses(later) | {"clv": "skipped", "uplift": "skipped"} == statuses(later)
    assert [statuses(later)[s] for s in ("refresh", "score")] == ["ok", "ok"]
    assert "not due" in next(s for s in later["steps"] if s["name"] == "clv")["detail"]
    state = json.loads((home / "daily_state.json").read_text())
    assert state["clv"]["last_success"] >= report["started_at"]
    assert state["last_run"]["at"] == later["started_at"]
    # each stale day alerted the webhook once, with the run's report
    assert [alert["json"]["status"] for alert in webhook.received] == ["stale", "stale"]
    assert webhook.received[0]["json"]["steps"] == report["steps"]


def test_a_bad_delivery_fails_the_day_and_yesterdays_warehouse_stays_served(
    landed_home, webhook, monkeypatch, tmp_path
):
    # a customer delivered again with another email: two rows for one customer id, which
    # the refresh's data test `unique` on stg_customers.customer_id refuses
    customers = pq.read_table(landed_home.bronze / "customers").slice(0, 1)
    changed = customers.set_column(
        customers.schema.get_field_index("email"), "email", pa.array(["someone.else@example.com"])
    )
    pq.write_table(changed, landed_home.bronze / "customers" / "redelivery-20260102.parquet")
    served = digest(landed_home.warehouse)
    build_info = read_build_info(landed_home.warehouse)
    alert_file = tmp_path / "alert.json"
    monkeypatch.setenv(WEBHOOK_ENV, webhook.url)
    monkeypatch.setenv(COMMAND_ENV, f"cat > {alert_file}")

    done = run_c360(
        landed_home.home, "daily", "--json", "--retries", "1", "--retry-delay", "0", timeout=900
    )

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert statuses(report) == {
        "freshness": "stale",
        "refresh": "failed",
        "score": "skipped",
        "clv": "skipped",
        "uplift": "skipped",
        "monitor": "skipped",
    }
    refresh = report["steps"][1]
    assert refresh["attempts"] == 2
    assert "unique_stg_customers_customer_id failed" in refresh["detail"]
    assert "refresh failed (attempt 1 of 2)" in done.stderr
    assert report["summary"].startswith("c360 daily failed at refresh: ")
    # nothing was published: the same file, the same build
    assert digest(landed_home.warehouse) == served
    assert read_build_info(landed_home.warehouse) == build_info
    # both channels got the same alert
    assert [alert["json"] for alert in webhook.received] == [json.loads(alert_file.read_text())]
    assert webhook.received[0]["json"]["status"] == "failed"
    assert report["alerts"] == ["alert command ran", "alert webhook answered 200"]
