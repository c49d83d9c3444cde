"""The uplift modelling table: campaign participants, their point-in-time features and what
happened after assignment. Reads only the warehouse (never the generator's truth).

Built by dbt (models/ml/uplift_campaigns.sql, uplift_participants.sql, campaign_outcomes.sql):
features are the churn model's (`ml.churn_features`) at the latest churn cutoff on or
before the assignment date, so they use only data from before assignment (at most
`ml_period_days` stale); outcomes are the Campaign Performance page's (retained = an
approved purchase in the last 30 of the 180 days after assignment; spend = approved spend
in that window). The campaign-contact features are dropped here: they would describe the
treatment itself.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd

from c360.ml.dataset import CATEGORICAL, feature_columns
from c360.warehouse.engines import Engine

# The outcome's definition lives in dbt (models/ml/campaign_outcomes.sql, vars
# campaign_outcome_window_days and campaign_outcome_active_days); these are its defaults,
# for the report's wording.
WINDOW_DAYS = 180
ACTIVE_DAYS = 30
TREATMENT_FEATURES = ("campaign_contacted", "days_since_campaign_contact")


class UpliftDataError(Exception):
    """The warehouse cannot provide an uplift modelling table; one line for the user."""


class NoCampaignError(UpliftDataError):
    """The data holds no randomised campaign to learn from."""


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    assigned_date: date
    cost_per_customer: float
    feature_cutoff: date  # the churn cutoff whose features describe the participants
    as_of_date: date


def _with_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The churn model's categorical columns as pandas categories (as LightGBM expects)."""
    for column in CATEGORICAL:
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


def find_campaign(engine: Engine, campaign_id: str | None = None) -> Campaign:
    """The given campaign, else the latest one with both a treatment and a control group."""
    campaigns = engine.read(
        "select * from ml.uplift_campaigns order by assigned_date desc, campaign_id"
    )
    if campaign_id is not None:
        campaigns = campaigns[campaigns["campaign_id"] == campaign_id]
    if campaigns.empty:
        which = f"campaign {campaign_id!r}" if campaign_id else "campaign"
        raise NoCampaignError(f"no randomised {which} with treatment and control in the data")
    row = campaigns.iloc[0]
    assigned = pd.Timestamp(row["assigned_date"]).date()
    if pd.isna(row["feature_cutoff_date"]):
        raise UpliftDataError(
            f"no churn-feature cutoff on or before the campaign's assignment ({assigned}); "
            "the history before the campaign is too short"
        )
    as_of = engine.read("select as_of_date from gold.build_as_of").iloc[0, 0]
    return Campaign(
        campaign_id=str(row["campaign_id"]),
        assigned_date=assigned,
        cost_per_customer=float(row["cost_per_customer"]),
        feature_cutoff=pd.Timestamp(row["feature_cutoff_date"]).date(),
        as_of_date=pd.Timestamp(as_of).date(),
    )


def participants(engine: Engine, campaign: Campaign) -> pd.DataFrame:
    """One row per participant: features before assignment, treated, retained, spend."""
    frame = engine.read(
        "select * from ml.uplift_participants where campaign_id = ? order by customer_id",
        [campaign.campaign_id],
    )
    return _with_categories(frame.drop(columns=["campaign_id"]))


def scoring_frame(engine: Engine) -> pd.DataFrame:
    """Every customer's features at the score cutoff (the as-of date)."""
    frame = engine.read(
        "select f.* from ml.churn_features f join ml.churn_cutoffs c using (cutoff_date) "
        "where c.cutoff_role = 'score' order by f.customer_id"
    )
    return _with_categories(frame)


def uplift_features(frame: pd.DataFrame) -> list[str]:
    """The churn features minus those that describe a campaign contact."""
    outcome_columns = {"treated", "retained", "spend_after"}
    candidates = frame.drop(columns=[c for c in outcome_columns if c in frame])
    return [c for c in feature_columns(candidates) if c not in TREATMENT_FEATURES]
