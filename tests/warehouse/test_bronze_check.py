"""The pre-flight check names the first problem in bronze in one line."""

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.warehouse.bronze_check import BronzeError, check_bronze


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
