"""Pre-flight check of bronze before a build: every dataset present, readable, on contract."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from c360.generate.output import read_manifest
from c360.generate.schema import DATASETS


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
                        f"{path}: column {column.name} is {found}, expected {_plain(column.type)}"
                    )
    return manifest
