"""The churn model: a LightGBM booster plus an isotonic calibration map, saved safely.

Saved as LightGBM's own text format and a JSON file (feature list, calibration
thresholds, cutoffs, metrics, library versions): nothing is unpickled on load. The model id
is the booster's sha256, and loading checks it before LightGBM parses the file: LightGBM
aborts the whole process on some truncated files.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

MODEL_FORMAT = 1
BOOSTER_FILE = "booster.txt"
METADATA_FILE = "model.json"


class ModelError(Exception):
    """A model cannot be loaded or used; one line for the user."""


@dataclass
class ChurnModel:
    booster: lgb.Booster
    features: list[str]
    calibration_x: list[float]  # raw score thresholds of the isotonic map
    calibration_y: list[float]  # calibrated probability at each threshold
    metadata: dict = field(default_factory=dict)

    def raw_score(self, frame: pd.DataFrame) -> np.ndarray:
        return self.booster.predict(frame[self.features])

    def probability(self, frame: pd.DataFrame) -> np.ndarray:
        return calibrate(self.raw_score(frame), self.calibration_x, self.calibration_y)

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """TreeSHAP contributions (log-odds) per feature; the bias column is dropped."""
        return self.booster.predict(frame[self.features], pred_contrib=True)[:, :-1]

    def save(self, directory: Path) -> None:
        """Write the booster, then the metadata naming it (`model_id`, `booster_sha256`)."""
        directory.mkdir(parents=True, exist_ok=True)
        # written by Python, so a full disk is an OSError, not a LightGBM abort on stderr
        (directory / BOOSTER_FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        digest = hashlib.sha256((directory / BOOSTER_FILE).read_bytes()).hexdigest()
        self.metadata["model_id"] = model_id_of(digest)
        self.metadata["booster_sha256"] = digest
        metadata = self.metadata | {
            "format": MODEL_FORMAT,
            "features": self.features,
            "calibration": {"x": self.calibration_x, "y": self.calibration_y},
        }
        (directory / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True))

    @classmethod
    def load(cls, directory: Path) -> "ChurnModel":
        meta_path = directory / METADATA_FILE
        if not meta_path.exists() or not (directory / BOOSTER_FILE).exists():
            raise ModelError(f"no trained model in {directory}; run `c360 train`")
        again = "run `c360 train` again"
        try:
            metadata = json.loads(meta_path.read_text())
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ModelError(f"cannot read {meta_path} ({_reason(exc)}); {again}") from None
        if not isinstance(metadata, dict):
            raise ModelError(f"{meta_path} is not a model description; {again}")
        if metadata.get("format") != MODEL_FORMAT:
            raise ModelError(
                f"model in {directory} has format {metadata.get('format')}, this c360 reads "
                f"format {MODEL_FORMAT}; {again}"
            )
        try:
            text = (directory / BOOSTER_FILE).read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read {directory / BOOSTER_FILE} ({_reason(exc)})") from None
        digest = hashlib.sha256(text).hexdigest()
        if "booster_sha256" in metadata:
            matches = metadata["booster_sha256"] == digest
        else:  # models saved before the digest was kept: the id holds its first 12 digits
            matches = metadata.get("model_id") == model_id_of(digest)
        if not matches:
            raise ModelError(
                f"{directory / BOOSTER_FILE} does not match model {metadata.get('model_id')} "
                f"(sha256 differs: truncated or changed); {again}"
            )
        try:
            calibration = metadata.pop("calibration")
            features = metadata.pop("features")
            model = cls(
                booster=lgb.Booster(model_str=text.decode()),
                features=list(features),
                calibration_x=list(calibration["x"]),
                calibration_y=list(calibration["y"]),
                metadata=metadata,
            )
        except (KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as exc:
            raise ModelError(f"model in {directory} is damaged ({_reason(exc)}); {again}") from None
        return model


def model_id_of(booster_sha256: str) -> str:
    return "churn-" + booster_sha256[:12]


def _reason(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def calibrate(raw: np.ndarray, x: list[float], y: list[float]) -> np.ndarray:
    return np.clip(np.interp(raw, x, y), 0.0, 1.0)
