"""CSV exports neutralise cells a spreadsheet would run as formulas."""

import csv
import io

import pandas as pd
import pytest

from c360.app.export import neutralise, to_csv_bytes


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK()"])
def test_dangerous_text_gets_a_leading_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Smith", "a=b", "", " =1", 5, -3.5, None])
def test_other_values_are_untouched(cell):
    assert neutralise(cell) == cell


def test_csv_export_neutralises_text_but_keeps_numbers():
    frame = pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "Ann", None],
            "email": pd.Series(["@evil.com", "ann@x.com", "b@y.com"], dtype="string"),
            "amount": [-12.5, 3.0, 4.0],
            "=header": [1, 2, 3],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8"))))
    assert rows[0] == ["name", "email", "amount", "'=header"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'@evil.com", "-12.5", "1"]
    assert rows[2] == ["Ann", "ann@x.com", "3.0", "2"]
    assert rows[3][0] == ""
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell == "-12.5"
