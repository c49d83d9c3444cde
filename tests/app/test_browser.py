"""A real browser: `c360 app` served on a free port, driven by Playwright through Chromium.

Uses Debian's Chromium (`make test` installs it). Outside CI the test is skipped when
/usr/bin/chromium is missing; in CI (CI=true) a missing browser is a failure.
Screenshots land in $C360_SCREENSHOTS (default: the test's temporary folder).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXCEPTION = '[data-testid="stException"]'

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: `make test` installs it", pytrace=False)
    pytest.skip(
        f"{CHROMIUM} is not installed (`apt-get install chromium`)", allow_module_level=True
    )

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _c360() -> str:
    found = shutil.which("c360") or str(Path(os.sys.executable).with_name("c360"))
    assert Path(found).exists(), "the c360 command is not installed"
    return found


@pytest.fixture()
def served(built_home, tmp_path):
    port = _free_port()
    env = dict(os.environ, C360_HOME=str(built_home.home))
    log = open(tmp_path / "app.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [_c360(), "app", "--port", str(port), "--server.headless", "true"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("c360 app did not start:\n" + (tmp_path / "app.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _settle(page) -> None:
    """Wait for Streamlit to finish running the script."""
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)


def test_every_page_in_a_real_browser(served, tmp_path):
    shots = Path(os.environ.get("C360_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        try:
            # Segment Explorer, then a filter
            page.goto(served)
            page.get_by_text("Segment sizes").wait_for(timeout=60_000)
            _settle(page)
            assert page.locator(EXCEPTION).count() == 0
            assert page.get_by_text("Data as of").count() == 1
            # viewers get no developer menu: no Deploy button even on localhost
            assert page.get_by_test_id("stToolbar").count() == 1
            assert page.get_by_test_id("stAppDeployButton").count() == 0
            before = page.get_by_test_id("stMetricValue").first.inner_text()
            card_type = page.get_by_test_id("stMultiSelect").filter(has_text="Card type")
            card_type.locator("input").fill("Premium")
            page.get_by_role("option", name="Premium").click()
            page.keyboard.press("Escape")  # close the list
            _settle(page)
            page.get_by_text("card types: Premium").first.wait_for(timeout=30_000)
            sync_api.expect(page.get_by_test_id("stMetricValue").first).not_to_have_text(
                before, timeout=30_000
            )
            assert page.locator(EXCEPTION).count() == 0
            page.screenshot(path=str(shots / "segment_explorer.png"), full_page=True)

            # Customer 360: search a customer by partial name
            page.goto(f"{served}/customer_360")
            search = page.get_by_label("Find a customer")
            search.wait_for(timeout=60_000)
            search.fill("CUST000001")
            search.press("Enter")
            page.get_by_text("Demographics & account").wait_for(timeout=60_000)
            _settle(page)
            assert page.locator(EXCEPTION).count() == 0
            assert page.get_by_text("Churn risk").count() >= 1
            page.screenshot(path=str(shots / "customer_360.png"), full_page=True)

            # Campaign Performance
            page.goto(f"{served}/campaign_performance")
            page.get_by_text("Campaign simulator").wait_for(timeout=60_000)
            page.get_by_text("Retention effect", exact=True).wait_for(timeout=60_000)
            _settle(page)
            assert page.locator(EXCEPTION).count() == 0
            page.screenshot(path=str(shots / "campaign_performance.png"), full_page=True)

            # AI Assistant: ask a question in the chat
            page.goto(f"{served}/ai_assistant")
            chat = page.get_by_placeholder("Ask a question about the portfolio")
            chat.wait_for(timeout=60_000)
            chat.fill("How many customers are in each segment?")
            chat.press("Enter")
            page.get_by_text("has the most customers", exact=False).wait_for(timeout=60_000)
            _settle(page)
            assert page.locator(EXCEPTION).count() == 0
            page.screenshot(path=str(shots / "ai_assistant.png"), full_page=True)

            # Model health: the verdict of the session's one scoring
            page.goto(f"{served}/model_health")
            page.get_by_text("Verdict: model healthy").wait_for(timeout=60_000)
            page.get_by_text("Data volume and freshness").wait_for(timeout=60_000)
            _settle(page)
            assert page.locator(EXCEPTION).count() == 0
            page.screenshot(path=str(shots / "model_health.png"), full_page=True)
        finally:
            browser.close()
    assert sorted(path.name for path in shots.glob("*.png")) == [
        "ai_assistant.png",
        "campaign_performance.png",
        "customer_360.png",
        "model_health.png",
        "segment_explorer.png",
    ]
