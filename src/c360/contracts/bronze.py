"""The bronze contract: every dataset and column c360 reads, in one place.

Each column says its Parquet type, whether a source must supply it, what it means and what
it unlocks when supplied. The generator writes exactly these schemas, `c360 import` coerces
a user's files to them, the build checks them (warehouse/bronze_check.py), and
docs/data_contract.md is rendered from here (`render_markdown`; a test keeps it current).
Only `transactions` is required; see `Dataset.required`.
"""

from dataclasses import dataclass

import pyarrow as pa

_DICT_STR = pa.dictionary(pa.int32(), pa.string())
_TS = pa.timestamp("us")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str
    required: bool = False  # an imported file must supply it (or a mapping must)
    unlocks: str = ""  # what c360 can do only when the column is supplied
    without: str = ""  # what c360 does instead when it is not
    default: str | None = None  # SQL literal the importer writes when it is not supplied
    system: bool = False  # written by c360 itself (ids, load times), never by the source
    values: tuple[str, ...] = ()  # the spellings c360 knows; an import matches them in any case


@dataclass(frozen=True)
class Dataset:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    required: bool = False
    unlocks: str = ""
    without: str = ""  # what c360 does when the dataset is not supplied

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(c.name, c.type) for c in self.columns])

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_LOADED = Column("loaded_at", _TS, "When the row landed in bronze (UTC).", system=True)

CUSTOMERS_SET = Dataset(
    "customers",
    "One row per customer, attributes as at account opening.",
    (
        Column("customer_id", pa.string(), "Business key, the same as in transactions.", True),
        Column("first_name", pa.string(), "Given name.", unlocks="names in the profile"),
        Column("last_name", pa.string(), "Family name.", unlocks="names in the profile"),
        Column("email", pa.string(), "E-mail address.", unlocks="contact field in the profile"),
        Column("age", pa.int16(), "Age at the data's as-of date.", unlocks="age bands"),
        Column("state", pa.string(), "Two-letter US state code.", unlocks="geography views"),
        Column("city", pa.string(), "City.", unlocks="city in the profile"),
        Column(
            "employment_status",
            pa.string(),
            "Employment status.",
            unlocks="employment filters and churn feature",
        ),
        Column(
            "card_type",
            pa.string(),
            "Card product at opening (later values: customer_changes).",
            values=("Standard", "Premium"),
            unlocks="card-type filters and churn feature",
        ),
        Column(
            "credit_limit",
            pa.int32(),
            "Credit limit at opening, whole currency units.",
            unlocks="utilisation and credit-limit churn features",
        ),
        Column(
            "account_open_date",
            pa.date32(),
            "Account opening date; transactions before it are quarantined.",
            unlocks="tenure from opening",
            without="the first purchase is the open date",
        ),
        _LOADED,
    ),
    unlocks="demographics (age, state, employment, card type, credit limit) in pages, "
    "filters and churn features",
    without="customers are derived from transactions (first purchase = open date); "
    "demographic pages and filters say 'not in your data'",
)

CUSTOMER_CHANGES_SET = Dataset(
    "customer_changes",
    "Change feed of customer attributes; a move writes a state and a city row.",
    (
        Column("change_id", pa.int64(), "Unique id of the change.", system=True),
        Column("customer_id", pa.string(), "Customer whose attribute changed.", True),
        Column("changed_at", _TS, "When the change took effect (UTC).", True),
        Column(
            "attribute",
            pa.string(),
            "card_type | credit_limit | state | city | employment_status.",
            True,
        ),
        Column("old_value", pa.string(), "Value before, as text."),
        Column("new_value", pa.string(), "Value after, as text.", True),
        Column("change_reason", pa.string(), "e.g. upgrade, limit_increase, relocation."),
        _LOADED,
    ),
    unlocks="history in dim_customer (one version per change) and change churn features",
    without="dim_customer has one version per customer",
)

