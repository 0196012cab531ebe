"""Map layers of a search near a place (:mod:`assetmap.measures.near`): the circle searched,
a marker where it is centred, and the assets found, highlighted.

:func:`add_search` adds them to a map that :mod:`assetmap.presentation.mapviews` built (give it a
copy: a cached map stays as built). Like every other layer they are painted on the map's one
canvas (:mod:`assetmap.presentation.layers`), over what is there, in this order: the circle
(a magenta line over a white one, so it shows on every palette),
its centre (a ring larger than an asset's point, so an asset at the very place shows inside it),
the assets found. The circle is the search's own measure, a circle in British
National Grid metres (the straight line :func:`assetmap.measures.near.nearby` measures),
drawn as a polygon of :data:`CIRCLE_VERTICES` vertices. The map is fitted to it.

Tooltips are text, never HTML (the canvas layers put them on the page with ``textContent``);
the note in the map's corner passes through :func:`assetmap.presentation.text.html_text`, with
the braces that would open a template tag escaped too (branca renders an element's HTML once
more as a template).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium.map import FitBounds
from folium.template import Template
from pyproj import Transformer

from assetmap import settings
from assetmap.measures.near import Nearby
from assetmap.presentation.layers import CompactPolygons, PointLayer
from assetmap.presentation.maps import ASSET_COLOURS
from assetmap.presentation.text import html_text

#: Outline of the circle searched: magenta, in none of the measures' palettes (viridis,
#: YlGnBu, PuOr, the cluster, change and bivariate classes) nor among the asset colours.
CIRCLE_COLOUR: Final = "#D100D1"
#: The white line drawn under the circle's outline, so it shows on dark colours and light alike.
HALO_COLOUR: Final = "#ffffff"
#: Share of the circle's fill colour that shows: none, so the measure's colours inside it are
#: the legend's (a tint, even of 12%, made them read as another class).
CIRCLE_FILL_OPACITY: Final = 0.0
#: Width of the circle's outline, in pixels.
CIRCLE_WEIGHT: Final = 3.0
#: Vertices of the polygon drawn for the circle (at 20 km, a chord strays about 6 m inside).
CIRCLE_VERTICES: Final = 128
#: Rim of a highlighted asset: black, thicker than an ordinary point's white rim.
FOUND_STROKE: Final = "#000000"
#: Colour of an asset type with none of its own (an upload's category), as :mod:`maps` draws it.
OTHER_ASSET_COLOUR: Final = "#E69F00"
#: The key of the circle's polygon (``assetmapKeys`` in the browser).
CIRCLE_KEY: Final = "near-search"

_TO_WGS84: Final = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)


class SearchPoints(PointLayer):
    """Points painted on the map's canvas in a style of their own (see :class:`PointLayer`).

    The layer in the browser carries ``assetmapSearch`` (``role``), so scripts and tests can
    tell it from the ordinary asset layers.

    Parameters
    ----------
    radius, weight, stroke
        The points' radius and rim width in pixels, and the rim's colour.
    role
        ``"found"`` (the assets found) or ``"centre"`` (where the search is from).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.canvas_js }}
        (function (group) {
            var d = {{ this.payload }};
            var layer = new window.AssetmapPoints(d, {{ this.style }});
            layer.assetmapSearch = {{ this.role }};
            group.addLayer(layer);
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
        radius: float,
        weight: float,
        stroke: str,
        role: str,
        tooltip_fixed: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(
            lat,
            lon,
            tooltip_fields,
            tooltip_values,
            colour=colour,
            name=name,
            tooltip_fixed=tooltip_fixed,
        )
        self._name = "SearchPoints"
        self.radius = float(radius)
        # Numbers and colours of this module only, written as JSON.
        self.style = json.dumps(
            {
                "radius": float(radius),
                "weight": float(weight),
                "stroke": stroke,
                "colour": colour,
                "fillOpacity": 1.0,
            }
        )
        self.role = json.dumps(role)


class SearchNote(MacroElement):
    """A line of text in the map's top left corner, under the zoom buttons (plain text)."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="assetmap-search-note" role="note"
             style="position:absolute; z-index:9999; top:10px; left:54px; max-width:340px;
                    background:rgba(255,255,255,0.94); padding:6px 9px; border-radius:6px;
                    border-left:4px solid {{ this.colour }};
                    box-shadow:0 1px 4px rgba(0,0,0,0.3); font:12px/1.35 sans-serif; color:#222;">
          {{ this.text }}
        </div>
        {% endmacro %}
        """
    )

    def __init__(self, text: str, colour: str = CIRCLE_COLOUR) -> None:
        super().__init__()
        self._name = "SearchNote"
        self.text = template_safe(html_text(text))
        self.colour = colour


def template_safe(escaped: str) -> str:
    """HTML text with its braces as character references, so no template tag can open when
    branca renders it again."""
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


@dataclass(frozen=True)
class SearchLayers:
    """What :func:`add_search` added.

    Attributes
    ----------
    circle
        The circle searched (one polygon, key :data:`CIRCLE_KEY`).
    halo
        The white line under its outline.
    found
        One layer of highlighted points per asset type found, in the order of the types.
    centre
        The marker where the search is centred.
    note
        The note in the corner.
    bounds
        ``[[south, west], [north, east]]`` of the circle (EPSG:4326), which the map is fitted to.
    """

    circle: CompactPolygons
    halo: CompactPolygons
    found: tuple[SearchPoints, ...]
    centre: SearchPoints
    note: SearchNote
    bounds: list[list[float]]


def circle_polygon(easting: float, northing: float, distance_m: float) -> shapely.Polygon:
    """The circle of radius ``distance_m`` around a point, in British National Grid metres."""
    quads = CIRCLE_VERTICES // 4
    return shapely.Point(easting, northing).buffer(distance_m, quad_segs=quads)


def _lat_lon(easting: Any, northing: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _TO_WGS84.transform(
        np.asarray(easting, dtype="float64"), np.asarray(northing, dtype="float64")
    )
    return np.atleast_1d(np.asarray(lat, dtype="float64")), np.atleast_1d(
        np.asarray(lon, dtype="float64")
    )


def _metres(value: float) -> str:
    return f"{value:,.0f} m"


def describe(found: Nearby, asset_labels: Mapping[str, str]) -> str:
    """The search in one sentence (plain text), as the map's note says it."""
    n = len(found.assets)
    kinds = ", ".join(
        f"{asset_labels.get(str(kind), str(kind))}: {count:,}"
        for kind, count in found.assets["asset_type"].value_counts(sort=False).items()
    )
    assets = "no asset of the types counted"
    if n:
        assets = f"{n:,} asset{'s' if n != 1 else ''} found ({kinds}), ringed in black"
    lsoas = len(found.lsoas)
    return (
        f"Within {_metres(found.distance_m)} of {found.place.label} (straight line): {assets}; "
        f"{lsoas:,} neighbourhood{'s' if lsoas != 1 else ''} (LSOAs) whose residents live "
        "within it."
    )


def add_search(
    m: folium.Map,
    found: Nearby,
    asset_labels: Mapping[str, str],
    *,
    fit: bool = True,
) -> SearchLayers:
    """Draw a search on ``m``: the circle, the assets found (highlighted) and its centre.

    Parameters
    ----------
    m
        A map built by :mod:`assetmap.presentation.mapviews` (a copy).
    found
        The search (:func:`assetmap.measures.near.nearby`).
    asset_labels
        Asset type -> plural label (an upload's types included).
    fit
        Fit the map's view to the circle (instead of what it was fitted to).

    Returns
    -------
    SearchLayers
    """
    # A layer control already on the map (an LSOA map has one) goes after the new layers, so
    # it lists them and its script finds them defined.
    controls = [(k, c) for k, c in m._children.items() if isinstance(c, folium.LayerControl)]
    for k, _ in controls:
        del m._children[k]

    place, r = found.place, found.distance_m
    disc = gpd.GeoSeries(
        [circle_polygon(place.easting, place.northing, r)], crs=settings.CRS_METRIC
    )
    disc = disc.to_crs(settings.CRS_STORE)
    # A white line under the outline (not in the layer control: it is part of the circle).
    halo = CompactPolygons(
        disc.values,
        np.zeros(1, dtype=np.int64),
        [HALO_COLOUR],
        [f"{CIRCLE_KEY}-halo"],
        name="Search circle halo",
        stroke=HALO_COLOUR,
        weight=CIRCLE_WEIGHT + 3,
        fill_opacity=0.0,
        control=False,
    )
    halo.add_to(m)
    circle = CompactPolygons(
        disc.values,
        np.zeros(1, dtype=np.int64),
        [CIRCLE_COLOUR],
        [CIRCLE_KEY],
        name=f"Search: within {_metres(r)} of {place.label}",
        stroke=CIRCLE_COLOUR,
        weight=CIRCLE_WEIGHT,
        fill_opacity=CIRCLE_FILL_OPACITY,
    )
    circle.add_to(m)

    lat, lon = _lat_lon(place.easting, place.northing)
    centre = SearchPoints(
        lat,
        lon,
        ["Searched near"],
        [(place.label,)],
        colour="#ffffff",
        name=f"Search centre: {place.label}",
        radius=9.0,
        weight=3.5,
        stroke=CIRCLE_COLOUR,
        role="centre",
        tooltip_fixed=[("Distance", f"{_metres(r)} (straight line)")],
    )
    centre.add_to(m)

    layers = []
    assets = found.assets
    for kind, group in assets.groupby("asset_type", sort=False):
        label = asset_labels.get(str(kind), str(kind))
        lat, lon = _lat_lon(group["easting"], group["northing"])
        values = list(
            zip(
                group["name"].fillna("").astype(str),
                group["postcode"].fillna("").astype(str),
                (_metres(d) for d in group["distance_m"]),
                strict=True,
            )
        )
        layer = SearchPoints(
            lat,
            lon,
            ["Name", "Postcode", "Distance"],
            values,
            colour=ASSET_COLOURS.get(str(kind), OTHER_ASSET_COLOUR),
            name=f"Found: {label} ({len(group):,})",
            radius=6.5,
            weight=2.5,
            stroke=FOUND_STROKE,
            role="found",
            tooltip_fixed=[("Type", label), ("Found", f"within {_metres(r)} of {place.label}")],
        )
        layer.add_to(m)
        layers.append(layer)

    note = SearchNote(describe(found, asset_labels))
    m.add_child(note)
    for k, control in controls:
        m.add_child(control, name=k)

    west, south, east, north = (float(v) for v in disc.total_bounds)
    bounds = [[south, west], [north, east]]
    if fit:
        # In place of the map's own fit (to its area): one fit, from the map's first view, is
        # not animated, so the map is drawn at once where it will stay.
        for k in [k for k, c in m._children.items() if isinstance(c, FitBounds)]:
            del m._children[k]
        # Room for the note at the top and, a little, for the legend at the bottom right.
        m.fit_bounds(bounds, padding_top_left=(24, 64), padding_bottom_right=(96, 24))
    return SearchLayers(circle, halo, tuple(layers), centre, note, bounds)
