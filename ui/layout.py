"""Page scaffolding shared by every page: config, navigation, the data check, the area filter
and the search near a postcode."""

from __future__ import annotations

import streamlit as st

from assetmap.data import datacheck, store
from assetmap.presentation.text import markdown_text
from ui import areafilter, data, postcode
from ui.areafilter import Selection

#: Pages in navigation order: script path (relative to app.py) and label.
PAGES: tuple[tuple[str, str], ...] = (
    ("app.py", "Home"),
    ("pages/1_Map.py", "Map"),
    ("pages/2_Gap_table.py", "Gap table"),
    ("pages/3_Area_profile.py", "Area profile"),
    ("pages/6_Where_to_invest.py", "Where to invest first"),
    ("pages/7_Plan_a_site.py", "Plan a site"),
    ("pages/8_Your_own_area.py", "Your own area"),
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
    # The data check, once per session (a few milliseconds: every file of data/ there, with the
    # size and row count its build recorded), then the two tables every page reads first, so a
    # file that fails to read (a changed byte: Parquet page checksums) is reported here too.
    try:
        if not st.session_state.get("_assetmap_data_checked"):
            datacheck.check()
        data.manifest()
        data.lsoa_table()
        data.asset_counts()
    except store.NotBuiltError as exc:
        st.error(f"The data has not been built yet. {markdown_text(exc)}")
        st.stop()
    except datacheck.DataCheckError as exc:
        st.error(markdown_text(exc))
        st.stop()
    st.session_state["_assetmap_data_checked"] = True
    with st.sidebar:
        st.markdown("**assetmap**: invest where it is needed most")
        for path, label in PAGES:
            st.page_link(path, label=label)
    selection = areafilter.sidebar()
    # The search near a postcode, under the filter on every page (its results in the sidebar,
    # drawn on the Map page).
    postcode.sidebar(data.counting(selection))
    return selection
