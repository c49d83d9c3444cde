"""`c360 import`: a user's own CSV or Parquet files, mapped and coerced to the bronze contract."""
