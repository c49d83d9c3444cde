"""The same seed and size give byte-identical bronze, whatever the worker count."""

import hashlib
from pathlib import Path

from tests.conftest import make_bronze


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_across_worker_counts(tmp_path):
    small = {"customers": 1_500, "transactions": 60_000}
    one = make_bronze(tmp_path / "a", workers=1, **small)
    two = make_bronze(tmp_path / "b", workers=2, **small)
    assert digest(one) == digest(two)


def test_different_seed_different_data(tmp_path):
    small = {"customers": 300, "transactions": 20_000}
    a = make_bronze(tmp_path / "a", workers=1, seed=1, **small)
    b = make_bronze(tmp_path / "b", workers=1, seed=2, **small)
    assert digest(a) != digest(b)
