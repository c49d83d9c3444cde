"""Campaign Performance: the past randomised campaign's effect, and an ROI simulator."""

import math
from dataclasses import asdict

import duckdb
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from c360.app import queries, ui
from c360.campaigns.effect import campaign_effects
from c360.campaigns.simulator import (
    DEFAULT_REVENUE_RATE,
    DEFAULT_VALUE_MONTHS,
    Assumptions,
    break_even_effect,
    sensitivity,
    simulate,
    value_if_retained,
)
from c360.campaigns.targeting import compare_targeting

WINDOW_DAYS = 180  # dbt vars campaign_outcome_window_days and _active_days (defaults)
ACTIVE_DAYS = 30

wh = ui.current_warehouse()
filters = ui.current_filters()

st.title("Campaign Performance")

try:
    campaigns = queries.campaigns(wh)
except duckdb.Error:
    campaigns = None
    st.warning(
        "The campaign tables could not be read (they read the bronze files next to the "
        "warehouse). Rebuild with `c360 build`."
    )
except queries.QueryError as exc:  # Snowflake: silver.stg_campaigns reads BRONZE tables
    campaigns = None
    st.warning("The campaign tables could not be read: " + ui.plain(str(exc)))

measured_effect = None
default_cost = 40.0
if campaigns is not None and campaigns.empty:
    st.info(
        "No past campaign in the data. Measuring a campaign's effect needs a randomised "
        "one (customers split into treatment and control): supply it with `c360 import "
        "--campaigns FILE --exposures FILE` (see docs/data_contract.md), then `c360 run`."
    )
