"""Your own area: LSOAs picked, a shape drawn or a boundary uploaded, as the selection.

The area is made by :mod:`assetmap.geography.ownarea` and kept in the session (and in the link
while its LSOA codes fit, :func:`ui.areafilter.set_own_area`); nothing is written to the server.
"""

from __future__ import annotations

import copy

import shapely
import streamlit as st
from streamlit_folium import st_folium

from assetmap.geography import areas, ownarea
from assetmap.presentation import ownmap, reading
from assetmap.presentation.text import markdown_text
from ui import areafilter, data, layout
from ui.mapview import cached_lsoa_view

_PICKED = "own_picked"
_CLICK_DONE = "own_click_done"
MODES = {
    "pick": "Pick LSOAs on the map",
    "draw": "Draw a shape",
    "paste": "Paste LSOA codes",
    "upload": "Upload a boundary",
}

sel = layout.page("Your own area")
st.title("Your own area")
st.caption(
    "Make an area of your own, a patch, a primary care network or a ward cluster, and every page "
    "(Home, Map, Gap table, Area profile, Where to invest first, Plan a site) reports it like an "
    "ICB or a local authority. A neighbourhood (LSOA) counts when its residence point (the mean "
    "of its postcodes' locations) lies inside your shape, so its residents are all in or all "
    "out; the LSOAs your shape cuts are counted and shown. Nothing you make is stored on the "
    "server: download the area's file to keep it."
)


def use(area: areas.Area, note: str) -> None:
    """Make ``area`` the selection on every page."""
    areafilter.set_own_area(area, note)
    st.session_state.pop(_PICKED, None)
    st.rerun()


own = areafilter.own_area()
if own is not None:
    figures = reading.key_figures(areas.select(data.selection_metrics(sel), own))
    st.header(f"Your area: {markdown_text(own.name)}")
    cols = st.columns(3)
    cols[0].metric("Neighbourhoods (LSOAs)", f"{figures['lsoa_count']:,}")
    cols[1].metric("Residents (Census 2021)", f"{figures['population']:,}")
    cols[2].metric("Core20 share", f"{figures['core20_share']:.0%}")
    if areafilter.own_area_note():
        st.caption(f"Made {markdown_text(areafilter.own_area_note())}.")
    if ownarea.url_fits(own):
        st.success("This page's link carries the area: copy it from the address bar to share it.")
    else:
        st.info(
            f"With {len(own.lsoas):,} LSOAs the area is too large for a link: download its file "
            "and open it here (Upload a boundary) to share or reopen it."
        )
    b1, b2, b3 = st.columns([1, 1, 2])
    b1.download_button(
        "Download the area (GeoJSON)",
        data=ownarea.to_geojson(own, data.lsoa_shapes()),
        file_name=f"assetmap_own-area_{own.code}.geojson",
        mime="application/geo+json",
        help="Its LSOAs with their boundaries; opens in QGIS, and here again as it is.",
    )
    if sel.area != own and b2.button("Select it again", key="own_select"):
        use(own, areafilter.own_area_note())
    if b3.button("Forget this area", key="own_forget"):
        areafilter.clear_own_area()
        st.rerun()
    st.page_link("pages/1_Map.py", label="See it on the Map")

st.header("Make an area" if own is None else "Make another area")
typed = st.text_input(
    "Name of the area",
    max_chars=ownarea.MAX_NAME_CHARS,
    placeholder=ownarea.DEFAULT_NAME,
    key="own_name",
    help="Shown on every page and in file names; a boundary file's own name is used when this "
    "is empty.",
)
name = typed.strip() or None
mode = st.radio("How", list(MODES), format_func=MODES.__getitem__, horizontal=True, key="own_mode")


def base_area() -> areas.Area:
    """The local authority to draw on: chosen, or the one holding most of the selection."""
    cat = data.area_catalogue()
    lads = cat[cat["level"] == "lad"].sort_values("name")
    codes = list(lads["code"])
    names = dict(zip(lads["code"], lads["name"], strict=True))
    start = (
        sel.area
        if sel.area.level == "lad"
        else areas.largest_within(sel.area, "lad", data.lsoa_table())
    )
    code = st.selectbox(
        "Local authority shown",
        codes,
        index=codes.index(start.code),
        format_func=names.__getitem__,
        key="own_lad",
        help="The map starts here; pan or zoom out to go beyond it.",
    )
    return areas.Area("lad", code, names[code])


