"""Plan a site: what if sites open or assets close, and the best sites for new ones."""

from __future__ import annotations

import copy

import streamlit as st
from streamlit_folium import st_folium

from assetmap import settings
from assetmap.geography import areas
from assetmap.measures import candidates, scenariofile, siteplan, whatif
from assetmap.measures.near import Place, PlaceError, place_of_point
from assetmap.presentation.text import markdown_text
from ui import data, layout, plan
from ui.areafilter import asset_label

sel = layout.page("Plan a site")
st.title(f"Plan a site: {markdown_text(sel.area.label)}")
st.caption(
    "What if a site opened here, or an asset closed? Add candidate sites (click the map, type "
    "postcodes or upload a list) and close existing assets, and see who gains or loses an asset "
    "within walking distance, by deprivation. Or let assetmap choose the best sites for the most "
    "deprived residents. Nothing you add is stored on the server: download the scenario to keep "
    "it."
)
plan.show_flashes()

if sel.area.level == "england":
    st.info(
        "Choose an area in the sidebar (a region, ICB, sub-ICB location, local authority or your "
        "own area) to plan sites in it."
    )
    st.stop()

lsoas = data.lsoa_table()
local_lsoas = areas.select(lsoas, sel.area)
codes = tuple(local_lsoas["lsoa21cd"])
key = data.counting(sel)
area_name = sel.area.name
if plan.keep_for(sel.area.ref):
    st.info("The area changed, so the scenario made for the last one was cleared.")
options = plan.choices(sel.types)

# A scenario from a file opened below (applied on the run after) or from the link.
plan.apply_pending(options)
plan.read_url(options, sel.area.ref, codes, area_name, key)

# --- what the scenario counts ----------------------------------------------------------------
st.header("What to plan")
c1, c2, c3 = st.columns([2, 2, 1.4])
if st.session_state.get("plan_choice") not in options:
    st.session_state.pop("plan_choice", None)
option = c1.selectbox(
    "Asset type or family",
    list(options),
    format_func=lambda k: options[k].label,
    key="plan_choice",
    help="Walking access counts these assets; a family counts every type of it that the sidebar "
    "counts. The types offered are the sidebar's.",
)
choice = options[option]
site_type = choice.asset_type
if len(choice.types) > 1:
    if st.session_state.get("plan_site_type") not in choice.types:
        st.session_state["plan_site_type"] = choice.asset_type
    site_type = c2.selectbox(
        "New sites count as",
        list(choice.types),
        format_func=asset_label,
        key="plan_site_type",
    )
low, high = plan.DISTANCE_RANGE
st.session_state.setdefault("plan_distance", int(settings.WALK_DISTANCE_M))
distance = float(
    c3.number_input(
        "Walking distance (m)",
        min_value=low,
        max_value=high,
        step=50,
        key="plan_distance",
        help="Straight-line distance from where each LSOA's residents live (its residence "
        "point, the mean of its postcodes) to an asset.",
    )
)
assets = plan.area_assets(key, choice.types, codes)
plan.keep_closed_among(assets)

# --- sites to add ---------------------------------------------------------------------------
st.header("Change the scenario")
st.caption(
    f"Click the map below to add a site inside {markdown_text(area_name)} (or to close an "
    "asset), or use these tabs."
)
tab_postcodes, tab_file, tab_close, tab_saved = st.tabs(
    ["Type postcodes", "Upload candidates", "Close assets", "Save or open"]
)
with tab_postcodes:
    typed = st.text_area(
        "Postcodes of new sites",
        placeholder="TS24 7PW\nTS25 1AB",
        key="plan_postcodes",
        max_chars=candidates.MAX_CANDIDATES * 10,
        help="One a line, or separated by commas. Each must be an English postcode inside the "
        "area.",
    )
    if st.button("Add these sites", key="plan_add_postcodes", type="primary"):
        texts = candidates.split_postcodes(typed)
        if not texts:
            st.warning("Type at least one postcode.")
        else:
            try:
                with st.spinner("Placing the postcodes…"):
                    placed = candidates.from_postcodes(
                        texts, data.postcode_directory(), data.lsoa_locator(), codes, area_name
                    )
            except candidates.CandidateError as exc:
                st.error(markdown_text(exc))
            else:
                plan.report_placed(placed, "postcode")
                plan.add_sites(placed.sites)

