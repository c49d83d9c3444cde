"""What each stage does with partial data: notes, absent columns, features, history."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from c360.contracts.bronze import absent_columns, dbt_env, skipped_notes
from c360.ml.dataset import DatasetError
from c360.ml.train import MIN_HISTORY_DAYS, informative, split_by_role

TRANSACTIONS_ONLY = {
    "source": "import",
    "derived": ["customers", "merchant_categories"],
    "supplied": {
        "transactions": ["customer_id", "transaction_ts", "amount"],
        "customers": ["customer_id", "account_open_date"],
        "merchant_categories": ["category_id", "category_name"],
    },
}


def test_generated_bronze_lacks_nothing():
    assert absent_columns({"as_of_date": "2025-12-31"}) == []
    assert skipped_notes({"as_of_date": "2025-12-31"}) == []
    assert dbt_env({}) == {"C360_BRONZE_SOURCE": "generate", "C360_BRONZE_ABSENT": ""}


def test_transactions_only_names_every_gap_once():
    absent = absent_columns(TRANSACTIONS_ONLY)
    assert "customers.state" in absent and "transactions.status" in absent
    assert "transactions.amount" not in absent and "customers.account_open_date" not in absent
    assert "transactions.loaded_at" not in absent  # c360 writes it
    notes = skipped_notes(TRANSACTIONS_ONLY)
    assert notes[0].startswith("no customers: customers are derived from transactions")
    assert "no transactions.status: every row counts as approved" in notes
    assert any(n.startswith("no campaign_exposures: uplift is skipped") for n in notes)
    assert len(notes) == len(set(notes))


def test_features_without_values_are_left_out():
    frame = pd.DataFrame(
        {"spend": [1.0, 2.0, 3.0], "age": [None, None, None], "channel_share": [0.0] * 3}
    )
    assert informative(frame, ["spend", "age", "channel_share"]) == ["spend"]


def test_too_little_history_names_the_days_needed():
    frame = pd.DataFrame(
        {
            "cutoff_role": ["test"] * 60 + ["calibration"] * 60,
            "is_eligible": True,
            "churned": [0, 1] * 60,
        }
    )
    with pytest.raises(DatasetError, match=f"no train cutoff fits.*{MIN_HISTORY_DAYS} days"):
        split_by_role(frame)


def test_history_needed_follows_the_dbt_settings():
    project = Path(__file__).resolve().parents[2] / "dbt" / "dbt_project.yml"
    v = yaml.safe_load(project.read_text())["vars"]
    periods = 3 * (v["ml_outcome_days"] // v["ml_period_days"])  # first train cutoff
    assert periods * v["ml_period_days"] + v["ml_max_window_days"] == MIN_HISTORY_DAYS
