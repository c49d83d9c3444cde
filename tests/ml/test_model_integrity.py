"""A damaged model is refused in one line before LightGBM reads it: a truncated booster.txt
used to abort the whole process (SIGABRT); a corrupt model.json gave a traceback."""

import json
import shutil

import pytest

from c360.ml.model import BOOSTER_FILE, METADATA_FILE, ChurnModel, ModelError
from c360.ml.pipeline import model_dir
from tests.test_lock import run_c360


@pytest.fixture()
def model_home(built_home, tmp_path):
    """A home holding only a copy of the trained model: loading it is all `score` gets to."""
    shutil.copytree(model_dir(built_home), tmp_path / "model")
    return tmp_path


def damage(folder, how: str) -> None:
    booster, metadata = folder / BOOSTER_FILE, folder / METADATA_FILE
    if how == "truncated booster":
        text = booster.read_bytes()
        booster.write_bytes(text[: len(text) // 2])
    elif how == "changed booster":
        booster.write_bytes(booster.read_bytes().replace(b"num_leaves=", b"num_leaves=1", 1))
    elif how == "corrupt model.json":
        metadata.write_text(metadata.read_text()[:40])
    elif how == "empty model.json":
        metadata.write_text("{}")
    else:
        metadata.write_text(json.dumps(json.loads(metadata.read_text()) | {"features": None}))


HARMS = [
    "truncated booster",
    "changed booster",
    "corrupt model.json",
    "empty model.json",
    "model.json without features",
]


@pytest.mark.parametrize("how", HARMS)
def test_a_damaged_model_is_one_line_and_a_clean_exit(model_home, how):
    damage(model_home / "model", how)
    result = run_c360(model_home, "score")
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "run `c360 train` again" in lines[0]


def test_the_booster_must_match_the_model_id(model_home):
    folder = model_home / "model"
    model = ChurnModel.load(folder)
    assert model.metadata["model_id"] == "churn-" + model.metadata["booster_sha256"][:12]
    damage(folder, "truncated booster")
    with pytest.raises(ModelError, match="does not match model churn-"):
        ChurnModel.load(folder)
