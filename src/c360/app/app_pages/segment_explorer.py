"""Segment Explorer: segments, RFM, churn-risk mix, observed churn, map and customer list."""

import plotly.express as px
import streamlit as st

from c360.app import queries, ui

wh = ui.current_warehouse()
filters = ui.current_filters()

st.title("Segment Explorer")
st.caption(f"Behavioural and RFM segments of the portfolio · {ui.describe_filters(filters)}")

overview = queries.portfolio_overview(wh, filters)
scored = queries.churn_scored(wh)
valued = queries.clv_fitted(wh)

cols = st.columns(6)
cols[0].metric("Customers", ui.count(overview["customers"]))
share = (
    overview["customers"] / overview["portfolio_customers"]
    if overview["portfolio_customers"]
    else None
)
cols[1].metric("Share of portfolio", ui.pct(share))
cols[2].metric("Avg lifetime value", ui.money(overview["avg_lifetime_value"]))
cols[3].metric("Avg monthly spend", ui.money(overview["avg_monthly_spend"]))
cols[4].metric(
    "Observed churn", ui.pct(overview["observed_churn_rate"]), help=ui.OBSERVED_CHURN_HELP
)
if scored:
    high_share = (
        overview["high_risk_customers"] / overview["customers"] if overview["customers"] else None
    )
    cols[5].metric(
        "High churn risk",
        ui.count(overview["high_risk_customers"]),
        delta=f"{ui.pct(high_share)} of customers",
        delta_color="off",
        delta_arrow="off",
    )
else:
    cols[5].metric(
        "High churn risk",
        "–",
        delta="not scored yet",
        delta_color="off",
        delta_arrow="off",
        help=ui.NOT_SCORED_HELP,
    )


value = st.columns(6)
value[0].metric(
    "Avg 12-month CLV",
    ui.money(overview["avg_clv_12m"]) if valued else "–",
    delta=None if valued else "not valued yet",
    delta_color="off",
    delta_arrow="off",
    help="Customer lifetime value: predicted approved spend in the next 12 months per "
    "customer (`c360 clv`: BG/NBD + Gamma-Gamma).",
)
value[1].metric(
    "Total 12-month CLV",
    ui.money_short(overview["total_clv_12m"]) if valued else "–",
    help=None if not valued else ui.money(overview["total_clv_12m"]),
)
value[2].metric(
    "Likely still active",
    ui.pct(overview["avg_probability_alive"]) if valued else "–",
    help="Average BG/NBD probability that a customer has not lapsed for good.",
)


