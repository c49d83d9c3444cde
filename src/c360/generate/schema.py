"""The bronze Parquet schemas, re-exported from their one source: c360.contracts.bronze."""

from c360.contracts.bronze import (
    CAMPAIGN_EXPOSURES,
    CAMPAIGNS,
    CUSTOMER_CHANGES,
    CUSTOMERS,
    DATASETS,
    MERCHANT_CATEGORIES,
    TRANSACTIONS,
)

__all__ = [
    "CAMPAIGNS",
    "CAMPAIGN_EXPOSURES",
    "CUSTOMERS",
    "CUSTOMER_CHANGES",
    "DATASETS",
    "MERCHANT_CATEGORIES",
    "TRANSACTIONS",
]
