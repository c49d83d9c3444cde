"""One place for settings: where data lives, default sizes, seed and dates."""

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 50_000
DEFAULT_TRANSACTIONS = 60_000_000
DEFAULT_AS_OF = date(2025, 12, 31)
HISTORY_MONTHS = 24
# A build's as-of date must fall on or after the first transaction in bronze and at most
# this many days after the last transaction on or before it: further away, every
# customer would look inactive (or have no history at all), which is a wrong date, not
# a finding. See README, "As-of date".
MAX_AS_OF_GAP_DAYS = 31
# What `c360 generate --as-of` accepts: the generator needs a few years before the date
# for account openings and birthdays, and Python dates end in 9999.
EARLIEST_GENERATED_AS_OF = date(1971, 1, 1)
LATEST_GENERATED_AS_OF = date(2099, 12, 31)

# Engines the dbt project builds on (profiles in dbt/profiles.yml); see README "Targets".
TARGETS = ("duckdb", "spark", "snowflake")
DEFAULT_TARGET = "duckdb"


class TargetError(ValueError):
    """An unknown target name; one line for the user."""


def resolve_target(target: str | None = None) -> str:
    """The engine to use: `target` if given, else $C360_TARGET, else duckdb."""
    name = (target or os.environ.get("C360_TARGET") or DEFAULT_TARGET).strip().lower()
    if name not in TARGETS:
        raise TargetError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
    return name


@dataclass(frozen=True)
class Paths:
    """Where c360 keeps its data; everything hangs off `C360_HOME` (default ./data)."""

    home: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(Path(os.environ.get("C360_HOME", "data")).resolve())

    @property
    def bronze(self) -> Path:
        return self.home / "bronze"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def spark_home(self) -> Path:
        """The Spark target's catalog: metastore_db/ and warehouse/ (managed tables)."""
        return self.home / "spark"
