"""SQL that turns a source's columns into one contract dataset's typed columns.

A contract column comes from the mapping (a source column, or an SQL expression over the
source's columns), else from a source column of the same name in any case, else from a
default, else it is a typed null. Values that do not parse become nulls (`try_cast`,
`try_strptime`), which the build then quarantines with a reason; nothing is dropped here.
"""

import pyarrow as pa

from c360.contracts.bronze import Column, Dataset
from c360.ingest.mapping import DatasetMapping, IngestError
from c360.ingest.source import quote_literal

_DUCK = {
    "string": "varchar",
    "int16": "smallint",
    "int32": "integer",
    "int64": "bigint",
    "double": "double",
    "date32[day]": "date",
    "timestamp[us]": "timestamp",
}


def duck_type(t: pa.DataType) -> str:
    return _DUCK[str(t.value_type if pa.types.is_dictionary(t) else t)]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _coerced(raw: str, column: Column, fmt: str | None) -> str:
    kind = duck_type(column.type)
    if kind == "varchar":
        text = f"nullif(trim(cast({raw} as varchar)), '')"
        if not column.values:
            return text
        known = " ".join(
            f"when {quote_literal(v.lower())} then {quote_literal(v)}" for v in column.values
        )
        return f"case lower({text}) {known} else {text} end"
    if fmt and kind in ("timestamp", "date"):
        parsed = f"try_strptime(trim(cast({raw} as varchar)), {quote_literal(fmt)})"
        return parsed if kind == "timestamp" else f"cast({parsed} as date)"
    return f"try_cast({raw} as {kind})"


def _literal(value: object) -> str:
    if isinstance(value, bool) or value is None:
        raise IngestError(f"default {value!r} must be text or a number")
    return str(value) if isinstance(value, int | float) else quote_literal(str(value))


def source_expression(column: Column, columns: list[str], mapping: DatasetMapping) -> str | None:
    """The raw SQL for `column` from the source, or None when the source does not have it."""
    by_lower = {c.lower(): c for c in columns}
    mapped = mapping.columns.get(column.name)
    if mapped is not None:
        found = by_lower.get(mapped.strip().lower())
        return _ident(found) if found else f"({mapped})"
    found = by_lower.get(column.name.lower())
    return _ident(found) if found else None


def select_list(
    dataset: Dataset,
    columns: list[str],
    mapping: DatasetMapping,
    fixed: dict[str, str],
    label: str,
) -> tuple[list[str], list[str]]:
    """(typed select expressions in contract order, contract columns the source supplied).

    `fixed` gives SQL for columns c360 writes itself (load time, generated ids) when the
    source does not supply them; IngestError names a required column nobody supplies."""
    exprs, supplied = [], []
    for column in dataset.columns:
        raw = None if column.name == "loaded_at" else source_expression(column, columns, mapping)
        value = None
        if raw is not None:
            supplied.append(column.name)
            value = _coerced(raw, column, mapping.formats.get(column.name))
        default = column.name in mapping.defaults and _literal(mapping.defaults[column.name])
        default = default or (column.default if raw is None else None)
        if value is None and not default:
            if column.name in fixed:
                value = fixed[column.name]
            elif column.required:
                raise IngestError(
                    f"{label} has no column {column.name} (its columns: "
                    f"{', '.join(columns[:12])}{', ...' if len(columns) > 12 else ''}); "
                    "name it in --mapping (see c360 import --example-mapping)"
                )
        expr = value or "null"
        if default:
            expr = f"coalesce({expr}, {default})"
        exprs.append(f"cast({expr} as {duck_type(column.type)}) as {column.name}")
    return exprs, supplied


def typed_nulls(dataset: Dataset, given: dict[str, str]) -> list[str]:
    """Select expressions for `dataset`: `given` SQL where named, typed nulls elsewhere."""
    return [
        f"cast({given.get(c.name, 'null')} as {duck_type(c.type)}) as {c.name}"
        for c in dataset.columns
    ]
