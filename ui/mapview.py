"""Cached map building for the Map page: every argument is a plain value, so caching is cheap."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assetmap.data.assets import ASSET_SOURCES, to_geodataframe
from assetmap.geography import areas
from assetmap.presentation import maps, mapviews, offline
from assetmap.presentation.mapviews import MapView
from ui import data

#: Levels that can colour England or a region.
OVERVIEW_LEVELS: dict[str, str] = {
    "icb": "Integrated Care Boards",
    "lad": "Local authorities",
    "sicbl": "Sub-ICB locations",
}


def area_from_ref(ref: str) -> areas.Area:
    """The area a ``level:code`` reference names."""
    return areas.resolve(ref, data.area_catalogue())


@st.cache_resource(max_entries=48, show_spinner="Drawing the map…")
def lsoa_map(
    area_ref: str,
    types: tuple[str, ...],
    need: str,
    measure_key: str,
    banding: str,
    core20: bool,
    show_assets: bool,
    upload_digest: str,
    _upload_assets: pd.DataFrame | None,
    _upload_labels: dict[str, str] | None,
) -> MapView:
    """The LSOAs of one area, coloured by a measure, with asset points.

    A session's upload is keyed by ``upload_digest``, the hash of its own content.
    """
    clusters = None
    if measure_key in maps.NEIGHBOURHOOD_MEASURES:
        found = data.neighbourhood_metrics(types, need, upload_digest, _upload_assets)
        national, clusters = found.table, found.clusters
    else:
        national = data.lsoa_metrics(types, need, upload_digest, _upload_assets)
    points = None
    if show_assets:
        pts = data.asset_points()
        if _upload_assets is not None and len(_upload_assets):
            pts = pd.concat([pts, to_geodataframe(_upload_assets)], ignore_index=True)
        points = pts[pts["asset_type"].isin(types)]
    labels = {k: s.label for k, s in ASSET_SOURCES.items()} | (_upload_labels or {})
    return mapviews.lsoa_view(
        national,
        area_from_ref(area_ref),
        data.lsoa_shapes(),
        data.layer("lad"),
        measure_key,
        banding,
        points=points,
        asset_labels=labels,
        core20=core20,
        need=need,
        clusters=clusters,
    )


@st.cache_resource(max_entries=48, show_spinner="Drawing the map…")
def overview_map(
    area_ref: str,
    level: str,
    types: tuple[str, ...],
    need: str,
    measure_key: str,
    banding: str,
    upload_digest: str,
    _upload_assets: pd.DataFrame | None,
) -> MapView:
    """England or a region by ICB, sub-ICB or local authority."""
    national = data.lsoa_metrics(types, need, upload_digest, _upload_assets)
    return mapviews.area_view(
        national,
        area_from_ref(area_ref),
        level,
        data.layer(level),
        measure_key,
        banding,
        types=types,
    )


@st.cache_data(max_entries=16, show_spinner=False)
def png(_view: MapView, key: tuple[object, ...]) -> bytes:
    """The map as a PNG with its legend (cached per view ``key``)."""
    del key
    return maps.to_png(_view.shapes, _view.classes, _view.title, note=_view.source)


@st.cache_data(max_entries=16, show_spinner=False)
def standalone(_view: MapView, key: tuple[object, ...]) -> str:
    """The map as one self-contained HTML file (cached per view ``key``)."""
    del key
    return offline.standalone_html(_view.map)
