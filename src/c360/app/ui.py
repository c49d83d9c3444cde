"""Presentation helpers shared by the pages: colours, number formats, sidebar, footer.

No queries and no business rules here; those live in `queries.py` and `c360.campaigns`.
"""

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from c360.app import queries
from c360.app.export import to_csv_bytes

SEGMENT_COLOURS = {
    "High-Value Travelers": "#4C78A8",
    "Stable Mid-Spenders": "#72B7B2",
    "New & Growing": "#54A24B",
    "Budget-Conscious": "#EECA3B",
    "Declining": "#E45756",
    "Unknown": "#9D9D9D",
}
TIER_COLOURS = {"High": "#D62728", "Medium": "#FF9F1C", "Low": "#2CA02C", "Not scored": "#B0B0B0"}
GROUP_COLOURS = {"treatment": "#4C78A8", "control": "#B0B0B0"}
CATEGORY_GROUP_COLOURS = {
    "Travel": "#4C78A8",
    "Necessities": "#72B7B2",
    "Discretionary": "#F58518",
    "Services": "#B279A2",
}
RFM_ORDER = [
    "Champions",
    "Loyal Customers",
    "Potential Loyalists",
    "New Customers",
    "Need Attention",
    "Cannot Lose Them",
    "At Risk",
    "Hibernating",
    "Lost",
    "No Purchases",
]
OBSERVED_CHURN_HELP = (
    "Observed churn: the share of customers whose recency status is 'Inactive', i.e. no "
    "approved purchase for more than 90 days before the data's as-of date. It describes "
    "what has already happened; churn risk is the model's forecast."
)
NOT_SCORED_HELP = (
    "Churn risk is not scored yet: train and score the churn model, then rebuild the "
    "warehouse. Until then risk shows as 'Not scored'."
)
FILTER_KEYS = {
    "segments": "filter_segments",
    "states": "filter_states",
    "card_types": "filter_card_types",
    "risk_tiers": "filter_risk_tiers",
    "age_bands": "filter_age_bands",
}


def segment_colour_map(segments) -> dict[str, str]:
    palette = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D", "#BAB0AC"]
    extra = [s for s in segments if s not in SEGMENT_COLOURS]
    return SEGMENT_COLOURS | {s: palette[i % len(palette)] for i, s in enumerate(extra)}


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def money(value, decimals: int = 0) -> str:
    if is_missing(value):
        return "–"
    sign = "−" if float(value) < 0 else ""
    return f"{sign}${abs(float(value)):,.{decimals}f}"


def interval(low, high, level, fmt=None) -> str:
    """'90% interval $1,200 – $1,450', or '' when there is none (older CLV fits)."""
    if is_missing(low) or is_missing(high) or is_missing(level):
        return ""
    fmt = fmt or money
    return f"{float(level) * 100:.0f}% interval {fmt(low)} – {fmt(high)}"


CLV_INTERVAL_COLUMNS = ["clv_12m_low", "clv_12m_high"]


def clv_interval_columns() -> dict:
    """Table headers for the 12-month CLV interval's ends (90%, parameter uncertainty)."""
    return {
        "clv_12m_low": st.column_config.NumberColumn(
            "CLV low", format="dollar", help="Lower end of the 12-month CLV's 90% interval."
        ),
        "clv_12m_high": st.column_config.NumberColumn(
            "CLV high", format="dollar", help="Upper end of the 12-month CLV's 90% interval."
        ),
    }


def money_short(value) -> str:
    """Large amounts compactly: $312.9M, $1.2B, $48.5K; small ones as money()."""
    if is_missing(value):
        return "–"
    amount = abs(float(value))
    sign = "−" if float(value) < 0 else ""
    for threshold, size, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")):
        if amount >= threshold:
            return f"{sign}${amount / size:,.1f}{suffix}"
    return money(value)


def count(value) -> str:
    return "–" if is_missing(value) else f"{float(value):,.0f}"


def pct(value, decimals: int = 1, signed: bool = False) -> str:
    """A rate (0.123) as '12.3%'."""
    if is_missing(value):
        return "–"
    sign = "+" if signed else ""
    return f"{float(value) * 100:{sign}.{decimals}f}%"


def share_of_100(value, decimals: int = 1) -> str:
    """A percentage already on a 0-100 scale (47.5) as '47.5%'."""
    return "–" if is_missing(value) else f"{float(value):.{decimals}f}%"


def points(value, decimals: int = 1) -> str:
    """A difference of rates as percentage points ('+6.5 pp')."""
    return "–" if is_missing(value) else f"{float(value) * 100:+.{decimals}f} pp"


