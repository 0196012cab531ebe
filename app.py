"""assetmap home: the headline for the selected area, set against England.

Served by ``streamlit run serve.py`` (which fills the caches first; ``streamlit run app.py`` also
works); the other pages are in ``pages/``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assetmap.data.assets import FAMILIES
from assetmap.geography import areas
from assetmap.measures import metrics
from assetmap.presentation import export, reading
from assetmap.presentation.text import markdown_text
from ui import data, evidence, layout, upload
from ui.areafilter import NEED_LABELS, asset_label, column_label, types_by_family

sel = layout.page("Home")
national = data.selection_metrics(sel)
local = areas.select(national, sel.area)
grouped = types_by_family(sel.types)


def types_text(types: list[str]) -> str:
    """The types in words (plain text: an upload's labels are its user's)."""
    return ", ".join(asset_label(t) for t in types)


st.title(f"Invest where it is needed most: {markdown_text(sel.area.label)}")
st.caption(
    "Counting "
    + "; ".join(
        f"{markdown_text(FAMILIES[f].label.lower())}: {markdown_text(types_text(ts))}"
        for f, ts in grouped.items()
    )
    + f". Need measured by IoD 2025: {markdown_text(NEED_LABELS[sel.need])}. Each family is "
    "reported on its own."
)
evidence.section(sel)

figures = reading.key_figures(local)
cols = st.columns(3)
cols[0].metric("Residents (Census 2021)", f"{figures['population']:,}")
cols[1].metric("Neighbourhoods (LSOAs)", f"{figures['lsoa_count']:,}")
cols[2].metric(
    "Core20 share",
    f"{figures['core20_share']:.0%}",
    help="Share of the area's LSOAs in the most deprived 20% nationally (IMD 2025 deciles 1-2); "
    "England: 20%.",
)

families = upload.families()
area_table = metrics.decile_table(local, list(sel.types), families)
england_table = metrics.decile_table(national, list(sel.types), families)
labels = {t: asset_label(t) for t in sel.types}
st.header("Assets per 1,000 residents by IMD 2025 decile")
for family, members in grouped.items():
    st.subheader(FAMILIES[family].label)
    st.metric(
        f"Core20 LSOAs with no {FAMILIES[family].label.lower()}",
        f"{reading.core20_without(local, members):,}",
        help=f"Most deprived 20% neighbourhoods with none of these inside them: "
        f"{markdown_text(types_text(members))}.",
    )
    st.markdown(reading.headline(area_table, england_table, sel.area, family, types_text(members)))
    lines = [
        f"- **{markdown_text(label)}**: {dep:.3f} per 1,000 in the most deprived 20%, "
        f"{aff:.3f} in the least deprived 20%: {words}."
        for label, dep, aff, words in reading.by_type(area_table, labels, family)
    ]
    if len(members) > 1:
        st.markdown("By type, scarcest where need is greatest first:\n" + "\n".join(lines))
    else:
        st.markdown("\n".join(lines))

thin = reading.thin_places(metrics.gap_table(national, sel.area, types=sel.types, need=sel.need))
if len(thin):
    places = "; ".join(
        markdown_text(f"{r.lsoa21nm} ({r.ward24nm}, {r.lad24nm})") for r in thin.itertuples()
    )
    st.markdown(
        f"**Where provision is thinnest**: the most deprived neighbourhoods here with none of "
        f"these assets and the largest gaps are {places}. The Gap table page lists them all."
    )

where = sel.area.name if sel.area.level != "england" else "England"
parts = [area_table.assign(where=where)]
if sel.area.level != "england":
    parts.append(england_table.assign(where="England"))
shown = pd.concat(parts)
shown = shown[shown["asset_type"] != metrics.ALL].assign(
    asset_label=lambda t: t["asset_type"].map(labels),
    family_label=lambda t: t["family"].map(lambda f: FAMILIES[f].label),
)
chart = (
    alt.Chart(shown)
    .mark_bar()
    .encode(
        x=alt.X("imd_decile:O", title="IMD 2025 decile (1 = most deprived 10%)"),
        y=alt.Y("assets_per_1k:Q", title="Per 1,000 residents"),
        color=alt.Color("where:N", title="", scale=alt.Scale(range=["#0072B2", "#999999"])),
        xOffset="where:N",
        tooltip=[
            alt.Tooltip("family_label:N", title="Family"),
            alt.Tooltip("asset_label:N", title="Asset type"),
            alt.Tooltip("where:N", title="Area"),
            alt.Tooltip("imd_decile:O", title="IMD decile"),
            alt.Tooltip("assets:Q", title="Assets", format=","),
            alt.Tooltip("population:Q", title="Residents", format=","),
            alt.Tooltip("assets_per_1k:Q", title="Per 1,000 residents", format=".3f"),
        ],
    )
    .properties(height=200, width=260)
    .facet(
        facet=alt.Facet(
            "asset_label:N", title=None, sort=[labels[t] for ts in grouped.values() for t in ts]
        ),
        columns=2,
    )
    .resolve_scale(y="independent")
)
st.altair_chart(chart)

st.markdown("**The numbers behind the chart** (every asset type chosen, and each family's total)")
table = area_table.assign(
    family=area_table["family"].map(lambda f: FAMILIES[f].label),
    asset_type=[
        f"All {FAMILIES[f].label.lower()}" if t == metrics.ALL else asset_label(t)
        for f, t in zip(area_table["family"], area_table["asset_type"], strict=True)
    ],
)
labelled = table.rename(columns=column_label)
st.dataframe(labelled, hide_index=True, width="stretch")
st.download_button(
    "Download this table (CSV)",
    data=export.to_csv_bytes(labelled),
    file_name=f"assetmap_deciles_{sel.slug}_imd2025.csv",
    mime="text/csv",
)
