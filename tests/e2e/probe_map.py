"""Map probe for the browser tests (not part of the dashboard).

One real ICB's LSOAs (Cheshire and Merseyside, NHS code QYG: 1,601 LSOAs) coloured by IMD 2025
decile, with a branca legend, drawn through ``st_folium`` after ``offline.localise`` and with no
tile layer, so everything it needs comes from this machine.

    streamlit run tests/e2e/probe_map.py   # needs static/ beside it: see tests/e2e/conftest.py
"""

from __future__ import annotations

import folium
import streamlit as st
from branca.colormap import StepColormap
from streamlit_folium import st_folium

from assetmap.data import store
from assetmap.presentation import offline

ICB = "QYG"
#: Diverging, most deprived (decile 1) red to least deprived (10) blue.
COLOURS = [
    "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7",
    "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061",
]  # fmt: skip

st.set_page_config(page_title="assetmap map probe", layout="wide")
lsoas = store.load_lsoas(geometry=True, columns=["lsoa21nm", "icb24cdh", "icb24nm", "imd_decile"])
area = lsoas[lsoas["icb24cdh"] == ICB]
st.title(f"Map probe: {area['icb24nm'].iloc[0]}")
st.caption(f"{len(area):,} LSOAs, coloured by IMD 2025 decile")

scale = StepColormap(
    COLOURS,
    index=list(range(1, 12)),
    vmin=1,
    vmax=11,
    caption="IMD 2025 decile (1 = most deprived)",
)
west, south, east, north = area.total_bounds
m = folium.Map(tiles=None, control_scale=True)
m.fit_bounds([[south, west], [north, east]])
folium.GeoJson(
    area[["lsoa21cd", "lsoa21nm", "imd_decile", "geometry"]],
    name="LSOAs",
    style_function=lambda feature: {
        "fillColor": scale(feature["properties"]["imd_decile"]),
        "fillOpacity": 0.8,
        "color": "#444444",
        "weight": 0.3,
    },
    tooltip=folium.GeoJsonTooltip(["lsoa21nm", "imd_decile"], aliases=["LSOA", "IMD decile"]),
).add_to(m)
scale.add_to(m)
offline.localise(m)
st_folium(m, height=640, use_container_width=True, returned_objects=[], key="probe")
