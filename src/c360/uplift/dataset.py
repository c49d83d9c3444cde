"""The uplift modelling table: campaign participants, their point-in-time features and what
happened after assignment. Reads only the warehouse (never the generator's truth).

Features are the churn model's dbt features (`ml.churn_features`) at the latest churn
cutoff on or before the assignment date, so they use only data from before assignment
(at most `ml_period_days` stale). The campaign-contact features are dropped: they would
describe the treatment itself. Outcomes use the Campaign Performance page's definitions:
retained = an approved purchase in the last `ACTIVE_DAYS` of the `WINDOW_DAYS` after
assignment; spend = approved spend in that window.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from c360.campaigns.outcome import CAMPAIGN_OUTCOME_CTES
from c360.ml.dataset import CATEGORICAL, feature_columns

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


CAMPAIGN_SQL = """
    select c.campaign_id, min(e.assigned_date) as assigned_date,
           any_value(c.cost_per_customer)::double as cost_per_customer,
           count(*) filter (where e.assignment_group = 'treatment') as treated,
           count(*) filter (where e.assignment_group = 'control') as control
    from silver.stg_campaigns c
    join silver.stg_campaign_exposures e on c.campaign_id = e.campaign_id
    group by c.campaign_id
    having treated > 0 and control > 0
    order by assigned_date desc, c.campaign_id
"""

PARTICIPANTS_SQL = (
    "with "
    + CAMPAIGN_OUTCOME_CTES
    + """
    select f.*,
           a.assignment_group = 'treatment' as treated,
           coalesce(o.recent_transactions, 0) > 0 as retained,
           coalesce(o.spend_after, 0) as spend_after
    from assigned a
    join ml.churn_features f
      on f.customer_id = a.customer_id and f.cutoff_date = ?
    left join outcome o on o.customer_id = a.customer_id
    order by f.customer_id
"""
)


def _with_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The churn model's categorical columns as pandas categories (as LightGBM expects)."""
    for column in CATEGORICAL:
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise UpliftDataError(f"no warehouse at {warehouse}; run `c360 build` first")
    return duckdb.connect(str(warehouse), read_only=True)


def find_campaign(con: duckdb.DuckDBPyConnection, campaign_id: str | None = None) -> Campaign:
    """The given campaign, else the latest one with both a treatment and a control group."""
    campaigns = con.execute(CAMPAIGN_SQL).df()
    if campaign_id is not None:
        campaigns = campaigns[campaigns["campaign_id"] == campaign_id]
    if campaigns.empty:
        which = f"campaign {campaign_id!r}" if campaign_id else "campaign"
        raise NoCampaignError(f"no randomised {which} with treatment and control in the data")
    row = campaigns.iloc[0]
    assigned = pd.Timestamp(row["assigned_date"]).date()
    cutoff = con.execute(
        "select max(cutoff_date) from ml.churn_cutoffs where cutoff_date <= ?", [assigned]
    ).fetchone()[0]
    if cutoff is None:
        raise UpliftDataError(
            f"no churn-feature cutoff on or before the campaign's assignment ({assigned}); "
            "the history before the campaign is too short"
        )
    as_of = con.execute("select as_of_date from gold.build_as_of").fetchone()[0]
    return Campaign(
        campaign_id=str(row["campaign_id"]),
        assigned_date=assigned,
        cost_per_customer=float(row["cost_per_customer"]),
        feature_cutoff=pd.Timestamp(cutoff).date(),
        as_of_date=pd.Timestamp(as_of).date(),
    )


def participants(con: duckdb.DuckDBPyConnection, campaign: Campaign) -> pd.DataFrame:
    """One row per participant: features before assignment, treated, retained, spend."""
    frame = con.execute(
        PARTICIPANTS_SQL,
        [WINDOW_DAYS, campaign.campaign_id, ACTIVE_DAYS, campaign.feature_cutoff],
    ).df()
    return _with_categories(frame)


def scoring_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every customer's features at the score cutoff (the as-of date)."""
    frame = con.execute(
        "select f.* from ml.churn_features f join ml.churn_cutoffs c using (cutoff_date) "
        "where c.cutoff_role = 'score' order by f.customer_id"
    ).df()
    return _with_categories(frame)


def uplift_features(frame: pd.DataFrame) -> list[str]:
    """The churn features minus those that describe a campaign contact."""
    outcome_columns = {"treated", "retained", "spend_after"}
    candidates = frame.drop(columns=[c for c in outcome_columns if c in frame])
    return [c for c in feature_columns(candidates) if c not in TREATMENT_FEATURES]


def open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    try:
        return _connect(warehouse)
    except duckdb.Error as exc:
        raise UpliftDataError(f"cannot open {warehouse}: {exc}") from None
