"""Invariants of a small generated bronze layer: counts, formats, ranges, integrity."""

import json

import pyarrow.parquet as pq
import pytest

from c360.contracts.bronze import DATASETS
from c360.generate import reference as ref
from tests.conftest import SMALL


def one(sql, query: str):
    return sql.execute(query).fetchone()


def test_every_dataset_matches_the_bronze_contract(bronze):
    for name, schema in DATASETS.items():
        files = sorted((bronze / name).glob("*.parquet"))
        assert files, name
        assert pq.read_schema(files[0]).remove_metadata() == schema, name


def test_manifest_records_dates_sizes_and_row_counts(bronze, sql):
    manifest = json.loads((bronze / "_manifest.json").read_text())
    assert manifest["as_of_date"] == "2025-12-31"
    assert manifest["start_date"] == "2024-01-01"
    assert manifest["seed"] == SMALL["seed"]
    assert manifest["rows"]["transactions"] == one(sql, "select count(*) from transactions")[0]
    assert manifest["rows"]["customers"] == SMALL["customers"]


def test_customer_count_ids_and_ranges(sql):
    n, ids, bad_ids, min_age, max_age = one(
        sql,
        "select count(*), count(distinct customer_id), "
        "count(*) filter (where not regexp_full_match(customer_id, 'CUST[0-9]{8}')), "
        "min(age), max(age) from customers",
    )
    assert n == ids == SMALL["customers"]
    assert bad_ids == 0
    assert min_age >= 22 and max_age <= 75
    bad_limits = one(
        sql,
        "select count(*) from customers where credit_limit not between 5000 and 50000 "
        "or credit_limit % 1000 <> 0",
    )[0]
    assert bad_limits == 0
    states = {r[0] for r in sql.execute("select distinct state from customers").fetchall()}
    assert states <= {s[0] for s in ref.STATES}
    card_types = {r[0] for r in sql.execute("select distinct card_type from customers").fetchall()}
    assert card_types == {"Standard", "Premium"}


def test_accounts_open_steadily_over_five_years_with_some_new_ones(sql):
    oldest, newest, recent_share = one(
        sql,
        "select min(account_open_date), max(account_open_date), "
        "avg((account_open_date > date '2025-06-30')::int) from customers",
    )
    assert (newest - oldest).days > 4 * 365
    assert 0.05 <= recent_share <= 0.25


def test_exactly_fifty_categories_in_groups(sql):
    n, names, groups = one(
        sql,
        "select count(*), count(distinct category_name), count(distinct category_group) "
        "from merchant_categories",
    )
    assert n == names == 50
    assert groups == 4


def test_transaction_volume_dates_channels_and_status(sql):
    n, first, last, approved = one(
        sql,
        "select count(*), min(transaction_ts), max(transaction_ts), "
        "avg((status = 'Approved')::int) from transactions",
    )
    assert abs(n - SMALL["transactions"]) / SMALL["transactions"] < 0.03
    assert str(first.date()) >= "2024-01-01" and str(last.date()) <= "2025-12-31"
    assert 0.95 <= approved <= 0.99
    channels = {r[0] for r in sql.execute("select distinct channel from transactions").fetchall()}
    assert channels == {"Online", "In-Store", "Mobile", None}
    assert one(sql, "select count(*) from transactions where amount <= 0")[0] == 0


def test_transaction_ids_are_unique_apart_from_recorded_duplicates(sql):
    rows, ids = one(sql, "select count(*), count(distinct transaction_id) from transactions")
    duplicates = one(
        sql, "select count(*) from truth_transaction_defects where defect_type = 'duplicate'"
    )[0]
    assert duplicates > 0
    assert rows - ids == duplicates


