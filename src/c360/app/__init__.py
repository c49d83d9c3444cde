"""The Streamlit app: `streamlit_app.py` is the entry point, pages are in `app_pages/`."""
