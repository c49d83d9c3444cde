"""Benchmark the app's queries and its first page render on a built warehouse.

    .venv/bin/python benchmarks/bench_app.py [--home DIR] [--runs 50] [--no-browser]

- Customer 360 lookup: profile + the latest 100 transactions (with their count) + the
  monthly trend, for `--runs` customers drawn with a fixed seed.
- Segment Explorer: every query the page runs (overview, segment table, risk by segment,
  state map, customer list) for `--runs` random filter combinations.
- First page render: `c360 app` served headless; seconds from navigation until the
  Segment Explorer's first chart title is on screen in Chromium.

Every query runs uncached (Streamlit's cache is cleared before each call), so the figures
are what a user sees on a first visit. Prints a Markdown table and one JSON line.
"""

import argparse
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

CHROMIUM = "/usr/bin/chromium"


def _uncached(function, *args):
    function.clear()
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _stats(name: str, seconds: list[float], goal_ms: float) -> dict:
    ms = np.array(seconds) * 1000
    return {
        "measure": name,
        "runs": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
        "goal_ms": goal_ms,
    }


def customer_360(q, wh, customer_ids: list[str]) -> list[float]:
    times = []
    for customer_id in customer_ids:
        times.append(
            _uncached(q.customer_profile, wh, customer_id)
            + _uncached(q.customer_transactions, wh, customer_id, q.TransactionFilters())
            + _uncached(q.customer_monthly_spend, wh, customer_id)
        )
    return times


def random_filters(q, options: dict, rng: random.Random):
    def some(values: list[str]) -> tuple[str, ...]:
        return (
            tuple(rng.sample(values, rng.randint(1, min(3, len(values)))))
            if rng.random() < 0.5
            else ()
        )

    ltv_min = rng.choice(
        [None, options["ltv_min"] + (options["ltv_max"] - options["ltv_min"]) * 0.1]
    )
    return q.Filters(
        segments=some(options["segments"]),
        states=some(options["states"]),
        card_types=some(options["card_types"]),
        risk_tiers=some(options["risk_tiers"]),
        age_bands=some(options["age_bands"]),
        ltv_min=ltv_min,
    )


def segment_explorer(q, wh, runs: int, rng: random.Random) -> list[float]:
    options = q.filter_options(wh)
    times = []
    for _ in range(runs):
        filters = random_filters(q, options, rng)
        times.append(
            sum(
                _uncached(query, wh, filters)
                for query in (
                    q.portfolio_overview,
                    q.segment_summary,
                    q.risk_by_segment,
                    q.state_summary,
                    q.customer_list,
                )
            )
        )
    return times


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_render(home: Path) -> float:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    c360 = str(Path(sys.executable).with_name("c360"))
    proc = subprocess.Popen(
        [c360, "app", "--port", str(port), "--server.headless", "true"],
        env=os.environ | {"C360_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("c360 app did not start")
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.get_by_text("Segment sizes").wait_for(timeout=60_000)
            seconds = time.perf_counter() - started
            browser.close()
        return seconds
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("C360_HOME", "data")))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    os.environ["C360_HOME"] = str(args.home.resolve())

    from c360.app import queries as q  # after C360_HOME is set

    for name in list(logging.root.manager.loggerDict):  # "no runtime" cache warnings
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)

    wh = q.locate()
    if wh is None:
        sys.exit(f"no warehouse under {args.home}: run `c360 run` first")
    rng = random.Random(7)
    with q.cursor(wh) as con:
        ids = [
            row[0]
            for row in con.execute("select customer_id from gold.customer_360_profile").fetchall()
        ]
    results = [
        _stats("Customer 360 lookup", customer_360(q, wh, rng.sample(ids, args.runs)), 100),
        _stats("Segment Explorer filters", segment_explorer(q, wh, args.runs, rng), 250),
    ]
    if not args.no_browser:
        seconds = [first_render(args.home) for _ in range(3)]
        results.append(_stats("First page render", seconds, 3000))
    print("| measure | runs | p50 (ms) | p95 (ms) | max (ms) | goal p95 (ms) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        cells = [r["measure"], r["runs"], r["p50_ms"], r["p95_ms"], r["max_ms"], r["goal_ms"]]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    print(json.dumps({"customers": len(ids), "results": results}))


if __name__ == "__main__":
    main()