def show_segments() -> None:
    """Charts, tables and the customer list for the filtered customers."""

    segments = queries.segment_summary(wh, filters)
    colours = ui.segment_colour_map(segments["segment"])

    left, right = st.columns(2)
    with left:
        st.subheader("Segment sizes")
        fig = px.bar(
            segments,
            x="customers",
            y="segment",
            orientation="h",
            color="segment",
            color_discrete_map=colours,
            text=segments["share"].map(ui.pct),
            labels={"customers": "Customers", "segment": ""},
        )
        fig.update_layout(showlegend=False, height=340, margin=dict(l=0, r=10, t=10, b=0))
        fig.update_yaxes(categoryorder="total ascending")
        st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
    with right:
        st.subheader("Churn risk by segment")
        risk = queries.risk_by_segment(wh, filters)
        fig = px.bar(
            risk,
            x="customers",
            y="segment",
            orientation="h",
            color="risk_tier",
            color_discrete_map=ui.TIER_COLOURS,
            category_orders={"risk_tier": [*queries.RISK_TIERS, queries.NOT_SCORED]},
            labels={"customers": "Customers", "segment": "", "risk_tier": "Risk tier"},
        )
        fig.update_layout(
            height=340, margin=dict(l=0, r=10, t=10, b=0), barmode="stack", legend_title_text=""
        )
        fig.update_yaxes(categoryorder="total ascending")
        st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
        if not scored:
            st.caption(ui.NOT_SCORED_HELP)

    st.subheader("Segments")
    risk_columns = ["avg_churn_probability", "high_risk", "medium_risk", "low_risk", "not_scored"]
    hidden = ([] if scored else risk_columns) + ([] if valued else ["avg_clv_12m", "total_clv_12m"])
    st.dataframe(
        segments.drop(columns=hidden),
        hide_index=True,
        width="stretch",
        column_config={
            "segment": st.column_config.TextColumn("Segment"),
            "customers": st.column_config.NumberColumn("Customers", format="localized"),
            "share": st.column_config.ProgressColumn(
                "Share", format="percent", min_value=0.0, max_value=1.0
            ),
            "avg_lifetime_value": st.column_config.NumberColumn(
                "Avg lifetime value", format="dollar"
            ),
            "avg_monthly_spend": st.column_config.NumberColumn(
                "Avg monthly spend", format="dollar"
            ),
            "avg_clv_12m": st.column_config.NumberColumn("Avg 12-month CLV", format="dollar"),
            "total_clv_12m": st.column_config.NumberColumn("Total 12-month CLV", format="dollar"),
            "avg_churn_probability": st.column_config.NumberColumn(
                "Avg churn probability", format="percent"
            ),
            "high_risk": st.column_config.NumberColumn("High risk", format="localized"),
            "medium_risk": st.column_config.NumberColumn("Medium risk", format="localized"),
            "low_risk": st.column_config.NumberColumn("Low risk", format="localized"),
            "not_scored": st.column_config.NumberColumn("Not scored", format="localized"),
            "observed_churn_rate": st.column_config.NumberColumn(
                "Observed churn", format="percent", help=ui.OBSERVED_CHURN_HELP
            ),
        },
    )
    st.caption(ui.OBSERVED_CHURN_HELP)

    customers = queries.customer_list(wh, filters)

    left, right = st.columns(2)
    with left:
        st.subheader("Monthly spend distribution")
        fig = px.histogram(
            customers,
            x="avg_monthly_spend",
            color="behavioral_segment",
            color_discrete_map=colours,
            nbins=60,
            log_y=False,
            labels={"avg_monthly_spend": "Average monthly spend ($)", "behavioral_segment": ""},
        )
        fig.update_layout(
            height=380,
            margin=dict(l=0, r=10, t=10, b=0),
            barmode="stack",
            yaxis_title="Customers",
            legend=dict(orientation="h", y=-0.25),
        )
        st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
    with right:
        st.subheader("Customers by state")
        if not queries.filter_options(wh)["states"]:  # e.g. imported without customers
            st.info(
                "State is not in your data: supply a customers file with a state column "
                "(`c360 import --customers FILE`; see docs/data_contract.md)."
            )
        else:
            measure = st.segmented_control(
                "Colour states by",
                ["Customers", "Avg lifetime value", "Observed churn"],
                default="Customers",
                key="map_measure",
                label_visibility="collapsed",
            )
            column = {
                "Customers": "customers",
                "Avg lifetime value": "avg_lifetime_value",
                "Observed churn": "observed_churn_rate",
            }[measure or "Customers"]
            states = queries.state_summary(wh, filters)
            fig = px.choropleth(
                states,
                locations="state",
                locationmode="USA-states",
                scope="usa",
                color=column,
                color_continuous_scale="Blues" if column != "observed_churn_rate" else "Reds",
                hover_data={
                    "customers": ":,",
                    "avg_lifetime_value": ":$,.0f",
                    "observed_churn_rate": ":.1%",
                },
                labels={
                    "customers": "Customers",
                    "avg_lifetime_value": "Avg lifetime value",
                    "observed_churn_rate": "Observed churn",
                    "state": "State",
                },
            )
            fig.update_layout(
                height=340, margin=dict(l=0, r=0, t=0, b=0), geo=dict(bgcolor="rgba(0,0,0,0)")
            )
            st.plotly_chart(fig, width="stretch", config=ui.plotly_config())

    with st.expander("RFM segments", expanded=False):
        rfm = queries.rfm_summary(wh, filters)
        fig = px.bar(
            rfm,
            x="rfm_segment",
            y="customers",
            color="observed_churn_rate",
            color_continuous_scale="Reds",
            category_orders={"rfm_segment": ui.RFM_ORDER},
            labels={
                "rfm_segment": "",
                "customers": "Customers",
                "observed_churn_rate": "Obs. churn",
            },
        )
        fig.update_layout(height=300, margin=dict(l=0, r=10, t=10, b=0))
        st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
        st.dataframe(
            rfm,
            hide_index=True,
            width="stretch",
            column_config={
                "rfm_segment": "RFM segment",
                "customers": st.column_config.NumberColumn("Customers", format="localized"),
                "share": st.column_config.NumberColumn("Share", format="percent"),
                "avg_lifetime_value": st.column_config.NumberColumn(
                    "Avg lifetime value", format="dollar"
                ),
                "avg_recency_score": st.column_config.NumberColumn("Avg R", format="%.1f"),
                "avg_frequency_score": st.column_config.NumberColumn("Avg F", format="%.1f"),
                "avg_monetary_score": st.column_config.NumberColumn("Avg M", format="%.1f"),
                "observed_churn_rate": st.column_config.NumberColumn(
                    "Observed churn", format="percent"
                ),
            },
        )
        st.caption(
            "RFM scores recency, frequency and monetary value 1-5 by quintile of approved "
            "transactions up to the as-of date (5 = best)."
        )

    st.subheader("Customers")
    SHOWN = 2_000
    st.caption(
        f"{len(customers):,} customers match, highest lifetime value first"
        + (f"; the first {SHOWN:,} are shown, the export has all" if len(customers) > SHOWN else "")
        + ". Click a column header to sort."
    )
    st.dataframe(
        (
            customers if valued else customers.drop(columns=["clv_12m", *ui.CLV_INTERVAL_COLUMNS])
        ).head(SHOWN),
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "customer_id": "Customer",
            "full_name": "Name",
            "email": "Email",
            "age": st.column_config.NumberColumn("Age"),
            "state": "State",
            "card_type": "Card",
            "behavioral_segment": "Segment",
            "rfm_segment": "RFM segment",
            "recency_status": "Recency",
            "lifetime_value": st.column_config.NumberColumn("Lifetime value", format="dollar"),
            "clv_12m": st.column_config.NumberColumn("12-month CLV", format="dollar"),
            **ui.clv_interval_columns(),
            "avg_monthly_spend": st.column_config.NumberColumn(
                "Avg monthly spend", format="dollar"
            ),
            "spend_change_pct": st.column_config.NumberColumn("Spend change 90d", format="%.0f%%"),
            "days_since_last_transaction": st.column_config.NumberColumn("Days since last"),
            "churn_risk_tier": "Risk tier",
            "churn_risk_score": st.column_config.NumberColumn("Risk score"),
            "churn_probability": st.column_config.NumberColumn(
                "Churn probability", format="percent"
            ),
        },
    )
    ui.csv_download(
        "Export customers (CSV)",
        lambda: queries.customer_list(wh, filters),
        "c360_customers.csv",
        key="export_customers",
    )


if overview["customers"]:
    show_segments()
else:
    st.info("No customer matches the filters in the sidebar.")
