"""The `c360` command line: a thin Typer layer; every command calls the library."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from c360 import __version__, config, lock
from c360 import cli_validation as check
from c360.cli_guard import GuardedTyper
from c360.console import err_console, fail, print_json, stage_progress
from c360.contracts.bronze import skipped_notes
from c360.generate.landing import land_days
from c360.generate.output import OutputError, read_manifest
from c360.generate.pipeline import GenerateError, GenerateRequest, generate_bronze
from c360.ops import daily as ops_daily
from c360.warehouse.bronze_check import BronzeError, parse_as_of
from c360.warehouse.publish import BuildError, build_warehouse

app = GuardedTyper(
    help="c360: customer analytics for card portfolios, from raw card data to churn risk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
TargetOption = Annotated[
    str | None,
    typer.Option(
        "--target",
        envvar="C360_TARGET",
        help="Engine: duckdb (default), spark or snowflake; see README, Targets.",
        show_default=False,
    ),
]


def _target(target: str | None) -> str:
    try:
        return config.resolve_target(target)
    except config.TargetError as exc:
        raise fail(str(exc)) from None


@contextmanager
def _writer(home: Path, operation: str) -> Iterator[None]:
    """The home's writer lock for a whole command (see c360.lock); one line if it is held."""
    try:
        with lock.home_lock(home, operation):
            yield
    except lock.LockError as exc:
        raise fail(str(exc)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"c360 {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    lock_timeout: Annotated[
        str | None,
        typer.Option(
            "--lock-timeout",
            metavar="SECONDS",
            help="How long a command that writes under $C360_HOME waits for another one "
            f"to finish (0 = fail at once) [default: $C360_LOCK_TIMEOUT, else "
            f"{lock.DEFAULT_TIMEOUT:g}].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Data lands under $C360_HOME (default ./data)."""
    try:
        lock.set_timeout(lock_timeout)  # None: $C360_LOCK_TIMEOUT, else the default
    except lock.LockError as exc:
        raise fail(f"--lock-timeout: {exc}") from None


@app.command()
def generate(
    customers: Annotated[
        int | None, typer.Option(help="Number of customers [default: 50,000 x scale].")
    ] = None,
    transactions: Annotated[
        int | None,
        typer.Option(help="Approximate number of transactions [default: 60,000,000 x scale]."),
    ] = None,
    scale: Annotated[
        float, typer.Option(help="Multiplies the default sizes (0.01 = 500 customers).")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = (
        config.DEFAULT_SEED
    ),
    as_of: Annotated[
        str, typer.Option(help="Last day of the 24-month history (YYYY-MM-DD).")
    ] = config.DEFAULT_AS_OF.isoformat(),
    output: Annotated[
        Path | None, typer.Option(help="Output directory [default: $C360_HOME/bronze].")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace an existing bronze layer whole (anything else is refused)."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes, 1 or more [default: every CPU]; capped by the CPUs and "
            "the memory available.",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            help="Instead of a new history, land the next N days after the current end of "
            "the existing bronze (for `c360 refresh`)."
        ),
    ] = None,
    drift: Annotated[
        bool,
        typer.Option(
            help="With --days: the landed days' behaviour drifts (a seeded half of the "
            "customers buys less often and spends less), to test `c360 monitor`."
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Generate the synthetic bronze layer (Parquet) deterministically."""
    if drift and days is None:
        raise fail("--drift only applies to landing new days: add --days N")
    if days is not None:
        bronze = output or config.Paths.from_env().bronze
        _land(check.writable_dir(bronze, "bronze"), check.days(days), json, drift)
        return
    scale, as_of_date, seed = check.scale(scale), check.as_of(as_of), check.seed(seed)
    check.writable_dir((output or config.Paths.from_env().bronze).resolve(), "output")
    request = GenerateRequest(
        customers=customers if customers is not None else round(config.DEFAULT_CUSTOMERS * scale),
        transactions=transactions
        if transactions is not None
        else round(config.DEFAULT_TRANSACTIONS * scale),
        seed=seed,
        as_of=as_of_date,
        output=(output or config.Paths.from_env().bronze).resolve(),
        force=force,
        workers=check.workers(workers),
    )
    result = _generate(request, quiet=json)
    if json:
        print_json(result)


def _land(bronze: Path, days: int, quiet: bool, drift: bool = False) -> None:
    try:
        with stage_progress(enabled=not quiet) as progress:
            manifest = land_days(bronze.resolve(), days, progress, drift=drift)
    except (GenerateError, OutputError, lock.LockError) as exc:
        raise fail(str(exc)) from None
    if quiet:
        print_json(manifest)
        return
    landing = manifest["last_landing"]
    err_console.print(
        f"[green]landed[/] {landing['transactions']:,} transactions for {landing['from']} to "
        f"{landing['to']}; data now ends {manifest['as_of_date']}"
        + (f" (drifted: {landing['drift']['customers']:,} customers)" if drift else "")
    )


def _generate(request: GenerateRequest, quiet: bool) -> dict:
    started = time.perf_counter()
    try:
        with stage_progress(enabled=not quiet) as progress:
            manifest = generate_bronze(request, progress)
    except (GenerateError, OutputError, lock.LockError) as exc:
        raise fail(str(exc)) from None
    seconds = round(time.perf_counter() - started, 2)
    if not quiet:
        rows = manifest["rows"]
        err_console.print(
            f"[green]bronze written[/] to {request.output}: {rows['customers']:,} customers, "
            f"{rows['transactions']:,} transactions, as of {manifest['as_of_date']} "
            f"in {seconds:.1f}s"
        )
    return {"output": str(request.output), "seconds": seconds, **manifest}


def _file(what: str) -> object:
    return Annotated[str | None, typer.Option(help=f"{what}: CSV or Parquet, file or glob.")]


@app.command("import")
def import_(
    transactions: _file("Transactions (required)") = None,
    customers: _file("Customers") = None,
    categories: _file("Merchant categories") = None,
    changes: _file("Customer attribute changes") = None,
    campaigns: _file("Campaigns (with --exposures)") = None,
    exposures: _file("Campaign exposures: treatment or control") = None,
    mapping: Annotated[
        Path | None, typer.Option(help="YAML mapping of your columns to the contract.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="As-of date YYYY-MM-DD (default: last transaction's).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing bronze layer.")] = False,
    example_mapping: Annotated[
        bool, typer.Option(help="Print a commented example mapping and exit.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Import your own data (docs/data_contract.md) as bronze; then `c360 run` or build."""
    from c360.ingest.mapping import EXAMPLE_MAPPING, IngestError
    from c360.ingest.pipeline import ImportRequest, import_bronze
    from c360.ingest.report import summary_table

    if example_mapping:
        typer.echo(EXAMPLE_MAPPING, nl=False)
        return
    paths = check.writable_home()
    given = {"transactions": transactions, "customers": customers,
             "merchant_categories": categories, "customer_changes": changes,
             "campaigns": campaigns, "campaign_exposures": exposures}  # fmt: skip
    try:
        request = ImportRequest(
            output=paths.bronze,
            files={k: v for k, v in given.items() if v},
            mapping=mapping,
            as_of=None if as_of is None else parse_as_of(as_of),
            force=force,
        )
        with stage_progress(enabled=not json) as progress:
            summary = import_bronze(request, progress)
    except (IngestError, BronzeError, lock.LockError) as exc:
        raise fail(str(exc)) from None
    if json:
        print_json(summary)
        return
    err_console.print(summary_table(summary))
    for note in skipped_notes(summary):
        err_console.print(f"[yellow]skipped[/] {note}", highlight=False)
    err_console.print(f"[green]bronze written[/] to {paths.bronze}; next: c360 run")


@app.command()
def build(target: TargetOption = None, json: JsonOption = False) -> None:
    """Build the warehouse from bronze with dbt (all models and tests), then publish it."""
    check.writable_home()
    report = _build(incremental=False, quiet=json, target=_target(target))
    if json:
        print_json(report)


@app.command()
def refresh(target: TargetOption = None, json: JsonOption = False) -> None:
    """Load newly landed bronze days into the warehouse incrementally, then publish it."""
    check.writable_home()
    report = _build(incremental=True, quiet=json, target=_target(target))
    if json:
        print_json(report)


def _build(incremental: bool, quiet: bool, target: str = config.DEFAULT_TARGET) -> dict:
    paths = config.Paths.from_env()
    try:
        with (
            _writer(paths.home, "refresh" if incremental else "build"),
            stage_progress(enabled=not quiet) as progress,
        ):
            report = build_warehouse(
                paths, incremental=incremental, progress=progress, target=target
            )
    except (BronzeError, BuildError) as exc:
        raise fail(str(exc)) from None
    if not quiet:
        method = report.start.get("method")
        err_console.print(
            f"[green]warehouse published[/] to {report.warehouse} ({report.kind} build "
            f"{report.build_id}, as of {report.as_of_date}, {report.nodes} dbt nodes) "
            f"in {report.seconds:.1f}s"
            + (f", started from a {method}" if method in ("clone", "standby", "copy") else "")
        )
        for note in skipped_notes(read_manifest(paths.bronze)) if target == "duckdb" else []:
            err_console.print(f"[yellow]skipped[/] {note}", highlight=False)
    return asdict(report)


@app.command()
def train(
    seed: Annotated[int, typer.Option(help="Random seed for model training.")] = (
        config.DEFAULT_SEED
    ),
    card_dir: Annotated[
        Path | None,
        typer.Option(
            help="Also copy the model card and its reliability plot here "
            "(the repository keeps the default-size card in docs/)."
        ),
    ] = None,
    target: TargetOption = None,
    json: JsonOption = False,
) -> None:
    """Train the churn model out of time on the warehouse; write the model and its card."""
    check.writable_home()
    check.seed(seed)
    if card_dir is not None:
        check.writable_dir(card_dir, "--card-dir")
    report = _train(seed, quiet=json, target=_target(target))
    if card_dir is not None:
        card_dir.mkdir(parents=True, exist_ok=True)
        for name in ("model_card.md", "reliability.png"):
            shutil.copy2(Path(report["model_dir"]) / name, card_dir / name)
    if json:
        print_json(report)


def _train(seed: int, quiet: bool, target: str = config.DEFAULT_TARGET) -> dict:
    from c360.ml.dataset import DatasetError
    from c360.ml.pipeline import train as train_model

    started = time.perf_counter()
    try:
        status = err_console.status("Training the churn model") if not quiet else nullcontext()
        paths = config.Paths.from_env()
        with _writer(paths.home, "train"), status:
            summary = train_model(paths, seed=seed, target=target)
    except DatasetError as exc:
        raise fail(str(exc)) from None
    seconds = round(time.perf_counter() - started, 2)
    metrics = summary.report["lightgbm"]
    if not quiet:
        err_console.print(
            f"[green]model {summary.model_id}[/] saved to {summary.model_dir} in {seconds:.1f}s: "
            f"out-of-time ROC AUC {metrics['roc_auc']:.3f} (recency rule "
            f"{summary.report['recency_rule']['roc_auc']:.3f}), ECE {metrics['ece']:.4f}; "
            f"card: {summary.model_dir}/model_card.md"
        )
        if summary.report.get("features_left_out"):
            err_console.print(
                f"[yellow]skipped[/] {len(summary.report['features_left_out'])} features your "
                "data has no values for (listed in the card)"
            )
        if not summary.targets_met:
            err_console.print("[yellow]the model misses a quality target; see the card[/]")
    return {**asdict(summary), "seconds": seconds}


@app.command()
def score(target: TargetOption = None, json: JsonOption = False) -> None:
    """Score every customer at the as-of date and publish the scores into the warehouse."""
    check.writable_home()
    report = _score(quiet=json, target=_target(target))
    if json:
        print_json(report)


def _score(quiet: bool, target: str = config.DEFAULT_TARGET) -> dict:
    from c360.ml.dataset import DatasetError
    from c360.ml.model import ModelError
    from c360.pipeline import score as score_customers

    paths = config.Paths.from_env()
    try:
        with _writer(paths.home, "score"), stage_progress(enabled=not quiet) as progress:
            summary = score_customers(paths, progress=progress, target=target)
    except (DatasetError, ModelError, BronzeError, BuildError) as exc:
        raise fail(str(exc)) from None
    if not quiet:
        tiers = ", ".join(f"{n:,} {tier}" for tier, n in sorted(summary.tiers.items()))
        err_console.print(
            f"[green]scored[/] {summary.scored:,} of {summary.customers:,} customers as of "
            f"{summary.as_of_date} ({tiers}); profile republished as build "
            f"{summary.build.build_id}"
        )
    return asdict(summary)


@app.command()
def monitor(
    check_health: Annotated[
        bool, typer.Option("--check", help="Exit 2 unless the verdict is 'model healthy'.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Model and data health over time: score and feature drift (PSI), realised churn of
    past scorings, rows landed per day, and a verdict (docs/monitoring.md)."""
    from c360.monitor.report import MonitorError, build_report
    from c360.monitor.text import render

    try:
        report = build_report(config.Paths.from_env())
    except MonitorError as exc:
        raise fail(str(exc)) from None
    if json:
        print_json(report)
    else:
        typer.echo(render(report))
    if check_health and report["verdict"]["status"] != "healthy":
        raise typer.Exit(2)


@app.command()
def clv(
    holdout_days: Annotated[
        int,
        typer.Option(
            help="Out-of-time check: also fit up to as-of minus this many days and compare "
            "its predictions for those days with what happened (0 skips it)."
        ),
    ] = 180,
    discount_rate: Annotated[
        float, typer.Option(help="Monthly discount rate for the 12-month CLV (0 = none).")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = config.DEFAULT_SEED,
    json: JsonOption = False,
) -> None:
    """Customer lifetime value (BG/NBD + Gamma-Gamma, PyMC-Marketing MAP) for every
    customer; writes the 12-month CLV and republishes the profile."""
    check.writable_home()
    check.seed(seed)
    check.finite("--discount-rate", discount_rate, 0.0, 1.0)
    check.finite("--holdout-days", holdout_days, 0, check.MAX_HOLDOUT_DAYS)
    report = _clv(holdout_days, discount_rate, seed, quiet=json)
    if json:
        print_json(report)


def _clv(holdout_days: int, discount_rate: float, seed: int, quiet: bool) -> dict:
    from c360.clv.pipeline import ClvError  # imported late: PyMC is slow to import
    from c360.pipeline import run_clv

    if holdout_days < 0:
        raise fail(f"--holdout-days must be 0 or more, got {holdout_days}")
    paths = config.Paths.from_env()
    try:
        with _writer(paths.home, "clv"), stage_progress(enabled=not quiet) as progress:
            summary = run_clv(
                paths,
                holdout_days=holdout_days,
                discount_rate=discount_rate,
                seed=seed,
                progress=progress,
            )
    except (ClvError, BronzeError, BuildError) as exc:
        raise fail(str(exc)) from None
    if not quiet:
        line = (
            f"[green]CLV {summary.model_id}[/] for {summary.scored:,} of "
            f"{summary.customers:,} customers as of {summary.as_of_date}: 12-month total "
            f"${summary.total_clv_12m:,.0f}"
        )
        total = summary.intervals.get("total_clv_12m")
        if total:
            line += (
                f" ({summary.intervals['level']:.0%} interval ${total['low']:,.0f}"
                f" – ${total['high']:,.0f})"
            )
        if summary.validation:
            spend = summary.validation["spend"]
            tx = summary.validation["transactions"]
            line += (
                f"; {summary.validation['holdout_days']}-day holdout error: spend "
                f"{spend['aggregate_error_pct']:+.1%}, purchase days "
                f"{tx['aggregate_error_pct']:+.1%}"
            )
        err_console.print(line + f"; report: {summary.report}")
    return asdict(summary)


@app.command()
def uplift(
    learner: Annotated[
        str, typer.Option(help="x (X-learner, default) or t (T-learner), both LightGBM.")
    ] = "x",
    campaign: Annotated[
        str | None, typer.Option(help="Campaign id (default: the latest randomised one).")
    ] = None,
    holdout_share: Annotated[
        float, typer.Option(help="Share of participants held out for the Qini evaluation.")
    ] = 0.3,
    seed: Annotated[int, typer.Option(help="Random seed.")] = config.DEFAULT_SEED,
    json: JsonOption = False,
) -> None:
    """Uplift model from the past randomised campaign: held-out Qini, then each eligible
    customer's predicted retention uplift, republished into the profile."""
    check.writable_home()
    check.seed(seed)
    # no campaign in the data is a skip (exit 0); a named campaign that is not there fails
    report = _uplift(learner, campaign, holdout_share, seed, json, optional=campaign is None)
    if json:
        print_json(report)


def _uplift(
    learner: str,
    campaign: str | None,
    holdout_share: float,
    seed: int,
    quiet: bool,
    optional: bool = False,
) -> dict:
    """`optional` (in `c360 run`): data without a randomised campaign skips uplift."""
    from c360.pipeline import run_uplift
    from c360.uplift.learners import LEARNERS
    from c360.uplift.pipeline import NoCampaign, UpliftError

    if learner not in LEARNERS:
        raise fail(f"--learner must be one of {', '.join(LEARNERS)}, got {learner!r}")
    if not 0 < holdout_share < 1:
        raise fail(f"--holdout-share must be between 0 and 1, got {holdout_share}")
    paths = config.Paths.from_env()
    try:
        with _writer(paths.home, "uplift"), stage_progress(enabled=not quiet) as progress:
            summary = run_uplift(
                paths,
                learner=learner,
                campaign_id=campaign,
                holdout_share=holdout_share,
                seed=seed,
                progress=progress,
            )
    except NoCampaign as exc:
        if not optional:
            raise fail(str(exc)) from None
        if not quiet:
            err_console.print(
                f"[yellow]uplift skipped[/]: {exc} (supply one: c360 import --campaigns "
                "FILE --exposures FILE)"
            )
        return {"skipped": str(exc)}
    except (UpliftError, BronzeError, BuildError) as exc:
        raise fail(str(exc)) from None
    if not quiet:
        risk = summary.qini_area_by_risk
        err_console.print(
            f"[green]uplift {summary.model_id}[/] ({summary.learner}-learner on "
            f"{summary.participants:,} participants of {summary.campaign_id}): held-out Qini "
            f"area {summary.qini_area:+.4f}"
            + ("" if risk is None else f" (churn-risk ranking {risk:+.4f})")
            + f"; scored {summary.scored:,} of {summary.customers:,} customers; report: "
            f"{summary.report}"
        )
    return asdict(summary)


@app.command()
def run(
    scale: Annotated[
        float, typer.Option(help="Size of generated data, as a multiple of the default.")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed for generated data.")] = (
        config.DEFAULT_SEED
    ),
    regenerate: Annotated[
        bool, typer.Option(help="Generate bronze again even if it already exists.")
    ] = False,
    target: TargetOption = None,
    json: JsonOption = False,
) -> None:
    """Run the whole pipeline: generate bronze if there is none yet, build, train, score,
    customer lifetime value and campaign uplift, then publish once (on any target)."""
    scale, seed = check.scale(scale), check.seed(seed)
    check.writable_home()
    target = _target(target)
    paths = config.Paths.from_env()
    with _writer(paths.home, "run"):  # one lock for every stage: no writer slips in between
        stages, seconds = _run_stages(paths, scale, seed, regenerate, target, json)
    if json:
        print_json({"home": str(paths.home), "stages": stages, "seconds": seconds})


def _run_stages(
    paths: config.Paths, scale: float, seed: int, regenerate: bool, target: str, json: bool
) -> tuple[dict[str, object], dict[str, float]]:
    stages: dict[str, object] = {}
    if regenerate or not (paths.bronze / "_manifest.json").exists():
        request = GenerateRequest(
            customers=round(config.DEFAULT_CUSTOMERS * scale),
            transactions=round(config.DEFAULT_TRANSACTIONS * scale),
            seed=seed,
            as_of=config.DEFAULT_AS_OF,
            output=paths.bronze,
            force=True,
        )
        started = time.perf_counter()
        stages["generate"] = _generate(request, quiet=json)
        generated = {"generate": round(time.perf_counter() - started, 2)}
    else:
        stages["generate"] = "skipped (bronze exists; use --regenerate)"
        generated = {}
        if not json:
            err_console.print(f"bronze already at {paths.bronze}; skipping generate")
    done, seconds = _pipeline(paths, seed, target, quiet=json)
    return stages | done, generated | seconds


@app.command()
def daily(
    retries: Annotated[
        int, typer.Option(help="Retries of a failed step before the day fails.")
    ] = ops_daily.DEFAULT_RETRIES,
    retry_delay: Annotated[
        float,
        typer.Option(help="Seconds before the first retry; doubled before each next one."),
    ] = ops_daily.DEFAULT_RETRY_DELAY,
    refit_every: Annotated[
        int,
        typer.Option(
            metavar="DAYS",
            help="Refit CLV and uplift when their last refit is this old (0 = every run).",
        ),
    ] = ops_daily.DEFAULT_REFIT_DAYS,
    seed: Annotated[int, typer.Option(help="Random seed for the refits.")] = config.DEFAULT_SEED,
    json: JsonOption = False,
) -> None:
    """The scheduled day: source freshness, refresh, score, CLV and uplift refits when due,
    the monitor; one line per step. Exit 0 only if every step passed; alerts through
    C360_ALERT_COMMAND / C360_ALERT_WEBHOOK on failure or stale data (README, Daily operations)."""
    check.writable_home()
    _target(None)  # a bad $C360_TARGET is one line before anything runs
    check.finite("--retries", retries, 0, 20)
    check.finite("--retry-delay", retry_delay, 0.0, 86_400.0)
    check.finite("--refit-every", refit_every, 0, 3_660)
    options = ops_daily.DailyOptions(retries, retry_delay, refit_every, check.seed(seed))
    if json:  # stdout carries the report only; dbt's own lines stay in logs/dbt.log
        os.environ.setdefault("DBT_LOG_LEVEL", "none")
        os.environ.setdefault("DBT_LOG_LEVEL_FILE", "debug")
    say = (
        (lambda step: None)
        if json
        else (
            lambda step: err_console.print(
                step.line(), highlight=False, markup=False, soft_wrap=True
            )
        )
    )
    try:
        with stage_progress(enabled=not json) as progress:
            report = ops_daily.run_daily(config.Paths.from_env(), options, progress, on_step=say)
    except lock.LockError as exc:
        raise fail(str(exc)) from None
    if json:
        print_json(report.to_dict())
    else:
        err_console.print(
            report.summary(), style="green" if report.ok else "bold red", soft_wrap=True
        )
    raise typer.Exit(0 if report.ok else 1)


def _pipeline(
    paths: config.Paths, seed: int, target: str, quiet: bool
) -> tuple[dict[str, object], dict[str, float]]:
    """Build, train, score, CLV and uplift on `target`, then one republish (c360.pipeline):
    each stage's result, and its wall time in seconds."""
    from c360.clv.pipeline import ClvError  # imported late: PyMC is slow to import
    from c360.ml.dataset import DatasetError
    from c360.ml.model import ModelError
    from c360.pipeline import run_all
    from c360.uplift.pipeline import UpliftError

    seconds: dict[str, float] = {}

    def heard(stage) -> None:
        seconds[stage.name] = stage.seconds
        if not quiet:
            _say_stage(stage)

    try:
        with stage_progress(enabled=not quiet) as progress:
            done = run_all(paths, seed=seed, target=target, progress=progress, on_stage=heard)
    except (BronzeError, BuildError, DatasetError, ModelError, ClvError, UpliftError) as exc:
        raise fail(str(exc)) from None
    return {name: _plain(result) for name, result in done.items()}, seconds


def _plain(result: object) -> object:
    return asdict(result) if hasattr(result, "__dataclass_fields__") else result


def _say_stage(stage) -> None:
    """One line per finished stage of `c360 run`."""
    result = stage.result
    lines = {
        "build": lambda r: (
            f"[green]built[/] {r.warehouse} as of {r.as_of_date} ({r.nodes} dbt "
            f"nodes) in {r.seconds:.1f}s"
        ),
        "train": lambda r: (
            f"[green]model {r.model_id}[/]: out-of-time ROC AUC "
            f"{r.report['lightgbm']['roc_auc']:.3f}; card: {r.model_dir}/model_card.md"
        ),
        "score": lambda r: f"[green]scored[/] {r.scored:,} of {r.customers:,} customers",
        "clv": lambda r: (
            f"[green]CLV {r.model_id}[/] for {r.scored:,} customers: 12-month "
            f"total ${r.total_clv_12m:,.0f}"
        ),
        "uplift": lambda r: (
            f"[yellow]uplift skipped[/]: {r['skipped']}"
            if isinstance(r, dict)
            else f"[green]uplift {r.model_id}[/]: held-out Qini area {r.qini_area:+.4f}"
        ),
        "publish": lambda r: (
            f"[green]warehouse published[/] as build {r.build_id} ({r.seconds:.1f}s)"
        ),
    }
    err_console.print(lines[stage.name](result))
    if stage.name == "build":
        for note in skipped_notes(read_manifest(config.Paths.from_env().bronze)):
            err_console.print(f"[yellow]skipped[/] {note}", highlight=False)
    if stage.name == "train" and result.report.get("features_left_out"):
        err_console.print(
            f"[yellow]skipped[/] {len(result.report['features_left_out'])} features your data "
            "has no values for (listed in the card)"
        )


@app.command(
    "app",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def serve_app(
    ctx: typer.Context,
    port: Annotated[
        int | None, typer.Option(help="Port to serve on (Streamlit's default: 8501).")
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            envvar="STREAMLIT_SERVER_ADDRESS",
            help="Address to listen on; 0.0.0.0 exposes the app to the network, which has no "
            "login of its own: put an authenticating proxy in front (README, App security).",
        ),
    ] = "127.0.0.1",
) -> None:
    """Open the analytics app on the published warehouse (extra options go to Streamlit)."""
    from c360.app.launch import LaunchError, streamlit_argv  # imported late: keeps CLI fast

    try:
        argv = streamlit_argv(check.port(port), ctx.args, host=host)
    except LaunchError as exc:
        raise fail(str(exc)) from None
    try:
        code = subprocess.call(argv)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question, in plain English (quote it).")
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="offline (default: deterministic, no network) or llm (an OpenAI-compatible "
            "endpoint from C360_LLM_BASE_URL, C360_LLM_MODEL, C360_LLM_API_KEY)."
        ),
    ] = "offline",
    run_eval: Annotated[
        bool,
        typer.Option(
            "--eval",
            help="Run the evaluation questions and print execution accuracy; exits 1 below "
            "the 90% target.",
        ),
    ] = False,
    rows: Annotated[int, typer.Option(help="Rows to print (the answer keeps up to 1,000).")] = 20,
    session: Annotated[
        str | None,
        typer.Option(
            help="Keep a conversation: follow-ups ('and for Texas?') build on this session's "
            "earlier turns, kept in $C360_HOME/sessions/NAME.json."
        ),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Start the --session over (alone, or before a question)."),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Ask a question about the portfolio: prints the answer, a summary and the SQL behind it.

    Exit code 0 when answered, 2 when the assistant needs a clearer question (it suggests
    some), 1 when the SQL was refused or failed.
    """
    from c360.assistant import cli_support  # imported late: keeps the CLI fast
    from c360.warehouse.serving import served_warehouse

    try:
        warehouse = served_warehouse(config.Paths.from_env())
    except config.TargetError as exc:
        raise fail(str(exc)) from None
    if run_eval and question is not None:
        raise fail("give either a question or --eval, not both")
    if reset and not session:
        raise fail("--reset needs --session NAME")
    if run_eval and session:
        raise fail("give either --eval or --session, not both")
    only_reset = reset and question is None
    if not run_eval and not only_reset and (question is None or not question.strip()):
        raise fail(
            'ask needs a question, e.g. c360 ask "Which states have the highest churn risk?"'
        )
    if rows < 0:
        raise fail(f"--rows must be 0 or more, got {rows}")
    try:
        if run_eval:
            code = cli_support.run_eval(warehouse, engine, json)
        else:
            code = cli_support.ask(warehouse, question, engine, json, rows, session, reset)
    except cli_support.CliError as exc:
        raise fail(str(exc)) from None
    raise typer.Exit(code)


semantic_app = typer.Typer(
    help="The assistant's semantic model in standard formats.", no_args_is_help=True
)
app.add_typer(semantic_app, name="semantic")


@semantic_app.command("export")
def semantic_export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="cortex (a Snowflake Cortex Analyst semantic model) or osi (Open Semantic "
            "Interchange 0.1.1).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None, typer.Option(help="File to write (atomically); stdout when omitted.")
    ] = None,
    database: Annotated[
        str,
        typer.Option(
            envvar="SNOWFLAKE_DATABASE",
            help="Database holding the GOLD schema (as for `--target snowflake`).",
        ),
    ] = "C360",
) -> None:
    """Export the assistant's semantic model (semantic_model.yml) as Cortex Analyst or OSI YAML."""
    from c360.assistant import semantic_export as export  # imported late: keeps the CLI fast

    try:
        text = export.render(fmt, database=database)
        if output is None:
            typer.echo(text, nl=False)
        else:
            export.write_atomic(text, output)
            err_console.print(f"wrote {output}", highlight=False)
    except export.ExportError as exc:
        raise fail(str(exc)) from None
