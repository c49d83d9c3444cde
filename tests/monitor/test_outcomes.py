"""Past scorings against what happened, on the session's small built warehouse."""

from datetime import timedelta

import pandas as pd
import pytest

from c360.ml.dataset import load_modelling_table
from c360.ml.history import append_scoring, feature_frame, read_scorings, top_features
from c360.ml.model import ChurnModel
from c360.ml.pipeline import model_dir
from c360.ml.score import score_customers
from c360.monitor.calibration import realised_churn
from c360.monitor.report import build_report
from c360.warehouse import serving
from tests.conftest import copy_built_home


@pytest.fixture()
def con(built_home):
    connection = serving.open_read_only(built_home.warehouse)
    connection.execute(f"use {serving.CATALOG}")
    yield connection
    connection.close()


def test_realised_churn_is_the_dbt_churn_label(con):
    labels = con.execute(
        "select customer_id, cutoff_date, churned from ml.churn_labels "
        "join ml.churn_cutoffs using (cutoff_date) where cutoff_role = 'test'"
    ).df()
    cutoff = pd.Timestamp(labels["cutoff_date"].iloc[0]).date()
    realised = realised_churn(con, labels["customer_id"].tolist(), cutoff - timedelta(days=1))
    expected = labels.set_index("customer_id")["churned"]
    assert expected.nunique() == 2
    assert (realised.reindex(expected.index) == expected).all()


def test_a_past_scoring_is_checked_against_what_happened(built_home, tmp_path):
    """Score the out-of-time test cutoff as if it had been scored back then: the monitor's
    realised churn and AUC are the ones training measured on the same rows."""
    paths = copy_built_home(built_home, tmp_path / "home")
    model = ChurnModel.load(model_dir(paths))
    frame = load_modelling_table(paths.warehouse, roles=("test",)).assign(cutoff_role="score")
    table = score_customers(model, frame, model.metadata["model_id"])
    top = top_features(model.metadata, model.features)
    append_scoring(paths.home, table, feature_frame(frame, top), model_dir(paths))

    report = build_report(paths)
    test_as_of = (pd.Timestamp(frame["cutoff_date"].iloc[0]) - pd.Timedelta(days=1)).date()
    assert read_scorings(paths.home)[0].as_of == test_as_of
    (outcome,) = report["outcomes"]  # the warehouse's own scoring has no outcome yet
    metrics = model.metadata["metrics"]["lightgbm"]
    assert outcome["as_of"] == test_as_of.isoformat()
    assert outcome["customers"] == metrics["rows"]
    assert outcome["roc_auc"] == pytest.approx(metrics["roc_auc"], abs=1e-3)
    assert outcome["realised_rate"] == pytest.approx(metrics["positive_rate"], abs=1e-3)
    assert sum(d["customers"] for d in outcome["by_decile"]) == outcome["customers"]
    assert sum(t["customers"] for t in outcome["by_tier"]) == outcome["customers"]
    riskiest, safest = outcome["by_decile"][-1], outcome["by_decile"][0]
    assert riskiest["realised"] > safest["realised"]
    assert report["scorings"][0]["feature_psi"], "top features kept with the scoring"


def test_bad_homes_get_one_line_and_exit_1(built_home, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from c360.cli import app

    runner = CliRunner()
    monkeypatch.setenv("C360_HOME", str(tmp_path / "empty"))
    result = runner.invoke(app, ["monitor"])
    assert result.exit_code == 1
    assert "no warehouse at" in result.output and "c360 build" in result.output

    paths = copy_built_home(built_home, tmp_path / "home")
    broken = paths.home / "monitoring" / "scorings" / "scoring-20990101-x.parquet"
    broken.write_bytes(b"not parquet")
    monkeypatch.setenv("C360_HOME", str(paths.home))
    result = runner.invoke(app, ["monitor", "--json"])
    assert result.exit_code == 1
    assert f"cannot read the kept scoring {broken}" in result.output
    assert "Traceback" not in result.output