if mode == "pick":
    lad = base_area()
    view = cached_lsoa_view(lad, data.counting(sel), "imd_decile", "national", True, False)
    picked: list[str] = st.session_state.setdefault(_PICKED, [])
    st.caption("Click an LSOA to pick it; click it again to leave it out.")
    # The picks are a layer of their own: only it is redrawn, so the map keeps its zoom.
    returned = st_folium(
        copy.deepcopy(view.map),
        height=520,
        use_container_width=True,
        feature_group_to_add=ownmap.picked_layer(data.lsoa_shapes(), picked),
        returned_objects=["last_clicked"],
        key=f"own_pick_{lad.code}",
    )
    click = (returned or {}).get("last_clicked")
    if click:
        token = (lad.code, click["lat"], click["lng"])
        if st.session_state.get(_CLICK_DONE) != token:
            st.session_state[_CLICK_DONE] = token
            hit = view.shapes[view.shapes.contains(shapely.Point(click["lng"], click["lat"]))]
            if len(hit):
                code = str(hit.iloc[0]["lsoa21cd"])
                if code in picked:
                    picked.remove(code)
                else:
                    picked.append(code)
                st.rerun()
    n = len(picked)
    st.write(f"{n:,} LSOA{'s' if n != 1 else ''} picked.")
    c1, c2, _ = st.columns([1, 1, 2])
    if c1.button(
        f"Use the {n:,} picked as my area", disabled=not n, type="primary", key="own_use_pick"
    ):
        use(ownarea.own_area(picked, data.lsoa_table(), name), f"from {n:,} LSOAs picked")
    if c2.button("Clear the picks", disabled=not n, key="own_clear_pick"):
        st.session_state[_PICKED] = []
        st.rerun()

elif mode == "draw":
    lad = base_area()
    view = cached_lsoa_view(lad, data.counting(sel), "imd_decile", "national", True, False)
    m = copy.deepcopy(view.map)
    ownmap.add_draw(m)
    st.caption(
        "Draw a polygon or a rectangle with the tools at the map's top left; the last shape "
        "drawn is the area."
    )
    returned = st_folium(
        m,
        height=520,
        use_container_width=True,
        returned_objects=["all_drawings"],
        key=f"own_draw_{lad.code}",
    )
    drawings = (returned or {}).get("all_drawings") or []
    if drawings:
        try:
            shape = ownarea.drawn_shape(drawings[-1])
            fitted = ownarea.fit(shape, data.lsoa_shapes(), data.residence(), name)
        except ownarea.OwnAreaError as exc:
            st.error(markdown_text(exc))
        else:
            st.info(markdown_text(fitted.note[:1].upper() + fitted.note[1:]) + ".")
            if st.button("Use this shape as my area", type="primary", key="own_use_draw"):
                use(fitted.area, f"from a shape drawn on the map: {fitted.note}")

elif mode == "paste":
    text = st.text_area(
        "LSOA 2021 codes",
        placeholder="E01006512, E01006514, …",
        max_chars=ownarea.MAX_CODES_TEXT_CHARS,
        key="own_codes",
        help="Separated by commas, spaces or line breaks (a column copied from a spreadsheet).",
    )
    if st.button("Use these LSOAs as my area", type="primary", key="own_use_codes"):
        try:
            found = ownarea.own_area(ownarea.split_codes(text), data.lsoa_table(), name)
        except ownarea.OwnAreaError as exc:
            st.error(markdown_text(exc))
        else:
            use(found, f"from {len(found.lsoas):,} LSOA codes")

else:
    upload = st.file_uploader(
        "Boundary file (GeoJSON or GeoPackage, any coordinate reference system it names)",
        type=[s.lstrip(".") for s in ownarea.BOUNDARY_SUFFIXES],
        key="own_file",
    )
    if upload is not None:
        try:
            boundary = ownarea.read_boundary(upload.getvalue(), upload.name)
            fitted = ownarea.from_boundary(
                boundary, data.lsoa_table(), data.lsoa_shapes(), data.residence(), name
            )
        except ownarea.OwnAreaError as exc:
            st.error(markdown_text(exc))
        else:
            said = [*boundary.notes, fitted.note] if boundary.shape is not None else boundary.notes
            for note in said:
                st.info(markdown_text(note[:1].upper() + note[1:]) + ".")
            if st.button(
                f"Use {markdown_text(fitted.area.name)} as my area",
                type="primary",
                key="own_use_file",
            ):
                use(fitted.area, f"from the file {upload.name}")
