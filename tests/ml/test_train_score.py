"""Training out of time, the saved model, scores, tiers and reasons in the profile."""

import json
import shutil

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from c360.cli import app
from c360.config import Paths
from c360.ml.dataset import load_modelling_table
from c360.ml.model import ChurnModel
from c360.ml.pipeline import model_dir
from c360.ml.predictions import predictions_path
from c360.ml.score import score_customers


@pytest.fixture(scope="module")
def report(built_home) -> dict:
    return json.loads((model_dir(built_home) / "report.json").read_text())


def test_roles_are_separated_in_time(report):
    cutoffs = report["cutoffs"]
    assert len(cutoffs["train"]) >= 6
    assert max(cutoffs["train"]) < min(cutoffs["calibration"]) < min(cutoffs["test"])
    assert cutoffs["test"] == ["2025-10-03"]  # as-of 2025-12-31 minus 90 days


def test_report_compares_the_model_with_both_baselines(report):
    for name in ("lightgbm", "logistic_regression", "recency_rule"):
        assert 0.5 < report[name]["roc_auc"] <= 1.0
    for metric in ("pr_auc", "brier", "ece", "top_decile_lift"):
        assert metric in report["lightgbm"]
    assert report["truth_recall"]["true_churners"] > 0


def test_model_folder_holds_a_safe_model_a_card_and_a_plot(built_home):
    folder = model_dir(built_home)
    assert {p.name for p in folder.iterdir()} >= {
        "booster.txt",
        "model.json",
        "model_card.md",
        "reliability.png",
        "report.json",
    }
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.pickle"))
    card = (folder / "model_card.md").read_text()
    assert "Out-of-time validation" in card and "recency rule" in card
    assert (folder / "reliability.png").read_bytes()[:4] == b"\x89PNG"


def test_loaded_model_reproduces_the_published_scores(built_home):
    model = ChurnModel.load(model_dir(built_home))
    frame = load_modelling_table(built_home.warehouse, roles=("score",))
    again = score_customers(model, frame, "again").to_pandas()
    published = pq.read_table(predictions_path(built_home.home)).to_pandas()
    merged = published.merge(again, on="customer_id", suffixes=("", "_again"))
    assert len(merged) == len(published) > 0
    scored = merged[merged["is_scored"]]
    assert (scored["churn_probability"] - scored["churn_probability_again"]).abs().max() < 1e-12


def test_training_is_deterministic_and_can_copy_its_card(built_home, tmp_path, monkeypatch):
    copy = Paths(tmp_path / "copy")
    copy.home.mkdir()
    shutil.copy(built_home.warehouse, copy.warehouse)
    shutil.copytree(built_home.bronze, copy.bronze)
    first = json.loads((model_dir(built_home) / "model.json").read_text())["model_id"]
    monkeypatch.setenv("C360_HOME", str(copy.home))
    docs = tmp_path / "docs"
    result = CliRunner().invoke(app, ["train", "--card-dir", str(docs), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model_id"] == first
    assert first in (docs / "model_card.md").read_text()
    assert (docs / "reliability.png").read_bytes() == (
        model_dir(copy) / "reliability.png"
    ).read_bytes()


def test_profile_carries_scores_tiers_and_reasons(warehouse_sql):
    rows = warehouse_sql.execute(
        """
        select churn_probability, churn_risk_score, churn_risk_tier, churn_reasons,
               churn_not_scored_reason
        from gold.customer_360_profile
        """
    ).fetchall()
    scored = [r for r in rows if r[0] is not None]
    unscored = [r for r in rows if r[0] is None]
    assert scored and unscored
    for probability, score, tier, reasons, not_scored in scored:
        assert 0.0 <= probability <= 1.0
        assert score == round(probability * 100)
        assert tier == ("High" if score >= 70 else "Medium" if score >= 40 else "Low")
        assert reasons and not_scored is None
    for _, score, tier, _, not_scored in unscored:
        assert score is None and tier is None
        assert not_scored


def test_exactly_the_eligible_customers_are_scored(warehouse_sql):
    eligible, scored = warehouse_sql.execute(
        """
        select
            (select count(*) from ml.churn_features f join ml.churn_cutoffs c using (cutoff_date)
             where c.cutoff_role = 'score' and f.is_eligible),
            (select count(*) from gold.customer_360_profile where churn_probability is not null)
        """
    ).fetchone()
    assert eligible == scored > 0


def test_train_without_a_warehouse_fails_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["train"])
    assert result.exit_code == 1
    assert "run `c360 build` first" in result.output
    assert "Traceback" not in result.output


def test_score_without_a_model_fails_in_one_line(tmp_path, monkeypatch, built_home):
    monkeypatch.setenv("C360_HOME", str(tmp_path))
    shutil.copy(built_home.warehouse, tmp_path / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["score"])
    assert result.exit_code == 1
    assert "run `c360 train`" in result.output


def test_reasons_are_plain_words(warehouse_sql):
    reasons = [
        r[0]
        for r in warehouse_sql.execute(
            "select churn_reasons from gold.customer_360_profile where churn_reasons is not null"
        ).fetchall()
    ]
    assert reasons
    assert not any("_" in reason for reason in reasons), reasons[:5]
