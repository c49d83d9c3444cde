"""Bad inputs to `c360 import`: one line, a non-zero exit, and bronze exactly as it was."""

import hashlib
from pathlib import Path

import pytest

from tests.ingest.conftest import c360

GOOD = "Customer_Id,Transaction_TS,AMOUNT\nC1,2025-01-03 10:00:00,12.5\nC2,2025-01-04,3\n"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def home_with_bronze(tmp_path) -> tuple[Path, Path]:
    csv = tmp_path / "good.csv"
    csv.write_text(GOOD)
    home = tmp_path / "home"
    home.mkdir()
    done = c360(home, "import", "--transactions", str(csv))
    assert done.returncode == 0, done.stderr
    return home, csv


def one_error_line(done) -> str:
    """The one error line, last on stderr (a progress bar may come before it)."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], done.stderr
    assert not any("Traceback" in line for line in lines), done.stderr
    return errors[0]


def test_contract_named_columns_in_any_case_need_no_mapping(home_with_bronze):
    home, _ = home_with_bronze
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            f"select customer_id, transaction_ts, amount, status, transaction_id "
            f"from read_parquet('{home}/bronze/transactions/*.parquet') order by 5"
        ).fetchall()
    assert [(r[0], str(r[1]), r[2], r[3], r[4]) for r in rows] == [
        ("C1", "2025-01-03 10:00:00", 12.5, "Approved", 1),
        ("C2", "2025-01-04 00:00:00", 3.0, "Approved", 2),
    ]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("CustomerNo,Transaction_TS,Amount\nC1,2025-01-03,1\n", "a.csv", "no column customer_id"),
        (b"PAR1 not really parquet", "a.parquet", "cannot read"),
        (None, "missing.csv", "no file matches"),
        (
            "customer_id,transaction_ts,amount\nC1,2025-01-03,1\nC2,2025-01-04,2,x,y\n",
            "b.csv",
            "cannot split",
        ),
    ],
)
def test_bad_transactions_file_fails_in_one_line_and_leaves_bronze(
    home_with_bronze, tmp_path, content, name, expected
):
    home, _ = home_with_bronze
    before = snapshot(home / "bronze")
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        path.write_bytes(content)
    pattern = str(path) if content is not None else str(tmp_path / "missing*.csv")
    line = one_error_line(c360(home, "import", "--transactions", pattern, "--force"))
    assert expected in line
    assert snapshot(home / "bronze") == before


def test_an_as_of_date_far_from_the_data_is_refused(home_with_bronze):
    home, csv = home_with_bronze
    before = snapshot(home / "bronze")
    line = one_error_line(
        c360(home, "import", "--transactions", str(csv), "--as-of", "2026-06-30", "--force")
    )
    assert "as-of date 2026-06-30" in line and "2025-01-04" in line
    assert snapshot(home / "bronze") == before


def test_existing_bronze_needs_force(home_with_bronze):
    home, csv = home_with_bronze
    before = snapshot(home / "bronze")
    line = one_error_line(c360(home, "import", "--transactions", str(csv)))
    assert "--force" in line
    assert snapshot(home / "bronze") == before


def test_a_mapping_naming_an_unknown_column_fails_in_one_line(home_with_bronze, tmp_path):
    home, csv = home_with_bronze
    mapping = tmp_path / "m.yml"
    mapping.write_text("transactions:\n  columns:\n    amout: AMOUNT\n")
    before = snapshot(home / "bronze")
    line = one_error_line(
        c360(home, "import", "--transactions", str(csv), "--mapping", str(mapping), "--force")
    )
    assert "'amout'" in line
    assert snapshot(home / "bronze") == before


def test_an_sql_expression_in_the_mapping_and_a_default(tmp_path):
    csv = tmp_path / "cents.csv"
    csv.write_text("cust,day,cents,state\nC1,20250103,1250,ok\nC2,20250104,300,\n")
    mapping = tmp_path / "m.yml"
    mapping.write_text(
        "transactions:\n  columns:\n    customer_id: cust\n    transaction_ts: day\n"
        "    amount: try_cast(cents as double) / 100\n  formats:\n    transaction_ts: '%Y%m%d'\n"
        "  defaults:\n    channel: Online\n"
    )
    done = c360(tmp_path / "h", "import", "--transactions", str(csv), "--mapping", str(mapping),
                "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            "select customer_id, cast(transaction_ts as date), amount, channel from "
            f"read_parquet('{tmp_path}/h/bronze/transactions/*.parquet') order by 1"
        ).fetchall()
    assert [(r[0], str(r[1]), r[2], r[3]) for r in rows] == [
        ("C1", "2025-01-03", 12.5, "Online"),
        ("C2", "2025-01-04", 3.0, "Online"),
    ]


def test_example_mapping_is_a_valid_mapping(tmp_path):
    done = c360(tmp_path, "import", "--example-mapping")
    assert done.returncode == 0
    from c360.ingest.mapping import load_mapping

    path = tmp_path / "example.yml"
    path.write_text(done.stdout)
    mapping = load_mapping(path)
    assert mapping["transactions"].defaults == {"status": "Approved"}


def test_a_glob_of_typed_parquet_files(tmp_path):
    import duckdb

    with duckdb.connect() as con:
        for n in (1, 2):
            con.execute(
                f"copy (select 'C{n}' as CUSTOMER_ID, timestamptz '2025-01-0{n} 10:00:00+02' "
                f"as transaction_ts, {n}.5::decimal(9, 2) as Amount) "
                f"to '{tmp_path}/part-{n}.parquet' (format parquet)"
            )
    done = c360(tmp_path / "h", "import", "--transactions", str(tmp_path / "part-*.parquet"))
    assert done.returncode == 0, done.stderr
    with duckdb.connect() as con:
        rows = con.execute(
            "select customer_id, transaction_ts, amount from "
            f"read_parquet('{tmp_path}/h/bronze/transactions/*.parquet') order by 1"
        ).fetchall()
    assert [(c, str(t), a) for c, t, a in rows] == [  # time zones converted to UTC
        ("C1", "2025-01-01 08:00:00", 1.5),
        ("C2", "2025-01-02 08:00:00", 2.5),
    ]
