"""Whole map views: the data of an area joined to its shapes, classified, drawn, tabulated.

One function per view, used by the dashboard (through Streamlit caches) and by the benchmarks,
so both measure and show exactly the same map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import folium
import geopandas as gpd
import pandas as pd

from assetmap.geography import areas
from assetmap.measures import bivariate, metrics
from assetmap.presentation import maps, offline
from assetmap.presentation.catalogue import MEASURES, Kind
from assetmap.presentation.classify import Classes, classify

if TYPE_CHECKING:
    from collections.abc import Sequence

    # libpysal and esda take over a second to import: only the type is needed here.
    from assetmap.measures import hotspots

SOURCE_LINE = "IoD 2025 (MHCLG, OGL); Census 2021 (ONS, OGL); asset layers as on Methods page"


@dataclass(frozen=True)
class MapView:
    """A built map and the table behind it.

    Attributes
    ----------
    map
        The folium map, with its scripts and styles pointed at the local copies.
    table
        The mapped values, one row per shape (the map's table alternative).
    shapes
        The shapes with their values (EPSG:4326), for the PNG export and click look-ups.
    classes
        The classification drawn.
    title
        What the map shows, in words.
    features
        Number of shapes.
    level
        ``lsoa`` or the area level shown.
    source
        The source line of the legend (and of the PNG), attribution included.
    """

    map: folium.Map
    table: pd.DataFrame
    shapes: gpd.GeoDataFrame
    classes: Classes
    title: str
    features: int
    level: str
    source: str = SOURCE_LINE


def _with_bands(table: pd.DataFrame, classes: Classes) -> pd.DataFrame:
    out = table.copy()
    out["map_class"] = [classes.labels[i] if i >= 0 else "no data" for i in classes.index]
    return out


def lsoa_view(
    national: pd.DataFrame,
    area: areas.Area,
    lsoa_shapes: gpd.GeoDataFrame,
    lad_layer: gpd.GeoDataFrame,
    measure_key: str,
    banding: str,
    *,
    points: gpd.GeoDataFrame | None = None,
    asset_labels: dict[str, str] | None = None,
    core20: bool = True,
    need: str | None = None,
    clusters: hotspots.ClusterTest | None = None,
) -> MapView:
    """The LSOAs of one area coloured by a measure, with LA borders and asset points.

    The bivariate measure (:attr:`~assetmap.presentation.catalogue.Kind.BIVARIATE`) gets its
    3 x 3 legend with the LSOAs and people in each cell (thirds of England, or of the area for a
    within-area banding); the cluster measure
    (:attr:`~assetmap.presentation.catalogue.Kind.CLUSTERS`) states the false-discovery-rate
    threshold its significance used.

    Parameters
    ----------
    national
        :func:`assetmap.measures.metrics.lsoa_metrics` for all of England.
    area
        The area (an ICB, sub-ICB or local authority).
    lsoa_shapes
        LSOA polygons (``lsoa21cd``, geometry; EPSG:4326).
    lad_layer
        Local authority polygons (``lad24cd``, geometry).
    measure_key
        A key of :data:`assetmap.presentation.catalogue.MEASURES`.
    banding
        A key of :data:`assetmap.presentation.classify.BANDINGS`.
    points
        Asset points to draw (already filtered to the chosen types); ``None`` for none.
    asset_labels
        Asset type -> label.
    core20
        Outline the Core20 LSOAs.
    need
        The need measure ``national`` was computed with; required for the bivariate measure
        (its deprivation thirds).
    clusters
        The cluster test behind ``national``'s ``gap_cluster``
        (:attr:`assetmap.measures.analysis.Neighbourhoods.clusters`); the cluster measure states its
        threshold when given.

    Returns
    -------
    MapView
    """
    measure = MEASURES[measure_key]
    if not measure.offered_at("lsoa"):
        raise ValueError(f"{measure.label} is not shown for neighbourhoods (LSOAs)")
    local = areas.select(national, area)
    frame = gpd.GeoDataFrame(
        local.merge(lsoa_shapes, on="lsoa21cd", how="left"),
        geometry="geometry",
        crs=lsoa_shapes.crs,
    )
    note, class_legend = "", None
    if measure.kind is Kind.BIVARIATE:
        # Thirds of England, or (for a within-area banding) of the area itself.
        bands: Literal["national", "area"] = "national" if banding == "national" else "area"
        if need is None:
            raise ValueError("the bivariate measure needs the need measure (need=...)")
        thirds = bivariate.classify(national, area, need=need, bands=bands).table
        frame = frame.drop(columns=list(bivariate.BIVARIATE_COLUMNS[1:]), errors="ignore")
        frame = frame.merge(thirds.drop(columns="population"), left_on="lsoa21cd", right_index=True)
        where = "England's LSOAs" if bands == "national" else "this area's LSOAs"
        class_legend = bivariate.Legend2D(
            bivariate.cell_counts(thirds),
            title=measure.label,
            note=f"Thirds of {where}; cells show LSOAs (hover for residents). "
            f"Source: {SOURCE_LINE}.",
        )
    elif measure.kind is Kind.CLUSTERS and clusters is not None:
        note = (
            f"Significant at a {clusters.alpha:.0%} false discovery rate "
            f"(p < {clusters.fdr_threshold:.4f}; {clusters.permutations:,} permutations)."
        )
    classes = classify(frame[measure.lsoa_column], measure, banding, national[measure.lsoa_column])
    outlines = lad_layer[lad_layer["lad24cd"].isin(frame["lad24cd"].unique())]
    inside = None
    if points is not None:
        inside = points[points["lsoa21cd"].isin(frame["lsoa21cd"])]
    m = maps.draw_lsoa_map(
        frame,
        measure,
        classes,
        assets=inside,
        asset_labels=asset_labels,
        outlines=outlines,
        core20=core20,
        source=SOURCE_LINE,
        note=note,
        class_legend=class_legend,
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
    table = _with_bands(frame[list(dict.fromkeys(cols))], classes)
    title = f"{area.label}: {measure.label}"
    return MapView(m, table, frame, classes, title, len(frame), "lsoa")


def area_view(
    national: pd.DataFrame,
    area: areas.Area,
    level: str,
    layer: gpd.GeoDataFrame,
    measure_key: str,
    banding: str,
    *,
    types: Sequence[str],
) -> MapView:
    """England or a region by ICB, sub-ICB or local authority.

    Parameters
    ----------
    national
        :func:`assetmap.measures.metrics.lsoa_metrics` for all of England.
    area
        England or a region.
    level
        ``icb``, ``sicbl`` or ``lad``.
    layer
        The level's polygons (code column and geometry; EPSG:4326).
    measure_key, banding
        As for :func:`lsoa_view`; national bands use the deciles of all areas of the level.
    types
        The asset types ``national`` was computed with
        (:func:`~assetmap.measures.metrics.rollup` sums each one's count).

    Returns
    -------
    MapView
    """
    lv = areas.LEVELS[level]
    measure = MEASURES[measure_key]
    if not measure.offered_at(level):
        raise ValueError(f"{measure.label} is not shown by {lv.label.lower()}")
    everywhere = metrics.rollup(national, level, types=types)
    inside = metrics.rollup(national, level, area, types=types)
    shapes = layer[[lv.code, "geometry"]]
    frame = gpd.GeoDataFrame(
        inside.merge(shapes, on=lv.code, how="left"), geometry="geometry", crs=shapes.crs
    )
    classes = classify(
        frame[measure.area_column],
        measure,
        banding,
        everywhere[measure.area_column],
        deciles=False,
    )
    m = maps.draw_area_map(
        frame,
        measure,
        classes,
        code=lv.code,
        name=lv.name,
        level_label=lv.label,
        source=SOURCE_LINE,
    )
    source = f"{measure.note}. Source: {SOURCE_LINE}" if measure.note else SOURCE_LINE
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
    table = _with_bands(frame[list(dict.fromkeys(cols))], classes)
    title = f"{area.label} by {lv.label.lower()}: {measure.area_label}"
    return MapView(m, table, frame, classes, title, len(frame), level, source)
