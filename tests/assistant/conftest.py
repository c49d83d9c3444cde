"""Assistant fixtures: the semantic model, an offline planner, and an assistant on the small
built warehouse (tests/conftest.py's `built_home`, read-only; logs go to a temporary dir)."""

from datetime import date
from pathlib import Path

import pytest

from c360.assistant import semantic
from c360.assistant.planner import Planner
from c360.assistant.service import Assistant

AS_OF = date(2025, 12, 31)
STATE_CODES = sorted(semantic.load().dimension("state").value_synonyms)
CATEGORIES = ["Grocery Stores", "Airlines", "Restaurants", "Gas Stations", "Hotels & Lodging"]


@pytest.fixture(scope="session")
def model() -> semantic.SemanticModel:
    return semantic.load()


@pytest.fixture(scope="session")
def planner(model) -> Planner:
    """A planner with a fixed as-of date and vocabulary: no warehouse needed."""
    values = {
        "state": STATE_CODES,
        "category": CATEGORIES,
        "city": ["San Diego", "New York", "Houston"],
        "campaign_name": ["Spring retention offer"],
    }
    return Planner(model, AS_OF, values)


@pytest.fixture(scope="session")
def assistant(built_home, tmp_path_factory) -> Assistant:
    a = Assistant.open(built_home.warehouse, log_dir=tmp_path_factory.mktemp("assistant-logs"))
    yield a
    a.close()


def private_home(built_home, target: Path) -> Path:
    """A home whose warehouse is a link to the shared one: logs land in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "warehouse.duckdb").symlink_to(built_home.warehouse.resolve())
    return target
