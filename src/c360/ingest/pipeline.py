"""`c360 import`: map, coerce and write a user's files as bronze, atomically.

Every file is streamed by DuckDB (`COPY (select ...) TO parquet`), so memory does not grow
with its size. Unusable rows are written as they are (unparseable values as nulls): the
build quarantines them with a reason, and the summary here counts them by that reason.
"""

import dataclasses
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from c360.contracts.bronze import BY_NAME, CONTRACT, Dataset
from c360.generate.output import MANIFEST, OutputError, staged_directory, write_json
from c360.ingest.coerce import select_list, typed_nulls
from c360.ingest.mapping import DatasetMapping, IngestError, load_mapping
from c360.ingest.source import first_line, open_source, quote_literal
from c360.ingest.summary import transaction_reasons
from c360.warehouse.bronze_check import BronzeError, check_as_of

MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond this; keeps the import's RSS bounded
UNCATEGORISED = "Uncategorised"


@dataclasses.dataclass(frozen=True)
class ImportRequest:
    output: Path  # the bronze folder to replace
    files: dict[str, str]  # dataset -> path or glob; transactions required
    mapping: Path | None = None
    as_of: date | None = None
    force: bool = False


def import_bronze(request: ImportRequest, progress=None) -> dict:
    """Write bronze from the request's files and return the summary (also the manifest)."""
    if "transactions" not in request.files:
        raise IngestError("--transactions FILE is required")
    if ("campaigns" in request.files) != ("campaign_exposures" in request.files):
        raise IngestError("--campaigns and --exposures go together (a campaign and who got it)")
    mapping = load_mapping(request.mapping)
    try:
        with staged_directory(request.output, request.force, operation="import") as staging:
            with tempfile.TemporaryDirectory(dir=staging.parent, prefix=".import-spill-") as spill:
                summary = _write_all(request, mapping, staging, Path(spill), progress)
            try:  # the build's own rule, checked before bronze is replaced
                check_as_of(summary, staging)
            except BronzeError as exc:
                raise IngestError(
                    str(exc).replace(
                        "fix as_of_date in the bronze manifest", "choose another --as-of"
                    )
                ) from None
            write_json(summary, staging / MANIFEST)
    except duckdb.Error as exc:
        raise IngestError(f"import failed, bronze left as it was: {first_line(exc)}") from None
    except OutputError as exc:
        raise IngestError(str(exc)) from None
    return summary


def _connect(spill: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"set temp_directory = {quote_literal(str(spill))}")
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")
    return con


def _write_all(request: ImportRequest, mapping: dict, staging: Path, spill: Path, progress) -> dict:
    loaded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    fixed = {"loaded_at": f"timestamp '{loaded_at.isoformat(sep=' ')}'"}
    supplied: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    tx_mapping = mapping.get("transactions", DatasetMapping())
    if "merchant_categories" not in request.files:  # one derived category for unnamed rows
        tx_mapping = dataclasses.replace(
            tx_mapping, defaults={"merchant_category": UNCATEGORISED, **tx_mapping.defaults}
        )
    with _connect(spill) as con:
        for dataset in CONTRACT:
            pattern = request.files.get(dataset.name)
            if pattern is None:
                continue
            columns = open_source(con, dataset.name, pattern)
            ids = {c.name for c in dataset.columns if c.name.endswith("_id") and c.system}
            if dataset.name == "transactions":
                ids = {"transaction_id"}
            con.execute(f"create or replace sequence seq_{dataset.name} start 1")
            generated = {i: f"nextval('seq_{dataset.name}')" for i in ids}
            exprs, supplied[dataset.name] = select_list(
                dataset,
                columns,
                tx_mapping
                if dataset.name == "transactions"
                else mapping.get(dataset.name, DatasetMapping()),
                fixed | generated,
                f"--{_flag(dataset.name)} {pattern}",
            )
            # generated ids are numbered in file order: one thread makes that deterministic
            one_thread = bool(ids - set(supplied[dataset.name]))
            con.execute(f"set threads = {1 if one_thread else 2}")
            select = f"select {', '.join(exprs)} from src_{dataset.name}"
            try:
                con.execute(f"describe {select}")
            except duckdb.Error as exc:
                raise IngestError(f"mapping for {dataset.name}: {first_line(exc)}") from None
            rows[dataset.name] = _copy(con, select, staging, dataset.name)
            _step(progress, CONTRACT.index(dataset) + 1)
        con.execute("set threads = 2")
        as_of = request.as_of or _last_day(con, staging)
        derived = _derive(con, staging, request, fixed, as_of, rows, supplied)
        for dataset in CONTRACT:  # what nobody supplied or derived: an empty, typed file
            if dataset.name not in rows:
                rows[dataset.name] = _copy(
                    con,
                    f"select {', '.join(typed_nulls(dataset, {}))} limit 0",
                    staging,
                    dataset.name,
                )
        _step(progress, len(CONTRACT))
        reasons = transaction_reasons(con, staging, as_of)
        _step(progress, len(CONTRACT) + 2)
    return {
        "source": "import",
        "as_of_date": as_of.isoformat(),
        "imported_at": loaded_at.isoformat(),
        "files": dict(request.files),
        "rows": rows,
        "supplied": {d.name: supplied.get(d.name, []) for d in CONTRACT},
        "derived": derived,
        "transactions": reasons,
    }


