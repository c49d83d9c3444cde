"""Where imported transactions go: usable, or quarantined by the build with which reason.

The reasons and their order are those of dbt's stg_transactions_classified (the build's
accounting); an import checks only the ones a user's file can cause."""

from datetime import date
from pathlib import Path

from c360.ingest.source import quote_literal


def transaction_reasons(con, staging: Path, as_of: date) -> dict[str, int]:
    tx = quote_literal(str(staging / "transactions" / "*.parquet"))
    customers = quote_literal(str(staging / "customers" / "*.parquet"))
    end = f"timestamp '{as_of.isoformat()}' + interval 1 day"
    row = con.execute(
        f"""
        with known as (select distinct customer_id from read_parquet({customers})),
        reasons as (
            select case
                when t.transaction_ts is null then 'missing_transaction_ts'
                when t.transaction_ts >= {end} then 'after_as_of_date'
                when t.amount is null then 'missing_amount'
                when isnan(t.amount) or isinf(t.amount) then 'nan_or_infinite_amount'
                when t.amount < 0 then 'negative_amount'
                when t.customer_id is null then 'missing_customer_id'
                when k.customer_id is null then 'unknown_customer'
                when t.status not in ('Approved', 'Declined') or t.status is null
                    then 'invalid_status'
                else 'usable'
            end as reason
            from read_parquet({tx}) t left join known k on t.customer_id = k.customer_id
        )
        select map(list(reason), list(n)) from (
            select reason, count(*) as n from reasons group by reason order by reason
        )
        """
    ).fetchone()[0]
    return {str(k): int(v) for k, v in dict(row).items()}
