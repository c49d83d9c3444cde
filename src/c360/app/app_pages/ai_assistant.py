"""AI Assistant: a placeholder until the assistant lands (its own issue)."""

import streamlit as st

st.title("AI Assistant")
st.info(
    "Coming soon: ask questions about the portfolio in plain English and get answers, "
    "with the SQL behind them, from the same read-only warehouse.",
    icon=":material/construction:",
)
st.caption("Until then, `c360` and the other pages cover segments, customers and campaigns.")
