"""Plan a site: what if sites open or assets close, and the best sites for new ones."""

from __future__ import annotations

import streamlit as st

from ui import layout

sel = layout.page("Plan a site")
st.title("Plan a site")
