"""App fixtures: private copies of the session's small built warehouse.

`built_home` (tests/conftest.py) is shared and read-only, so tests that change the
warehouse work on a copy: the warehouse file is copied and `bronze` links to the original
(the silver campaign views read the bronze files by their absolute path).
"""

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from c360.config import Paths

ENTRY = Path(__file__).parents[2] / "src" / "c360" / "app" / "streamlit_app.py"
CHURN_COLUMNS = [
    "churn_probability",
    "churn_risk_score",
    "churn_risk_tier",
    "churn_reasons",
    "churn_not_scored_reason",
    "churn_scored_at",
]


def copy_home(source: Paths, target: Path) -> Paths:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source.warehouse, target / source.warehouse.name)
    (target / "bronze").symlink_to(source.bronze.resolve(), target_is_directory=True)
    return Paths(target)


def set_build_id(warehouse: Path, build_id: str) -> None:
    """Record a newer build in a warehouse file, as a publish would."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into meta.build_history select ? as build_id, * exclude (build_id) "
            "replace (finished_at + interval 1 hour as finished_at) from meta.build_info",
            [build_id],
        )


@pytest.fixture(scope="session")
def unscored_home(built_home, tmp_path_factory) -> Paths:
    """A copy of the built warehouse from before the churn model: no churn columns at all."""
    paths = copy_home(built_home, tmp_path_factory.mktemp("unscored"))
    with duckdb.connect(str(paths.warehouse)) as con:
        present = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'gold' and table_name = 'customer_360_profile'"
            ).fetchall()
        }
        for column in CHURN_COLUMNS:
            if column in present:
                con.execute(f"alter table gold.customer_360_profile drop column {column}")
    return paths


@pytest.fixture()
def app_for(monkeypatch):
    """Start the app (through its entry point) on a given home."""

    def start(home: Path) -> AppTest:
        monkeypatch.setenv("C360_HOME", str(home))
        at = AppTest.from_file(str(ENTRY), default_timeout=60)
        at.run()
        return at

    return start


def texts(at: AppTest) -> str:
    """All the text the app shows (markdown, captions, titles, metrics, alerts)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    parts += [str(c.value) for c in at.code]
    parts += [w.label for w in at.text_input]
    return "\n".join(parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)
