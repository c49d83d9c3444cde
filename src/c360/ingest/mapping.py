"""The optional YAML mapping from a user's columns to the bronze contract."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from c360.contracts.bronze import BY_NAME


class IngestError(Exception):
    """The import cannot go on; the message is one line for the user."""


@dataclass(frozen=True)
class DatasetMapping:
    columns: dict[str, str] = field(default_factory=dict)  # contract column -> column or SQL
    formats: dict[str, str] = field(default_factory=dict)  # contract column -> strptime format
    defaults: dict[str, object] = field(default_factory=dict)  # contract column -> value


EXAMPLE_MAPPING = """\
# c360 import --mapping FILE.yml: how your columns become the bronze contract
# (docs/data_contract.md). Every section and key is optional: a column whose header already
# is the contract's name (in any case) needs no entry.
transactions:
  columns:
    customer_id: CustomerNo          # a column of your file ...
    transaction_ts: BookingDate
    amount: "try_cast(AmountCents as double) / 100"  # ... or a DuckDB SQL expression
                                     # over its columns (a CSV's columns are text)
    merchant_category: MCC_Description
  formats:
    transaction_ts: "%d/%m/%Y"       # strptime format, when not ISO (2025-12-31 10:00:00)
  defaults:
    status: Approved                 # fills a column you do not have (or its empty cells)
customers:
  columns:
    customer_id: CustomerNo
    account_open_date: OpenedOn
  formats:
    account_open_date: "%Y%m%d"
"""


def load_mapping(path: Path | None) -> dict[str, DatasetMapping]:
    """The mapping in `path` (none: empty), checked against the contract; one line if not."""
    if path is None:
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise IngestError(f"mapping {path} cannot be read: {first}") from None
    if not isinstance(raw, dict):
        raise IngestError(f"mapping {path} must map dataset names to sections")
    return {name: _section(path, name, body) for name, body in raw.items()}


def _section(path: Path, name: object, body: object) -> DatasetMapping:
    dataset = BY_NAME.get(str(name))
    if dataset is None:
        raise IngestError(f"mapping {path}: unknown dataset {name!r}; one of {', '.join(BY_NAME)}")
    body = body or {}
    if not isinstance(body, dict) or set(body) - {"columns", "formats", "defaults"}:
        raise IngestError(
            f"mapping {path}: {name} takes only columns, formats and defaults sections"
        )
    known = {c.name for c in dataset.columns if not c.system}
    parts = {}
    for key in ("columns", "formats", "defaults"):
        part = body.get(key) or {}
        if not isinstance(part, dict):
            raise IngestError(f"mapping {path}: {name}.{key} must map column names to values")
        unknown = sorted(str(k) for k in part if k not in known)
        if unknown:
            raise IngestError(
                f"mapping {path}: {name}.{key} names {unknown[0]!r}, not a column of {name} "
                f"({', '.join(sorted(known))})"
            )
        parts[key] = {str(k): v for k, v in part.items()}
    for key in ("columns", "formats"):
        bad = [k for k, v in parts[key].items() if not isinstance(v, str) or not v.strip()]
        if bad:
            raise IngestError(f"mapping {path}: {name}.{key}.{bad[0]} must be text")
    return DatasetMapping(**parts)
