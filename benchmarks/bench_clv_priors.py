"""CLV priors and intervals: how far MAP is from maximum likelihood with PyMC-Marketing's
default priors and with c360's, and what the Laplace intervals cost; prints JSON lines.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_clv_priors.py [--sizes 2000 10000]

Data: CDNOW (2,357 real customers, shipped in the `lifetimes` wheel, calibration summary in
days) and customers simulated from BG/NBD + Gamma-Gamma (daily units, 300-day window) at
each --sizes. MLE: lifetimes' fitters without penalty. Times are CPU seconds of this
process (time.process_time), so a busy shared machine inflates them less than wall time.
Record results in docs/clv_uplift.md ("Priors" and "Intervals").
"""

import argparse
import json
import time
import warnings

from tests.clv.real_data import CALIBRATION_END, cdnow_transactions, rfm_summary
from tests.clv.test_model import simulated_rfm

from c360.clv.model import _quiet, fit_clv, laplace_draws, predict_clv, predict_intervals


def mle(rfm) -> dict:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    repeat = rfm[rfm["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bg = BetaGeoFitter(penalizer_coef=0.0).fit(rfm["frequency"], rfm["recency"], rfm["T"])
        gg = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
    return {k: float(v) for k, v in bg.params_.items()} | {
        k: float(v) for k, v in gg.params_.items()
    }


def default_map(rfm) -> dict:
    """PyMC-Marketing's default priors, MAP, as c360 fitted before."""
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

    repeat = rfm[(rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)]
    out = {}
    with _quiet():
        for model, data, names in (
            (BetaGeoModel(), rfm[["customer_id", "frequency", "recency", "T"]], "r alpha a b"),
            (GammaGammaModel(), repeat[["customer_id", "frequency", "monetary_value"]], "p q v"),
        ):
            model.fit(data=data.reset_index(drop=True), method="map", progressbar=False, seed=1)
            for name in names.split():
                out[name] = float(model.fit_result[name].values.ravel()[0])
    return out


def relative(fit: dict, reference: dict) -> dict:
    return {k: round(fit[k] / reference[k] - 1, 4) for k in reference}


def compare(name: str, rfm) -> None:
    reference = mle(rfm)
    ours = fit_clv(rfm, seed=1).parameters
    flat = ours["bg_nbd"] | ours["gamma_gamma"]
    line = {
        "data": name,
        "customers": len(rfm),
        "mle": {k: round(v, 4) for k, v in reference.items()},
        "default_priors_vs_mle": relative(default_map(rfm), reference),
        "c360_priors_vs_mle": relative(flat, reference),
    }
    print(json.dumps(line), flush=True)


def cost(n: int) -> None:
    rfm = simulated_rfm(n=n, seed=5)
    seconds = {}
    started = time.process_time()
    model = fit_clv(rfm, seed=1)
    seconds["fit"] = time.process_time() - started
    started = time.process_time()
    predict_clv(model, rfm, horizon_days=360)
    seconds["predict_point"] = time.process_time() - started
    started = time.process_time()
    laplace_draws(model, seed=1)
    seconds["laplace_draws"] = time.process_time() - started
    started = time.process_time()
    found = predict_intervals(model, rfm)
    seconds["intervals"] = time.process_time() - started
    print(
        json.dumps(
            {
                "customers": n,
                "draws": found.draws,
                "cpu_seconds": {k: round(v, 2) for k, v in seconds.items()},
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    args = parser.parse_args()
    transactions = cdnow_transactions()
    compare("cdnow", rfm_summary(transactions, CALIBRATION_END))
    compare("simulated", simulated_rfm(n=3000, seed=5))
    for n in args.sizes:
        cost(n)


if __name__ == "__main__":
    main()
