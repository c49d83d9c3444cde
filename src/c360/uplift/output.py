"""The uplift predictions file: the contract between `c360 uplift` and the warehouse
(defined in `c360.contracts.outputs`; source `c360_ml.uplift_predictions`)."""

from c360.contracts.outputs import UPLIFT_FILE, UPLIFT_SCHEMA

__all__ = ["UPLIFT_FILE", "UPLIFT_SCHEMA"]
