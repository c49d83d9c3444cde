"""The CLV predictions file: the contract between `c360 clv` and the warehouse (defined in
`c360.contracts.outputs`; dbt reads it as source `c360_ml.clv_predictions`)."""

from c360.contracts.outputs import CLV_FILE, CLV_SCHEMA, ensure_file, write_table

__all__ = ["CLV_FILE", "CLV_SCHEMA", "ensure_file", "write_table"]
