"""The real `dbt build` on small generated bronze, checked against the generator's truth."""

import duckdb
import pytest


@pytest.fixture()
def truth(built_home):
    con = duckdb.connect()
    con.execute(
        "create view defects as select * from "
        f"read_parquet('{built_home.bronze}/_truth/transaction_defects/*.parquet')"
    )
    con.execute(
        f"create view bronze_transactions as select * from "
        f"read_parquet('{built_home.bronze}/transactions/*.parquet')"
    )
    yield con
    con.close()


def test_every_bronze_row_is_accounted_for(warehouse_sql, truth):
    bronze_rows = truth.execute("select count(*) from bronze_transactions").fetchone()[0]
    row = warehouse_sql.execute(
        "select bronze_rows, silver_rows, duplicate_rows_removed, quarantined_rows, "
        "unaccounted_rows from silver.stg_transactions_accounting"
    ).fetchone()
    assert row[0] == bronze_rows
    assert row[1] + row[2] + row[3] == bronze_rows
    assert row[4] == 0


def test_exactly_the_injected_duplicates_are_removed(warehouse_sql, truth):
    injected = truth.execute(
        "select count(*) from defects where defect_type = 'duplicate'"
    ).fetchone()[0]
    removed = warehouse_sql.execute(
        "select duplicate_rows_removed from silver.stg_transactions_accounting"
    ).fetchone()[0]
    assert injected > 0
    assert removed == injected
    distinct_ids = truth.execute(
        "select count(distinct transaction_id) from bronze_transactions"
    ).fetchone()[0]
    facts, unique_ids = warehouse_sql.execute(
        "select count(*), count(distinct transaction_id) from gold.fct_transactions"
    ).fetchone()
    quarantined = warehouse_sql.execute(
        "select count(*) from silver.stg_transactions_quarantine"
    ).fetchone()[0]
    assert facts == unique_ids == distinct_ids - quarantined


def test_unusable_rows_are_quarantined_with_their_reason(warehouse_sql, truth):
    expected = dict(
        truth.execute(
            "select case defect_type when 'null_amount' then 'missing_amount' "
            "else 'unknown_customer' end, count(*) from defects "
            "where defect_type in ('null_amount', 'orphan_customer') group by 1"
        ).fetchall()
    )
    found = dict(
        warehouse_sql.execute(
            "select quarantine_reason, count(*) from silver.stg_transactions_quarantine group by 1"
        ).fetchall()
    )
    assert found == expected


def test_dirty_category_spellings_are_mapped_to_the_50_categories(warehouse_sql):
    unmapped, categories = warehouse_sql.execute(
        "select count(*) filter (where category_key is null), count(distinct category_key) "
        "from gold.fct_transactions"
    ).fetchone()
    assert unmapped == 0
    assert categories == 50


def test_scd2_versions_have_no_gaps_or_overlaps(warehouse_sql):
    broken = warehouse_sql.execute(
        """
        select count(*) from (
            select valid_to, lead(valid_from) over (
                partition by customer_id order by valid_from
            ) as next_from
            from gold.dim_customer
        ) where valid_to is distinct from next_from
        """
    ).fetchone()[0]
    current = warehouse_sql.execute(
        "select count(*), count(distinct customer_id) from gold.dim_customer where is_current"
    ).fetchone()
    versions = warehouse_sql.execute(
        "select count(*) > count(distinct customer_id) from gold.dim_customer"
    ).fetchone()[0]
    assert broken == 0
    assert current[0] == current[1]
    assert versions, "the change feed should give some customers several versions"


def test_facts_carry_the_customer_version_valid_at_their_time(warehouse_sql):
    mismatched = warehouse_sql.execute(
        """
        select count(*)
        from gold.fct_transactions f
        join gold.dim_customer d on f.customer_key = d.customer_key
        where f.customer_id <> d.customer_id
           or f.transaction_ts < d.valid_from
           or (d.valid_to is not null and f.transaction_ts >= d.valid_to)
        """
    ).fetchone()[0]
    on_old_versions = warehouse_sql.execute(
        "select count(*) from gold.fct_transactions f join gold.dim_customer d "
        "using (customer_key) where not d.is_current"
    ).fetchone()[0]
    missing = warehouse_sql.execute(
        "select count(*) from gold.fct_transactions where customer_key is null"
    ).fetchone()[0]
    assert mismatched == 0
    assert missing == 0
    assert on_old_versions > 0


def test_profile_has_one_row_per_customer_with_known_segments(warehouse_sql, built_home):
    customers = duckdb.execute(
        f"select count(*) from read_parquet('{built_home.bronze}/customers/*.parquet')"
    ).fetchone()[0]
    rows, distinct = warehouse_sql.execute(
        "select count(*), count(distinct customer_id) from gold.customer_360_profile"
    ).fetchone()
    segments = {
        r[0]
        for r in warehouse_sql.execute(
            "select distinct behavioral_segment from gold.customer_360_profile"
        ).fetchall()
    }
    assert rows == distinct == customers
    assert segments <= {
        "High-Value Travelers",
        "Declining",
        "New & Growing",
        "Budget-Conscious",
        "Stable Mid-Spenders",
    }
    assert len(segments) >= 3


def test_build_records_its_id_and_as_of_date(warehouse_sql):
    build_id, as_of = warehouse_sql.execute(
        "select build_id, as_of_date from meta.build_info"
    ).fetchone()
    assert build_id
    assert str(as_of) == "2025-12-31"
    assert (
        str(warehouse_sql.execute("select as_of_date from gold.build_as_of").fetchone()[0])
        == "2025-12-31"
    )
