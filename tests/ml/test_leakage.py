"""Leakage guards: features see only the past, no label or truth becomes a feature."""

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from c360.config import Paths
from c360.ml.dataset import DatasetError, feature_columns, load_modelling_table
from c360.ml.train import _max_single_feature_auc
from c360.warehouse.publish import build_warehouse

ML_YAML = Path(__file__).parents[2] / "dbt" / "models" / "ml" / "_ml__models.yml"
TEST_CUTOFF = "2025-10-03"


def features_at(warehouse: Path, where: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select * from ml.churn_features where {where} order by customer_id, cutoff_date"
        ).df()


def rewrite_transactions_from(bronze: Path, cutoff: str) -> None:
    """Delete half of the transactions at or after the cutoff and change all the others."""
    for path in sorted((bronze / "transactions").glob("*.parquet")):
        duckdb.execute(
            f"""
            copy (
                select * replace (
                    case when transaction_ts >= '{cutoff}' then amount * 7 else amount end
                        as amount,
                    case when transaction_ts >= '{cutoff}' then 'Declined' else status end
                        as status
                )
                from read_parquet('{path}')
                where transaction_ts < '{cutoff}' or transaction_id % 2 = 0
            ) to '{path}.tmp' (format parquet)
            """
        )
        Path(f"{path}.tmp").replace(path)


def test_changing_transactions_at_or_after_t_leaves_features_at_t_unchanged(built_home, tmp_path):
    changed = Paths(tmp_path / "changed")
    shutil.copytree(built_home.bronze, changed.bronze)
    rewrite_transactions_from(changed.bronze, TEST_CUTOFF)
    build_warehouse(changed)

    where = f"cutoff_date <= '{TEST_CUTOFF}'"
    before = features_at(built_home.warehouse, where)
    after = features_at(changed.warehouse, where)
    assert len(before) > 1000
    pd.testing.assert_frame_equal(before, after)

    # the guard can fail: features at the later score cutoff do see the change
    later = "cutoff_date > '2025-12-01'"
    assert not features_at(built_home.warehouse, later).equals(
        features_at(changed.warehouse, later)
    )


def test_no_label_truth_or_outcome_column_is_a_feature(built_home):
    frame = load_modelling_table(built_home.warehouse, roles=("test",))
    features = set(feature_columns(frame))
    with duckdb.connect(str(built_home.warehouse), read_only=True) as con:
        label_columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'ml' and table_name = 'churn_labels'"
            ).fetchall()
        }
    truth_columns = set(
        duckdb.execute(f"select * from '{built_home.bronze}/_truth/customers.parquet' limit 0").df()
    )
    assert features.isdisjoint(label_columns - {"customer_id", "cutoff_date"})
    assert features.isdisjoint(truth_columns)
    assert not features & {"customer_id", "cutoff_date", "is_eligible", "ineligible_reason"}


def test_a_denylisted_column_is_refused_as_a_feature():
    frame = pd.DataFrame({"customer_id": ["a"], "spend_30d": [1.0], "churn_reason": ["x"]})
    with pytest.raises(DatasetError, match="churn_reason"):
        feature_columns(frame)


def test_no_single_feature_predicts_the_holdout_almost_perfectly(built_home):
    frame = load_modelling_table(built_home.warehouse, roles=("test",))
    frame = frame[frame["is_eligible"] & frame["churned"].notna()]
    features = feature_columns(frame)
    y = frame["churned"].astype(int).to_numpy()
    best = _max_single_feature_auc(frame, features, y)
    assert best["feature"] is not None
    assert best["auc"] < 0.95, best
    # the check itself catches a leak: a feature that is the label scores AUC 1
    leaked = frame.assign(leak=y + np.random.default_rng(0).normal(0, 0.01, len(y)))
    assert _max_single_feature_auc(leaked, [*features, "leak"], y)["auc"] >= 0.95


def test_at_least_35_features_each_documented():
    frame_columns = yaml.safe_load(ML_YAML.read_text())
    model = next(m for m in frame_columns["models"] if m["name"] == "churn_features")
    documented = {c["name"]: c.get("description", "") for c in model["columns"]}
    keys = {"customer_id", "cutoff_date", "is_eligible", "ineligible_reason"}
    features = [name for name in documented if name not in keys]
    assert len(features) >= 35
    assert all(len(documented[name]) > 15 for name in features)


def test_every_feature_in_the_warehouse_is_documented(built_home):
    frame = load_modelling_table(built_home.warehouse, roles=("score",))
    model = next(
        m for m in yaml.safe_load(ML_YAML.read_text())["models"] if m["name"] == "churn_features"
    )
    documented = {c["name"] for c in model["columns"]}
    assert set(feature_columns(frame)) <= documented
