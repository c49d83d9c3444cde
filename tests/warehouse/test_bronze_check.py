"""The pre-flight check names the first problem in bronze in one line."""

import shutil
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.warehouse.bronze_check import BronzeError, check_as_of, check_bronze


@pytest.fixture()
def copy(bronze, tmp_path):
    target = tmp_path / "bronze"
    shutil.copytree(bronze, target)
    return target


def test_good_bronze_passes_and_returns_the_manifest(bronze):
    assert check_bronze(bronze)["as_of_date"] == "2025-12-31"


def test_missing_manifest(tmp_path):
    with pytest.raises(BronzeError, match="no bronze data"):
        check_bronze(tmp_path)


def test_missing_dataset(copy):
    shutil.rmtree(copy / "customers")
    with pytest.raises(BronzeError, match="customers has no Parquet files"):
        check_bronze(copy)


def test_corrupt_file(copy):
    victim = sorted((copy / "transactions").glob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:1000])
    with pytest.raises(BronzeError, match="is not a readable Parquet file"):
        check_bronze(copy)


def test_changed_schema(copy):
    path = copy / "customers" / "part-00000.parquet"
    table = pq.read_table(path)
    table = table.set_column(
        table.schema.get_field_index("age"), "age", table["age"].cast(pa.string())
    )
    pq.write_table(table, path)
    with pytest.raises(BronzeError, match="column age is string, expected int16"):
        check_bronze(copy)


def test_dropped_column(copy):
    path = copy / "customers" / "part-00000.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["email"]), path)
    with pytest.raises(BronzeError, match="column email is missing"):
        check_bronze(copy)


def test_a_timestamp_with_a_time_zone_is_named_as_such(copy):
    path = sorted((copy / "transactions").glob("*.parquet"))[0]
    table = pq.read_table(path)
    index = table.schema.get_field_index("transaction_ts")
    table = table.set_column(
        index, "transaction_ts", table["transaction_ts"].cast(pa.timestamp("us", tz="UTC"))
    )
    pq.write_table(table, path)
    with pytest.raises(BronzeError) as refused:
        check_bronze(copy)
    message = str(refused.value)
    assert "column transaction_ts is a timestamp with time zone UTC" in message
    assert "expected a timestamp without time zone" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("as_of", "accepted"),
    [
        ("2025-12-31", True),  # the data's own end
        ("2024-01-01", True),  # its first day
        ("2026-01-31", True),  # 31 days after the last transaction
        ("2026-02-01", False),  # 32 days
        ("2030-01-01", False),
        ("2023-12-31", False),  # before the first transaction
    ],
)
def test_the_as_of_date_must_be_near_the_data(bronze, as_of, accepted):
    if accepted:
        assert check_as_of({"as_of_date": as_of}, bronze) == date.fromisoformat(as_of)
        return
    with pytest.raises(BronzeError) as refused:
        check_as_of({"as_of_date": as_of}, bronze)
    message = str(refused.value)
    assert message.startswith(f"as-of date {as_of} is ")
    assert "transactions run from 2024-01-01 to 2025-12-31" in message


@pytest.mark.parametrize(
    "value", ["2025-13-01", "2025-12-31 00:00", "2025-12-31'--", "", None, 20251231, "yesterday"]
)
def test_an_as_of_that_is_not_a_date_is_refused(bronze, value):
    with pytest.raises(BronzeError, match="as_of_date must be a date like 2025-12-31, got"):
        check_as_of({"as_of_date": value}, bronze)
