"""A user's CSV or Parquet files (a path or a glob) as a DuckDB view, read lazily."""

import glob
from pathlib import Path

import duckdb

from c360.ingest.mapping import IngestError

_PARQUET = {".parquet", ".pq"}


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _header_matches(path: str, columns: list[str]) -> bool:
    """False when DuckDB's CSV sniffer did not find the columns of the file's first line
    (rows with more fields than the header make it guess another layout)."""
    if Path(path).suffix.lower() in (".gz", ".zst"):
        return True
    with open(path, encoding="utf-8", errors="replace") as file:
        header = file.readline()
    split = len(columns) > 1 or not any(sep in columns[0] for sep in ",;|\t")
    return split and any(column in header for column in columns)


def open_source(con: duckdb.DuckDBPyConnection, dataset: str, pattern: str) -> list[str]:
    """Create view `src_<dataset>` over the files `pattern` names; return its column names.

    CSV is read as text (every column VARCHAR) so that coercion, not the sniffer, decides
    what a value is and an unparseable one becomes a counted null instead of an error."""
    paths = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    if not paths:
        raise IngestError(f"{dataset}: no file matches {pattern}")
    for path in paths:
        if not Path(path).is_file():
            raise IngestError(f"{dataset}: {path} is not a readable file")
    kinds = {Path(p).suffix.lower() in _PARQUET for p in paths}
    if len(kinds) > 1:
        raise IngestError(f"{dataset}: {pattern} mixes Parquet and CSV files")
    files = "[" + ", ".join(quote_literal(str(Path(p).resolve())) for p in paths) + "]"
    reader = (
        f"read_parquet({files}, union_by_name = true)"
        if kinds == {True}
        else f"read_csv({files}, header = true, all_varchar = true, union_by_name = true)"
    )
    try:
        con.execute(f"create or replace view src_{dataset} as select * from {reader}")
        columns = [row[0] for row in con.execute(f"describe src_{dataset}").fetchall()]
    except duckdb.Error as exc:
        raise IngestError(f"{dataset}: cannot read {pattern}: {first_line(exc)}") from None
    if kinds == {False} and not _header_matches(paths[0], columns):
        raise IngestError(
            f"{dataset}: cannot split {pattern} into the columns of its header line; "
            "do all rows have the same number of fields?"
        )
    return columns