with tab_file:
    upload = st.file_uploader(
        "A list of candidate sites (CSV or Excel)",
        type=["csv", "txt", "tsv", "xlsx"],
        key="plan_candidates_file",
        help="A header row naming a postcode column, or latitude and longitude columns (WGS84 "
        "degrees), and optionally a name column. At most "
        f"{candidates.MAX_CANDIDATES:,} rows.",
    )
    listed = plan.candidate_list(upload, codes, area_name)
    if (
        listed is not None
        and listed.sites
        and st.button(
            f"Add all {len(listed.sites):,} candidates as new sites", key="plan_add_candidates"
        )
    ):
        n = plan.add_sites(listed.sites)
        st.success(f"{n:,} new sites added.")

with tab_close:
    labels = plan.asset_names(assets)
    plan.seed_close_widget(list(labels))
    st.multiselect(
        f"Assets to close ({len(assets):,} in the area)",
        list(labels),
        format_func=labels.__getitem__,
        key="plan_close",
        on_change=plan.close_widget_changed,
        placeholder="Type a name or a postcode",
    )

have_sites, have_closed = plan.sites(), plan.closed()
b1, b2, _ = st.columns([1, 1, 3])
if b1.button("Remove the last site", key="plan_undo", disabled=not have_sites):
    have_sites.pop()
    st.rerun()
if b2.button("Clear the scenario", key="plan_clear", disabled=not (have_sites or have_closed)):
    plan.set_scenario([], [])
    st.rerun()

try:
    saved = scenariofile.SavedScenario(
        whatif.Scenario(site_type, add=tuple(have_sites), close=tuple(have_closed)),
        sel.area.ref,
        choice.types,
        distance,
    )
except scenariofile.ScenarioFileError as exc:
    st.error(f"This scenario cannot be planned: {markdown_text(exc)}.")
    st.stop()

with tab_saved:
    st.download_button(
        "Download the scenario (JSON)",
        data=scenariofile.to_json(saved),
        file_name=f"assetmap_scenario_{sel.slug}.json",
        mime="application/json",
        key="plan_download_scenario",
        help="The sites, the closed assets, the types and the distance; open it here again.",
    )
    opened = st.file_uploader("Open a saved scenario (JSON)", type=["json"], key="plan_open")
    plan.open_scenario(opened, options, sel.area.ref, codes, area_name, key)

plan.write_url(saved)

if have_sites or have_closed:
    st.caption(
        f"New sites: {len(have_sites):,} (counted as "
        f"{markdown_text(asset_label(site_type).lower())}). Assets closed: "
        f"{len(have_closed):,}. Walking distance: {distance:,.0f} m."
    )
    if have_sites:
        st.dataframe(plan.sites_table(have_sites), hide_index=True, width="stretch")

# --- the map, then who gains and loses, then the best sites (chosen first: the map shows them) ---
map_slot, results_slot, best_slot = st.container(), st.container(), st.container()
with best_slot:
    best = plan.best_sites_section(key, choice.types, distance, codes, listed)

found: whatif.WhatIf | None = None
outside = 0
if have_sites or have_closed:
    try:
        with map_slot, st.spinner("Recomputing walking access and gap scores…"):
            national = plan.run_whatif(key, saved)
    except whatif.ScenarioError as exc:
        map_slot.error(markdown_text(exc))
    else:
        found = siteplan.local(national, codes)
        outside = len(national.table) - len(found.table)

with map_slot:
    st.header("The map")
    m1, m2 = st.columns([2, 1])
    mode = m1.radio(
        "A click on the map",
        list(plan.CLICK_MODES),
        format_func=plan.CLICK_MODES.__getitem__,
        horizontal=True,
        key="plan_click_mode",
        help=f"Adding: click inside {markdown_text(area_name)} where a new site would open. "
        f"Closing: click next to an asset (within {plan.CLICK_CLOSE_M:,.0f} m) to close it.",
    )
    after = m2.toggle(
        "Show after the scenario",
        value=True,
        key="plan_after",
        disabled=found is None,
        help="Off: walking access today. On: after the new sites open and the closed assets close.",
    )
    view = plan.plan_map(key, codes, saved, bool(after and found is not None), best)
    returned = st_folium(
        copy.deepcopy(view.map),
        height=580,
        use_container_width=True,
        returned_objects=["last_clicked"],
        key="plan_map",
    )
    click = (returned or {}).get("last_clicked")
    if click:
        token = (sel.area.ref, click["lat"], click["lng"])
        if st.session_state.get("plan_click_done") != token:
            st.session_state["plan_click_done"] = token
            try:
                point: Place | None = place_of_point(click["lat"], click["lng"])
            except (PlaceError, TypeError, ValueError):
                point = None
            if point is not None and plan.clicked(point, mode, codes, area_name, assets):
                st.rerun()

with results_slot:
    if found is None:
        st.info("Add a site or close an asset to see who gains and who loses walking access.")
    else:
        plan.show_results(found, outside)
