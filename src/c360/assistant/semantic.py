"""The semantic model (semantic_model.yml): loaded once, read by the planner, guard, prompt
and docs."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

MODEL_PATH = Path(__file__).with_name("semantic_model.yml")
ENTITIES = ("customer", "transaction")


class SemanticModelError(Exception):
    """The semantic model file is malformed."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    schema: str
    alias: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Dimension:
    name: str
    entity: str
    expr: str
    label: str
    plural: str
    synonyms: tuple[str, ...]
    values: tuple[str, ...] = ()
    values_from_data: bool = False
    sample_values: tuple[str, ...] = ()
    value_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Grain:
    name: str
    expr: str
    label: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class TimeDimension:
    name: str
    entity: str
    expr: str
    label: str
    synonyms: tuple[str, ...]
    grains: dict[str, Grain]


@dataclass(frozen=True)
class Measure:
    name: str
    entity: str
    expr: str
    label: str
    format: str
    synonyms: tuple[str, ...]
    where: str | None = None
    column: str | None = None  # the customer column to sort a customer list by


@dataclass(frozen=True)
class Fact:
    name: str
    entity: str
    expr: str
    label: str
    format: str
    default_agg: str
    synonyms: tuple[str, ...]
    unit: str | None = None


@dataclass(frozen=True)
class Flag:
    name: str
    expr: str
    label: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Rollup:
    """A pre-aggregated table that answers some transaction questions (see the YAML)."""

    name: str
    source: str
    customer_join: str
    time_column: str
    grains: dict[str, str]
    measures: dict[str, str]
    activity: dict[str, str]
    category_group_spend: dict[str, str]


@dataclass(frozen=True)
class VerifiedQuery:
    question: str
    sql: str


@dataclass(frozen=True)
class SemanticModel:
    name: str
    description: str
    conventions: dict[str, str]
    tables: tuple[Table, ...]
    relationships: tuple[dict, ...]
    dimensions: tuple[Dimension, ...]
    time_dimensions: tuple[TimeDimension, ...]
    measures: tuple[Measure, ...]
    facts: tuple[Fact, ...]
    flags: tuple[Flag, ...]
    lists: dict[str, tuple[str, ...]]
    verified_queries: tuple[VerifiedQuery, ...]
    suggested_questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rollups: tuple[Rollup, ...] = ()

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def allowed_columns(self) -> dict[str, dict[str, str]]:
        """{table: {column: type}} for every allow-listed table (the guard's schema)."""
        return {t.name: {c.name: c.type for c in t.columns} for t in self.tables}

    def dimension(self, name: str) -> Dimension:
        return next(d for d in self.dimensions if d.name == name)

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)

    def fact(self, name: str) -> Fact:
        return next(f for f in self.facts if f.name == name)

    def time_dimension(self, name: str) -> TimeDimension:
        return next(t for t in self.time_dimensions if t.name == name)


def _tuple(value) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or []))


def _keys(value) -> tuple[str, ...]:
    """A primary key written as one column name or a list of them."""
    return (str(value),) if isinstance(value, str) else _tuple(value)


def parse(raw: dict) -> SemanticModel:
    """A SemanticModel from the YAML's mapping; raises SemanticModelError when malformed."""
    try:
        tables = tuple(
            Table(
                name=t["name"],
                schema=t["schema"],
                alias=t["alias"],
                description=str(t.get("description", "")).strip(),
                columns=tuple(
                    Column(c["name"], str(c["type"]), str(c.get("description", "")))
                    for c in t["columns"]
                ),
                primary_key=_keys(t.get("primary_key")),
            )
            for t in raw["tables"]
        )
        dimensions = tuple(
            Dimension(
                name=d["name"],
                entity=d["entity"],
                expr=d["expr"],
                label=d["label"],
                plural=d.get("plural", d["label"].lower()),
                synonyms=_tuple(d.get("synonyms")),
                values=_tuple(d.get("values")),
                values_from_data=bool(d.get("values_from_data", False)),
                sample_values=_tuple(d.get("sample_values") or d.get("values")),
                value_synonyms={
                    str(k): _tuple(v) for k, v in (d.get("value_synonyms") or {}).items()
                },
            )
            for d in raw["dimensions"]
        )
        time_dimensions = tuple(
            TimeDimension(
                name=td["name"],
                entity=td["entity"],
                expr=td["expr"],
                label=td["label"],
                synonyms=_tuple(td.get("synonyms")),
                grains={
                    g: Grain(g, spec["expr"], spec["label"], _tuple(spec.get("synonyms")))
                    for g, spec in td["grains"].items()
                },
            )
            for td in raw["time_dimensions"]
        )
        measures = tuple(
            Measure(
                name=m["name"],
                entity=m["entity"],
                expr=m["expr"],
                label=m["label"],
                format=m.get("format", "number"),
                synonyms=_tuple(m.get("synonyms")),
                where=m.get("where"),
                column=m.get("column"),
            )
            for m in raw["measures"]
        )
        facts = tuple(
            Fact(
                name=f["name"],
                entity=f["entity"],
                expr=f["expr"],
                label=f["label"],
                format=f.get("format", "number"),
                default_agg=f.get("default_agg", "avg"),
                synonyms=_tuple(f.get("synonyms")),
                unit=f.get("unit"),
            )
            for f in raw["facts"]
        )
        flags = tuple(
            Flag(f["name"], f["expr"], f["label"], _tuple(f.get("synonyms"))) for f in raw["flags"]
        )
        verified = tuple(
            VerifiedQuery(q["question"], q["sql"].strip()) for q in raw["verified_queries"]
        )
        model = SemanticModel(
            name=raw["name"],
            description=str(raw.get("description", "")).strip(),
            conventions={k: str(v).strip() for k, v in (raw.get("conventions") or {}).items()},
            tables=tables,
            relationships=tuple(raw.get("relationships") or ()),
            dimensions=dimensions,
            time_dimensions=time_dimensions,
            measures=measures,
            facts=facts,
            flags=flags,
            lists={k: _tuple(v) for k, v in raw["lists"].items()},
            verified_queries=verified,
            rollups=tuple(
                Rollup(
                    name=r["name"],
                    source=r["source"],
                    customer_join=r["customer_join"],
                    time_column=r["time_column"],
                    grains={str(k): str(v) for k, v in r["grains"].items()},
                    measures={str(k): str(v) for k, v in r["measures"].items()},
                    activity={str(k): str(v) for k, v in r["activity"].items()},
                    category_group_spend={
                        str(k): str(v) for k, v in (r.get("category_group_spend") or {}).items()
                    },
                )
                for r in raw.get("rollups") or ()
            ),
            suggested_questions={
                str(theme): _tuple(questions)
                for theme, questions in (raw.get("suggested_questions") or {}).items()
            },
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise SemanticModelError(f"semantic model is malformed: {exc!r}") from None
    for item in (*dimensions, *time_dimensions, *measures, *facts):
        if item.entity not in ENTITIES:
            raise SemanticModelError(f"{item.name}: unknown entity {item.entity!r}")
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise SemanticModelError("duplicate table names in the semantic model")
    return model


@cache
def load(path: Path = MODEL_PATH) -> SemanticModel:
    """The semantic model at `path` (cached)."""
    with open(path, encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh))
