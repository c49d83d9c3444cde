"""CSV exports that are safe to open in a spreadsheet.

A cell whose text begins with `=`, `+`, `-`, `@` (or their full-width forms), a tab or a
carriage return can be run as a formula by Excel, LibreOffice or Google Sheets (CSV /
formula injection). So every text cell (text, string and categorical columns, and the
header):
- has its line breaks (CR, LF and the other Unicode line separators) replaced by a space, so
  no reader, even one that splits lines on a bare CR, sees a new row start inside a cell;
- gets a leading single quote when it then begins, after any spaces, with one of those
  characters; spreadsheets show it as text;
- is written between double quotes.
Numbers are left alone, so negative amounts stay numbers.
"""

import csv
import re

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "＝", "＋", "－", "＠")
LINE_BREAKS = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def neutralise(value: object) -> object:
    """The value, on one line and with a leading `'` if it is text a spreadsheet could run."""
    if not isinstance(value, str):
        return value
    value = LINE_BREAKS.sub(" ", value)
    runnable = value.startswith(DANGEROUS_PREFIXES) or value.lstrip().startswith(DANGEROUS_PREFIXES)
    return "'" + value if runnable else value


def _is_text(series: pd.Series) -> bool:
    return (
        series.dtype == object
        or pd.api.types.is_string_dtype(series.dtype)
        or isinstance(series.dtype, pd.CategoricalDtype)
    )


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and column name) neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if _is_text(series):
            safe[column] = series.astype(object).map(neutralise, na_action="ignore")
    safe.columns = [neutralise(str(column)) for column in safe.columns]
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of `frame`, neutralised, without the index; text fields quoted."""
    text = safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC)
    return text.encode("utf-8")
