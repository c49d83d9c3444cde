"""The import summary for people: where the rows went, and what the data lacks."""

from rich.table import Table

REASONS = {
    "usable": "usable",
    "missing_transaction_ts": "quarantined: missing or unparseable transaction_ts",
    "after_as_of_date": "refused: after the as-of date",
    "missing_amount": "quarantined: missing or unparseable amount",
    "nan_or_infinite_amount": "quarantined: NaN or infinite amount",
    "negative_amount": "quarantined: negative amount",
    "missing_customer_id": "quarantined: missing customer_id",
    "unknown_customer": "quarantined: customer not in the customers file",
    "invalid_status": "quarantined: status not Approved or Declined",
}


def summary_table(summary: dict) -> Table:
    table = Table(title=f"bronze imported, as of {summary['as_of_date']}")
    table.add_column("dataset / transactions")
    table.add_column("rows", justify="right")
    table.add_column("how")
    derived = set(summary["derived"])
    for name, rows in summary["rows"].items():
        how = "derived" if name in derived else "supplied" if summary["supplied"][name] else "empty"
        table.add_row(name, f"{rows:,}", how)
    for reason, rows in summary["transactions"].items():
        table.add_row(f"  {REASONS.get(reason, reason)}", f"{rows:,}", "")
    return table
