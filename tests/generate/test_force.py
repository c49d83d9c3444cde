"""`--force` replaces a bronze layer or an empty folder whole, and refuses anything else, so
`c360 generate --output $C360_HOME --force` cannot wipe a home."""

import json

import pytest
from typer.testing import CliRunner

from c360.cli import app
from tests.conftest import make_bronze

TINY = ["--customers", "30", "--transactions", "900", "--workers", "1"]


def snapshot(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def generate(output, *extra):
    return CliRunner().invoke(app, ["generate", *TINY, "--output", str(output), *extra])


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """A home: bronze, a warehouse, a model, notes of the user's."""
    home = tmp_path / "home"
    make_bronze(home / "bronze", workers=1, customers=30, transactions=900)
    (home / "warehouse.duckdb").write_bytes(b"the served warehouse")
    (home / "model").mkdir()
    (home / "model" / "booster.txt").write_text("a model")
    monkeypatch.setenv("C360_HOME", str(home))
    return home


def assert_refused(result, before, folder):
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "refusing to replace" in result.output and "Traceback" not in result.output
    assert snapshot(folder) == before


def test_force_on_a_home_is_refused_and_deletes_nothing(home):
    before = snapshot(home)
    assert_refused(generate(home, "--force"), before, home)
    assert_refused(generate(home, "--force", "--seed", "3"), before, home)


def test_force_on_bronze_with_other_files_is_refused(home):
    (home / "bronze" / "notes.txt").write_text("mine")
    before = snapshot(home)
    assert_refused(generate(home / "bronze", "--force"), before, home)


def test_force_on_a_folder_without_a_manifest_is_refused(tmp_path):
    folder = tmp_path / "documents"
    (folder / "transactions").mkdir(parents=True)
    (folder / "transactions" / "ledger.parquet").write_bytes(b"PAR1")
    before = snapshot(folder)
    assert_refused(generate(folder, "--force"), before, folder)


def test_force_replaces_bronze_whole_and_an_empty_folder_is_fine(home, tmp_path):
    # staging a killed generate left beside bronze is removed by the next run
    (home / ".bronze.tmp-0badf00d" / "transactions").mkdir(parents=True)
    (home / "bronze" / "transactions" / "late-delivery.parquet").write_bytes(b"PAR1")
    result = generate(home / "bronze", "--force", "--seed", "5", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["seed"] == 5
    assert not (home / "bronze" / "transactions" / "late-delivery.parquet").exists()
    assert (home / "warehouse.duckdb").read_bytes() == b"the served warehouse"
    assert not [p for p in home.iterdir() if p.name.startswith(".bronze.")]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert generate(empty, "--force").exit_code == 0
    assert (empty / "_manifest.json").exists()