MERCHANT_CATEGORIES_SET = Dataset(
    "merchant_categories",
    "The merchant categories transactions refer to, with their group.",
    (
        Column("category_id", pa.string(), "Category key, e.g. CAT01.", True),
        Column("category_name", pa.string(), "Name as transactions spell it.", True),
        Column(
            "category_group",
            pa.string(),
            "Travel | Necessities | Discretionary | Services.",
            values=("Travel", "Necessities", "Discretionary", "Services"),
            unlocks="travel and necessity shares (segment rules)",
            default="'Unknown'",
        ),
        Column("mcc", pa.string(), "Representative ISO 18245 merchant category code."),
        _LOADED,
    ),
    unlocks="category groups: travel/necessity shares and the segment rules on them",
    without="categories are the distinct merchant_category names (group Unknown), or one "
    "'Uncategorised'; group shares and the travel/necessity segment rules are skipped, "
    "RFM still works",
)

TRANSACTIONS_SET = Dataset(
    "transactions",
    "Card transactions, one row per transaction (re-deliveries are deduplicated).",
    (
        Column(
            "transaction_id",
            pa.int64(),
            "Unique id; rows with the same id are re-deliveries of one transaction.",
            unlocks="deduplication of re-delivered rows",
            without="rows are numbered on import, each a distinct transaction",
        ),
        Column("customer_id", _DICT_STR, "Customer who made it.", True),
        Column(
            "transaction_ts",
            _TS,
            "When it happened (UTC, no time zone); a date alone means midnight.",
            True,
        ),
        Column("amount", pa.float64(), "Amount, positive (no refunds).", True),
        Column("merchant_name", _DICT_STR, "Merchant.", unlocks="merchant views"),
        Column(
            "merchant_category",
            _DICT_STR,
            "Category name (as in merchant_categories; casing and spaces are forgiven).",
            unlocks="category shares",
            default="'Uncategorised'",
        ),
        Column(
            "channel",
            _DICT_STR,
            "Online | In-Store | Mobile.",
            values=("Online", "In-Store", "Mobile"),
            unlocks="channel views and the online-share churn feature",
        ),
        Column(
            "status",
            _DICT_STR,
            "Approved | Declined; only approved amounts count as spend.",
            values=("Approved", "Declined"),
            unlocks="decline rates and their churn features",
            without="every row counts as approved",
            default="'Approved'",
        ),
        _LOADED,
    ),
    required=True,
)

CAMPAIGNS_SET = Dataset(
    "campaigns",
    "Past marketing campaigns.",
    (
        Column("campaign_id", pa.string(), "Campaign key.", True),
        Column("campaign_name", pa.string(), "Name.", True),
        Column("campaign_type", pa.string(), "e.g. retention."),
        Column("offer", pa.string(), "What was offered."),
        Column("start_date", pa.date32(), "First day.", True),
        Column("end_date", pa.date32(), "Last day.", True),
        Column("cost_per_customer", pa.float64(), "Cost of one contact.", default="0"),
        _LOADED,
    ),
    unlocks="Campaign Performance and `c360 uplift` (with campaign_exposures)",
    without="Campaign Performance explains how to supply one; uplift is skipped",
)

CAMPAIGN_EXPOSURES_SET = Dataset(
    "campaign_exposures",
    "Customers randomly assigned to a campaign's treatment or control group.",
    (
        Column("exposure_id", pa.int64(), "Unique id of the assignment.", system=True),
        Column("campaign_id", pa.string(), "Campaign.", True),
        Column("customer_id", pa.string(), "Customer assigned.", True),
        Column(
            "assignment_group",
            pa.string(),
            "treatment | control.",
            True,
            values=("treatment", "control"),
        ),
        Column("assigned_date", pa.date32(), "Day of assignment.", True),
        Column("contacted_at", _TS, "When contacted; null for the control group."),
        _LOADED,
    ),
    unlocks="uplift modelling (a randomised treatment/control split)",
    without="uplift is skipped: no randomised campaign",
)

CONTRACT: tuple[Dataset, ...] = (
    CUSTOMERS_SET,
    CUSTOMER_CHANGES_SET,
    MERCHANT_CATEGORIES_SET,
    TRANSACTIONS_SET,
    CAMPAIGNS_SET,
    CAMPAIGN_EXPOSURES_SET,
)
BY_NAME: dict[str, Dataset] = {d.name: d for d in CONTRACT}