def test_referential_integrity_apart_from_recorded_orphans(sql):
    orphans = sql.execute(
        "select distinct t.transaction_id from transactions t "
        "anti join customers c on c.customer_id = t.customer_id::varchar order by 1"
    ).fetchall()
    recorded = sql.execute(
        "select transaction_id from truth_transaction_defects "
        "where defect_type = 'orphan_customer' order by 1"
    ).fetchall()
    assert orphans == recorded
    for table in ("customer_changes", "campaign_exposures"):
        missing = one(
            sql, f"select count(*) from {table} t anti join customers c using (customer_id)"
        )[0]
        assert missing == 0, table


def test_change_feed_chains_old_to_new_values(sql):
    """Each change's old value is the opening value or the previous change's new value."""
    broken = one(
        sql,
        """
        with opening as (
            unpivot (select customer_id, card_type, credit_limit::varchar as credit_limit,
                            state, coalesce(city, '') as city,
                            coalesce(employment_status, '') as employment_status
                     from customers)
            on card_type, credit_limit, state, city, employment_status
            into name attribute value opening_value
        ),
        chained as (
            select c.*, lag(new_value) over (
                partition by customer_id, attribute order by changed_at, change_id
            ) as previous_new
            from customer_changes c
        )
        select count(*) from chained join opening using (customer_id, attribute)
        where coalesce(previous_new, opening_value) <> old_value
          -- a null injected into bronze customers hides the opening value
          and not (previous_new is null and opening_value = '')
        """,
    )[0]
    assert broken == 0
    share = one(
        sql,
        "select count(distinct customer_id) / (select count(*) from customers) "
        "from customer_changes",
    )[0]
    assert 0.15 <= share <= 0.6


def test_campaign_assigns_at_random_among_at_risk_customers(sql):
    treated, control = one(
        sql,
        "select count(*) filter (where assignment_group = 'treatment'), "
        "count(*) filter (where assignment_group = 'control') from campaign_exposures",
    )
    assert treated > 20 and control > 20
    assert 0.35 <= treated / (treated + control) <= 0.65
    # participants were chosen for risk: their hidden hazard is above the population's
    part, rest = one(
        sql,
        "select avg(monthly_churn_hazard) filter (where campaign_participant), "
        "avg(monthly_churn_hazard) filter (where not campaign_participant) from truth_customers",
    )
    assert part > 1.5 * rest


def test_hidden_truth_is_not_in_bronze(bronze):
    hidden = {"persona", "churn_onset_date", "churn_type", "monthly_churn_hazard"}
    for name in DATASETS:
        columns = set(pq.read_schema(next((bronze / name).glob("*.parquet"))).names)
        assert not columns & hidden, name


@pytest.mark.parametrize(
    ("defect", "rows_query"),
    [
        (
            "dirty_category_name",
            "select transaction_id from transactions where merchant_category::varchar "
            "not in (select category_name from merchant_categories)",
        ),
        (
            "null_merchant_name",
            "select transaction_id from transactions where merchant_name is null",
        ),
        ("null_channel", "select transaction_id from transactions where channel is null"),
        ("null_amount", "select transaction_id from transactions where amount is null"),
        (
            "late_arrival",
            "select transaction_id from transactions "
            "where loaded_at > transaction_ts::date + interval 2 day",
        ),
        (
            "duplicate",
            "select transaction_id from transactions group by all having count(*) > 1",
        ),
    ],
)
def test_every_injected_defect_is_recorded_in_truth(sql, defect, rows_query):
    seen = sql.execute(f"select distinct * from ({rows_query}) order by 1").fetchall()
    recorded = sql.execute(
        "select transaction_id from truth_transaction_defects "
        f"where defect_type = '{defect}' order by 1"
    ).fetchall()
    assert recorded, defect
    assert seen == recorded


@pytest.mark.parametrize("column", ["email", "city", "employment_status"])
def test_customer_nulls_are_recorded_in_truth(sql, column):
    seen = sql.execute(
        f"select customer_id from customers where {column} is null order by 1"
    ).fetchall()
    recorded = sql.execute(
        "select customer_id from truth_customer_defects "
        f"where defect_type = 'null_{column}' order by 1"
    ).fetchall()
    assert seen == recorded
