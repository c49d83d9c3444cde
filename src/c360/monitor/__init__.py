"""Model and data monitoring: `c360 monitor` and the app's Model health page.

Reads the scoring history (c360.ml.history), the model's training reference and the
published DuckDB warehouse; writes nothing. One module per question: psi (distribution
shift), calibration (predictions against what happened), volume (rows landed per day),
verdict (thresholds and the one-line conclusion), report (puts them together).
"""