elif campaigns is not None:
    names = dict(zip(campaigns["campaign_id"], campaigns["campaign_name"], strict=True))
    campaign_id = st.selectbox(
        "Campaign",
        list(names),
        format_func=lambda cid: f"{names[cid]} ({cid})",
        key="campaign_id",
        label_visibility="collapsed" if len(names) == 1 else "visible",
    )
    info = campaigns.set_index("campaign_id").loc[campaign_id]
    default_cost = float(info["cost_per_customer"])

    st.subheader(ui.plain(info["campaign_name"]))
    st.caption(
        f"{ui.plain(info['offer'])} · {ui.date_text(info['start_date'])} to "
        f"{ui.date_text(info['end_date'])} · {ui.money(info['cost_per_customer'])} per "
        f"customer · randomly assigned: {int(info['treatment_customers']):,} treatment, "
        f"{int(info['control_customers']):,} control"
    )

    outcomes = queries.campaign_outcomes(wh, campaign_id)
    overall = campaign_effects(outcomes).set_index("metric")
    retention = overall.loc["retained"]
    spend = overall.loc["spend_after"]
    measured_effect = float(retention["difference"])

    cols = st.columns(4)
    cols[0].metric("Retention, treatment", ui.pct(retention["treatment"]))
    cols[1].metric("Retention, control", ui.pct(retention["control"]))
    cols[2].metric(
        "Retention effect",
        ui.points(retention["difference"]),
        delta=f"95% CI {ui.points(retention['ci_low'])} to {ui.points(retention['ci_high'])}",
        delta_color="off",
        delta_arrow="off",
    )
    cols[3].metric(
        "Spend effect per customer",
        ("+" if spend["difference"] >= 0 else "") + ui.money(spend["difference"]),
        delta=f"95% CI {ui.money(spend['ci_low'])} to {ui.money(spend['ci_high'])}",
        delta_color="off",
        delta_arrow="off",
        help=(
            f"Average approved spend in the {WINDOW_DAYS} days after assignment: "
            f"treatment {ui.money(spend['treatment'])}, control {ui.money(spend['control'])}."
        ),
    )
    verdict = (
        "The offer measurably improved retention: the 95% interval excludes zero."
        if retention["significant"] and retention["difference"] > 0
        else "The retention difference is not distinguishable from zero at 95% confidence."
    )
    st.caption(
        f"{verdict} Retained = at least one approved purchase in the last {ACTIVE_DAYS} days "
        f"of the {WINDOW_DAYS} days after assignment (cut at the data's as-of date). "
        "Intervals: Newcombe score interval for the retention difference, Welch t interval "
        "for spend. Assignment was random, so the difference is the offer's effect."
    )

    by_segment = campaign_effects(outcomes, by="segment")
    left, right = st.columns(2)
    for column, metric, title, fmt in (
        (left, "retained", "Retention effect by segment (pp)", 100.0),
        (right, "spend_after", "Spend effect by segment ($ per customer)", 1.0),
    ):
        rows = by_segment[by_segment["metric"] == metric].copy()
        rows = rows[rows["ci_low"].notna()]
        with column:
            st.markdown(f"**{title}**")
            if rows.empty:
                st.caption("Too few customers per segment for intervals.")
                continue
            fig = go.Figure()
            fig.add_trace(
                go.Scatter(
                    x=rows["difference"] * fmt,
                    y=rows["group"],
                    mode="markers",
                    marker=dict(
                        size=12,
                        color=[ui.SEGMENT_COLOURS.get(g, "#4C78A8") for g in rows["group"]],
                    ),
                    error_x=dict(
                        type="data",
                        symmetric=False,
                        array=(rows["ci_high"] - rows["difference"]) * fmt,
                        arrayminus=(rows["difference"] - rows["ci_low"]) * fmt,
                        color="#555555",
                    ),
                    hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
                )
            )
            fig.add_vline(x=0, line_dash="dot", line_color="#888888")
            fig.update_layout(height=260, margin=dict(l=0, r=10, t=10, b=0), showlegend=False)
            st.plotly_chart(fig, width="stretch", config=ui.plotly_config())

    table = by_segment.pivot_table(
        index=["group", "n_treatment", "n_control"],
        columns="metric",
        values=["treatment", "control", "difference", "ci_low", "ci_high"],
    )
    table.columns = [f"{metric}_{stat}" for stat, metric in table.columns]
    table = table.reset_index()
    st.dataframe(
        table[
            [
                "group",
                "n_treatment",
                "n_control",
                "retained_treatment",
                "retained_control",
                "retained_difference",
                "retained_ci_low",
                "retained_ci_high",
                "spend_after_difference",
                "spend_after_ci_low",
                "spend_after_ci_high",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "group": "Segment",
            "n_treatment": "Treated",
            "n_control": "Control",
            "retained_treatment": st.column_config.NumberColumn(
                "Retention, treatment", format="percent"
            ),
            "retained_control": st.column_config.NumberColumn(
                "Retention, control", format="percent"
            ),
            "retained_difference": st.column_config.NumberColumn("Difference", format="percent"),
            "retained_ci_low": st.column_config.NumberColumn("CI low", format="percent"),
            "retained_ci_high": st.column_config.NumberColumn("CI high", format="percent"),
            "spend_after_difference": st.column_config.NumberColumn(
                "Spend difference", format="dollar"
            ),
            "spend_after_ci_low": st.column_config.NumberColumn("CI low", format="dollar"),
            "spend_after_ci_high": st.column_config.NumberColumn("CI high", format="dollar"),
        },
    )
    st.caption(
        "Segments are today's behavioural segments (after the campaign), so per-segment "
        "numbers are descriptive; segments with fewer than 10 customers per arm show no "
        "interval."
    )

st.divider()
st.header("Campaign simulator")
scored = queries.churn_scored(wh)
valued = queries.clv_fitted(wh)
st.caption(
    f"Audience: the sidebar's portfolio filters ({ui.describe_filters(filters)}) — choose "
    "segments, risk tiers and card types there — narrowed by the minimums below."
)

a1, a2, a3 = st.columns(3)
min_ltv = a1.number_input(
    "Minimum lifetime value ($)", min_value=0.0, value=0.0, step=500.0, key="sim_min_ltv"
)
min_score = a2.slider(
    "Minimum churn risk score",
    0,
    100,
    0,
    key="sim_min_score",
    disabled=not scored,
    help=None if scored else ui.NOT_SCORED_HELP,
)
contactable_only = a3.toggle(
    "Only contactable, not in contact cooldown", value=True, key="sim_contactable"
)

effect_default = (
    5.0 if measured_effect is None or math.isnan(measured_effect) else measured_effect * 100
)
b1, b2, b3, b4 = st.columns(4)
cost = b1.number_input(
    "Incentive cost per customer ($)",
    min_value=0.0,
    value=default_cost,
    step=5.0,
    key="sim_cost",
)
effect_pp = b2.number_input(
    "Expected retention effect (pp)",
    min_value=-50.0,
    max_value=100.0,
    value=round(effect_default, 1),
    step=0.5,
    key="sim_effect",
    help="Percentage points more customers kept; defaults to the effect measured above.",
)
value_months = b3.number_input(
    "Months of value per retained customer",
    min_value=1,
    max_value=60,
    value=DEFAULT_VALUE_MONTHS,
    key="sim_months",
    help=(
        "Used only for customers without a CLV: the others are valued by their 12-month CLV."
        if valued
        else None
    ),
)
revenue_pct = b4.number_input(
    "Revenue per $ of spend (%)",
    min_value=0.0,
    max_value=100.0,
    value=DEFAULT_REVENUE_RATE * 100,
    step=0.25,
    key="sim_revenue",
    help="What the issuer earns per dollar customers spend (interchange, fees, interest).",
)

audience = queries.simulation_audience(
    wh,
    queries.Audience(
        filters=filters,
        min_lifetime_value=float(min_ltv),
        min_risk_score=int(min_score) if scored else 0,
        contactable_only=contactable_only,
    ),
)
assumptions = Assumptions(
    cost_per_customer=float(cost),
    retention_effect=float(effect_pp) / 100,
    value_months=int(value_months),
    revenue_rate=float(revenue_pct) / 100,
)
probability = audience["churn_probability"].to_numpy(dtype=float) if scored else None
clv = audience["clv_12m_if_retained"].to_numpy(dtype=float) if valued else None
monthly_spend = audience["avg_monthly_spend"].to_numpy(dtype=float)
result = simulate(monthly_spend, assumptions, probability, clv)

m = st.columns(6)
m[0].metric("Targeted customers", ui.count(result.targeted))
m[1].metric("Total cost", ui.money(result.total_cost))
m[2].metric("Customers retained", f"{result.expected_retained:,.1f}")
m[3].metric("Value retained", ui.money(result.value_retained))
m[4].metric("Net benefit", ui.money(result.net_benefit))
m[5].metric("ROI", "–" if result.roi is None else ui.pct(result.roi, 0))
breakeven = break_even_effect(monthly_spend, assumptions, clv)
worth = (
    "each retained customer's 12-month CLV if retained (where known; else "
    f"{value_months} months of average monthly spend)"
    if valued
    else f"{value_months} months of each retained customer's average monthly spend"
)
st.caption(
    "Expected retained = targeted customers × the retention effect"
    + (", capped at each customer's churn probability" if scored else "")
    + f"; value = {worth} × {revenue_pct:.2f}% revenue. "
    + (f"Break-even retention effect: {ui.points(breakeven)}." if breakeven is not None else "")
)

if result.targeted:
    curve = sensitivity(monthly_spend, assumptions, probability, clv=clv)
    curve["retention_effect_pp"] = curve["retention_effect"] * 100
    curve["cost"] = curve["cost_per_customer"].map(lambda c: f"{ui.money(c)} per customer")
    fig = px.line(
        curve,
        x="retention_effect_pp",
        y="net_benefit",
        color="cost",
        labels={
            "retention_effect_pp": "Retention effect (pp)",
            "net_benefit": "Net benefit ($)",
            "cost": "Incentive cost",
        },
        color_discrete_sequence=["#54A24B", "#4C78A8", "#E45756"],
    )
    fig.add_hline(y=0, line_dash="dot", line_color="#888888")
    fig.add_vline(
        x=float(effect_pp), line_dash="dash", line_color="#333333", annotation_text="chosen"
    )
    fig.update_layout(height=340, margin=dict(l=0, r=10, t=30, b=0), legend_title_text="")
    st.markdown("**Sensitivity: net benefit by retention effect and incentive cost**")
    st.plotly_chart(fig, width="stretch", config=ui.plotly_config())

    st.markdown("**Target list**")
    risk_columns = ["churn_risk_tier", "churn_risk_score", "churn_probability"]
    st.dataframe(
        audience.head(2_000) if scored else audience.head(2_000).drop(columns=risk_columns),
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "customer_id": "Customer",
            "full_name": "Name",
            "email": "Email",
            "state": "State",
            "card_type": "Card",
            "behavioral_segment": "Segment",
            "recency_status": "Recency",
            "lifetime_value": st.column_config.NumberColumn("Lifetime value", format="dollar"),
            "avg_monthly_spend": st.column_config.NumberColumn(
                "Avg monthly spend", format="dollar"
            ),
            "churn_risk_tier": "Risk tier",
            "churn_risk_score": "Risk score",
            "churn_probability": st.column_config.NumberColumn(
                "Churn probability", format="percent"
            ),
            "clv_12m": st.column_config.NumberColumn("12-month CLV", format="dollar"),
            **ui.clv_interval_columns(),
            "clv_12m_if_retained": st.column_config.NumberColumn(
                "CLV if retained", format="dollar"
            ),
            "retention_uplift": st.column_config.NumberColumn("Predicted uplift", format="percent"),
            "is_contactable": st.column_config.CheckboxColumn("Contactable"),
            "is_in_contact_cooldown": st.column_config.CheckboxColumn("In cooldown"),
        },
    )
    ui.csv_download(
        "Export target list (CSV)", lambda: audience, "c360_campaign_targets.csv", "export_targets"
    )
