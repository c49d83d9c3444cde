"""Customer lifetime value: BG/NBD + Gamma-Gamma (PyMC-Marketing, MAP fit) on RFM summaries.

`rfm` queries the warehouse, `model` fits and predicts (pure, no I/O), `validation` scores
an out-of-time holdout, `output` is the Parquet contract with dbt, `pipeline` glues them
for `c360 clv`.
"""
