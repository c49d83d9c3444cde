"""Benchmark the pipeline stage by stage: wall time, rows/s and peak RSS of each.

    .venv/bin/python benchmarks/bench_pipeline.py [--scale 1.0] [--home DIR] [--keep]
        [--no-models]

Stages: generate, build (full dbt build with every test), land one new day and refresh
(incremental build of that day), twice (the second refresh can start from the standby
file), train, score (left out with --no-models, e.g. at 10x where only the warehouse is
measured); and the floor: the bronze transactions copied into a table of a fresh
DuckDB file and checkpointed, to which the build time is compared. Prints each refresh as
a multiple of the build.
Prints a Markdown table, the slowest dbt nodes of the build and the refresh (from dbt's
run_results.json: where their time goes), and one JSON line. Without --home, works in a
temporary folder.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure

# The build's physical floor: copy the bronze transactions into a DuckDB table in a fresh
# file and checkpoint it (every byte the build must at least read and write once).
FLOOR_SQL = (
    "import duckdb, sys, tempfile, os; d = tempfile.mkdtemp(dir=sys.argv[2]); "
    "con = duckdb.connect(os.path.join(d, 'floor.duckdb')); "
    "con.execute('create table t as select * from read_parquet(?)', [sys.argv[1]]); "
    "con.execute('checkpoint'); con.close(); import shutil; shutil.rmtree(d)"
)


def slowest_dbt_nodes(home: Path, n: int = 6) -> list[list]:
    """The n dbt nodes of the last dbt run that took longest: [name, seconds]."""
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())["results"]
    timed = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:n]
    return [[r["unique_id"].split(".")[-1], round(r["execution_time"], 1)] for r in timed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep a temporary home")
    parser.add_argument("--no-models", action="store_true", help="leave out train and score")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="c360-bench-"))
    env = os.environ | {"C360_HOME": str(home)}
    c360 = str(Path(sys.executable).with_name("c360"))

    stages = []

    def stage(name: str, command: list[str]) -> dict:
        result = measure(command, env=env)
        print(f"{name}: {result.seconds:.1f}s", file=sys.stderr)
        if result.returncode != 0:
            # what was measured up to here is still worth keeping (e.g. the stage that
            # fails at 10x the default size)
            failed = {
                "stage": f"{name} (FAILED)",
                "seconds": round(result.seconds, 1),
                "peak_rss_mb": round(result.peak_rss_mb),
                "cpu_percent": round(result.cpu_percent),
            }
            clean = [{k: v for k, v in s.items() if k != "stdout"} for s in stages]
            print(json.dumps({"scale": args.scale, "stages": [*clean, failed]}))
            sys.exit(f"{name} failed with exit code {result.returncode}")
        return {
            "stage": name,
            "seconds": round(result.seconds, 1),
            "peak_rss_mb": round(result.peak_rss_mb),
            "cpu_percent": round(result.cpu_percent),
            "stdout": result.stdout,
        }

    if not (home / "bronze" / "_manifest.json").exists():
        stages.append(stage("generate", [c360, "generate", "--scale", str(args.scale), "--json"]))
    manifest = json.loads((home / "bronze" / "_manifest.json").read_text())
    transactions = manifest["rows"]["transactions"]
    glob = str(home / "bronze" / "transactions" / "*.parquet")
    floor_command = [sys.executable, "-c", FLOOR_SQL, glob, str(home)]
    stages.append(stage("floor (bronze transactions into a fresh DuckDB file)", floor_command))
    stages.append(stage("build", [c360, "build", "--json"]))
    stages[-1]["slowest_dbt_nodes"] = slowest_dbt_nodes(home)
    for second in ("", " again"):  # the second refresh can start from the standby file
        stages.append(stage(f"land 1 day{second}", [c360, "generate", "--days", "1", "--json"]))
        stages.append(stage(f"refresh (1 day){second}", [c360, "refresh", "--json"]))
        stages[-1]["slowest_dbt_nodes"] = slowest_dbt_nodes(home)
        stages[-1]["start"] = json.loads(stages[-1]["stdout"]).get("start")
    if not args.no_models:
        stages.append(stage("train", [c360, "train", "--json"]))
        stages.append(stage("score", [c360, "score", "--json"]))

    floor = next(s["seconds"] for s in stages if s["stage"].startswith("floor"))
    build = next(s["seconds"] for s in stages if s["stage"] == "build")
    print("| stage | seconds | transactions/s | peak RSS (MB) | CPU % |")
    print("|---|---|---|---|---|")
    for s in stages:
        rate = f"{transactions / s['seconds']:,.0f}" if s["seconds"] else ""
        cells = [s["stage"], s["seconds"], rate, f"{s['peak_rss_mb']:,}", s["cpu_percent"]]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    summary = {
        "scale": args.scale,
        "customers": manifest["rows"]["customers"],
        "transactions": transactions,
        "build_over_floor": round(build / floor, 1),
        "stages": [{k: v for k, v in s.items() if k != "stdout"} for s in stages],
    }
    if not args.no_models:
        train = json.loads(next(s["stdout"] for s in stages if s["stage"] == "train"))
        summary["model"] = {
            name: train["report"][name]["roc_auc"]
            for name in ("lightgbm", "logistic_regression", "recency_rule")
        } | {"ece": train["report"]["lightgbm"]["ece"]}
    for s in stages:
        if "slowest_dbt_nodes" in s:
            nodes = ", ".join(f"{name} {seconds} s" for name, seconds in s["slowest_dbt_nodes"])
            print(f"slowest dbt nodes of {s['stage']}: {nodes}")
    print(f"build / floor: {summary['build_over_floor']}x")
    for s in stages:
        if s["stage"].startswith("refresh"):
            ratio = round(s["seconds"] / build, 2)
            summary.setdefault("refresh_over_build", []).append(ratio)
            print(f"{s['stage']} / build: {ratio}x (started from {s.get('start')})")
    print(json.dumps(summary))
    if args.home is None and not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
