"""The `c360` command line: help everywhere, JSON output, and clear one-line errors."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from c360.cli import app

runner = CliRunner()


def test_python_dash_m_shows_help():
    result = subprocess.run(
        [sys.executable, "-m", "c360", "--help"], capture_output=True, text=True, check=True
    )
    assert "generate" in result.stdout


@pytest.mark.parametrize("command", [[], ["generate"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_generate_json_reports_counts(tmp_path):
    out = tmp_path / "bronze"
    args = ["generate", "--customers", "50", "--transactions", "3000", "--output", str(out)]
    result = runner.invoke(app, [*args, "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rows"]["customers"] == 50
    assert report["output"] == str(out)
    assert (out / "_manifest.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customers", "0"], "--customers must be positive"),
        (["--customers", "-5"], "--customers must be positive"),
        (["--transactions", "0"], "--transactions must be positive"),
        (["--customers", "100", "--transactions", "99"], "must be at least --customers"),
        (["--scale", "0"], "--scale must be positive"),
        (["--as-of", "yesterday"], "--as-of must be a date"),
        (["--as-of", "0001-01-01"], "--as-of must be between 1971-01-01 and 2099-12-31"),
        (["--as-of", "9999-12-31"], "--as-of must be between 1971-01-01 and 2099-12-31"),
    ],
)
def test_bad_sizes_fail_with_one_line_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "bronze"
    result = runner.invoke(app, ["generate", "--output", str(out), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_non_empty_output_needs_force_and_is_left_untouched(tmp_path):
    out = tmp_path / "bronze"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    args = ["generate", "--customers", "20", "--transactions", "500", "--output", str(out)]
    result = runner.invoke(app, [*args, "--workers", "1"])
    assert result.exit_code == 1
    assert "not empty; use --force" in result.output
    assert (out / "keep.txt").read_text() == "precious"

    # --force replaces bronze or an empty folder only (tests/generate/test_force.py)
    forced = runner.invoke(app, [*args, "--workers", "1", "--force"])
    assert forced.exit_code == 1
    assert "refusing to replace" in forced.output
    assert (out / "keep.txt").read_text() == "precious"
    (out / "keep.txt").unlink()
    forced = runner.invoke(app, [*args, "--workers", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "transactions").is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name != ".c360.lock"] == ["bronze"]


def test_unwritable_output_fails_cleanly(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(app, ["generate", "--output", str(blocker / "bronze")])
    assert result.exit_code == 1
    assert "cannot write to" in result.output
