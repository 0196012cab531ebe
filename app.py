"""assetmap home: assets per 1,000 residents by IMD decile for England."""

from __future__ import annotations

import altair as alt
import streamlit as st

from assetmap import dictionary, export, metrics, store
from assetmap.assets import ASSET_SOURCES
from ui import data

st.set_page_config(page_title="assetmap", layout="wide")
st.title("Where deprived neighbourhoods have the thinnest social infrastructure")

try:
    data.manifest()
except store.NotBuiltError as exc:
    st.error(f"The data has not been built yet. {exc}")
    st.stop()

labels = {key: src.label for key, src in ASSET_SOURCES.items()}
chosen = st.multiselect(
    "Asset types",
    options=list(ASSET_SOURCES),
    default=list(ASSET_SOURCES),
    format_func=labels.__getitem__,
)
if not chosen:
    st.info("Choose at least one asset type.")
    st.stop()

frame = data.lsoa_metrics(tuple(chosen))
table = metrics.decile_table(frame)

st.subheader("Assets per 1,000 residents by IMD 2025 decile, England")
st.caption(
    "Decile 1 is the most deprived 10% of neighbourhoods (LSOAs), decile 10 the least. "
    "Rates are assets per 1,000 usual residents (Census 2021), computed as a ratio of sums."
)
by_type = table[table["asset_type"] != "all"].assign(
    asset_label=lambda t: t["asset_type"].map(labels)
)
chart = (
    alt.Chart(by_type)
    .mark_bar()
    .encode(
        x=alt.X("imd_decile:O", title="IMD 2025 decile (1 = most deprived)"),
        y=alt.Y("assets_per_1k:Q", title="Assets per 1,000 residents"),
        color=alt.Color("asset_label:N", title="Asset type"),
        xOffset="asset_label:N",
        tooltip=[
            alt.Tooltip("asset_label:N", title="Asset type"),
            alt.Tooltip("imd_decile:O", title="IMD decile"),
            alt.Tooltip("assets:Q", title="Assets", format=","),
            alt.Tooltip("population:Q", title="Residents", format=","),
            alt.Tooltip("assets_per_1k:Q", title="Per 1,000 residents", format=".3f"),
        ],
    )
)
st.altair_chart(chart, width="stretch")

shown = table.rename(columns=dictionary.label)
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button(
    "Download this table (CSV)",
    data=export.to_csv_bytes(shown),
    file_name="assetmap_deciles_england_imd2025.csv",
    mime="text/csv",
)
built = data.manifest()
st.caption(
    f"Data built {built['built_at']} from the sources listed in SOURCES.md: IMD 2025 (MHCLG, OGL), "
    "Census 2021 (ONS, OGL), ONS Postcode Directory (Nov 2025), public libraries (DCMS/ACE via "
    "Libraries Hacked), GP practices (NHS ODS), community amateur sports clubs (HMRC), museums "
    "(Mapping Museums, CC BY)."
)