def date_text(value) -> str:
    if is_missing(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def plotly_config() -> dict:
    """Plotly settings: draw maps from the topology the app serves itself when it can."""
    if st.get_option("server.enableStaticServing"):
        return {"topojsonURL": "app/static/", "displaylogo": False}
    return {"displaylogo": False}


def current_warehouse() -> queries.Source:
    """The warehouse the entry point found for this run."""
    return st.session_state["warehouse"]


def current_filters() -> queries.Filters:
    return st.session_state.get("filters", queries.Filters())


def no_warehouse(path: str) -> None:
    st.title("c360")
    st.warning(f"No warehouse has been published yet at `{path}`.")
    st.markdown(
        "Build one, then reload this page:\n\n"
        "1. `c360 generate` — synthetic card data (or land your own bronze files)\n"
        "2. `c360 build` — build and publish the warehouse\n\n"
        "or run the whole pipeline with `make run`. The app reads the warehouse from "
        "`$C360_HOME/warehouse.duckdb` (`C360_HOME` defaults to `./data`)."
    )
    st.code("c360 generate && c360 build", language="bash")


def _keep_valid(key: str, options: list[str]) -> None:
    """Drop selections a new build no longer offers (a new build may change the options)."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]


def sidebar_filters(wh: queries.Source) -> queries.Filters:
    """The global portfolio filters, in the sidebar on every page."""
    options = queries.filter_options(wh)
    with st.sidebar:
        st.subheader("Portfolio filters")
        st.caption("Apply to Segment Explorer and to the campaign simulator's audience.")
        chosen = {}
        labels = {
            "segments": "Behavioural segment",
            "states": "State",
            "card_types": "Card type",
            "risk_tiers": "Churn risk tier",
            "age_bands": "Age band",
        }
        for name, key in FILTER_KEYS.items():
            _keep_valid(key, options[name])
            if not options[name]:  # e.g. imported data without a customers file
                st.caption(f"{labels[name]}: not in your data")
                chosen[name] = []
                continue
            chosen[name] = st.multiselect(labels[name], options[name], key=key, placeholder="All")
        low, high = options["ltv_min"], max(options["ltv_max"], options["ltv_min"] + 1)
        ltv_key = "filter_ltv"
        if ltv_key in st.session_state:  # keep the choice inside a new build's range
            old_low, old_high = st.session_state[ltv_key]
            st.session_state[ltv_key] = (
                max(low, min(old_low, high)),
                min(high, max(old_high, low)),
            )
        else:
            st.session_state[ltv_key] = (float(low), float(high))
        ltv = st.slider(
            "Lifetime value ($)",
            min_value=float(low),
            max_value=float(high),
            step=100.0,
            format="$%.0f",
            key=ltv_key,
        )
    return queries.Filters(
        segments=tuple(chosen["segments"]),
        states=tuple(chosen["states"]),
        card_types=tuple(chosen["card_types"]),
        risk_tiers=tuple(chosen["risk_tiers"]),
        age_bands=tuple(chosen["age_bands"]),
        ltv_min=None if ltv[0] <= low else ltv[0],
        ltv_max=None if ltv[1] >= high else ltv[1],
    )


def describe_filters(filters: queries.Filters) -> str:
    parts = []
    for label, values in (
        ("segments", filters.segments),
        ("states", filters.states),
        ("card types", filters.card_types),
        ("risk tiers", filters.risk_tiers),
        ("age bands", filters.age_bands),
    ):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    if filters.ltv_min is not None or filters.ltv_max is not None:
        parts.append(f"lifetime value {money(filters.ltv_min or 0)}–{money(filters.ltv_max)}")
    return "; ".join(parts) if parts else "all customers"


def csv_download(
    label: str, make_frame: Callable[[], pd.DataFrame], file_name: str, key: str
) -> None:
    """A download button whose CSV (neutralised) is only built when clicked."""
    st.download_button(
        label,
        data=lambda: to_csv_bytes(make_frame()),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def footer(wh: queries.Source) -> None:
    info = queries.build_info(wh)
    st.divider()
    st.caption(
        f"Data as of **{date_text(info['as_of_date'])}** · build `{info['build_id']}` "
        f"({info['kind']}) · read-only from {wh.location}"
    )


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def plain(text) -> str:
    """Data text made safe to show inside Markdown (no links, images or formatting)."""
    if is_missing(text):
        return "–"
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


def code(text) -> str:
    """Data text as a Markdown code span: shown literally, never as a link."""
    if is_missing(text):
        return "–"
    return "`" + str(text).replace("`", "'") + "`"


def months(n) -> str:
    if is_missing(n):
        return "–"
    return f"{int(n)} month" + ("" if int(n) == 1 else "s")