# The Parquet schema of every dataset, as the generator writes it
DATASETS: dict[str, pa.Schema] = {d.name: d.schema for d in CONTRACT}
CUSTOMERS = CUSTOMERS_SET.schema
CUSTOMER_CHANGES = CUSTOMER_CHANGES_SET.schema
MERCHANT_CATEGORIES = MERCHANT_CATEGORIES_SET.schema
TRANSACTIONS = TRANSACTIONS_SET.schema
CAMPAIGNS = CAMPAIGNS_SET.schema
CAMPAIGN_EXPOSURES = CAMPAIGN_EXPOSURES_SET.schema


def dbt_env(manifest: dict) -> dict[str, str]:
    """What dbt learns of bronze's origin: C360_BRONZE_SOURCE (generate | import) and
    C360_BRONZE_ABSENT, the columns whose not-null and value tests then check nothing."""
    return {
        "C360_BRONZE_SOURCE": str(manifest.get("source", "generate")),
        "C360_BRONZE_ABSENT": ",".join(absent_columns(manifest)),
    }


def absent_columns(manifest: dict) -> list[str]:
    """'dataset.column' for each contract column an import did not supply (a generated
    bronze supplies all). The manifest's `supplied` maps each dataset to its columns."""
    supplied = manifest.get("supplied")
    if not isinstance(supplied, dict):
        return []
    return [
        f"{d.name}.{c.name}"
        for d in CONTRACT
        for c in d.columns
        if not c.system and c.name not in (supplied.get(d.name) or [])
    ]


def skipped_notes(manifest: dict) -> list[str]:
    """One line per dataset or column an import did not supply: what c360 does instead."""
    supplied = manifest.get("supplied")
    if not isinstance(supplied, dict):
        return []
    notes = []
    for d in CONTRACT:
        have = supplied.get(d.name) or []
        if d.name in (manifest.get("derived") or []) or not have:
            notes.append(f"no {d.name}: {d.without or 'empty'}")
            continue
        notes += [
            f"no {d.name}.{c.name}: {c.without or c.unlocks + ' not available'}"
            for c in d.columns
            if not c.system and c.unlocks and c.name not in have
        ]
    return notes


def _type_name(t: pa.DataType) -> str:
    t = t.value_type if pa.types.is_dictionary(t) else t
    names = {"timestamp[us]": "timestamp (UTC, no zone)", "date32[day]": "date"}
    return names.get(str(t), str(t))


def render_markdown() -> str:
    """docs/data_contract.md, rendered from CONTRACT (regenerate with
    `python -m c360.contracts.bronze > docs/data_contract.md`)."""
    lines = [
        "# Bronze data contract",
        "",
        "<!-- Generated from src/c360/contracts/bronze.py by "
        "`python -m c360.contracts.bronze`; do not edit by hand. -->",
        "",
        "What c360 reads. `c360 generate` writes all of it; `c360 import` maps your own files",
        "to it (see README, Your own data). Only `transactions` is required, and in it only",
        "`customer_id`, `transaction_ts` (a date is enough) and `amount`. Whatever else you",
        "supply unlocks more; what you leave out is written as empty (typed nulls or the",
        "default shown), and each stage says what it skipped. Columns marked *c360* are",
        "written by c360 itself. Values from a fixed list (status, channel, card type,",
        "category group, assignment group) are matched in any case; other values are kept",
        "as given, and the build warns about them (a status outside the list is quarantined).",
        "",
    ]
    for d in CONTRACT:
        lines += [
            f"## `{d.name}` ({'required' if d.required else 'optional'})",
            "",
            d.meaning
            + (f" Unlocks: {d.unlocks}." if d.unlocks else "")
            + (f" Without it: {d.without}." if d.without else ""),
            "",
            "| column | type | supply | meaning | when supplied / default |",
            "|---|---|---|---|---|",
        ]
        for c in d.columns:
            supply = "c360" if c.system else "required" if c.required else "optional"
            extra = "; ".join(
                part
                for part in (
                    c.unlocks,
                    f"without it {c.without}" if c.without else "",
                    f"default {c.default}" if c.default else "",
                )
                if part
            )
            cells = (f"`{c.name}`", _type_name(c.type), supply, c.meaning, extra)
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
