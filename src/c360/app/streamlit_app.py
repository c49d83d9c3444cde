"""c360's Streamlit app: the entry point (`c360 app`, or `streamlit run` on this file).

It finds the published warehouse (or Snowflake, when C360_TARGET=snowflake), builds the
navigation and the global sidebar filters, runs the chosen page and writes the footer.
Pages live in `app_pages/` and only draw; queries live in `queries.py`.
"""

import streamlit as st

from c360.app import queries, ui
from c360.config import TargetError
from c360.warehouse.snowflake import SnowflakeError

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
    st.Page("app_pages/model_health.py", title="Model health", icon=":material/monitor_heart:"),
]
page = st.navigation(pages)

try:
    warehouse = queries.locate_target()
except (TargetError, SnowflakeError) as exc:
    st.error(ui.plain(str(exc)), icon=":material/error:")
    st.stop()
if warehouse is None:
    ui.no_warehouse(queries.warehouse_path())
    st.stop()

st.session_state["warehouse"] = warehouse
try:
    st.session_state["filters"] = ui.sidebar_filters(warehouse)
    page.run()
    ui.footer(warehouse)
except queries.QueryError as exc:  # Snowflake only; DuckDB errors stay tracebacks
    st.error(ui.plain(str(exc)), icon=":material/error:")
