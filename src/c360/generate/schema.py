"""The bronze contract: the Parquet schema of every dataset the generator writes.

Downstream (dbt sources) relies on these names and types; change them together.
"""

import pyarrow as pa

_DICT_STR = pa.dictionary(pa.int32(), pa.string())
_TS = pa.timestamp("us")

CUSTOMERS = pa.schema(
    [
        ("customer_id", pa.string()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("email", pa.string()),  # optional: a few nulls
        ("age", pa.int16()),  # age at the data's as-of date
        ("state", pa.string()),  # two-letter code, 50 states + DC
        ("city", pa.string()),  # optional: a few nulls
        ("employment_status", pa.string()),  # optional: a few nulls
        ("card_type", pa.string()),  # attributes as at account opening;
        ("credit_limit", pa.int32()),  # later values come from customer_changes
        ("account_open_date", pa.date32()),
        ("loaded_at", _TS),
    ]
)

CUSTOMER_CHANGES = pa.schema(
    [
        ("change_id", pa.int64()),
        ("customer_id", pa.string()),
        ("changed_at", _TS),
        ("attribute", pa.string()),  # card_type | credit_limit | state | city | employment_status
        ("old_value", pa.string()),
        ("new_value", pa.string()),
        ("change_reason", pa.string()),  # e.g. upgrade, downgrade, limit_increase, relocation
        ("loaded_at", _TS),
    ]
)

MERCHANT_CATEGORIES = pa.schema(
    [
        ("category_id", pa.string()),  # CAT01..CAT50
        ("category_name", pa.string()),
        ("category_group", pa.string()),  # Travel | Necessities | Discretionary | Services
        ("mcc", pa.string()),  # representative ISO 18245 merchant category code
        ("loaded_at", _TS),
    ]
)

TRANSACTIONS = pa.schema(
    [
        ("transaction_id", pa.int64()),
        ("customer_id", _DICT_STR),
        ("transaction_ts", _TS),
        ("amount", pa.float64()),  # USD; a few nulls (unusable, quarantined downstream)
        ("merchant_name", _DICT_STR),  # optional: a few nulls
        ("merchant_category", _DICT_STR),  # names with dirty casing/whitespace in ~1%
        ("channel", _DICT_STR),  # Online | In-Store | Mobile; optional: a few nulls
        ("status", _DICT_STR),  # Approved | Declined
        ("loaded_at", _TS),  # when the row landed; later than usual for late arrivals
    ]
)

CAMPAIGNS = pa.schema(
    [
        ("campaign_id", pa.string()),
        ("campaign_name", pa.string()),
        ("campaign_type", pa.string()),
        ("offer", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("cost_per_customer", pa.float64()),
        ("loaded_at", _TS),
    ]
)

CAMPAIGN_EXPOSURES = pa.schema(
    [
        ("exposure_id", pa.int64()),
        ("campaign_id", pa.string()),
        ("customer_id", pa.string()),
        ("assignment_group", pa.string()),  # treatment | control
        ("assigned_date", pa.date32()),
        ("contacted_at", _TS),  # null for the control group
        ("loaded_at", _TS),
    ]
)

DATASETS: dict[str, pa.Schema] = {
    "customers": CUSTOMERS,
    "customer_changes": CUSTOMER_CHANGES,
    "merchant_categories": MERCHANT_CATEGORIES,
    "transactions": TRANSACTIONS,
    "campaigns": CAMPAIGNS,
    "campaign_exposures": CAMPAIGN_EXPOSURES,
}
