"""The CLV predictions file's schema grows additively: an older file gains the new columns."""

import pyarrow as pa
import pyarrow.parquet as pq

from c360.clv.output import CLV_SCHEMA, ensure_file


def test_a_file_from_before_the_intervals_gets_them_as_nulls(tmp_path):
    old = pa.schema([f for f in CLV_SCHEMA if not f.name.endswith(("_low", "_high", "_level"))])
    path = tmp_path / "clv_predictions.parquet"
    rows = {name: [None, None] for name in old.names}
    rows |= {"customer_id": ["C1", "C2"], "clv_12m": [10.0, 20.0], "is_scored": [True, True]}
    pq.write_table(pa.Table.from_pydict(rows, schema=old), path)
    ensure_file(path, CLV_SCHEMA)
    table = pq.read_table(path)
    assert table.schema.equals(CLV_SCHEMA)
    assert table.column("clv_12m").to_pylist() == [10.0, 20.0]
    assert table.column("clv_12m_low").null_count == 2


def test_a_current_file_is_left_alone(tmp_path):
    path = tmp_path / "clv_predictions.parquet"
    ensure_file(path, CLV_SCHEMA)
    before = path.stat().st_mtime_ns
    ensure_file(path, CLV_SCHEMA)
    assert path.stat().st_mtime_ns == before
    assert pq.read_table(path).num_rows == 0
