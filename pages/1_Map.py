"""Map: England by area, or the LSOAs of the chosen area, coloured by a measure."""

from __future__ import annotations

import copy

import shapely
import streamlit as st
from streamlit_folium import st_folium

from assetmap.geography import areas
from assetmap.presentation import basemaps, export, maps, nearmap
from assetmap.presentation.text import markdown_text
from ui import areafilter, data, evidence, layout, postcode
from ui.areafilter import asset_label, column_label
from ui.mapview import OVERVIEW_LEVELS, cached_area_view, cached_lsoa_view, png, standalone

sel = layout.page("Map")


st.title(f"Map: {markdown_text(sel.area.label)}")

overview = sel.area.level in {"england", "region"}
c1, c2, c3 = st.columns([2, 2, 1.4])
if overview:
    level = c3.radio(
        "Show", list(OVERVIEW_LEVELS), format_func=OVERVIEW_LEVELS.__getitem__, key="map_level"
    )
# Neighbourhood-only measures (access, clusters, thirds, change) have no area roll-up, and
# charities are counted per local authority: each map offers the measures it can show, and says
# where the others are.
shown = level if overview else "lsoa"
choices = [k for k, m in maps.MEASURES.items() if m.offered_at(shown)]
asked = st.query_params.get("measure", "gap_score")
if asked not in maps.MEASURES:
    areafilter.link_notice(f"unknown map measure {areafilter.quoted(asked)}")
if st.session_state.get("map_measure") not in choices:
    st.session_state.pop("map_measure", None)
measure_key = c1.selectbox(
    "Colour by",
    choices,
    index=choices.index(asked) if asked in choices else choices.index("gap_score"),
    format_func=lambda k: maps.MEASURES[k].label,
    key="map_measure",
    help="Walking access, hot and cold spots, deprivation and provision together, change "
    "since 2019 and left-behind neighbourhoods are shown for neighbourhoods: pick an ICB, "
    "sub-ICB or local authority to see them. Charities per 1,000 residents are counted per "
    "local authority: show England or a region by local authority to see them.",
)
if asked in maps.MEASURES and asked not in choices:
    wanted = maps.MEASURES[asked]
    if wanted.offered_at("lsoa"):
        where = "for neighbourhoods (LSOAs): pick an area in the sidebar or click one on the map"
    elif overview:
        where = f"by local authority: choose {OVERVIEW_LEVELS['lad']} under Show"
    else:
        where = (
            f"by local authority: choose England or a region in the sidebar, then "
            f"{OVERVIEW_LEVELS['lad']} under Show"
        )
    st.info(f"{markdown_text(wanted.label)} is shown {markdown_text(where)}.")
banding = c2.radio(
    "Bands",
    list(maps.BANDINGS),
    format_func=maps.BANDINGS.__getitem__,
    key="map_banding",
    help="National bands keep one colour scale across England; bands within the area spread "
    "its own range over the colours.",
)
# The background map is opt-in: nothing is fetched from another host until it is turned on.
asked_basemap = st.query_params.get("basemap")
if asked_basemap is not None and asked_basemap not in basemaps.BASEMAPS:
    areafilter.link_notice(f"unknown background map {areafilter.quoted(asked_basemap)}")
if not overview:
    core20 = c3.checkbox("Outline Core20 (most deprived 20%)", value=True, key="map_core20")
    show_assets = c3.checkbox("Show asset points", value=True, key="map_assets")
# Its own row: the label is long, and says what turning it on does.
basemap_on = st.toggle(
    "Background map (OpenStreetMap; loads tiles from the internet)",
    value=asked_basemap == "osm",
    key="map_basemap",
    help="OpenStreetMap's streets and places behind the colours, fetched from its tile "
    "servers (© OpenStreetMap contributors). Off, the map loads nothing from the internet.",
)
basemap = "osm" if basemap_on else None
if overview:
    view = cached_area_view(sel.area.ref, level, data.counting(sel), measure_key, banding, basemap)
    st.caption("Click an area to see its neighbourhoods (LSOAs), or choose it in the sidebar.")
