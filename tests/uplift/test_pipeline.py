"""`c360 uplift` end to end on the small built warehouse, and the truth stays out of it."""

import ast
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from c360.pipeline import run_uplift
from c360.uplift import dataset
from c360.uplift.pipeline import report_path, uplift_path
from c360.warehouse.engines import engine_for
from tests.conftest import copy_built_home

UPLIFT_SRC = Path(__file__).parents[2] / "src" / "c360" / "uplift"


@pytest.fixture(scope="module")
def report(valued_home) -> dict:
    return json.loads(report_path(valued_home.home).read_text())


def test_report_has_heldout_qini_and_truth_comparison(report):
    evaluation = report["evaluation"]
    assert evaluation["holdout_customers"] > 0
    curve = evaluation["qini_curve"]["uplift_model"]
    assert curve[0] == {"fraction": 0.0, "incremental": 0.0} and curve[-1]["fraction"] == 1.0
    assert set(evaluation["qini_area"]) == {"uplift_model", "churn_risk"}
    assert report["truth"]["customers"] == evaluation["holdout_customers"]
    assert {"pearson_with_true_effect", "budgets"} <= set(report["truth"])
    assert "campaign_contacted" not in report["features"]
    assert "days_since_campaign_contact" not in report["features"]


def test_features_come_from_before_the_assignment(report):
    campaign = report["campaign"]
    assert campaign["feature_cutoff"] <= campaign["assigned_date"]


def test_scores_land_in_gold(valued_home):
    with duckdb.connect(str(valued_home.warehouse), read_only=True) as con:
        scored = con.execute(
            "select count(retention_uplift), min(retention_uplift), max(retention_uplift), "
            "count(*) filter (where churn_risk_tier is not null and retention_uplift is null) "
            "from gold.customer_360_profile"
        ).fetchone()
    assert scored[0] > 0
    assert -1 <= scored[1] <= scored[2] <= 1
    assert scored[3] == 0  # everyone with a churn score (eligible today) has an uplift


def test_training_does_not_read_the_truth(valued_home, tmp_path):
    """The same fit on a home whose bronze has no `_truth`: identical scores, no truth."""
    blind = copy_built_home(valued_home, tmp_path / "blind", truth=False)
    summary = run_uplift(blind, seed=42, publish=False)
    assert summary.truth is None
    with_truth = pd.read_parquet(uplift_path(valued_home.home))
    without = pd.read_parquet(uplift_path(blind.home))
    assert np.allclose(
        with_truth["retention_uplift"].fillna(9), without["retention_uplift"].fillna(9)
    )


def test_only_the_evaluation_module_mentions_the_truth():
    for path in UPLIFT_SRC.glob("*.py"):
        if path.name in {"truth.py", "__init__.py"}:
            continue
        source = path.read_text()
        assert "_truth" not in source, path.name
        imports = [
            node.module
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and node.module
        ]
        if path.name != "pipeline.py":  # the pipeline calls it after fitting, with predictions
            assert "c360.uplift.truth" not in imports, path.name


def test_participants_get_outcomes_from_after_assignment(valued_home):
    with engine_for(valued_home, "duckdb") as engine:
        campaign = dataset.find_campaign(engine)
        frame = dataset.participants(engine, campaign)
    assert frame["treated"].any() and (~frame["treated"]).any()
    assert frame["retained"].dtype == bool
    assert (frame["cutoff_date"].dt.date <= campaign.assigned_date).all()


def test_no_campaign_is_its_own_error_and_run_skips_it(valued_home, monkeypatch):
    import typer

    from c360 import cli
    from c360.uplift.pipeline import NoCampaign

    def no_campaign(engine, campaign_id=None):
        raise dataset.NoCampaignError("no randomised campaign with treatment and control")

    monkeypatch.setattr(dataset, "find_campaign", no_campaign)
    with pytest.raises(NoCampaign, match="no randomised campaign"):
        run_uplift(valued_home, publish=False)
    monkeypatch.setenv("C360_HOME", str(valued_home.home))
    skipped = cli._uplift("x", None, 0.3, 42, quiet=True, optional=True)
    assert skipped == {"skipped": "no randomised campaign with treatment and control"}
    with pytest.raises(typer.Exit):
        cli._uplift("x", None, 0.3, 42, quiet=True)
