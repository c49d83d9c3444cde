"""The uplift predictions file: the contract between `c360 uplift` and the warehouse
(source `c360_ml.uplift_predictions`, joined into `gold.customer_360_profile`)."""

import pyarrow as pa

UPLIFT_FILE = "uplift_predictions.parquet"

UPLIFT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("uplift_as_of", pa.date32()),
        ("fitted_at", pa.timestamp("us")),
        ("is_scored", pa.bool_()),
        ("retention_uplift", pa.float64()),
        ("not_scored_reason", pa.string()),
        ("campaign_id", pa.string()),
        ("model_id", pa.string()),
    ]
)
