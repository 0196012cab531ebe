"""Cached map views for the Map page (:mod:`assetmap.presentation.mapviews`), keyed by plain
values."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas
from assetmap.presentation import basemaps, maps, mapviews, offline
from assetmap.presentation.mapviews import MapView
from ui import data

if TYPE_CHECKING:
    from ui.upload import SessionUpload

#: Levels that can colour England or a region.
OVERVIEW_LEVELS: dict[str, str] = {
    "icb": "Integrated Care Boards",
    "lad": "Local authorities",
    "sicbl": "Sub-ICB locations",
}


def area_from_ref(ref: str) -> areas.Area:
    """The area a ``level:code`` reference names."""
    return areas.resolve(ref, data.area_catalogue())


def with_basemap(view: MapView, basemap: str | None) -> MapView:
    """``view`` with a background map behind it (``None``: as it is, with no remote request).

    Parameters
    ----------
    view
        A view just built (its map is changed in place).
    basemap
        A key of :data:`assetmap.presentation.basemaps.BASEMAPS` (``"osm"``), or ``None``.

    Returns
    -------
    MapView
    """
    tiles = basemaps.provider(basemap)
    if tiles is not None:
        basemaps.add_basemap(view.map, tiles)
    return view


def cached_lsoa_view(
    area: areas.Area,
    key: data.Counting,
    measure_key: str,
    banding: str,
    core20: bool,
    show_assets: bool,
    basemap: str | None = None,
) -> MapView:
    """The LSOAs of one area, coloured by a measure, with asset points (cached per argument).

    Takes the area itself, not its reference: an own area's name is not in its reference.
    ``basemap`` names the background map (``"osm"``), ``None`` for none.
    """
    return _cached_lsoa_view(
        area, key, measure_key, banding, core20, show_assets, basemap, data.counted_upload(key)
    )


@st.cache_resource(max_entries=48, show_spinner="Drawing the map…")
def _cached_lsoa_view(
    area: areas.Area,
    key: data.Counting,
    measure_key: str,
    banding: str,
    core20: bool,
    show_assets: bool,
    basemap: str | None,
    _upload: SessionUpload | None,
) -> MapView:
    clusters = None
    if measure_key in maps.NEIGHBOURHOOD_MEASURES:
        found = data.neighbourhood_metrics(key)
        national, clusters = found.table, found.clusters
    else:
        national = data.lsoa_metrics(key)
    points = data.counted_points(key, _upload, geometry=True) if show_assets else None
    labels = {k: s.label for k, s in ASSET_SOURCES.items()} | (_upload.labels if _upload else {})
    view = mapviews.lsoa_view(
        national,
        area,
        data.lsoa_shapes(),
        data.layer("lad"),
        measure_key,
        banding,
        points=points,
        asset_labels=labels,
        core20=core20,
        need=key.need,
        clusters=clusters,
    )
    return with_basemap(view, basemap)


@st.cache_resource(max_entries=48, show_spinner="Drawing the map…")
def cached_area_view(
    area_ref: str,
    level: str,
    key: data.Counting,
    measure_key: str,
    banding: str,
    basemap: str | None = None,
) -> MapView:
    """England or a region by ICB, sub-ICB or local authority (cached per argument).

    ``basemap`` names the background map (``"osm"``), ``None`` for none.
    """
    view = mapviews.area_view(
        data.lsoa_metrics(key),
        area_from_ref(area_ref),
        level,
        data.layer(level),
        measure_key,
        banding,
        types=key.types,
    )
    return with_basemap(view, basemap)


@st.cache_data(max_entries=16, show_spinner=False)
def png(_view: MapView, key: tuple[object, ...]) -> bytes:
    """The map as a PNG with its legend (cached per view ``key``)."""
    del key
    return maps.to_png(_view.shapes, _view.classes, _view.title, note=_view.source)


@st.cache_data(max_entries=16, show_spinner=False)
def standalone(_view: MapView, key: tuple[object, ...]) -> str:
    """The map as one self-contained HTML file (cached per view ``key``, which must name the
    background map: with one, the file fetches its tiles when it is opened)."""
    del key
    return offline.standalone_html(_view.map, allow_tiles=bool(offline.remote_tiles(_view.map)))