def _flag(dataset: str) -> str:
    return {"customer_changes": "changes", "merchant_categories": "categories"}.get(
        dataset, "exposures" if dataset == "campaign_exposures" else dataset
    )


def _step(progress, done: int) -> None:
    if progress is not None:
        progress("Importing bronze", done, len(CONTRACT) + 2)


def _copy(con, select: str, staging: Path, dataset: str) -> int:
    folder = staging / dataset
    folder.mkdir(exist_ok=True)
    target = quote_literal(str(folder / "part-0.parquet"))
    count = con.execute(
        f"copy ({select}) to {target} (format parquet, compression zstd, row_group_size 1048576)"
    ).fetchone()
    return int(count[0])


def _parquet(staging: Path, dataset: str) -> str:
    return f"read_parquet({quote_literal(str(staging / dataset / '*.parquet'))})"


def _last_day(con, staging: Path) -> date:
    last = con.execute(
        f"select max(transaction_ts) from {_parquet(staging, 'transactions')}"
    ).fetchone()[0]
    if last is None:
        raise IngestError(
            "no transaction has a usable timestamp; check transaction_ts (or its format "
            "in --mapping)"
        )
    return last.date()


def _derive(
    con, staging: Path, request: ImportRequest, fixed: dict, as_of: date, rows, supplied
) -> list:
    """Customers from transactions when no customers file is given (first purchase = open
    date; a given file without open dates gets them the same way), and one category per
    distinct category name when no categories file is given."""
    derived = []
    end = f"timestamp '{as_of.isoformat()}' + interval 1 day"
    con.execute(
        "create temp table first_purchase as select customer_id, "
        "cast(min(transaction_ts) as date) as first_date "
        f"from {_parquet(staging, 'transactions')} where customer_id is not null "
        f"and transaction_ts is not null and transaction_ts < {end} group by customer_id"
    )
    customers = BY_NAME["customers"]
    if "customers" not in request.files:
        select = typed_nulls(
            customers,
            {"customer_id": "customer_id", "account_open_date": "first_date", **fixed},
        )
        rows["customers"] = _copy(
            con,
            f"select {', '.join(select)} from first_purchase order by customer_id",
            staging,
            "customers",
        )
        derived.append("customers")
        supplied["customers"] = ["customer_id", "account_open_date"]
    elif "account_open_date" not in supplied["customers"]:
        _fill_open_dates(con, staging, customers, as_of)
        supplied["customers"].append("account_open_date")
    if "merchant_categories" not in request.files:
        names = (
            "select min(trim(merchant_category)) as category_name, "
            "row_number() over (order by lower(trim(merchant_category))) as n "
            f"from {_parquet(staging, 'transactions')} where merchant_category is not null "
            "group by lower(trim(merchant_category))"
        )
        select = typed_nulls(
            BY_NAME["merchant_categories"],
            {
                "category_id": "'C' || lpad(cast(n as varchar), 4, '0')",
                "category_name": "category_name",
                "category_group": "'Unknown'",
                **fixed,
            },
        )
        rows["merchant_categories"] = _copy(
            con,
            f"select {', '.join(select)} from ({names}) order by n",
            staging,
            "merchant_categories",
        )
        derived.append("merchant_categories")
        supplied["merchant_categories"] = ["category_id", "category_name"]
    return derived


def _fill_open_dates(con, staging: Path, customers: Dataset, as_of: date) -> None:
    """A customers file without account_open_date: first purchase, else the as-of date."""
    path = staging / "customers" / "part-0.parquet"
    given = path.with_name("given.parquet")
    path.rename(given)
    open_date = f"coalesce(c.account_open_date, f.first_date, date '{as_of.isoformat()}')"
    select = [
        f"{open_date} as account_open_date" if c.name == "account_open_date" else f"c.{c.name}"
        for c in customers.columns
    ]
    con.execute(
        f"copy (select {', '.join(select)} from read_parquet({quote_literal(str(given))}) c "
        "left join first_purchase f using (customer_id)) "
        f"to {quote_literal(str(path))} (format parquet, compression zstd)"
    )
    given.unlink()
