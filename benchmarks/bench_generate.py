"""Benchmark `c360 generate`: wall time, rows/s and peak RSS (whole process tree).

    .venv/bin/python benchmarks/bench_generate.py [--scale 1.0] [--output DIR]

Goal at the default size (50,000 customers, ~60M transactions): <= 60 s, <= 3 GB.
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    output = args.output or Path(tempfile.mkdtemp(prefix="c360-bench-")) / "bronze"
    c360 = str(Path(sys.executable).with_name("c360"))
    command = [c360, "generate", "--scale", str(args.scale), "--output", str(output)]
    result = measure([*command, "--force", "--json"])
    if result.returncode != 0:
        sys.exit(f"generate failed with exit code {result.returncode}")
    report = json.loads(result.stdout)
    rows = sum(report["rows"].values())
    summary = {
        "scale": args.scale,
        "customers": report["rows"]["customers"],
        "transactions": report["rows"]["transactions"],
        "seconds": round(result.seconds, 1),
        "rows_per_second": round(rows / result.seconds),
        "peak_rss_mb": round(result.peak_rss_mb),
        "cpu_percent": round(result.cpu_percent),
    }
    print("| " + " | ".join(summary) + " |")
    print(
        "| "
        + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in summary.values())
        + " |"
    )
    print(json.dumps(summary))
    if args.output is None:
        shutil.rmtree(output.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
