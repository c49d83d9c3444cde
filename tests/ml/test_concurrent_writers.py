"""Two `c360 train` at once (real processes) never lose the model: one waits for the other
(or fails in one line with the lock message), and `c360 score` works afterwards."""

import json

from c360.ml.model import ChurnModel
from c360.ml.pipeline import model_dir
from tests.conftest import copy_built_home
from tests.test_lock import c360_process, run_c360


def test_two_trains_at_once_keep_the_model(built_home, tmp_path):
    home = copy_built_home(built_home, tmp_path / "home")
    expected = json.loads((model_dir(built_home) / "model.json").read_text())["model_id"]
    trains = [c360_process(home.home, "train", "--json") for _ in range(2)]
    outcomes = []
    for process in trains:
        stdout, stderr = process.communicate(timeout=600)
        outcomes.append((process.returncode, stdout, stderr))
    for code, stdout, stderr in outcomes:
        assert "Traceback" not in stderr
        if code == 0:
            assert json.loads(stdout)["model_id"] == expected
        else:  # gave up waiting: one line naming the other train
            assert code == 1 and len(stderr.strip().splitlines()) == 1
            assert "is locked by `c360 train --json`" in stderr
    assert any(code == 0 for code, _, _ in outcomes)

    assert ChurnModel.load(model_dir(home)).metadata["model_id"] == expected
    assert not [p for p in home.home.iterdir() if "staging" in p.name or ".old-" in p.name]
    scored = run_c360(home.home, "score", "--json")
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["model_id"] == expected
