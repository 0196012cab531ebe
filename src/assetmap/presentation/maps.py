"""Folium map builders: choropleths of LSOAs or areas, asset points, legends, static images.

Maps must draw fast and weigh little (a planner's browser, a Streamlit iframe, no internet), so
polygons are not sent as GeoJSON. Each ring is projected to Web Mercator here, rounded to whole
metres and sent as SVG path data of steps from vertex to vertex; the browser's own path parser turns
each class of polygons into one canvas ``Path2D``, and every layer is painted on one shared canvas
(a class of polygons or a type of asset point as one path) instead of one Leaflet object per
feature. That makes an ICB's 1,601 LSOAs under a third of the size of a plain ``folium.Choropleth``
and over twice as fast to draw (``bench/bench_map.py``).
Names and types come from publishers and from users' uploads, so they are text wherever they go:
tooltip values travel as plain arrays and are put on the page with ``textContent``, never as
HTML; layer names (which Leaflet's layer control writes as HTML) and the legend pass through
:func:`assetmap.presentation.text.html_text`; the PNG's title and legend are drawn with matplotlib's
mathtext off, so a ``$`` is a dollar sign.

Classes come from mapclassify; colours from colour-blind-safe ColorBrewer / viridis ramps (via
branca); the legend is a branca element with the units in words.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import branca.colormap as cm
import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import polyline
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from assetmap import settings
from assetmap.data.dictionary import DOMAINS
from assetmap.measures import bivariate
from assetmap.presentation.text import html_text

#: How classes are drawn: national bands (same everywhere) or bands within the shown area.
BANDINGS: dict[str, str] = {
    "national": "National bands (same everywhere in England)",
    "quantiles": "Quantiles within this area (5 classes)",
    "natural_breaks": "Natural breaks within this area (5 classes, Fisher-Jenks)",
}

#: Each domain as the quantity a map shows (defined once, in the data dictionary).
_DOMAIN_WORDS = {key: d.deprivation for key, d in DOMAINS.items()}


@dataclass(frozen=True)
class Measure:
    """A quantity a map can show.

    Attributes
    ----------
    key
        Identifier used in URLs and code (``imd_decile``).
    label
        Words for the legend and the picker.
    lsoa_column
        Column of the LSOA metrics table.
    area_column
        Column of an area roll-up (see :func:`assetmap.measures.metrics.rollup`).
    area_label
        Legend words for the area version, which is a different quantity (e.g. a share).
    unit
        Unit in words for the legend.
    palette
        Name of a branca linear colormap.
    reverse
        Reverse the palette so that the end that matters most is the darkest.
    is_decile
        Values are national deciles 1-10 (national banding uses them as they are).
    categories
        For a measure of categories rather than amounts: ``(label, colour, values)`` per
        class, in legend order; a value in ``values`` falls in that class. Bandings do not
        apply to them.
    note
        Extra words for the legend's small print (e.g. a significance threshold's meaning, or an
        attribution).
    levels
        Area levels the area version is offered at (e.g. ``("lad",)`` for a quantity counted
        per local authority); empty for every level.
    tooltip
        Name of the measure's row in a neighbourhood's tooltip (shorter than the label).
    """

    key: str
    label: str
    lsoa_column: str
    area_column: str
    area_label: str
    unit: str
    palette: str
    reverse: bool = False
    is_decile: bool = False
    categories: tuple[tuple[str, str, tuple[object, ...]], ...] = ()
    note: str = ""
    levels: tuple[str, ...] = ()
    tooltip: str = ""

    @property
    def area_level(self) -> bool:
        """Whether an area roll-up exists, so England can be coloured by ICB or LA."""
        return bool(self.area_column)

    def offered_at(self, level: str) -> bool:
        """Whether a map of ``level`` (``lsoa``, or an area level such as ``lad``) can show it."""
        if level == "lsoa":
            return bool(self.lsoa_column)
        return self.area_level and (not self.levels or level in self.levels)


def _measures() -> dict[str, Measure]:
    out = {}
    for key, words in _DOMAIN_WORDS.items():
        out[f"{key}_decile"] = Measure(
            key=f"{key}_decile",
            label=f"{words}: decile (1 = most deprived 10%)",
            lsoa_column=f"{key}_decile",
            area_column=f"{key}_score_popweighted",
            area_label=f"{words}: average score, population-weighted (higher = more deprived)",
            unit="decile",
            palette="viridis",
            is_decile=True,
            tooltip=words,
        )
    out["assets_per_1k"] = Measure(
        key="assets_per_1k",
        label="Assets per 1,000 residents",
        lsoa_column="assets_per_1k",
        area_column="assets_per_1k",
        area_label="Assets per 1,000 residents",
        unit="per 1,000 residents",
        palette="YlGnBu_09",
        tooltip="Assets per 1,000 residents",
    )
    out["gap_score"] = Measure(
        key="gap_score",
        label="Gap score: need minus provision (positive = under-provided)",
        lsoa_column="gap_score",
        area_column="gap_score_mean",
        area_label="Gap score, population-weighted mean (positive = under-provided)",
        unit="points, -100 to 100",
        palette="PuOr_11",
        reverse=True,
        tooltip="Gap score",
    )
    out["cni_civic_assets"] = Measure(
        key="cni_civic_assets",
        label="Community Needs Index: civic assets need (higher = fewer civic assets)",
        lsoa_column="cni_civic_assets_score",
        area_column="cni_civic_assets_score_popweighted",
        area_label="CNI civic assets need, population-weighted (© OCSI / Local Trust)",
        unit="CNI score",
        palette="viridis",
        reverse=True,
        tooltip="Community Needs Index",
    )
    # Counted per local authority: a map of smaller areas would show each its authority's rate,
    # and one of ICBs a population share of it, so it is offered by local authority only.
    out["charities_per_1k"] = Measure(
        key="charities_per_1k",
        label="Charities per 1,000 residents (local authority, NCVO 2020)",
        lsoa_column="",
        area_column="charities_per_1k",
        area_label="Charities per 1,000 residents (local authority, NCVO 2020)",
        unit="per 1,000 residents",
        palette="YlGnBu_09",
        note="Charities: NCVO Almanac 2020 via British Red Cross (OGL v3), per 1,000 Census 2021 "
        "residents; the City of London's rate reflects head offices",
        levels=("lad",),
        tooltip="Charities per 1,000 residents",
    )
    out.update(_neighbourhood_measures())
    return out


def _lsoa_only(key: str, label: str, **kwargs: Any) -> Measure:
    """A measure of neighbourhoods with no area roll-up (its column is named as its key)."""
    kwargs.setdefault("unit", "")
    kwargs.setdefault("palette", "")
    return Measure(key=key, label=label, lsoa_column=key, area_column="", area_label="", **kwargs)


def _neighbourhood_measures() -> dict[str, Measure]:
    """Measures of :func:`assetmap.measures.analysis.neighbourhood_metrics`: LSOA level only."""
    walk = f"{settings.WALK_DISTANCE_M:,.0f} m"
    thirds = {1: ("most", "fewest"), 2: ("middle", "middle"), 3: ("least", "most")}
    measures = [
        _lsoa_only(
            "walk_assets",
            f"Assets within {walk} of where people live (straight line)",
            tooltip=f"Assets within {walk} of where people live (straight line)",
            unit="assets",
            palette="YlGnBu_09",
        ),
        _lsoa_only(
            "fca_per_1k",
            f"Walking-distance provision per 1,000 residents (2SFCA, {walk})",
            tooltip=f"Walking-distance provision per 1,000 residents (2SFCA, {walk})",
            unit="per 1,000 residents",
            palette="YlGnBu_09",
        ),
        # ColorBrewer RdBu (colour-blind safe): red for the clusters that matter (deprived,
        # under-provided), blue for their opposite, lighter tints for outliers; none is an
        # asset point's colour.
        _lsoa_only(
            "gap_cluster",
            "Hot and cold spots of the gap score (local Moran's I)",
            tooltip="Hot and cold spots of the gap score",
            categories=(
                (
                    "Under-provided cluster (cold spot of provision)",
                    "#B2182B",
                    ("under-provided cluster",),
                ),
                ("High-gap outlier", "#EF8A62", ("high-gap outlier",)),
                ("Low-gap outlier", "#67A9CF", ("low-gap outlier",)),
                ("Well-provided cluster", "#2166AC", ("well-provided cluster",)),
                ("Not significant", "#EEEEEE", ("not significant",)),
            ),
        ),
        _lsoa_only(
            "bivariate_class",
            "Deprivation and provision together (thirds)",
            tooltip="Deprivation and provision together",
            categories=tuple(
                (
                    f"{d}-{p}: {thirds[d][0]} deprived third, {thirds[p][1]} assets third",
                    bivariate.PALETTE[f"{d}-{p}"],
                    (f"{d}-{p}",),
                )
                for d in (1, 2, 3)
                for p in (1, 2, 3)
            ),
        ),
        _lsoa_only(
            "imd_decile_change",
            "Change in IMD decile since 2019 (negative = more deprived)",
            tooltip="Change in IMD decile since 2019",
            categories=(
                ("2 or more deciles more deprived", "#E66101", tuple(range(-9, -1))),
                ("1 decile more deprived", "#FDB863", (-1,)),
                ("Same decile", "#F7F7F7", (0,)),
                ("1 decile less deprived", "#B2ABD2", (1,)),
                ("2 or more deciles less deprived", "#5E3C99", tuple(range(2, 10))),
            ),
        ),
        _lsoa_only(
            "more_deprived_few_assets",
            "Became more deprived since 2019 and has few assets",
            tooltip="Became more deprived since 2019 and has few assets",
            categories=(
                ("More deprived than in 2019, and few assets", "#B2182B", (True,)),
                ("Other neighbourhoods", "#EEEEEE", (False,)),
            ),
        ),
        _lsoa_only(
            "left_behind",
            "Left-behind neighbourhoods (© OCSI / Local Trust)",
            tooltip="Left-behind neighbourhoods",
            categories=(
                ("Left-behind neighbourhood", "#762A83", (True,)),
                ("Other neighbourhoods", "#EEEEEE", (False,)),
            ),
            note="Community Needs Index © OCSI / Local Trust",
        ),
    ]
    return {m.key: m for m in measures}


#: Every measure, keyed by :attr:`Measure.key`.
MEASURES: dict[str, Measure] = _measures()

#: Measures whose column comes from :func:`assetmap.measures.analysis.neighbourhood_metrics`
#: (access, clusters, change, thirds) rather than :func:`assetmap.measures.metrics.lsoa_metrics`.
NEIGHBOURHOOD_MEASURES: frozenset[str] = frozenset(_neighbourhood_measures()) - {"left_behind"}

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


@dataclass(frozen=True)
class Classes:
    """A classification of values into coloured bands.

    Attributes
    ----------
    bins
        Upper bound of each class (inclusive).
    labels
        Legend text of each class.
    colours
        Hex colour of each class.
    index
        Class of each value (``-1`` where the value is missing).
    method
        Words naming the method, for the legend.
    """

    bins: list[float]
    labels: list[str]
    colours: list[str]
    index: np.ndarray
    method: str


def _colours(palette: str, k: int, reverse: bool) -> list[str]:
    ramp = getattr(cm.linear, palette)
    steps = np.linspace(0, 1, k) if k > 1 else np.array([0.5])
    if reverse:
        steps = steps[::-1]
    return [ramp.rgb_hex_str(ramp.vmin + s * (ramp.vmax - ramp.vmin)) for s in steps]


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _categorise(values: pd.Series, measure: Measure) -> Classes:
    """Classes of a measure of categories: each value in the class that lists it."""
    index = np.full(len(values), -1, dtype=np.int64)
    raw = values.to_numpy(dtype=object)
    for i, (_, _, members) in enumerate(measure.categories):
        index[pd.Series(raw).isin(list(members)).to_numpy()] = i
    labels = [label for label, _, _ in measure.categories]
    colours = [colour for _, colour, _ in measure.categories]
    return Classes(list(range(len(labels))), labels, colours, index, "categories")


def classify(
    values: pd.Series,
    measure: Measure,
    banding: str = "national",
    national: pd.Series | None = None,
    k: int = 5,
    *,
    deciles: bool | None = None,
) -> Classes:
    """Band values into classes with mapclassify.

    Parameters
    ----------
    values
        The values shown on the map.
    measure
        What they are.
    banding
        ``national``: deciles are shown as they are; other measures use the national deciles of
        ``national`` (mapclassify ``UserDefined`` on ``Quantiles(national, k=10)`` bins), so a
        colour means the same everywhere. ``quantiles``: ``Quantiles(values, k)``.
        ``natural_breaks``: ``FisherJenks(values, k)``.
    national
        The same measure for every LSOA (or area) in England; required for ``national`` banding of
        non-decile measures.
    k
        Number of classes for the within-area bandings.
    deciles
        Whether the values are national deciles 1-10; defaults to ``measure.is_decile`` (pass
        ``False`` for an area-level version of a decile measure, which is a score).

    Returns
    -------
    Classes
    """
    if banding not in BANDINGS:
        raise ValueError(f"banding must be one of {', '.join(BANDINGS)}, not {banding!r}")
    if measure.categories:
        return _categorise(values, measure)
    vals = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    ok = np.isfinite(vals)
    index = np.full(len(vals), -1, dtype=np.int64)
    if (measure.is_decile if deciles is None else deciles) and banding == "national":
        bins = [float(d) for d in range(1, 11)]
        index[ok] = vals[ok].astype(np.int64) - 1
        labels = ["1 (most deprived 10%)", *[str(d) for d in range(2, 10)], "10 (least deprived)"]
        return Classes(
            bins, labels, _colours(measure.palette, 10, measure.reverse), index, "national deciles"
        )
    if not ok.any():
        return Classes([], [], [], index, "no data")
    if banding == "national":
        if national is None:
            raise ValueError("national banding needs the national values")
        nat = pd.to_numeric(national, errors="coerce").dropna().to_numpy(dtype="float64")
        with warnings.catch_warnings():  # counts with many ties give fewer than 10 classes
            warnings.simplefilter("ignore", UserWarning)
            edges = np.unique(mapclassify.Quantiles(nat, k=10).bins)
        edges[-1] = max(edges[-1], vals[ok].max())
        classifier = mapclassify.UserDefined(vals[ok], bins=list(edges))
        method = "national deciles of this measure"
    else:
        # Many tied values (e.g. no assets) leave fewer distinct classes than asked for;
        # mapclassify then merges them and warns, which is the behaviour wanted here.
        kinds = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            classifier = kinds[banding](vals[ok], k=min(k, len(np.unique(vals[ok]))))
        method = (
            "quantiles within the area"
            if banding == "quantiles"
            else "natural breaks (Fisher-Jenks) within the area"
        )
    bins = [float(b) for b in classifier.bins]
    index[ok] = np.asarray(classifier.yb, dtype=np.int64)
    lower = float(vals[ok].min())
    labels = []
    for i, upper in enumerate(bins):
        low = lower if i == 0 else bins[i - 1]
        labels.append(
            f"{_fmt(low)} to {_fmt(upper)}" if i == 0 else f"over {_fmt(low)} to {_fmt(upper)}"
        )
    return Classes(
        bins, labels, _colours(measure.palette, len(bins), measure.reverse), index, method
    )


def js_payload(obj: object) -> str:
    """A JavaScript expression that rebuilds ``obj``, safe to embed in a folium script.

    The data travel as ``JSON.parse(String.raw`...`)``: JSON text, which browsers parse faster
    than an object literal of the same size, in a raw template literal, which needs no second
    layer of escapes. Within JSON strings a backtick becomes ``\\u0060`` and ``$`` ``\\u0024``
    (so the literal cannot end or interpolate), ``</`` becomes ``<\\/`` (so no value can close
    the script element) and a ``{`` that would open a Jinja tag (``{{``, ``{%``, ``{#``; branca
    renders each script once more as a Jinja template) becomes ``\\u007b``. JSON's own
    structure can hold none of these, and each escape decodes to the same text.
    """
    text = json.dumps(obj, separators=(",", ":"))
    text = text.replace("`", "\\u0060").replace("$", "\\u0024").replace("</", "<\\/")
    text = re.sub(r"\{(?=[{%#])", r"\\u007b", text)
    return "JSON.parse(String.raw`" + text + "`)"


#: Leaflet's spherical Mercator (``L.Projection.SphericalMercator``): its earth radius and the
#: latitude it clips at. Coordinates are projected here exactly as Leaflet would, so the browser
#: only scales and shifts them.
_MERCATOR_R: Final = 6378137.0
_MERCATOR_MAX_LAT: Final = 85.0511287798


def web_mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Project longitude/latitude (degrees) to spherical Mercator metres, as Leaflet does.

    .. math::

        x = R\,\lambda, \qquad y = R \ln \tan\left(\frac{\pi}{4} + \frac{\varphi}{2}\right)

    with :math:`R = 6{,}378{,}137` m and :math:`\varphi` clipped to :math:`\pm 85.0511°`.
    """
    phi = np.radians(np.clip(np.asarray(lat, dtype=float), -_MERCATOR_MAX_LAT, _MERCATOR_MAX_LAT))
    x = _MERCATOR_R * np.radians(np.asarray(lon, dtype=float))
    return x, _MERCATOR_R * np.log(np.tan(np.pi / 4 + phi / 2))


def encode_paths(geometries: Sequence[Any] | np.ndarray) -> tuple[list[str], tuple[int, int]]:
    """Encode (multi)polygons in EPSG:4326 as SVG path data in Web Mercator metres.

    Each ring of each part (exterior and holes alike) becomes ``M x y`` (its first vertex, in
    metres from ``origin``), ``l dx dy ...`` (each next vertex, in metres from the one before)
    and ``z``; a geometry's path is its rings one after another. The browser fills each
    geometry with the even-odd rule, which needs no part structure because the parts of an
    LSOA never overlap. Coordinates are rounded to whole metres (finer than a pixel up to zoom
    17); a step of zero metres is left out, and so is the closing vertex, equal to the first.

    The browser's own SVG path parser turns this text into a canvas ``Path2D`` (native code,
    where decoding any other encoding would be a script loop), and the numbers are small: the
    offsets from ``origin`` stay exact in the 32-bit floats the browser draws with.

    Parameters
    ----------
    geometries
        Polygons or multipolygons in longitude/latitude.

    Returns
    -------
    paths : list of str
        Per geometry, its path data (empty if every ring collapses to a point).
    origin : tuple of int
        The smallest x and y over all vertices, in whole Web Mercator metres.
    """
    geoms = np.asarray(geometries, dtype=object)
    rings = shapely.get_rings(shapely.get_parts(geoms))
    # Which geometry each ring belongs to: parts per geometry, then rings per part.
    parts_of = np.repeat(np.arange(len(geoms)), shapely.get_num_geometries(geoms))
    ring_owner = np.repeat(parts_of, shapely.get_num_interior_rings(shapely.get_parts(geoms)) + 1)
    coords, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
    x, y = web_mercator(coords[:, 0], coords[:, 1])
    xy = np.rint(np.column_stack([x, y])).astype(np.int64)
    origin = xy.min(axis=0) if len(xy) else np.zeros(2, dtype=np.int64)
    xy -= origin
    starts = np.searchsorted(ring_of_vertex, np.arange(len(rings) + 1))
    out: list[list[str]] = [[] for _ in range(len(geoms))]
    for r in range(len(rings)):
        ring = xy[starts[r] : starts[r + 1] - 1]  # the closing vertex repeats the first
        steps = np.diff(ring, axis=0)
        steps = steps[(steps != 0).any(axis=1)]
        if not len(steps):
            continue  # a ring within a metre: nothing to draw, and "l" needs numbers
        # SVG needs no space before a minus sign: "3-4" is two numbers.
        numbers = " ".join(map(str, steps.ravel().tolist())).replace(" -", "-")
        out[int(ring_owner[r])].append(f"M{ring[0, 0]} {ring[0, 1]}l{numbers}z")
    return ["".join(p) for p in out], (int(origin[0]), int(origin[1]))


def mercator_box(geometries: Sequence[Any] | np.ndarray) -> list[int] | None:
    """``[minx, miny, maxx, maxy]`` of geometries in EPSG:4326, in whole Web Mercator metres
    (rounded outwards), or ``None`` if there are none: the projection keeps the order of
    longitudes and of latitudes, so the corners of the box project to the corners of the box.
    """
    geoms = np.asarray(geometries, dtype=object)
    bounds = shapely.total_bounds(geoms) if len(geoms) else np.full(4, np.nan)
    if not np.isfinite(bounds).all():  # none, or only empty geometries
        return None
    x, y = web_mercator(bounds[[0, 2]], bounds[[1, 3]])
    return [
        int(np.floor(x[0])),
        int(np.floor(y[0])),
        int(np.ceil(x[1])),
        int(np.ceil(y[1])),
    ]


#: Separates one feature's tooltip texts in the single string sent for it (a tab: two bytes in
#: JSON, where a quoted list needs three per value).
_UNIT_SEPARATOR: Final = "\t"


def _pack(rows: Sequence[Sequence[object]]) -> list[str]:
    """Each feature's tooltip texts as one tab-separated line (the layer sends the lines as one
    newline-separated string, so the browser parses one value, not thousands).

    Control characters in a text (which never belong in a name) become spaces, so none can
    be taken for a separator.
    """
    clean = re.compile(r"[\x00-\x1f\x7f]")
    return [_UNIT_SEPARATOR.join(clean.sub(" ", str(v)) for v in row) for row in rows]


# The canvas layers. Leaflet's own canvas renderer does the panning and zoom animation (with
# the canvas cut to what its layers draw, see Renderer), but instead of one L.Polygon or
# L.CircleMarker per feature (an object with its bounds, projection and events: most of the
# time a 1,601-LSOA map with its 735 asset points took to draw) each layer paints all its
# features itself, a class of polygons or a type of point in one canvas path. Coordinates
# arrive in Web Mercator metres, so projecting is one multiply-add per axis (for polygons, one
# canvas transform). Hover is found by a point-in-polygon or nearest-point test on the map's
# own mouse events, so no canvas takes pointer events or hides another layer. Defined once per
# page, in canvas.js (package data, linted by eslint and formatted by prettier in the test command).
_CANVAS_JS: Final = "\n" + (resources.files("assetmap.presentation") / "canvas.js").read_text(
    encoding="utf-8"
)


def _first_canvas_layer(element: Element) -> Element | None:
    """The first canvas layer of a figure, in render (and so script) order."""
    for child in element._children.values():
        if isinstance(child, (CompactPolygons, PointLayer)):
            return child
        found = _first_canvas_layer(child)
        if found is not None:
            return found
    return None


class _CanvasLayer(folium.FeatureGroup):
    """Shared by the canvas layers: the script defining them goes out once per page."""

    def render(self, **kwargs: Any) -> Any:
        # Decided from the figure at each render, never remembered: st_folium renders deep
        # copies of a cached map, and each copy must carry the definitions itself.
        first = _first_canvas_layer(self.get_root())
        self.canvas_js = _CANVAS_JS if first is None or first is self else ""
        return super().render(**kwargs)


class CompactPolygons(_CanvasLayer):
    """A layer of filled polygons sent as SVG path data and painted on one canvas.

    Each class of polygons is one canvas path, filled and stroked (see the module notes); the
    layer exposes ``assetmapKeys`` (every key) and ``assetmapDrawn`` (the keys painted in the
    last redraw: every shape, since each class path is painted whole and the canvas clips it
    to the view) to scripts and tests.

    Parameters
    ----------
    geometries
        Polygons in EPSG:4326.
    colour_index
        Class of each polygon (``-1``: no data, drawn grey).
    colours
        Colour of each class.
    keys
        Identifier of each polygon (e.g. an LSOA code), kept on the layer for scripts and tests.
    tooltip_fields
        Labels of the tooltip rows.
    tooltip_values
        Per polygon, one text per tooltip row (shown as text, never as HTML).
    keyed
        Tooltip rows whose text is followed by the polygon's key in brackets, e.g. an LSOA's
        name then ``(E01006412)``: the key is sent once, in ``keys``, not twice.
    name
        Name in the layer control.
    stroke
        Outline colour; ``weight`` its width in pixels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.canvas_js }}
        (function (group) {
            var d = {{ this.payload }};
            group.addLayer(new window.AssetmapShapes(d, {
                fillOpacity: {{ this.fill_opacity }},
                stroke: "{{ this.stroke }}",
                weight: {{ this.weight }}
            }));
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        geometries: Sequence[Any] | np.ndarray,
        colour_index: np.ndarray,
        colours: Sequence[str],
        keys: Sequence[str],
        tooltip_fields: Sequence[str] = (),
        tooltip_values: Sequence[Sequence[str]] = (),
        *,
        keyed: Sequence[str] = (),
        name: str,
        stroke: str = "#ffffff",
        weight: float = 0.6,
        fill_opacity: float = 0.85,
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, show=show, control=control)
        self._name = "CompactPolygons"
        self.canvas_js = _CANVAS_JS
        self.stroke = stroke
        self.weight = weight
        self.fill_opacity = fill_opacity
        self.n_features = len(keys)
        unknown = set(keyed) - set(tooltip_fields)
        if unknown:
            raise ValueError(f"keyed names rows that are not tooltip fields: {sorted(unknown)}")
        paths, origin = encode_paths(geometries)
        payload = {
            "paths": paths,
            "origin": list(origin),
            "box": mercator_box(geometries),
            "cls": [int(c) for c in colour_index],
            "colours": list(colours),
            "keys": [str(k) for k in keys],
            "fields": list(tooltip_fields),
            "keyed": list(keyed),
            "values": "\n".join(_pack(tooltip_values)),
        }
        self.payload = js_payload(payload)
        bounds = shapely.total_bounds(np.asarray(geometries))
        self._bounds: list[list[float | None]] = [
            [float(bounds[1]), float(bounds[0])],
            [float(bounds[3]), float(bounds[2])],
        ]

    def get_bounds(self) -> list[list[float | None]]:
        """South-west and north-east corners, for ``fit_bounds``."""
        return self._bounds


class PointLayer(_CanvasLayer):
    """Asset points painted on one canvas, with text-only tooltips.

    The layer exposes ``assetmapPoints`` (points painted in the last redraw) and, for tests,
    ``assetmapPixel(i)`` and ``assetmapShow(i)``.

    Parameters
    ----------
    lat, lon
        Coordinates (EPSG:4326).
    tooltip_fields
        Labels of the tooltip rows.
    tooltip_values
        Per point, one text per row (shown as text, never as HTML).
    colour
        Fill colour.
    name
        Name in the layer control.
    tooltip_fixed
        ``(label, text)`` rows the same for every point of the layer (e.g. its type), shown
        first and sent once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.canvas_js }}
        (function (group) {
            var d = {{ this.payload }};
            group.addLayer(new window.AssetmapPoints(d, {
                radius: 4.5, weight: 1, stroke: "#ffffff",
                colour: "{{ this.colour }}", fillOpacity: 0.95
            }));
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        lat: np.ndarray,
        lon: np.ndarray,
        tooltip_fields: Sequence[str],
        tooltip_values: Sequence[Sequence[str]],
        *,
        colour: str,
        name: str,
        show: bool = True,
        tooltip_fixed: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(name=name, show=show)
        self._name = "PointLayer"
        self.canvas_js = _CANVAS_JS
        self.colour = colour
        self.n_features = len(lat)
        x, y = web_mercator(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        xy = np.rint(np.column_stack([x, y])).astype(np.int64)
        payload = {
            "points": polyline.encode(xy.tolist(), 0),
            "box": [*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist()] if len(xy) else None,
            "keys": [],
            "fixed": [[str(label), str(text)] for label, text in tooltip_fixed],
            "fields": list(tooltip_fields),
            "values": "\n".join(_pack(tooltip_values)),
        }
        self.payload = js_payload(payload)


class Legend(MacroElement):
    """A legend box: title, units, one swatch per class, source line (real text, screen-readable).

    Every text is plain text (an upload's type label, say): it is escaped with
    :func:`assetmap.presentation.text.html_text` here, so ``A & B`` shows as ``A & B`` and ``<b>``
    as ``<b>``.

    Parameters
    ----------
    title
        What is shown.
    classes
        The classification; ``None`` when another legend shows it (the bivariate grid).
    note
        Small print (method, source).
    extra
        More ``(colour, label, shape)`` rows, e.g. asset types: ``shape`` is "circle", "line"
        (a 2 px outline) or "thin line" (1 px).
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="assetmap-legend" role="region"
             aria-label="Map legend"
             style="position:absolute; z-index:9999; bottom:24px; right:10px; max-width:300px;
                    background:rgba(255,255,255,0.94); padding:8px 10px; border-radius:6px;
                    box-shadow:0 1px 4px rgba(0,0,0,0.3); font:12px/1.35 sans-serif; color:#222;">
          <div style="font-weight:bold; margin-bottom:4px;">{{ this.title }}</div>
          {% for colour, label in this.rows %}
          <div><span style="display:inline-block; width:14px; height:12px; margin-right:6px;
                vertical-align:middle; background:{{ colour }}; border:1px solid #777;"></span>
               {{- label }}</div>
          {% endfor %}
          {% for colour, label, shape in this.extra %}
          <div><span style="display:inline-block; width:12px; height:12px; margin-right:6px;
                vertical-align:middle;
                {% if shape == 'line' %}border:2px solid {{ colour }}; background:transparent;
                {% elif shape == 'thin line' %}border:1px solid {{ colour }};
                background:transparent;
                {% else %}border-radius:50%; background:{{ colour }};
                border:1px solid #fff;{% endif %}">
                </span>{{ label }}</div>
          {% endfor %}
          <div style="margin-top:4px; color:#555;">{{ this.note }}</div>
        </div>
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        classes: Classes | None,
        note: str = "",
        extra: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        super().__init__()
        self._name = "Legend"
        # Escaped once, here, and written into the template as they are.
        self.title = html_text(title)
        self.rows = (
            []
            if classes is None
            else [
                (colour, html_text(label))
                for colour, label in zip(classes.colours, classes.labels, strict=True)
            ]
        )
        self.note = html_text(note)
        self.extra = [(colour, html_text(label), shape) for colour, label, shape in extra]


class LayerControl(folium.LayerControl):
    """folium's layer control, with the layer names shown as text.

    Leaflet writes each name into the control as HTML (``innerHTML``), so a type label from an
    upload such as ``<img src=x onerror=...>`` would run there; each name is passed through
    :func:`assetmap.presentation.text.html_text` first, and the control shows the original
    characters. The layers keep their names as plain text (``layer_name``).
    """

    def render(self, **kwargs: Any) -> Any:
        # folium's LayerControl.render, with the names escaped.
        self.reset()
        siblings = self._parent._children.values() if self._parent is not None else ()
        for item in siblings:
            if not isinstance(item, folium.map.Layer) or not item.control:
                continue
            names = self.overlays if item.overlay else self.base_layers
            names[html_text(item.layer_name)] = item.get_name()
        return super(folium.LayerControl, self).render(**kwargs)


def base_map(bounds: Sequence[float]) -> folium.Map:
    """An empty map fitted to ``[minx, miny, maxx, maxy]`` (EPSG:4326), with no remote tiles.

    No basemap is loaded by default: a dashboard that works offline cannot depend on a tile
    server; on an LSOA map, local authority borders drawn over the colours give the bearings.
    """
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_snap=0.25)
    # Only Leaflet itself: these maps use no jQuery, Bootstrap or icon fonts, and every extra
    # file is one more request before streamlit-folium can draw.
    m.default_js = [(name, url) for name, url in m.default_js if name == "leaflet"]
    m.default_css = [(name, url) for name, url in m.default_css if name == "leaflet_css"]
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
        Output of :func:`classify` for ``frame``'s values.
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


def _legend_note(classes: Classes, source: str) -> str:
    bands = "" if classes.method == "categories" else f"Bands: {classes.method}. "
    return f"{bands}Source: {source}."


def lsoa_view(
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
        :func:`classify` of ``lsoas[measure.lsoa_column]``.
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

    Returns
    -------
    folium.Map
    """
    labels = asset_labels or {}
    m = base_map(lsoas.total_bounds)
    value = lsoas[measure.lsoa_column]
    tooltip = {
        "LSOA": lsoas["lsoa21nm"].astype(str).tolist(),
        "IMD decile": _text(lsoas["imd_decile"]),
        "Residents": _text(lsoas["population"]),
        "Assets": _text(lsoas["assets"]),
        "Per 1,000 residents": _text(lsoas["assets_per_1k"], "{:.2f}"),
    }
    if measure.categories:
        tooltip[measure.tooltip] = [
            classes.labels[i] if i >= 0 else "no data" for i in classes.index
        ]
    elif measure.lsoa_column not in {"imd_decile", "assets_per_1k"}:
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
    # Collapsed: open, it covered a quarter of an ICB map; the legend names every layer.
    LayerControl(collapsed=True).add_to(m)
    return m


def area_view(
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
        :func:`classify` of ``layer[measure.area_column]``.
    code, name
        Columns of the area code and name.
    level_label
        e.g. "Integrated Care Board", for the layer name.
    source
        Source line of the legend.

    Returns
    -------
    folium.Map
    """
    m = base_map(layer.total_bounds)
    tooltip = {
        level_label: layer[name].astype(str).tolist(),
        "Residents": _text(layer["population"]),
        "Share of LSOAs in Core20": _text(layer["core20_share"], "{:.0%}"),
        "Assets": _text(layer["assets"]),
        "Per 1,000 residents": _text(layer["assets_per_1k"], "{:.2f}"),
        # The label's first words: "IMD 2025", "Gap score", "Charities per 1,000 residents".
        re.sub(r"\s*\(.*?\)", "", measure.area_label).split(", ")[0].split(":")[0]: _text(
            layer[measure.area_column], "{:,.4g}"
        ),
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
    return m
