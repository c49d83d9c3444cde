"""CLV and uplift fit time on a built home; prints one JSON line and appends nothing.

    .venv/bin/python benchmarks/bench_clv_uplift.py --home /path/to/home

The home must have a published warehouse (`c360 build`); the churn model is used, if
present, only for the churn-risk comparison. Nothing is written to the home: the run uses a
scratch home whose warehouse, bronze and model are symlinks to the home's (read-only) and
publishes nothing. Record results in docs/benchmarks.md ("CLV and uplift").
"""

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from c360.config import Paths
from c360.pipeline import run_clv, run_uplift


def scratch_home(home: Path, target: Path) -> Paths:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("warehouse.duckdb", "bronze", "model"):
        if (home / name).exists():
            (target / name).symlink_to((home / name).resolve())
    return Paths(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="A built c360 home.")
    parser.add_argument("--holdout-days", type=int, default=180)
    parser.add_argument("--learner", default="x", choices=["t", "x"])
    parser.add_argument(
        "--compare-learners",
        action="store_true",
        help="Afterwards also fit the other learner (timed apart, not in the total).",
    )
    args = parser.parse_args()
    manifest = json.loads((args.home / "bronze" / "_manifest.json").read_text())
    scratch = Path(tempfile.mkdtemp(prefix="c360-bench-clv-"))
    try:
        paths = scratch_home(args.home.resolve(), scratch)
        started = time.perf_counter()
        clv = run_clv(paths, holdout_days=args.holdout_days, publish=False)
        clv_seconds = time.perf_counter() - started
        started = time.perf_counter()
        uplift = run_uplift(paths, learner=args.learner, publish=False)
        uplift_seconds = time.perf_counter() - started
        other = None
        if args.compare_learners:
            name = "t" if args.learner == "x" else "x"
            started = time.perf_counter()
            result = run_uplift(paths, learner=name, publish=False)
            other = {
                "learner": name,
                "seconds": round(time.perf_counter() - started, 1),
                "qini_area": result.qini_area,
                "truth_pearson": (result.truth or {}).get("pearson_with_true_effect"),
                "truth_budgets": (result.truth or {}).get("budgets"),
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    validation = clv.validation or {}
    print(
        json.dumps(
            {
                "customers": manifest["rows"]["customers"],
                "transactions": manifest["rows"]["transactions"],
                "clv_seconds": round(clv_seconds, 1),
                "clv_stages": clv.seconds,
                "uplift_seconds": round(uplift_seconds, 1),
                "uplift_stages": uplift.seconds,
                "total_seconds": round(clv_seconds + uplift_seconds, 1),
                "clv_holdout_spend_error": validation.get("spend", {}).get("aggregate_error_pct"),
                "clv_holdout_tx_error": validation.get("transactions", {}).get(
                    "aggregate_error_pct"
                ),
                "qini_area": uplift.qini_area,
                "qini_area_by_risk": uplift.qini_area_by_risk,
                "participants": uplift.participants,
                "truth_pearson": (uplift.truth or {}).get("pearson_with_true_effect"),
                "truth_budgets": (uplift.truth or {}).get("budgets"),
                "clv_validation": validation,
                "other_learner": other,
            }
        )
    )


if __name__ == "__main__":
    main()
