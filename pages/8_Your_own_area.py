"""Your own area: LSOAs picked, a shape drawn or a boundary uploaded, as the selection."""

from __future__ import annotations

import streamlit as st

from ui import layout

sel = layout.page("Your own area")
st.title("Your own area")
