"""Customer 360: find a customer; profile, churn risk, history, transactions and trends."""

import plotly.express as px
import streamlit as st

from c360.app import queries, ui

PAGE_SIZE = 100

wh = ui.current_warehouse()


def show_value(profile: dict) -> None:
    """Customer lifetime value (12 months) and the predicted effect of a retention offer."""
    st.markdown("**Value, next 12 months**")
    clv = profile.get("clv_12m")
    if ui.is_missing(clv):
        reason = profile.get("clv_not_scored_reason")
        st.info(
            "Not valued yet"
            + ("" if ui.is_missing(reason) else f": {ui.plain(reason)}")
            + ". `c360 clv` fills this in."
        )
    else:
        level = profile.get("clv_interval_level")
        clv_range = ui.interval(profile.get("clv_12m_low"), profile.get("clv_12m_high"), level)
        alive_range = ui.interval(
            profile.get("probability_alive_low"),
            profile.get("probability_alive_high"),
            level,
            ui.pct,
        )
        st.metric(
            "12-month CLV",
            ui.money(clv),
            delta=clv_range or None,
            delta_color="off",
            delta_arrow="off",
            help="Predicted approved spend in the next 12 months (BG/NBD + Gamma-Gamma). "
            "The interval shows how uncertain this expected value is given the fitted model "
            "(parameter uncertainty), not the range of what the customer will spend.",
        )
        st.markdown(
            "\n".join(
                [
                    f"- Likely still active: **{ui.pct(profile['probability_alive'])}**"
                    + (f" ({alive_range})" if alive_range else ""),
                    f"- Expected purchase days: **{profile['expected_transactions_12m']:,.0f}**",
                    "- If retained: **" + ui.plain(ui.money(profile["clv_12m_if_retained"])) + "**",
                ]
            )
        )
    uplift = profile.get("retention_uplift")
    if not ui.is_missing(uplift):
        st.markdown(
            f"Retention offer: predicted uplift **{ui.points(uplift)}** "
            "(change in the chance of staying if offered, from the past campaign)"
        )


