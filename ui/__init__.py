"""Streamlit-only pieces shared by the pages: cached loaders, the area filter, layout bits."""
