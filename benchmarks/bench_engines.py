"""The whole pipeline on each engine from one bronze: each stage's time, peak RSS, ratios.

    .venv/bin/python benchmarks/bench_engines.py [--scale 0.1] [--engines duckdb,spark,cluster]
        [--seed 42] [--root DIR] [--executor-memory 2g] [--keep]

Generates one bronze layer (`c360 generate --scale S`), copies it into one home per engine,
and runs `c360 run --json` there (build with every test, train, score, CLV, uplift, one
republish; on Spark also the DuckDB serving file):
  duckdb   the embedded default;
  spark    `--target spark`, pyspark in the c360 process (`local[2]`);
  cluster  `--target spark` through a standalone master and two workers (one core each),
           started by c360.warehouse.spark_cluster for this run and stopped after; executor
           memory from a spark-defaults.conf under SPARK_CONF_DIR (docs/spark.md).
Each stage's wall time comes from `c360 run --json` ("seconds"); its peak RSS (whole
process tree, the JVMs included) from the samples taken while it ran. Then, per Spark run,
where dbt's time went (run_results.json): models against tests, and the median node, which
is what a node costs when it has almost no data (the fixed cost). Prints Markdown tables
and one JSON line. Without --root, works in a temporary folder.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure

from c360.warehouse import spark_cluster

STAGES = ["build", "train", "score", "clv", "uplift", "publish"]


def stage_peaks(samples: list[tuple[float, int]], ended: float, seconds: dict) -> dict:
    """Peak RSS (MB) within each stage, from (time, bytes) samples and stage wall times.
    The stages are laid back to back ending when the process ended (what follows the last
    stage is a JSON line; what precedes the first, Python's start, is left out)."""
    peaks, start = {}, ended - sum(seconds.values())
    for name, spent in seconds.items():
        end = start + spent
        inside = [rss for t, rss in samples if start <= t <= end]
        peaks[name] = round(max(inside) / 2**20) if inside else None
        start = end
    return peaks


NODE_LINE = re.compile(
    r"(\d+) of (\d+) (?:OK|PASS|WARN|FAIL|ERROR) (.*?)\s*\.*\s*\[\w+ in ([\d.]+)s\]"
)


def dbt_profile(home: Path) -> dict:
    """Where the build's dbt time went, from the home's dbt log (run_results.json holds
    only the last dbt command, the republish): models, data tests and unit tests (count,
    seconds of node time) and the median node, about what a node costs without data."""
    nodes: dict[int, tuple[str, float]] = {}
    largest = 0
    for line in (home / "logs" / "dbt.log").read_text().splitlines():
        match = NODE_LINE.search(line)
        if not match:
            continue
        index, total, text, seconds = match.groups()
        if int(total) > largest:  # the build is the command with the most nodes
            largest, nodes = int(total), {}
        if int(total) == largest:
            nodes[int(index)] = (text, float(seconds))
    kinds: dict[str, list[float]] = {"model": [], "data test": [], "unit test": []}
    for text, seconds in nodes.values():
        kind = "model" if " model " in text else "unit test" if "::" in text else "data test"
        kinds[kind].append(seconds)
    slowest = sorted(nodes.values(), key=lambda node: -node[1])[:5]
    return {
        "nodes": len(nodes),
        **{f"{kind}s": [len(times), round(sum(times), 1)] for kind, times in kinds.items()},
        "median_node_seconds": round(statistics.median(s for _, s in nodes.values()), 2),
        "slowest": [[text.split()[-1], seconds] for text, seconds in slowest],
    }


def run_engine(engine: str, home: Path, executor_memory: str) -> dict:
    c360 = str(Path(sys.executable).with_name("c360"))
    env = os.environ | {"C360_HOME": str(home), "C360_TARGET": engine.replace("cluster", "spark")}
    spec = None
    if engine == "cluster":
        conf = home / "spark-conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "spark-defaults.conf").write_text(f"spark.executor.memory {executor_memory}\n")
        spec = spark_cluster.ClusterSpec(state_dir=home / "cluster", worker_memory=executor_memory)
        spark_cluster.start(spec)
        env |= {"C360_SPARK_MASTER": spec.master_url, "SPARK_CONF_DIR": str(conf)}
        env |= {"SPARK_LOCAL_IP": spark_cluster.HOST}
    try:
        started = time.perf_counter()
        result = measure([c360, "run", "--json"], env=env, keep_samples=True)
    finally:
        if spec is not None:
            spark_cluster.stop(spec)
    if result.returncode != 0:
        sys.exit(f"{engine}: c360 run failed with exit code {result.returncode}")
    report = json.loads(result.stdout)
    seconds = {name: report["seconds"][name] for name in STAGES}
    return {
        "engine": engine,
        "seconds": round(result.seconds, 1),
        "peak_rss_mb": round(result.peak_rss_mb),
        "cpu_percent": round(result.cpu_percent),
        "stage_seconds": seconds,
        "stage_peak_rss_mb": stage_peaks(result.samples, started + result.seconds, seconds),
        "dbt": dbt_profile(home),
    }


def print_tables(runs: list[dict], transactions: int) -> None:
    duck = runs[0]
    print(f"\n{transactions:,} transactions\n")
    print("| engine | stage | seconds | peak RSS (MB) | / DuckDB |")
    print("|---|---|---|---|---|")
    for run in runs:
        for name in [*STAGES, "total"]:
            spent = run["seconds"] if name == "total" else run["stage_seconds"][name]
            base = duck["seconds"] if name == "total" else duck["stage_seconds"][name]
            peak = run["peak_rss_mb"] if name == "total" else run["stage_peak_rss_mb"][name]
            ratio = f"{spent / base:.1f}x" if base else ""
            print(f"| {run['engine']} | {name} | {spent:.1f} | {peak or ''} | {ratio} |")
    print(
        "\n| engine | dbt nodes | models: n (s) | data tests: n (s) | unit tests: n (s) "
        "| median node (s) | slowest nodes (s) |"
    )
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        d = run["dbt"]
        slow = ", ".join(f"{name} {s}" for name, s in d["slowest"])
        kinds = [f"{n} ({s})" for n, s in (d["models"], d["data tests"], d["unit tests"])]
        cells = [run["engine"], d["nodes"], *kinds, d["median_node_seconds"], slow]
        print("| " + " | ".join(str(c) for c in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--engines", default="duckdb,spark,cluster")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--executor-memory", default="2g", help="per cluster executor")
    parser.add_argument("--keep", action="store_true", help="keep a temporary root")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if engines[0] != "duckdb":
        sys.exit("--engines must start with duckdb (the ratios are against it)")
    root = args.root or Path(tempfile.mkdtemp(prefix="c360-engines-"))
    c360 = str(Path(sys.executable).with_name("c360"))

    bronze = root / "bronze"
    if not (bronze / "_manifest.json").exists():
        generated = measure(
            [c360, "generate", "--scale", str(args.scale), "--seed", str(args.seed),
             "--output", str(bronze), "--force", "--json"],
            env=os.environ | {"C360_HOME": str(root)},
        )  # fmt: skip
        if generated.returncode != 0:
            sys.exit("generate failed")
    transactions = json.loads((bronze / "_manifest.json").read_text())["rows"]["transactions"]

    runs = []
    for engine in engines:
        home = root / engine
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(bronze, home / "bronze")
        runs.append(run_engine(engine, home, args.executor_memory))
        print(f"{engine}: {runs[-1]['seconds']:.1f}s", file=sys.stderr)

    print_tables(runs, transactions)
    print(json.dumps({"scale": args.scale, "transactions": transactions, "runs": runs}))
    if args.root is None and not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
