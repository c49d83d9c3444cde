"""The churn model: a LightGBM booster plus an isotonic calibration map, saved safely.

Saved as LightGBM's own text format and a JSON file (feature list, calibration
thresholds, cutoffs, metrics, library versions): nothing is unpickled on load.
"""

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
        directory.mkdir(parents=True, exist_ok=True)
        # written by Python, so a full disk is an OSError, not a LightGBM abort on stderr
        (directory / BOOSTER_FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
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
        metadata = json.loads(meta_path.read_text())
        if metadata.get("format") != MODEL_FORMAT:
            raise ModelError(
                f"model in {directory} has format {metadata.get('format')}, this c360 reads "
                f"format {MODEL_FORMAT}; run `c360 train` again"
            )
        booster = lgb.Booster(model_file=str(directory / BOOSTER_FILE))
        calibration = metadata.pop("calibration")
        return cls(
            booster=booster,
            features=metadata.pop("features"),
            calibration_x=calibration["x"],
            calibration_y=calibration["y"],
            metadata=metadata,
        )


def calibrate(raw: np.ndarray, x: list[float], y: list[float]) -> np.ndarray:
    return np.clip(np.interp(raw, x, y), 0.0, 1.0)
