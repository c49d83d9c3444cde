"""Model health: score and feature drift, realised churn, data volume, and the verdict.

Draws the report of c360.monitor (the same numbers as `c360 monitor`); docs/monitoring.md
says what each one means.
"""

import pandas as pd
import plotly.express as px
import streamlit as st

from c360.app import queries, ui
from c360.monitor.report import MonitorError

wh = ui.current_warehouse()

st.title("Model health")

if queries.is_snowflake(wh):
    st.info("Model health reads the DuckDB warehouse and the scoring history under $C360_HOME.")
    st.stop()

try:
    report = queries.model_health(wh, queries.kept_scorings())
except MonitorError as exc:
    st.error(ui.plain(str(exc)), icon=":material/error:")
    st.stop()
verdict = report["verdict"]
if verdict["status"] == "healthy":
    st.success("Verdict: model healthy", icon=":material/check_circle:")
elif verdict["status"] == "no scoring":
    st.info("Verdict: " + ui.plain(verdict["line"]), icon=":material/info:")
else:
    st.warning("Verdict: " + ui.plain(verdict["line"]), icon=":material/warning:")
st.caption(
    f"Warehouse as of {report['warehouse_as_of']}; {len(report['scorings'])} scorings kept. "
    "Thresholds: see below and docs/monitoring.md."
)

scorings = pd.DataFrame(report["scorings"])
st.subheader("Score distribution over time")
if scorings.empty:
    st.info("No scoring kept yet: run `c360 score`.")
else:
    quantiles = pd.DataFrame(list(scorings["quantiles"])).assign(
        scoring=scorings["as_of"] + " · " + scorings["scored_at"].str[11:19]
    )
    long = quantiles.melt(id_vars="scoring", var_name="quantile", value_name="probability")
    fig = px.line(long, x="scoring", y="probability", color="quantile", markers=True)
    fig.update_layout(height=320, margin={"t": 10, "b": 10}, xaxis_title=None)
    st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
    shown = scorings[
        [
            "as_of",
            "scored_at",
            "model_id",
            "scored",
            "mean_probability",
            "score_psi_vs_reference",
            "score_psi_vs_previous",
        ]
    ]
    st.dataframe(
        shown.rename(
            columns={
                "as_of": "As of",
                "scored_at": "Scored at",
                "model_id": "Model",
                "scored": "Scored",
                "mean_probability": "Mean probability",
                "score_psi_vs_reference": "PSI vs training",
                "score_psi_vs_previous": "PSI vs previous",
            }
        ),
        hide_index=True,
        width="stretch",
    )

    st.subheader("Feature drift, latest scoring")
    features = report["scorings"][-1]["feature_psi"]
    if features:
        drift = pd.DataFrame({"feature": list(features), "psi": list(features.values())})
        fig = px.bar(drift, x="psi", y="feature", orientation="h")
        fig.add_vline(x=report["thresholds"]["feature_psi"], line_dash="dash")
        fig.update_layout(height=320, margin={"t": 10, "b": 10}, yaxis_title=None)
        st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
        st.caption("PSI of each top feature against the training reference; dashed: threshold.")
    else:
        st.info("No training reference kept for this model: train and score again.")

st.subheader("Predicted vs realised churn")
outcomes = report["outcomes"]
if not outcomes:
    st.info("No scoring's 90-day outcome window has completed yet.")
else:
    over_time = pd.DataFrame(outcomes)[
        ["as_of", "model_id", "customers", "predicted_rate", "realised_rate", "roc_auc"]
    ]
    st.dataframe(
        over_time.rename(
            columns={
                "as_of": "Scoring as of",
                "model_id": "Model",
                "customers": "Scored",
                "predicted_rate": "Predicted churn",
                "realised_rate": "Realised churn",
                "roc_auc": "ROC AUC",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    chosen = st.selectbox("Scoring", [o["as_of"] for o in outcomes][::-1], key="health_outcome")
    outcome = next(o for o in outcomes if o["as_of"] == chosen)
    deciles = pd.DataFrame(outcome["by_decile"]).melt(
        id_vars=["decile", "customers"], var_name="rate", value_name="churn"
    )
    fig = px.bar(deciles, x="decile", y="churn", color="rate", barmode="group")
    fig.update_layout(
        height=320, margin={"t": 10, "b": 10}, xaxis_title="risk decile (10 = riskiest)"
    )
    st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
    st.dataframe(pd.DataFrame(outcome["by_tier"]), hide_index=True, width="stretch")

st.subheader("Data volume and freshness")
volume = report["volume"]
days = pd.DataFrame(volume["days"])
st.caption(
    f"Newest transaction {volume['newest_transaction_at']}; newest row landed "
    f"{volume['newest_loaded_at']}."
)
if not days.empty:
    long = days.melt(
        id_vars="day",
        value_vars=["rows", "late_rows", "quarantined_rows"],
        var_name="measure",
        value_name="count",
    )
    fig = px.line(long, x="day", y="count", color="measure")
    fig.update_layout(height=300, margin={"t": 10, "b": 10}, xaxis_title=None)
    st.plotly_chart(fig, width="stretch", config=ui.plotly_config())
    flagged = days[days["flagged"]]
    if flagged.empty:
        st.caption("No landed day far off the usual.")
    else:
        st.markdown("**Days far off the usual**")
        st.dataframe(
            flagged[
                [
                    "day",
                    "rows",
                    "rows_z",
                    "late_rows",
                    "late_rows_z",
                    "quarantined_rows",
                    "quarantined_rows_z",
                ]
            ],
            hide_index=True,
            width="stretch",
        )

with st.expander("Thresholds"):
    st.dataframe(
        pd.DataFrame(
            {"threshold": list(report["thresholds"]), "value": list(report["thresholds"].values())}
        ),
        hide_index=True,
        width="stretch",
    )
