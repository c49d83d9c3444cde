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
