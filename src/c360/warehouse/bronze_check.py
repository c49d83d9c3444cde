"""Pre-flight check of bronze before a build: every dataset present, readable, on contract,
and an as-of date that is a date near the data's own range."""

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from c360.config import MAX_AS_OF_GAP_DAYS
from c360.contracts.bronze import DATASETS
from c360.generate.output import read_manifest


class BronzeError(Exception):
    """Bronze cannot be built from; the message is one line for the user."""


def _plain(t: pa.DataType) -> pa.DataType:
    return t.value_type if pa.types.is_dictionary(t) else t


def check_bronze(bronze: Path) -> dict:
    """Return the bronze manifest, or raise BronzeError naming the first problem."""
    try:
        manifest = read_manifest(bronze)
    except Exception as exc:
        raise BronzeError(str(exc)) from None
    for name, contract in DATASETS.items():
        files = sorted((bronze / name).glob("*.parquet"))
        if not files:
            raise BronzeError(f"bronze dataset {name} has no Parquet files in {bronze / name}")
        for path in files:
            try:
                schema = pq.read_schema(path)
            except (pa.ArrowException, OSError) as exc:
                raise BronzeError(f"{path} is not a readable Parquet file: {exc}") from None
            for column in contract:
                if column.name not in schema.names:
                    raise BronzeError(f"{path}: column {column.name} is missing")
                found = _plain(schema.field(column.name).type)
                if found != _plain(column.type):
                    raise BronzeError(
                        f"{path}: column {column.name} is {_describe(found)}, "
                        f"expected {_describe(_plain(column.type))}"
                    )
    return manifest


def _describe(t: pa.DataType) -> str:
    """A type as the user should read it: a timestamp says whether it has a time zone."""
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            return (
                f"a timestamp with time zone {t.tz} ({t}); bronze timestamps are UTC "
                "without a time zone: convert to UTC and drop the zone before writing"
            )
        return f"a timestamp without time zone ({t})"
    return str(t)


def parse_as_of(value: object, name: str = "as-of date") -> date:
    """A date given as YYYY-MM-DD text; BronzeError (one line) for anything else."""
    text = value if isinstance(value, str) else None
    try:
        if text is None or len(text.strip()) != 10:
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise BronzeError(f"{name} must be a date like 2025-12-31, got {shown}") from None


def transaction_range(bronze: Path, as_of: date) -> tuple[datetime, datetime, datetime] | None:
    """(first, last, last on or before `as_of`) transaction_ts in bronze; None when bronze
    has no timed transactions."""
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    try:
        with duckdb.connect() as con:
            first, last, last_before = con.execute(
                "select min(transaction_ts), max(transaction_ts), "
                "max(transaction_ts) filter (where transaction_ts < ?) from read_parquet(?)",
                [end, str(bronze / "transactions" / "*.parquet")],
            ).fetchone()
    except duckdb.Error as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise BronzeError(f"cannot read transaction times in {bronze}: {first_line}") from None
    return None if first is None else (first, last, last_before)


def check_as_of(manifest: dict, bronze: Path, max_gap_days: int = MAX_AS_OF_GAP_DAYS) -> date:
    """The manifest's as_of_date as a date, or BronzeError (one line naming the value and
    the data's range) when it is not a date, falls before the first transaction, or lies
    more than `max_gap_days` after the last transaction on or before it."""
    as_of = parse_as_of(manifest.get("as_of_date"), "bronze manifest as_of_date")
    found = transaction_range(bronze, as_of)
    if found is None:
        return as_of
    first, last, last_before = found
    span = f"transactions run from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    if last_before is None:
        raise BronzeError(
            f"as-of date {as_of} is before the first transaction in bronze ({span}); "
            "fix as_of_date in the bronze manifest"
        )
    gap = (as_of - last_before.date()).days
    if gap > max_gap_days:
        raise BronzeError(
            f"as-of date {as_of} is {gap} days after the last transaction on or before it "
            f"({last_before:%Y-%m-%d}; {span}); at most {max_gap_days} days are allowed: "
            "fix as_of_date in the bronze manifest"
        )
    return as_of
