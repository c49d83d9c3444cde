"""Benchmark the AI Assistant's offline answers: latency per question, p50/p95.

    C360_HOME=data .venv/bin/python benchmarks/bench_assistant.py [--repeat 3] [--home DIR]

Opens the published warehouse of the home (read-only; logs go to a temporary folder),
answers one warm-up question, then every evaluation question (src/c360/assistant/eval/
questions.yml) `--repeat` times with the offline engine. One answer = plan + guard + run +
summary, as `c360 ask` and the app do it. Prints a Markdown row for docs/benchmarks.md and
one JSON line. The goal at the default size is p95 <= 500 ms.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from c360.assistant.evaluation import load_cases
from c360.assistant.service import Assistant, AssistantError

GOAL_P95_MS = 500


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=None, help="default: $C360_HOME or ./data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = (args.home or Path(os.environ.get("C360_HOME", "data"))).resolve()

    started = time.perf_counter()
    try:
        assistant = Assistant.open(
            home / "warehouse.duckdb", log_dir=Path(tempfile.mkdtemp(prefix="c360-bench-"))
        )
    except AssistantError as exc:
        sys.exit(f"error: {exc}")
    open_ms = (time.perf_counter() - started) * 1000
    try:
        size = assistant.runner.run(
            "select (select count(*) from gold.customer_360_profile), "
            "(select count(*) from gold.fct_transactions)"
        ).rows[0]
        questions = [c.question for c in load_cases()]
        assistant.ask(questions[0])  # warm-up
        timings, statuses = [], {}
        for _ in range(args.repeat):
            for question in questions:
                t0 = time.perf_counter()
                answer = assistant.ask(question)
                timings.append((time.perf_counter() - t0) * 1000)
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
    finally:
        assistant.close()

    result = {
        "customers": size[0],
        "transactions": size[1],
        "questions": len(questions),
        "answers": len(timings),
        "statuses": statuses,
        "open_ms": round(open_ms, 1),
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "goal_p95_ms": GOAL_P95_MS,
    }
    print(
        "| customers | transactions | answers | p50 (ms) | p95 (ms) | max (ms) | open (ms) |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {size[0]:,} | {size[1]:,} | {len(timings)} | {result['p50_ms']} | "
        f"{result['p95_ms']} | {result['max_ms']} | {result['open_ms']} |"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
