"""CSV exports neutralise cells a spreadsheet would run as formulas.

Checked with Python's csv module, with a naive reader that splits lines on any line break,
and in a real spreadsheet: LibreOffice Calc headless (`make office` installs it; outside CI
those tests skip when `soffice` is missing, in CI a missing soffice is a failure).
"""

import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from c360.app.export import neutralise, to_csv_bytes

RUNNABLE = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
CR_PAYLOAD = "Moreno\r=cmd|' /C calc'!A0"  # a bare CR, then a formula


@pytest.mark.parametrize(
    "cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "=HYPERLINK()", " =1", "＝1+1"]
)
def test_dangerous_text_gets_a_leading_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("\r=1", "' =1"),
        ("\rx", " x"),
        (CR_PAYLOAD, "Moreno =cmd|' /C calc'!A0"),
        ("a\r\n=1", "a  =1"),
        ("\u2028@x", "' @x"),
    ],
)
def test_line_breaks_become_spaces_before_the_check(cell, expected):
    assert neutralise(cell) == expected


@pytest.mark.parametrize("cell", ["Smith", "a=b", "", "O'Brien", 5, -3.5, None])
def test_other_values_are_untouched(cell):
    assert neutralise(cell) == cell


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [CR_PAYLOAD, "\r=1+1", "=cmd|' /C calc'!A0", "Ann", None],
            "email": pd.Series(
                ["@evil.com", "a\n-2+3", "ann@x.com", "b@y.com", "c@z.com"], dtype="string"
            ),
            "segment": pd.Categorical(["=2+2", "Loyal", "+3", "Loyal", "\r@SUM(1)"]),
            "amount": [-12.5, 3.0, 4.0, 5.0, 6.0],
            "=header": [1, 2, 3, 4, 5],
        }
    )


def test_csv_export_neutralises_text_but_keeps_numbers():
    rows = list(csv.reader(io.StringIO(to_csv_bytes(hostile_frame()).decode("utf-8"))))
    assert len(rows) == 6
    assert rows[0] == ["name", "email", "segment", "amount", "'=header"]
    assert rows[1] == ["Moreno =cmd|' /C calc'!A0", "'@evil.com", "'=2+2", "-12.5", "1"]
    assert rows[2] == ["' =1+1", "a -2+3", "Loyal", "3.0", "2"]
    assert rows[3][:3] == ["'=cmd|' /C calc'!A0", "ann@x.com", "'+3"]
    assert rows[5][0] == ""
    assert rows[5][2] == "' @SUM(1)"
    for row in rows:
        for cell in row:
            assert not cell.lstrip().startswith(RUNNABLE) or cell == "-12.5"


def test_every_text_field_is_quoted():
    """Read back with QUOTE_NONNUMERIC: an unquoted field is read as a number, so a text field
    that was not quoted fails to parse."""
    text = to_csv_bytes(hostile_frame()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))
    assert rows[1][:3] == ["Moreno =cmd|' /C calc'!A0", "'@evil.com", "'=2+2"]
    assert rows[1][3:] == [-12.5, 1.0]


def test_a_reader_that_splits_on_any_line_break_sees_no_formula():
    text = to_csv_bytes(hostile_frame()).decode("utf-8")
    lines = text.splitlines()  # splits on \r, \n, \v, \x85, \u2028, ...
    assert len(lines) == 6
    for line in lines:
        for field in line.split(","):
            assert not field.strip().strip('"').lstrip().startswith(RUNNABLE) or field == "-12.5"


# --- a real spreadsheet ------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
# CSV import options: comma, double quote, UTF-8, from line 1, default formats, en-US, quoted
# fields not forced to text, special numbers detected, ..., evaluate formulas on: the most
# permissive import a user can choose.
PERMISSIVE = "CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true"


@pytest.fixture()
def soffice():
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing in CI: `make test` installs it", pytrace=False)
        pytest.skip("LibreOffice is not installed (`make office`)")
    return SOFFICE


def open_in_calc(soffice: str, csv_path: Path, infilter: str | None) -> list[list[dict]]:
    """Let LibreOffice Calc import `csv_path` and save it as ODS; the cells of each row, each
    as {"formula": ... or None, "text": ...}."""
    out = csv_path.parent / "ods"
    argv = [
        soffice,
        "--headless",
        f"-env:UserInstallation={(csv_path.parent / 'profile').as_uri()}",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        "ods",
        "--outdir",
        str(out),
        str(csv_path),
    ]
    subprocess.run(argv, check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(out / (csv_path.stem + ".ods")) as ods:
        root = ElementTree.fromstring(ods.read("content.xml"))
    rows = []
    for row in root.iter(f"{ODS}table-row"):
        cells = [
            {
                "formula": cell.get(f"{ODS}formula"),
                "text": "\n".join("".join(p.itertext()) for p in cell),
            }
            for cell in row.iter(f"{ODS}table-cell")
        ]
        if any(c["text"] or c["formula"] for c in cells):
            rows.append(cells)
    return rows


@pytest.mark.parametrize("infilter", [None, PERMISSIVE], ids=["default-import", "permissive"])
def test_libreoffice_evaluates_no_exported_cell_as_a_formula(soffice, tmp_path, infilter):
    frame = hostile_frame()
    path = tmp_path / "export.csv"
    path.write_bytes(to_csv_bytes(frame))
    rows = open_in_calc(soffice, path, infilter)
    formulas = [c for row in rows for c in row if c["formula"]]
    assert formulas == []
    assert len(rows) == len(frame) + 1  # no cell was split into a new row
    assert rows[1][0]["text"] == "Moreno =cmd|' /C calc'!A0"
