"""Methods & data: every source, every measure, the known limits, and what was not mapped."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assetmap import dictionary, export, maps, settings, sources, store
from assetmap.assets import ASSET_SOURCES
from ui import data, layout

layout.page("Methods & data")
st.title("Methods & data")
manifest = data.manifest()
counts = manifest["counts"]
assert isinstance(counts, dict)

st.header("Sources and licences")
src = pd.DataFrame(
    [
        {
            "Data": s.title,
            "Publisher": s.publisher,
            "Licence": s.licence,
            "Vintage": s.vintage,
            "Attribution": s.attribution,
        }
        for s in sources.SOURCES.values()
    ]
)
st.dataframe(src, hide_index=True, width="stretch")
st.markdown(
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2021-2025. Contains Royal Mail data © "
    "Royal Mail copyright and database right 2025. Community Needs Index © OCSI / Local Trust "
    "(shown as an optional, attributed layer). Data from the Mapping Museums project, "
    "www.mappingmuseums.org (CC BY 4.0)."
)
st.caption(f"Data built {manifest['built_at']}; every raw file verified against its SHA-256.")

st.header("Measures")
st.markdown(
    f"""
**Neighbourhoods** are England's {counts["lsoas"]:,} Lower layer Super Output Areas (LSOA 2021),
each home to about 1,500 people. Every number rolls up from them to wards, sub-ICB locations,
ICBs, local authorities, regions and England, so the levels add up exactly.

**Assets per 1,000 residents** divides the assets of the chosen types located in an area by its
usual residents (Census 2021) and multiplies by 1,000. For any group of LSOAs it is a ratio of
sums, never an average of LSOA rates, so large and small LSOAs count by their people.
"""
)
st.latex(r"\text{assets per 1k}_A = 1000 \cdot \sum_{i\in A} a_i \Big/ \sum_{i\in A} p_i")
st.markdown(
    """
**Gap score** sets need against provision, both as national percentiles over all LSOAs in England
(so a score means the same wherever you look):
"""
)
st.latex(
    r"\text{need}_i = 100\,\frac{N - r_i}{N-1},\quad "
    r"\text{provision}_i = 100\,\frac{R_i - 1}{N-1},\quad "
    r"\text{gap}_i = \text{need}_i - \text{provision}_i"
)
st.markdown(
    f"""
where *r* is the LSOA's deprivation rank (1 = most deprived; the overall IMD 2025 or the domain
chosen in the sidebar), *R* the rank of its assets per 1,000 residents (ties share their mean
rank, so every LSOA with no asset has the same provision percentile) and *N* = {counts["lsoas"]:,}.
The score runs from -100 to 100; **positive means more deprived than it is provided for**. It
ranks places within an area; it is not a target.

**Core20** is the most deprived 20% of LSOAs nationally (IMD 2025 deciles 1-2), NHS England's
Core20PLUS5 population. **Left-behind neighbourhoods** are those OCSI / Local Trust place in the
worst 10% on both the Community Needs Index and the IMD.

**IMD 2019** (for change over time) reaches 2021 LSOAs through the ONS best-fit lookup: unchanged
and split LSOAs take their 2011 parent's decile; merged and irregular ones a population-weighted
mean rank of their parents (`imd19_match` in the data says which).

**Map bands**: national bands use IMD deciles as published, or the national deciles of the
measure, so a colour means the same everywhere; *quantiles* and *natural breaks* (Fisher-Jenks,
via mapclassify) spread the selected area's own range over the colours. Palettes are
colour-blind-safe (viridis, ColorBrewer YlGnBu and PuOr; asset points in Okabe-Ito colours).
"""
)

st.header("How assets are placed")
st.markdown(
    f"""
Each asset is located by its postcode in the ONS Postcode Directory (November 2025, offline), or
by the publisher's own coordinates (museums), and counted in the LSOA whose polygon contains the
point. A point on a border shared by two LSOAs counts once, in the LSOA with the lower code. The
published LSOA polygons are clipped to the coastline, so about 3,700 English postcodes (docks,
piers, sea fronts) lie just outside all of them: such a point is placed in the nearest LSOA when
it is within {settings.NEAREST_LSOA_MAX_M:g} m, and flagged; further out it is reported. In the
source boundaries 13 LSOAs do not share their edges exactly; the build cleans the coverage
(GEOS CoverageCleaner) so no point can fall in two LSOAs or a sliver between them.

Every row of every asset file is either mapped or listed below with its row number and reason.
"""
)
layers = pd.DataFrame(
    [
        {
            "Asset type": a.label,
            "Mapped": counts.get(f"assets_{k}", 0),
            "Reported, not mapped": counts.get(f"reported_{k}", 0),
        }
        for k, a in ASSET_SOURCES.items()
    ]
)
layers["Rows read"] = layers["Mapped"] + layers["Reported, not mapped"]
st.dataframe(layers, hide_index=True, width="stretch")
report = store.load_report()
summary = (
    report.groupby(["asset_type", "reason"])
    .size()
    .rename("rows")
    .reset_index()
    .assign(asset_type=lambda t: t["asset_type"].map(lambda k: ASSET_SOURCES[k].label))
    .rename(columns={"asset_type": "Asset type", "reason": "Reason", "rows": "Rows"})
)
st.dataframe(summary, hide_index=True, width="stretch")
st.download_button(
    "Download every unmapped row with its reason (CSV)",
    data=lambda: export.to_csv_bytes(report),
    file_name="assetmap_asset-report.csv",
    mime="text/csv",
)

st.header("Known limits")
st.markdown(
    """
- **What the asset layers cover.** Public libraries (2023; open static libraries: mobile
  libraries report a depot and prison libraries are not open to the public), GP practices (NHS
  ODS, January 2024; active practices with prescribing setting 4 - sites, not list sizes or
  opening hours), community amateur sports clubs registered with HMRC (October 2023; the address
  HMRC holds is sometimes a secretary's home, not the ground) and museums (Mapping Museums, open
  in 2021).
- **What they do not cover.** No open England-wide register of charities, community centres,
  faith groups, food banks or social prescribing partners exists to mirror. The Community Needs
  Index civic-assets domain is shown as an area-level measure of such places, and planners can
  upload their own registers.
- **Counting inside a boundary** ignores assets just over it; a neighbourhood next to a library
  can still show none. Walking-distance access is the remedy and is on the roadmap.
- **Rates in small populations** move a lot with one asset: read LSOA values with their counts.
- **Vintages differ**: deprivation 2025, population 2021, assets 2021-2024.
"""
)

st.header("Colours on the map")
st.dataframe(
    pd.DataFrame(
        [
            {"Measure": m.label, "Area version": m.area_label, "Unit": m.unit}
            for m in maps.MEASURES.values()
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.header("Data dictionary")
st.caption("The same column names are used in the library, on every page and in every CSV.")
dd = dictionary.as_frame()
st.dataframe(dd, hide_index=True, width="stretch")
st.download_button(
    "Download the data dictionary (CSV)",
    data=export.to_csv_bytes(dd),
    file_name="assetmap_data-dictionary.csv",
    mime="text/csv",
)
