"""A run that fails half-way leaves the previous bronze exactly as it was."""

import pytest

from c360.generate import pipeline
from tests.conftest import make_bronze


def test_failure_mid_write_keeps_previous_bronze_and_leaves_no_debris(tmp_path, monkeypatch):
    out = make_bronze(tmp_path / "bronze", workers=1, customers=30, transactions=900)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    calls = {"n": 0}
    real = pipeline.write_parquet

    def failing_write(table, path):
        calls["n"] += 1
        if "transactions" in str(path):
            raise OSError(28, "No space left on device")
        real(table, path)

    monkeypatch.setattr(pipeline.tx, "n_chunks", lambda n: 1)
    monkeypatch.setattr(pipeline, "write_parquet", failing_write)
    with pytest.raises(OSError):
        make_bronze(out, workers=1, customers=30, transactions=900, seed=99, force=True)

    assert calls["n"] > 0
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name != ".c360.lock"] == ["bronze"]
