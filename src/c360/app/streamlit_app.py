"""c360's Streamlit app: the entry point (`c360 app`, or `streamlit run` on this file).

It finds the published warehouse, builds the navigation and the global sidebar filters,
runs the chosen page and writes the footer. Pages live in `app_pages/` and only draw;
queries live in `queries.py`.
"""

import streamlit as st

from c360.app import queries, ui

st.set_page_config(
    page_title="c360 · customer analytics",
    page_icon=":material/credit_card:",
    layout="wide",
)

pages = [
    st.Page(
        "app_pages/segment_explorer.py",
        title="Segment Explorer",
        icon=":material/groups:",
        default=True,
    ),
    st.Page("app_pages/customer_360.py", title="Customer 360", icon=":material/person:"),
    st.Page(
        "app_pages/campaign_performance.py",
        title="Campaign Performance",
        icon=":material/campaign:",
    ),
    st.Page("app_pages/ai_assistant.py", title="AI Assistant", icon=":material/chat:"),
]
page = st.navigation(pages)

warehouse = queries.locate()
if warehouse is None:
    ui.no_warehouse(queries.warehouse_path())
    st.stop()

st.session_state["warehouse"] = warehouse
st.session_state["filters"] = ui.sidebar_filters(warehouse)
page.run()
ui.footer(warehouse)
