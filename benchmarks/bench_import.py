"""Benchmark `c360 import`: wall time, rows/s and peak RSS (whole process tree).

    .venv/bin/python benchmarks/bench_import.py [--rows 60000000] [--customers 50000]

Writes a transactions-only CSV of `--rows` rows (customer id, dd/mm/yyyy date, amount;
made by DuckDB, seeded), then imports it into a fresh home with a mapping for the date
format, the case that parses every value. Goal at 60M rows: peak RSS <= 2 GB.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure

MAPPING = 'transactions:\n  formats:\n    transaction_ts: "%d/%m/%Y"\n'


def write_csv(path: Path, rows: int, customers: int) -> None:
    with duckdb.connect() as con:
        con.execute("select setseed(0.42)")
        con.execute(
            f"""copy (
                select printf('C%08d', cast(floor(random() * {customers}) as integer))
                           as Customer_ID,
                       strftime(date '2024-01-01' + cast(floor(random() * 730) as integer),
                                '%d/%m/%Y') as Transaction_TS,
                       round(random() * 200, 2) as AMOUNT
                from range({rows})
            ) to '{path}' (header)"""
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=60_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="c360-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    csv, mapping = work / "transactions.csv", work / "mapping.yml"
    write_csv(csv, args.rows, args.customers)
    mapping.write_text(MAPPING)
    c360 = str(Path(sys.executable).with_name("c360"))
    env = os.environ | {"C360_HOME": str(work / "home")}
    result = measure(
        [c360, "import", "--transactions", str(csv), "--mapping", str(mapping), "--json"],
        env=env,
    )
    if result.returncode != 0:
        sys.exit(f"import failed with exit code {result.returncode}")
    report = json.loads(result.stdout)
    summary = {
        "rows": report["rows"]["transactions"],
        "csv_mb": round(csv.stat().st_size / 2**20),
        "seconds": round(result.seconds, 1),
        "rows_per_second": round(report["rows"]["transactions"] / result.seconds),
        "peak_rss_mb": round(result.peak_rss_mb),
        "cpu_percent": round(result.cpu_percent),
    }
    print("| " + " | ".join(summary) + " |")
    print("| " + " | ".join(f"{v:,}" for v in summary.values()) + " |")
    print(json.dumps(summary))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