def show_customer(customer_id: str, profile: dict) -> None:
    """Profile card, churn risk, transactions, trends and history of one customer."""
    name = profile["full_name"]  # imported data may have no names: the id stands in
    st.header(ui.plain(profile["customer_id"] if ui.is_missing(name) else name), divider="gray")
    st.caption(
        f"{ui.plain(profile['customer_id'])} · customer since "
        f"{ui.date_text(profile['account_open_date'])} ({ui.months(profile['tenure_months'])})"
    )

    cols = st.columns(6)
    cols[0].metric("Lifetime value", ui.money(profile["lifetime_value"]), help="Spend to date.")
    cols[1].metric("Avg monthly spend", ui.money(profile["avg_monthly_spend"]))
    cols[2].metric(
        "Spend, last 90 days",
        ui.money(profile["spend_last_90_days"]),
        delta=None
        if ui.is_missing(profile["spend_change_pct"])
        else f"{profile['spend_change_pct']:+.0f}%",
        help="Change against the 90 days before.",
    )
    cols[3].metric("Transactions", ui.count(profile["transaction_count"]))
    cols[4].metric(
        "Days since purchase",
        ui.count(profile["days_since_last_transaction"]),
        help=f"Recency status: {profile['recency_status']}",
    )
    tier = profile["churn_risk_tier"]
    if ui.is_missing(tier):
        cols[5].metric(
            "Churn risk", "–", delta="not scored yet", delta_color="off", delta_arrow="off"
        )
    else:
        cols[5].metric(
            "Churn risk",
            f"{int(profile['churn_risk_score'])}/100",
            delta=f"{tier} risk",
            delta_color="off",
            delta_arrow="off",
        )

    utilisation = profile["credit_utilization_pct"]
    demo, segs, risk, value = st.columns([1, 1, 1.3, 1], border=True)
    with demo:
        st.markdown("**Demographics & account**")
        demographics = ("age", "employment_status", "city", "state", "email", "card_type")
        if all(ui.is_missing(profile[c]) for c in (*demographics, "credit_limit")):
            st.caption("Not in your data: import a customers file to see them here.")
        else:
            st.markdown(
                "\n".join(
                    [
                        f"- Age **{ui.count(profile['age'])}**, "
                        + ui.plain(profile["employment_status"]),
                        f"- {ui.plain(profile['city'])}, {ui.plain(profile['state'])}",
                        "- " + ui.code(profile["email"]),
                        f"- **{ui.plain(profile['card_type'])}** card, limit "
                        f"{ui.plain(ui.money(profile['credit_limit']))}",
                        "- Credit utilisation " + ui.plain(ui.share_of_100(utilisation)),
                    ]
                )
            )
    with segs:
        st.markdown("**Segments & RFM**")
        st.markdown(
            "\n".join(
                [
                    f"- Behavioural segment: **{ui.plain(profile['behavioral_segment'])}**",
                    f"- RFM segment: **{ui.plain(profile['rfm_segment'])}**",
                    f"- RFM score (R·F·M): **{ui.plain(profile['rfm_score'])}**",
                    f"- Recency status: **{ui.plain(profile['recency_status'])}**",
                    "- Travel share of spend: "
                    + ui.plain(ui.share_of_100(profile["travel_spend_pct"])),
                    f"- Last campaign: {ui.plain(profile['last_campaign_name'])}"
                    + (
                        f" ({ui.plain(profile['last_campaign_group'])})"
                        if not ui.is_missing(profile["last_campaign_group"])
                        else ""
                    ),
                ]
            )
        )
    with risk:
        st.markdown("**Churn risk**")
        if ui.is_missing(tier):
            reason = profile.get("churn_not_scored_reason")
            st.info(
                "Not scored yet"
                + ("" if ui.is_missing(reason) else f": {ui.plain(reason)}")
                + ". The churn model fills this in once it has scored the portfolio."
            )
        else:
            colour = {"High": "red", "Medium": "orange", "Low": "green"}.get(tier, "gray")
            st.markdown(
                f":{colour}-badge[{ui.plain(tier)} risk] "
                f"probability **{ui.pct(profile['churn_probability'])}**, "
                f"score **{int(profile['churn_risk_score'])}**/100"
            )
            st.progress(min(max(float(profile["churn_risk_score"]) / 100, 0.0), 1.0))
            reasons = profile.get("churn_reasons")
            if not ui.is_missing(reasons) and str(reasons).strip():
                st.markdown("Top reasons:")
                st.markdown("\n".join(f"- {ui.plain(r.strip())}" for r in str(reasons).split(";")))
            if not ui.is_missing(profile.get("churn_scored_at")):
                st.caption(f"Scored {ui.date_text(profile['churn_scored_at'])}")
    with value:
        show_value(profile)

    tab_tx, tab_trend, tab_mix, tab_history = st.tabs(
        ["Transactions", "Monthly spend", "Category mix", "Card & address history"]
    )

    with tab_tx:
        options = queries.transaction_options(wh)
        c1, c2, c3, c4, c5 = st.columns([1.4, 1.4, 1, 1, 1.2])
        first = profile["first_transaction_at"]
        last = profile["last_transaction_at"]
        dates = c1.date_input(
            "Date range",
            value=(),
            min_value=None if ui.is_missing(first) else first.date(),
            max_value=None if ui.is_missing(last) else last.date(),
            key="tx_dates",
        )
        categories = c2.multiselect(
            "Category", options["categories"], key="tx_categories", placeholder="All"
        )
        channels = (  # data without channels: no channel filter or column
            c3.multiselect("Channel", options["channels"], key="tx_channels", placeholder="All")
            if options["channels"]
            else []
        )
        statuses = c4.multiselect(
            "Status", options["statuses"], key="tx_statuses", placeholder="All"
        )
        amount = c5.number_input(
            "Minimum amount ($)", min_value=0.0, value=0.0, step=10.0, key="tx_min"
        )
        start = dates[0] if len(dates) >= 1 else None
        end = dates[1] if len(dates) == 2 else None
        tx_filters = queries.TransactionFilters(
            start=start,
            end=end,
            categories=tuple(categories),
            channels=tuple(channels),
            statuses=tuple(statuses),
            amount_min=amount or None,
        )
        _, total = queries.customer_transactions(wh, customer_id, tx_filters, 1, PAGE_SIZE)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        p1, p2 = st.columns([1, 4])
        page = p1.number_input(
            f"Page (of {pages})", min_value=1, max_value=pages, value=1, key="tx_page"
        )
        frame, total = queries.customer_transactions(
            wh, customer_id, tx_filters, int(page), PAGE_SIZE
        )
        p2.caption(f"{total:,} transactions match; newest first, {PAGE_SIZE} per page.")
        have = {"channel": options["channels"], "merchant_name": options["has_merchants"]}
        frame = frame.drop(columns=[c for c, has in have.items() if not has and c in frame])
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                "transaction_ts": st.column_config.DatetimeColumn(
                    "When", format="YYYY-MM-DD HH:mm"
                ),
                "transaction_id": st.column_config.NumberColumn("Id", format="%d"),
                "merchant_name": "Merchant",
                "category_name": "Category",
                "category_group": "Group",
                "channel": "Channel",
                "status": "Status",
                "amount": st.column_config.NumberColumn("Amount", format="dollar"),
            },
        )
        ui.csv_download(
            "Export these transactions (CSV)",
            lambda: queries.customer_transactions_all(wh, customer_id, tx_filters),
            f"c360_transactions_{customer_id}.csv",
            key="export_transactions",
        )

    with tab_trend:
        monthly = queries.customer_monthly_spend(wh, customer_id)
        if monthly.empty:
            st.info("No monthly spend recorded.")
        else:
            long = monthly.melt(
                id_vars="month_start_date",
                value_vars=[
                    "travel_spend",
                    "necessity_spend",
                    "discretionary_spend",
                    "services_spend",
                ],
                var_name="group",
                value_name="spend",
            )
            long["group"] = long["group"].map(
                {
                    "travel_spend": "Travel",
                    "necessity_spend": "Necessities",
                    "discretionary_spend": "Discretionary",
                    "services_spend": "Services",
                }
            )
            fig = px.bar(
                long,
                x="month_start_date",
                y="spend",
                color="group",
                color_discrete_map=ui.CATEGORY_GROUP_COLOURS,
                labels={"month_start_date": "", "spend": "Approved spend ($)", "group": ""},
            )
            fig.add_scatter(
                x=monthly["month_start_date"],
                y=monthly["approved_spend"],
                mode="lines+markers",
                name="Total",
                line=dict(color="#333333", width=2),
            )
            fig.update_layout(height=380, margin=dict(l=0, r=10, t=10, b=0), barmode="stack")
            st.plotly_chart(fig, width="stretch", config=ui.plotly_config())

    with tab_mix:
        mix = queries.customer_category_mix(wh, customer_id)
        if mix.empty:
            st.info("No approved transactions.")
        else:
            fig = px.sunburst(
                mix,
                path=["category_group", "category_name"],
                values="spend",
                color="category_group",
                color_discrete_map=ui.CATEGORY_GROUP_COLOURS,
            )
            fig.update_traces(hovertemplate="%{label}<br>$%{value:,.0f}<extra></extra>")
            fig.update_layout(height=420, margin=dict(l=0, r=0, t=10, b=0))
            left, right = st.columns([1.2, 1])
            left.plotly_chart(fig, width="stretch", config=ui.plotly_config())
            right.dataframe(
                mix,
                hide_index=True,
                width="stretch",
                height=420,
                column_config={
                    "category_group": "Group",
                    "category_name": "Category",
                    "spend": st.column_config.NumberColumn("Spend", format="dollar"),
                    "transactions": st.column_config.NumberColumn("Transactions"),
                },
            )

    with tab_history:
        history = queries.customer_history(wh, customer_id)
        st.caption(
            "Every version of the customer's record (slowly changing dimension, type 2): a new "
            "version starts whenever the card type, credit limit, address or employment changes."
        )
        st.dataframe(
            history,
            hide_index=True,
            width="stretch",
            column_config={
                "version_number": st.column_config.NumberColumn("Version"),
                "valid_from": st.column_config.DatetimeColumn("Valid from", format="YYYY-MM-DD"),
                "valid_to": st.column_config.DatetimeColumn("Valid to", format="YYYY-MM-DD"),
                "is_current": st.column_config.CheckboxColumn("Current"),
                "card_type": "Card",
                "credit_limit": st.column_config.NumberColumn("Credit limit", format="dollar"),
                "state": "State",
                "city": "City",
                "employment_status": "Employment",
            },
        )
        if len(history) > 1:
            fig = px.line(
                history,
                x="valid_from",
                y="credit_limit",
                line_shape="hv",
                markers=True,
                labels={"valid_from": "", "credit_limit": "Credit limit ($)"},
            )
            fig.update_layout(height=260, margin=dict(l=0, r=10, t=10, b=0))
            st.plotly_chart(fig, width="stretch", config=ui.plotly_config())


def find_customer() -> str | None:
    """The search box and candidate list; the chosen customer id, or None."""
    text = st.text_input(
        "Find a customer",
        placeholder="Customer id (CUST00000042), part of a name, or an email",
        key="c360_search",
    )
    if not text.strip():
        st.info("Type a customer id, part of a name or an email address to look a customer up.")
        return None
    matches = queries.search_customers(wh, text)
    if matches.empty:
        st.warning("No customer matches that search.")
        return None
    if len(matches) == 1:
        return matches["customer_id"].iloc[0]
    labels = {
        row.customer_id: f"{row.full_name} · {row.customer_id} · {row.email or 'no email'}"
        for row in matches.itertuples()
    }
    more = " (showing the first 25)" if len(matches) >= 25 else ""
    return st.selectbox(
        f"{len(matches)} customers match{more}",
        list(labels),
        format_func=labels.get,
        key="c360_choice",
    )


st.title("Customer 360")
customer_id = find_customer()
profile = None if customer_id is None else queries.customer_profile(wh, customer_id)
if customer_id is not None and profile is None:
    st.warning("That customer is not in the current build.")
if profile is not None:
    show_customer(customer_id, profile)
