"""`c360 run` through c360.pipeline: every stage on one engine, one republish at the end."""

import json
import shutil

import duckdb
from typer.testing import CliRunner

from c360.cli import app


def test_run_fits_every_stage_and_publishes_twice_in_all(bronze, tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(bronze, home / "bronze")
    monkeypatch.setenv("C360_HOME", str(home))
    result = CliRunner().invoke(app, ["run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    stages = report["stages"]
    assert list(stages) == ["generate", "build", "train", "score", "clv", "uplift", "publish"]
    # each stage's own wall time (bronze existed: nothing generated, so no time for it)
    assert list(report["seconds"]) == list(stages)[1:]
    assert all(s > 0 for s in report["seconds"].values())
    assert report["seconds"]["build"] >= stages["build"]["seconds"] * 0.9
    assert stages["clv"]["scored"] > 0 and stages["uplift"]["scored"] > 0
    assert stages["clv"]["validation"]["holdout_days"] == 180
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        kinds = [row[0] for row in con.execute(
            "select kind from meta.build_history order by finished_at"
        ).fetchall()]  # fmt: skip
        filled = con.execute(
            "select count(churn_probability), count(clv_12m), count(retention_uplift) "
            "from gold.customer_360_profile"
        ).fetchone()
    assert kinds == ["full", "scores"]  # the build, then one republish of every output
    assert filled[0] == stages["score"]["scored"]
    assert filled[1] == stages["clv"]["scored"] and filled[2] == stages["uplift"]["scored"]
