"""The engine seam: one engine chosen from configuration, one clear error when nothing is
published or a query fails, model outputs written where every engine's build reads them."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360.config import Paths
from c360.contracts.outputs import CLV_FILE, CLV_SCHEMA
from c360.warehouse.engines import EngineError, engine_for


@pytest.mark.parametrize("target", ["duckdb", "spark", "snowflake"])
def test_the_target_picks_the_engine(tmp_path, monkeypatch, target):
    monkeypatch.setenv("C360_TARGET", target)
    assert engine_for(Paths(tmp_path)).name == target
    monkeypatch.delenv("C360_TARGET")
    assert engine_for(Paths(tmp_path), target).name == target
    assert engine_for(Paths(tmp_path)).name == "duckdb"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("duckdb", "no warehouse at .*; run `c360 build` first"),
        ("spark", r"no published spark build; run `c360 build --target spark`"),
        ("snowflake", r"no published snowflake build; run `c360 build --target snowflake`"),
    ],
)
def test_nothing_published_is_one_line(tmp_path, target, message):
    with engine_for(Paths(tmp_path), target) as engine, pytest.raises(EngineError, match=message):
        engine.read("select 1")


def test_reads_finished_tables_with_lower_case_names(built_home):
    with engine_for(built_home, "duckdb") as engine:
        assert engine.published() == str(built_home.warehouse)
        frame = engine.read("select as_of_date as AS_OF from gold.build_as_of")
        cutoffs = engine.read(
            "select cutoff_date from ml.churn_cutoffs where cutoff_role = ?", ["score"]
        )
    assert list(frame.columns) == ["as_of"] and len(frame) == 1
    assert len(cutoffs) == 1


def test_a_failing_query_is_one_line(built_home):
    with engine_for(built_home, "duckdb") as engine, pytest.raises(EngineError) as caught:
        engine.read("select * from ml.no_such_table")
    message = str(caught.value)
    assert message.startswith("cannot read from duckdb:") and "\n" not in message


def test_outputs_go_to_the_predictions_folder_atomically(tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    monkeypatch.setenv("C360_PREDICTIONS_PATH", str(folder))
    table = pa.table({"customer_id": ["C1"], "clv_12m": [1.5], "is_scored": [True]})
    with pytest.raises(KeyError):  # a column of the contract is missing: nothing written
        engine_for(Paths(tmp_path), "duckdb").write_output(table, CLV_FILE, CLV_SCHEMA)
    assert not folder.exists() or not list(folder.iterdir())
    full = pa.table({f.name: pa.array([None], f.type) for f in CLV_SCHEMA})
    path = engine_for(Paths(tmp_path), "spark").write_output(full, CLV_FILE, CLV_SCHEMA)
    assert path == folder / CLV_FILE
    assert pq.read_schema(path).equals(CLV_SCHEMA)
    assert [p.name for p in folder.iterdir()] == [CLV_FILE]