else:
    view = cached_lsoa_view(
        sel.area, data.counting(sel), measure_key, banding, core20, show_assets, basemap
    )
if basemap is not None:
    st.query_params["basemap"] = basemap
elif "basemap" in st.query_params:
    del st.query_params["basemap"]
st.query_params["measure"] = measure_key
click_search = c3.toggle(
    "Click the map to search here",
    key="map_click_search",
    help="A click on the map searches near that point, within the sidebar's distance, "
    "instead of opening the area clicked.",
)
search = postcode.active()
if search is not None:
    st.caption(
        f"The magenta circle is the search near {markdown_text(search.summary.place.label)} "
        f"(within {search.summary.distance_m:,.0f} m, set in the sidebar), with the assets it "
        "found ringed in black."
    )

# st_folium renames the elements of the map it is given, so it gets a fresh copy each run and
# the cached map stays as built (for the next run and for the HTML download); the search is
# drawn on that copy.
shown_map = copy.deepcopy(view.map)
if search is not None:
    nearmap.add_search(shown_map, search.found, {t: asset_label(t) for t in search.types})
returned = st_folium(
    shown_map,
    height=620,
    use_container_width=True,
    returned_objects=["last_clicked"] if overview or click_search else [],
    # streamlit-folium reads returned_objects when a map first draws: the toggle makes a new one.
    key=f"map_{view.level}_search" if click_search else f"map_{view.level}",
)

if click_search and returned and returned.get("last_clicked"):
    click = returned["last_clicked"]
    token = (view.title, click["lat"], click["lng"])
    # A click already acted on (a search, or an area opened) is not a new search; and a
    # click that searched must not open an area once the toggle is off again.
    done = (st.session_state.get("near_click_done"), st.session_state.get("map_click_done"))
    if token not in done:
        st.session_state["near_click_done"] = st.session_state["map_click_done"] = token
        postcode.search_here(float(click["lat"]), float(click["lng"]))
        st.rerun()
elif overview and returned and returned.get("last_clicked"):
    click = returned["last_clicked"]
    token = (view.title, click["lat"], click["lng"])
    if st.session_state.get("map_click_done") != token:
        st.session_state["map_click_done"] = token
        lv = areas.LEVELS[view.level]
        hit = view.shapes[view.shapes.contains(shapely.Point(click["lng"], click["lat"]))]
        if len(hit):
            row = hit.iloc[0]
            areafilter.set_area(areas.Area(view.level, str(row[lv.code]), str(row[lv.name])))
            st.rerun()

key = (sel.area.ref, sel.types, sel.need, measure_key, banding, view.level, basemap)
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button(
    "Save map (HTML)",
    data=lambda: standalone(view, key),
    file_name=f"assetmap_map_{sel.slug}_{measure_key}.html",
    mime="text/html",
    help="One self-contained file with the legend; opens offline in any browser"
    + (" (the background map needs the internet)." if basemap else "."),
)
d2.download_button(
    "Save map (PNG)",
    data=lambda: png(view, key),
    file_name=f"assetmap_map_{sel.slug}_{measure_key}.png",
    mime="image/png",
    help="A static picture with the legend, for reports.",
)

# Below the map, beside its own downloads, so the map keeps its place near the top of the page.
evidence.section(sel)

st.header("The same data as a table")
st.caption(f"{view.features:,} areas shown. Bands: {markdown_text(view.classes.method)}.")
labelled = view.table.rename(columns=column_label).rename(columns={"map_class": "Map band"})
st.dataframe(labelled, hide_index=True, width="stretch")
st.download_button(
    "Download this table (CSV)",
    data=export.to_csv_bytes(labelled),
    file_name=f"assetmap_map-table_{sel.slug}_{measure_key}.csv",
    mime="text/csv",
)
