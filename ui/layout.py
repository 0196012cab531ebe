"""Page scaffolding shared by every page: config, navigation, the data check, the area filter."""

from __future__ import annotations

import streamlit as st

from assetmap import store
from ui import areafilter, data
from ui.areafilter import Selection

#: Pages in navigation order: script path (relative to app.py) and label.
PAGES: tuple[tuple[str, str], ...] = (
    ("app.py", "Home"),
    ("pages/1_Map.py", "Map"),
    ("pages/2_Gap_table.py", "Gap table"),
    ("pages/3_Area_profile.py", "Area profile"),
    ("pages/6_Where_to_invest.py", "Where to invest first"),
    ("pages/4_Methods_and_data.py", "Methods & data"),
    ("pages/5_Upload.py", "Upload your assets"),
)


def page(title: str) -> Selection:
    """Set up a page and return the shared area selection.

    Parameters
    ----------
    title
        The page's name (browser tab).

    Returns
    -------
    Selection
    """
    st.set_page_config(page_title=f"{title} · assetmap", layout="wide")
    try:
        data.manifest()
    except store.NotBuiltError as exc:
        st.error(f"The data has not been built yet. {exc}")
        st.stop()
    with st.sidebar:
        st.markdown("**assetmap**: invest where it is needed most")
        for path, label in PAGES:
            st.page_link(path, label=label)
    return areafilter.sidebar()