else:
    st.info("No customer matches this audience.")


def show_targeting() -> None:
    """Same budget, two target lists: highest churn risk vs highest predicted uplift."""
    st.divider()
    st.header("Targeting: churn risk vs uplift")
    if not (scored and queries.uplift_scored(wh)):
        st.info(
            "Needs churn scores and uplift scores: run `c360 score` and `c360 uplift` "
            "(or `c360 run`)."
        )
        return
    budget = st.number_input(
        "Budget ($)",
        min_value=0.0,
        value=float(max(cost, 1.0) * min(len(audience), 500)),
        step=1_000.0,
        key="target_budget",
        help="Both strategies spend it on the simulator's audience at the incentive cost above.",
    )
    values = value_if_retained(monthly_spend, assumptions, clv)
    results = compare_targeting(audience, values, float(budget), float(cost))
    table = pd.DataFrame([asdict(r) for r in results]).drop(columns=["strategy"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "label": "Target",
            "reached": st.column_config.NumberColumn("Customers reached", format="localized"),
            "expected_incremental_retained": st.column_config.NumberColumn(
                "Expected incremental retained", format="%.1f"
            ),
            "cost": st.column_config.NumberColumn("Cost", format="dollar"),
            "value": st.column_config.NumberColumn("Value retained", format="dollar"),
            "net_value": st.column_config.NumberColumn("Net value", format="dollar"),
            "roi": st.column_config.NumberColumn("ROI", format="percent"),
        },
    )
    st.caption(
        "Both lists reach the same number of customers (budget ÷ incentive cost). Expected "
        "incremental retained = the sum of the uplift model's predicted change in each "
        "targeted customer's chance of staying, so both strategies are judged by the same "
        "model; value uses the simulator's valuation above. Customers at highest risk are "
        "not always the ones the offer changes."
    )
    report = queries.uplift_report(wh)
    if report is None:
        return
    evaluation = report["evaluation"]
    areas = evaluation["qini_area"]
    if areas["uplift_model"] <= max(0.0, areas.get("churn_risk", 0.0)):
        st.warning(
            "On held-out campaign participants the uplift ranking did not beat "
            + ("churn risk or " if "churn_risk" in areas else "")
            + "random targeting (Qini areas below): treat its predicted gains as unproven."
        )
    names = {"uplift_model": "Uplift model", "churn_risk": "Churn risk"}
    fig = go.Figure()
    for name, points in evaluation["qini_curve"].items():
        fig.add_trace(
            go.Scatter(
                x=[p["fraction"] * 100 for p in points],
                y=[p["incremental"] * 100 for p in points],
                mode="lines",
                name=f"{names.get(name, name)} (area {evaluation['qini_area'][name]:+.4f})",
            )
        )
    last = evaluation["qini_curve"]["uplift_model"][-1]["incremental"] * 100
    fig.add_trace(
        go.Scatter(x=[0, 100], y=[0, last], mode="lines", name="Random", line=dict(dash="dot"))
    )
    fig.update_layout(
        height=340,
        margin=dict(l=0, r=10, t=30, b=0),
        xaxis_title="Customers targeted (% of held-out participants)",
        yaxis_title="Incremental retained (% of group)",
        legend_title_text="",
    )
    st.markdown("**Qini curve on held-out campaign participants**")
    st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
    campaign = report["campaign"]
    st.caption(
        f"{report['learner'].upper()}-learner fitted on {report['participants']:,} participants "
        f"of {ui.plain(campaign['campaign_id'])} (features from {campaign['feature_cutoff']}, "
        f"before assignment on {campaign['assigned_date']}); "
        f"{evaluation['holdout_customers']:,} held out. {report['outcome'].capitalize()}. "
        "The Qini area is the area between a curve and random targeting; 0 = no better "
        "than random."
    )


if result.targeted:
    show_targeting()
