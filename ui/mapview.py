"""Cached map building for the Map page: every argument is a plain value, so caching is cheap."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from assetmap import areas, maps, metrics, offline
from assetmap.assets import ASSET_SOURCES, to_geodataframe
from ui import data

#: Levels that can colour England or a region.
OVERVIEW_LEVELS: dict[str, str] = {
    "icb": "Integrated Care Boards",
    "lad": "Local authorities",
    "sicbl": "Sub-ICB locations",
}
SOURCE_LINE = "IoD 2025 (MHCLG, OGL); Census 2021 (ONS, OGL); asset layers as on Methods page"


@dataclass(frozen=True)
class MapView:
    """A built map and the table behind it."""

    map: folium.Map
    table: pd.DataFrame
    shapes: gpd.GeoDataFrame
    classes: maps.Classes
    title: str
    features: int
    level: str


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
    upload_digest: str = "",
    _upload_assets: pd.DataFrame | None = None,
    _upload_labels: dict[str, str] | None = None,
) -> MapView:
    """The LSOAs of one area, coloured by a measure, with asset points.

    A session's upload is keyed by ``upload_digest``, the hash of its own content.
    """
    area = area_from_ref(area_ref)
    national = data.lsoa_metrics(types, need, upload_digest, _upload_assets)
    local = areas.select(national, area)
    shapes = data.lsoa_shapes()
    frame = gpd.GeoDataFrame(
        local.merge(shapes, on="lsoa21cd", how="left"), geometry="geometry", crs=shapes.crs
    )
    measure = maps.MEASURES[measure_key]
    classes = maps.classify(
        frame[measure.lsoa_column], measure, banding, national[measure.lsoa_column]
    )
    lads = data.layer("lad")
    outlines = lads[lads["lad24cd"].isin(frame["lad24cd"].unique())]
    points = None
    if show_assets:
        pts = data.asset_points()
        if _upload_assets is not None and len(_upload_assets):
            pts = pd.concat([pts, to_geodataframe(_upload_assets)], ignore_index=True)
        points = pts[pts["lsoa21cd"].isin(frame["lsoa21cd"]) & pts["asset_type"].isin(types)]
    labels = {k: s.label for k, s in ASSET_SOURCES.items()} | (_upload_labels or {})
    m = maps.lsoa_view(
        frame,
        measure,
        classes,
        assets=points,
        asset_labels=labels,
        outlines=outlines,
        core20=core20,
        source=SOURCE_LINE,
    )
    offline.localise(m)
    cols = [
        "lsoa21cd",
        "lsoa21nm",
        "lad24nm",
        "imd_decile",
        "population",
        "assets",
        "assets_per_1k",
        "core20",
        measure.lsoa_column,
    ]
    table = frame[list(dict.fromkeys(cols))].copy()
    table["map_class"] = [classes.labels[i] if i >= 0 else "no data" for i in classes.index]
    return MapView(m, table, frame, classes, f"{area.label}: {measure.label}", len(frame), "lsoa")


@st.cache_resource(max_entries=48, show_spinner="Drawing the map…")
def overview_map(
    area_ref: str,
    level: str,
    types: tuple[str, ...],
    need: str,
    measure_key: str,
    banding: str,
    upload_digest: str = "",
    _upload_assets: pd.DataFrame | None = None,
) -> MapView:
    """England or a region by ICB, sub-ICB or local authority."""
    area = area_from_ref(area_ref)
    national = data.lsoa_metrics(types, need, upload_digest, _upload_assets)
    lv = areas.LEVELS[level]
    everywhere = metrics.rollup(national, level)
    inside = metrics.rollup(national, level, area)
    shapes = data.layer(level)[[lv.code, "geometry"]]
    frame = gpd.GeoDataFrame(
        inside.merge(shapes, on=lv.code, how="left"), geometry="geometry", crs=shapes.crs
    )
    measure = maps.MEASURES[measure_key]
    classes = maps.classify(
        frame[measure.area_column],
        measure,
        banding,
        everywhere[measure.area_column],
        deciles=False,
    )
    m = maps.area_view(
        frame,
        measure,
        classes,
        code=lv.code,
        name=lv.name,
        level_label=lv.label,
        source=SOURCE_LINE,
    )
    offline.localise(m)
    cols = [
        lv.code,
        lv.name,
        "population",
        "lsoa_count",
        "core20_share",
        "assets",
        "assets_per_1k",
        measure.area_column,
    ]
    table = frame[list(dict.fromkeys(cols))].copy()
    table["map_class"] = [classes.labels[i] if i >= 0 else "no data" for i in classes.index]
    title = f"{area.label} by {lv.label.lower()}: {measure.area_label}"
    return MapView(m, table, frame, classes, title, len(frame), level)


@st.cache_data(max_entries=16, show_spinner=False)
def png(_view: MapView, key: tuple[object, ...]) -> bytes:
    """The map as a PNG with its legend (cached per view ``key``)."""
    del key
    return maps.to_png(_view.shapes, _view.classes, _view.title, note=SOURCE_LINE)


@st.cache_data(max_entries=16, show_spinner=False)
def standalone(_view: MapView, key: tuple[object, ...]) -> str:
    """The map as one self-contained HTML file (cached per view ``key``)."""
    del key
    return offline.standalone_html(_view.map)
