"""Folium map builders: choropleths of LSOAs or areas, asset points, legends, static images.

The maps are assembled here from the measure catalogue (:mod:`assetmap.presentation.catalogue`),
its classes (:mod:`assetmap.presentation.classify`) and the canvas layers
(:mod:`assetmap.presentation.layers`, sent as :mod:`assetmap.presentation.encoding` encodes
them): :func:`draw_lsoa_map` and :func:`draw_area_map` build the interactive maps,
:func:`to_png` a static image. Both interactive maps carry the place names of
:mod:`assetmap.presentation.labels` (local authorities and wards over an area's LSOAs, each
area's name on an overview), as the layer control's "Place names". The PNG's title and
legend are drawn with matplotlib's mathtext off, so a ``$`` is a dollar sign. The legend is a
branca element with the units in words.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement

from assetmap import settings
from assetmap.presentation import basemaps
from assetmap.presentation import labels as place_labels
from assetmap.presentation.catalogue import MEASURES, NEIGHBOURHOOD_MEASURES, Measure
from assetmap.presentation.classify import BANDINGS, Classes, classify
from assetmap.presentation.encoding import encode_paths, js_payload, mercator_box, web_mercator
from assetmap.presentation.layers import (
    CompactPolygons,
    LabelLayer,
    LayerControl,
    Legend,
    PointLayer,
)

if TYPE_CHECKING:
    from xyzservices import TileProvider

# Names re-exported from their homes, for code that imports them from here.
__all__ = [
    "ASSET_COLOURS",
    "BANDINGS",
    "MEASURES",
    "NEIGHBOURHOOD_MEASURES",
    "Classes",
    "CompactPolygons",
    "LabelLayer",
    "LayerControl",
    "Legend",
    "Measure",
    "PointLayer",
    "asset_layers",
    "base_map",
    "choropleth",
    "classify",
    "draw_area_map",
    "draw_lsoa_map",
    "encode_paths",
    "js_payload",
    "mercator_box",
    "outline",
    "to_png",
    "web_mercator",
]

#: Colours of the asset layers (Okabe-Ito, distinguishable with colour-blindness).
ASSET_COLOURS: dict[str, str] = {
    "library": "#0072B2",
    "gp_practice": "#D55E00",
    "sports_club": "#009E73",
    "museum": "#CC79A7",
    "foodbank": "#56B4E9",
}
_OTHER_ASSET_COLOUR: Final = "#E69F00"
_CORE20_COLOUR: Final = "#000000"
#: Local authority borders: darker than the white LSOA borders, lighter than the Core20 outline.
_LAD_COLOUR: Final = "#595959"
#: The place names' entry in the layer control (:class:`LabelLayer`, on by default).
PLACE_NAMES: Final = "Place names"


def base_map(bounds: Sequence[float], *, tiles: TileProvider | None = None) -> folium.Map:
    """An empty map fitted to ``[minx, miny, maxx, maxy]`` (EPSG:4326), with no remote tiles.

    No basemap is loaded by default: a dashboard that works offline cannot depend on a tile
    server; on an LSOA map, local authority borders drawn over the colours give the bearings.

    Parameters
    ----------
    bounds
        ``[minx, miny, maxx, maxy]`` in EPSG:4326.
    tiles
        A background map to load from the internet (opt-in, see
        :mod:`assetmap.presentation.basemaps`), credited with its provider's attribution; the
        map must then be localised with ``allow_tiles=True``.

    Returns
    -------
    folium.Map
    """
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_snap=0.25)
    # Only Leaflet itself: these maps use no jQuery, Bootstrap or icon fonts, and every extra
    # file is one more request before streamlit-folium can draw.
    m.default_js = [(name, url) for name, url in m.default_js if name == "leaflet"]
    m.default_css = [(name, url) for name, url in m.default_css if name == "leaflet_css"]
    if tiles is not None:
        basemaps.tile_layer(tiles).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def _text(values: pd.Series, fmt: str = "{:,}") -> list[str]:
    return [fmt.format(v) if pd.notna(v) else "no data" for v in values]


def choropleth(
    frame: gpd.GeoDataFrame,
    classes: Classes,
    *,
    key: str,
    tooltip: dict[str, list[str]],
    name: str,
    keyed: Sequence[str] = (),
) -> CompactPolygons:
    """The coloured polygons of a map.

    Parameters
    ----------
    frame
        Polygons (EPSG:4326), one row per feature.
    classes
        Output of :func:`~assetmap.presentation.classify.classify` for ``frame``'s values.
    key
        Column identifying each feature.
    tooltip
        Label -> one text per feature.
    name
        Layer name.
    keyed
        Tooltip rows shown with the feature's ``key`` after the text, in brackets.

    Returns
    -------
    CompactPolygons
    """
    labels = list(tooltip)
    rows = list(zip(*tooltip.values(), strict=True)) if labels else []
    return CompactPolygons(
        frame.geometry.values,
        classes.index,
        classes.colours,
        frame[key].astype(str).tolist(),
        labels,
        rows,
        keyed=keyed,
        name=name,
    )


def outline(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    colour: str,
    weight: float,
    show: bool = True,
    control: bool = True,
) -> CompactPolygons:
    """Unfilled outlines (local authority borders, the Core20 outline)."""
    return CompactPolygons(
        frame.geometry.values,
        np.zeros(len(frame), dtype=np.int64),
        ["#000000"],
        [str(i) for i in range(len(frame))],
        name=name,
        stroke=colour,
        weight=weight,
        fill_opacity=0.0,
        show=show,
        control=control,
    )


def asset_layers(assets: gpd.GeoDataFrame, labels: dict[str, str]) -> list[PointLayer]:
    """One point layer per asset type (EPSG:4326 points with ``name``, ``asset_type``...)."""
    layers = []
    for asset_type, group in assets.groupby("asset_type", sort=False):
        kind = str(asset_type)
        values = list(
            zip(
                group["name"].fillna("").astype(str),
                group["postcode"].fillna("").astype(str),
                group["lsoa21cd"].fillna("").astype(str),
                strict=True,
            )
        )
        layers.append(
            PointLayer(
                group.geometry.y.to_numpy(),
                group.geometry.x.to_numpy(),
                ["Name", "Postcode", "LSOA"],
                values,
                colour=ASSET_COLOURS.get(kind, _OTHER_ASSET_COLOUR),
                name=f"{labels.get(kind, kind)} ({len(group):,})",
                tooltip_fixed=[("Type", labels.get(kind, kind))],
            )
        )
    return layers


def to_png(
    frame: gpd.GeoDataFrame,
    classes: Classes,
    title: str,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    note: str = "",
) -> bytes:
    """A static image of a choropleth with its legend, for reports.

    Parameters
    ----------
    frame
        Polygons (EPSG:4326) in the order of ``classes.index``.
    classes
        The classification used on the interactive map.
    title
        Title above the map (plain text: a ``$`` is a dollar sign).
    outlines
        Optional borders drawn on top (e.g. local authorities).
    note
        Source line under the map.

    Returns
    -------
    bytes
        PNG image.
    """
    import matplotlib  # only for image export: keeps it off the dashboard's start-up

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    projected = frame.to_crs(settings.CRS_METRIC)
    colours = [classes.colours[i] if i >= 0 else "#bdbdbd" for i in classes.index]
    fig, ax = plt.subplots(figsize=(8, 9), dpi=150)
    projected.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.2)
    if outlines is not None:
        outlines.to_crs(settings.CRS_METRIC).boundary.plot(ax=ax, color="#444444", linewidth=0.6)
    ax.set_axis_off()
    # Every text as it is: no mathtext (an even number of "$" would typeset, or fail to parse,
    # what lies between) and no LaTeX, whatever the user's matplotlibrc says.
    plain: dict[str, Any] = {"parse_math": False, "usetex": False}
    ax.set_title(title, fontsize=11, loc="left", **plain)
    handles = [
        Patch(facecolor=c, edgecolor="#777777", label=lbl)
        for c, lbl in zip(classes.colours, classes.labels, strict=True)
    ]
    legend = ax.legend(
        handles=handles,
        loc="lower left",
        fontsize=7,
        frameon=True,
        title=classes.method,
        title_fontsize=7,
    )
    for text in [legend.get_title(), *legend.get_texts()]:
        text.set_parse_math(False)
        text.set_usetex(False)
    if note:
        fig.text(0.01, 0.01, note, fontsize=6, color="#555555", **plain)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _title(measure: Measure) -> str:
    # The unit goes in brackets unless the label already says it ("decile").
    unit = measure.unit
    return (
        measure.label
        if not unit or unit.casefold() in measure.label.casefold()
        else f"{measure.label} ({unit})"
    )


#: The rows of every LSOA's tooltip after its name: label -> (column, format).
_LSOA_ROWS: Final = {
    "IMD decile": ("imd_decile", "{:,}"),
    "Residents": ("population", "{:,}"),
    "Assets": ("assets", "{:,}"),
    "Per 1,000 residents": ("assets_per_1k", "{:.2f}"),
}


def _legend_note(classes: Classes, source: str) -> str:
    bands = "" if classes.method == "categories" else f"Bands: {classes.method}. "
    return f"{bands}Source: {source}."


def draw_lsoa_map(
    lsoas: gpd.GeoDataFrame,
    measure: Measure,
    classes: Classes,
    *,
    assets: gpd.GeoDataFrame | None = None,
    asset_labels: dict[str, str] | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    core20: bool = True,
    source: str = "IoD 2025 (MHCLG), Census 2021 (ONS)",
    note: str = "",
    class_legend: MacroElement | None = None,
    place_names: place_labels.PlaceLabels | None = None,
) -> folium.Map:
    """The map of one area's LSOAs.

    Parameters
    ----------
    lsoas
        The area's LSOAs (EPSG:4326) with the metrics columns (see
        :func:`assetmap.measures.metrics.lsoa_metrics`) and the measure's column.
    measure
        What the colours show.
    classes
        :func:`~assetmap.presentation.classify.classify` of ``lsoas[measure.lsoa_column]``.
    assets
        Asset points (EPSG:4326) to draw, one layer per type.
    asset_labels
        Asset type -> plural label.
    outlines
        Local authority polygons, their borders drawn over the LSOAs.
    core20
        Outline the Core20 LSOAs (most deprived 20% nationally), as a layer the user can hide.
    source
        Source line of the legend.
    note
        Words put before the legend's small print (e.g. what "significant" means here).
    class_legend
        A legend of its own for the classes (the bivariate grid); the usual legend then lists
        only the outline and asset layers.
    place_names
        The place names to draw over the map; by default the local authorities and wards of
        ``lsoas`` (:func:`assetmap.presentation.labels.lsoa_map_labels`, from its ``lad24cd``,
        ``lad24nm``, ``ward24cd`` and ``ward24nm`` columns). Empty: none.

    Returns
    -------
    folium.Map
    """
    labels = asset_labels or {}
    m = base_map(lsoas.total_bounds)
    value = lsoas[measure.lsoa_column]
    tooltip = {
        "LSOA": lsoas["lsoa21nm"].astype(str).tolist(),
        **{label: _text(lsoas[column], fmt) for label, (column, fmt) in _LSOA_ROWS.items()},
    }
    if measure.categories:
        tooltip[measure.tooltip] = [
            classes.labels[i] if i >= 0 else "no data" for i in classes.index
        ]
    elif measure.lsoa_column not in {column for column, _ in _LSOA_ROWS.values()}:
        # A measure already in the tooltip (the IMD decile, assets per 1,000) is not repeated.
        tooltip[measure.tooltip] = _text(value, "{:,.4g}")
    choropleth(
        lsoas,
        classes,
        key="lsoa21cd",
        tooltip=tooltip,
        keyed=["LSOA"],
        name=f"LSOAs: {measure.label}",
    ).add_to(m)
    extra: list[tuple[str, str, str]] = []
    if outlines is not None and len(outlines):
        # Over the fills, where a council's area ends shows on the map (under them, an 85%
        # opaque fill hid it). 1 px: a line no wider than a pixel is drawn as a hairline,
        # about ten times faster to rasterise than a 1.2 px one.
        outline(
            outlines, name="Local authority borders", colour=_LAD_COLOUR, weight=1.0, control=False
        ).add_to(m)
        extra.append((_LAD_COLOUR, "Local authority borders", "thin line"))
    if core20 and lsoas["core20"].any():
        dissolved = lsoas[lsoas["core20"]].dissolve()
        outline(
            dissolved,
            name="Core20 (most deprived 20% nationally)",
            colour=_CORE20_COLOUR,
            weight=2.2,
        ).add_to(m)
        extra.append((_CORE20_COLOUR, "Core20 outline (most deprived 20%)", "line"))
    if assets is not None and len(assets):
        for layer in asset_layers(assets, labels):
            layer.add_to(m)
        extra.extend(
            (ASSET_COLOURS.get(kind, _OTHER_ASSET_COLOUR), labels.get(kind, kind), "circle")
            for kind in assets["asset_type"].unique()
        )
    attribution = f"{measure.note}." if measure.note else ""
    small_print = " ".join(p for p in (note, attribution, _legend_note(classes, source)) if p)
    if class_legend is None:
        m.add_child(Legend(_title(measure), classes, small_print, extra))
    else:
        m.add_child(class_legend)
        if extra:
            m.add_child(Legend("Also on the map", None, small_print, extra))
    # Over everything else: local authority names, and ward names once zoomed in.
    names = place_labels.lsoa_map_labels(lsoas) if place_names is None else place_names
    if len(names):
        LabelLayer(names, name=PLACE_NAMES).add_to(m)
    # Collapsed: open, it covered a quarter of an ICB map; the legend names every layer.
    LayerControl(collapsed=True).add_to(m)
    return m


def draw_area_map(
    layer: gpd.GeoDataFrame,
    measure: Measure,
    classes: Classes,
    *,
    code: str,
    name: str,
    level_label: str,
    source: str = "IoD 2025 (MHCLG), Census 2021 (ONS)",
) -> folium.Map:
    """England (or a region) by area: ICBs, sub-ICBs or local authorities.

    Parameters
    ----------
    layer
        Area polygons (EPSG:4326) with the roll-up columns (see
        :func:`assetmap.measures.metrics.rollup`).
    measure
        What the colours show (its ``area_column``).
    classes
        :func:`~assetmap.presentation.classify.classify` of ``layer[measure.area_column]``.
    code, name
        Columns of the area code and name.
    level_label
        e.g. "Integrated Care Board", for the layer name.
    source
        Source line of the legend.

    Returns
    -------
    folium.Map
        With each area's name (:func:`assetmap.presentation.labels.display_name` of its
        ``name``) over it, as the layer "Place names" of its layer control.
    """
    m = base_map(layer.total_bounds)
    tooltip = {
        level_label: layer[name].astype(str).tolist(),
        "Residents": _text(layer["population"]),
        "Share of LSOAs in Core20": _text(layer["core20_share"], "{:.0%}"),
        "Assets": _text(layer["assets"]),
        "Per 1,000 residents": _text(layer["assets_per_1k"], "{:.2f}"),
        measure.area_tooltip: _text(layer[measure.area_column], "{:,.4g}"),
    }
    choropleth(
        layer,
        classes,
        key=code,
        tooltip=tooltip,
        keyed=[level_label],
        name=f"{level_label}: {measure.area_label}",
    ).add_to(m)
    attribution = f"{measure.note}. " if measure.note else ""
    m.add_child(Legend(measure.area_label, classes, attribution + _legend_note(classes, source)))
    names = place_labels.area_labels(layer.geometry.values, layer[name].tolist())
    if len(names):
        LabelLayer(names, name=PLACE_NAMES).add_to(m)
        LayerControl(collapsed=True).add_to(m)
    return m
