"""Optional files: customers without open dates, categories without groups, values in any
case or outside the contract's lists; then a real build on them."""

import json

import duckdb

from tests.ingest.conftest import c360

CUSTOMERS = "customer_id,State,CARD_TYPE\nC1,ca,premium\nC2,NY,Standard\nC3,TX,Gold\n"
CATEGORIES = "category_id,category_name\nK1,Groceries\nK2,Airlines\n"


def _transactions() -> str:
    rows = ["customer_id,transaction_ts,amount,merchant_category,channel,status"]
    for day in range(1, 200):  # C1-C3 buy every day for 199 days; C9 is nobody's customer
        date = f"2025-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}"
        for n, customer in enumerate(("C1", "C2", "C3")):
            category = " groceries" if n else "AIRLINES"
            channel = ("online", "In-Store", "Kiosk")[n]
            rows.append(f"{customer},{date} 10:00:00,{10 + n}.5,{category},{channel},approved")
    rows.append("C9,2025-03-01 12:00:00,5,Groceries,Online,Approved")
    return "\n".join(rows) + "\n"


def test_optional_files_import_and_build(tmp_path):
    for name, text in {"tx.csv": _transactions(), "c.csv": CUSTOMERS, "k.csv": CATEGORIES}.items():
        (tmp_path / name).write_text(text)
    home = tmp_path / "home"
    files = ["--transactions", "tx.csv", "--customers", "c.csv", "--categories", "k.csv"]
    files = [str(tmp_path / f) if f.endswith(".csv") else f for f in files]
    done = c360(home, "import", *files, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["transactions"] == {"usable": 3 * 199, "unknown_customer": 1}
    assert summary["derived"] == []
    assert "account_open_date" in summary["supplied"]["customers"]  # from first purchases
    assert summary["supplied"]["merchant_categories"] == ["category_id", "category_name"]

    built = c360(home, "build")
    assert built.returncode == 0, built.stderr
    assert "skipped no customer_changes: dim_customer has one version per customer" in " ".join(
        built.stderr.split()
    )
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        customers = con.execute(
            "select customer_id, state, card_type, account_open_date from gold.dim_customer "
            "order by 1"
        ).fetchall()
        channels = con.execute(
            "select channel, status, count(*) from gold.fct_transactions group by all order by 1"
        ).fetchall()
        quarantined = con.execute(
            "select quarantine_reason, count(*) from silver.stg_transactions_quarantine group by 1"
        ).fetchall()
    assert [(c, s, t, str(d)) for c, s, t, d in customers] == [
        ("C1", "CA", "Premium", "2025-01-01"),
        ("C2", "NY", "Standard", "2025-01-01"),
        ("C3", "TX", "Gold", "2025-01-01"),  # outside the contract's list: kept as given
    ]
    assert channels == [
        ("In-Store", "Approved", 199),
        ("Kiosk", "Approved", 199),
        ("Online", "Approved", 199),
    ]
    assert quarantined == [("unknown_customer", 1)]
