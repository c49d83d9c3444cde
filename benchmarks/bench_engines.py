"""DuckDB and Spark side by side: the same full `c360 build` on the same bronze.

    .venv/bin/python benchmarks/bench_engines.py [--customers 2000] [--transactions N]
        [--seed 42] [--home DIR] [--keep]

Generates one bronze layer (transactions default to the default size's 1,200 per
customer), copies it into a DuckDB home and a Spark home, and runs `c360 build` (every
model and every test, then publish) on each: DuckDB first, then `--target spark` (local
pyspark, Java 17). Prints wall time, peak RSS (whole process tree, including Spark's JVM)
and CPU per engine, and Spark's time as a multiple of DuckDB's; as a Markdown table and
one JSON line. Without --home, works in a temporary folder.
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

TRANSACTIONS_PER_CUSTOMER = 1_200  # 60M / 50k, the default size's ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--transactions", type=int, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep a temporary home")
    args = parser.parse_args()
    root = args.home or Path(tempfile.mkdtemp(prefix="c360-engines-"))
    transactions = args.transactions or args.customers * TRANSACTIONS_PER_CUSTOMER
    c360 = str(Path(sys.executable).with_name("c360"))
    homes = {"duckdb": root / "duckdb", "spark": root / "spark"}

    bronze = homes["duckdb"] / "bronze"
    if not (bronze / "_manifest.json").exists():
        generated = measure(
            [c360, "generate", "--customers", str(args.customers), "--transactions",
             str(transactions), "--seed", str(args.seed), "--output", str(bronze),
             "--force", "--json"],
            env=os.environ | {"C360_HOME": str(homes["duckdb"])},
        )  # fmt: skip
        if generated.returncode != 0:
            sys.exit("generate failed")
    if not (homes["spark"] / "bronze").exists():
        shutil.copytree(bronze, homes["spark"] / "bronze")
    manifest = json.loads((bronze / "_manifest.json").read_text())

    runs = []
    for engine, home in homes.items():
        result = measure(
            [c360, "build", "--target", engine, "--json"],
            env=os.environ | {"C360_HOME": str(home), "C360_TARGET": engine},
        )
        if result.returncode != 0:
            sys.exit(f"{engine} build failed with exit code {result.returncode}")
        report = json.loads(result.stdout)
        print(f"{engine}: {result.seconds:.1f}s", file=sys.stderr)
        runs.append(
            {
                "engine": engine,
                "seconds": round(result.seconds, 1),
                "peak_rss_mb": round(result.peak_rss_mb),
                "cpu_percent": round(result.cpu_percent),
                "dbt_nodes": report["nodes"],
            }
        )

    duck, spark = runs
    ratio = round(spark["seconds"] / duck["seconds"], 1)
    rows = manifest["rows"]["transactions"]
    print("| engine | build seconds | transactions/s | peak RSS (MB) | CPU % | dbt nodes |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        rate = f"{rows / run['seconds']:,.0f}"
        cells = [run["engine"], run["seconds"], rate, f"{run['peak_rss_mb']:,}",
                 run["cpu_percent"], run["dbt_nodes"]]  # fmt: skip
        print("| " + " | ".join(str(c) for c in cells) + " |")
    print(f"\nSpark / DuckDB wall time: {ratio}x")
    summary = {
        "customers": manifest["rows"]["customers"],
        "transactions": rows,
        "spark_over_duckdb": ratio,
        "runs": runs,
    }
    print(json.dumps(summary))
    if args.home is None and not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
