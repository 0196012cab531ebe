"""Place names on the maps: what each name says, where it goes, and which wins a collision.

Each area's name is put at its pole of inaccessibility, the centre of the largest circle inside
it (Garcia-Castellanos & Lombardo 2007; Agafonkin's *polylabel*), found in EPSG:27700 metres by
GEOS's maximum inscribed circle (:func:`shapely.maximum_inscribed_circle`, the search that
:func:`shapely.ops.polylabel` wraps, here over all shapes at once) and served in EPSG:4326.
Besides the point, each label carries how far its shape reaches from it left and right, up and
down (the horizontal and vertical chords of the shape through the point, in Web Mercator metres,
so the browser scales them to pixels with the map's own factor): a name is shown only at a zoom
where it fits inside its shape.

The browser places the names again at every zoom and pan (``AssetmapLabels`` in ``canvas.js``),
in the order of :class:`PlaceLabels`, with the rule :func:`place_boxes` states: larger areas
first; a name that would overlap one already placed is hidden at that zoom.

Names come from the data (``lad24nm``, ``icb24nm``, ``sicbl24nm``, ``ward24nm``); they are drawn
as canvas text (``fillText``), never as markup, and control characters are taken out here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import polyline
import shapely
from pyproj import Transformer

from assetmap import settings
from assetmap.presentation.encoding import web_mercator

#: Tiers of names, drawn and placed in this order: the main names of a map (local authorities
#: over an area's LSOAs; the areas of an overview map), then wards.
TIER_AREA: Final = 0
TIER_WARD: Final = 1
#: Ward names are shown from this zoom (a pixel about 45 m on the ground in England), once one
#: is zoomed in on an area: at an ICB's own zoom a few large rural wards would otherwise crowd
#: the authorities' names.
WARD_MIN_ZOOM: Final = 11.0

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]+")
_NHS_PREFIX: Final = re.compile(r"^NHS\s+")
_ICB_SUFFIX: Final = re.compile(r"\s+Integrated Care Board$")
#: A sub-ICB location's name: "NHS <ICB> ICB - <code>".
_SUB_ICB: Final = re.compile(r"^(?P<icb>.+?)\s+ICB\s+-\s+(?P<code>\w+)$")


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    # Made once: building one takes a fifth of a second, more than placing every label.
    return Transformer.from_crs(source, target, always_xy=True)


def _project(geoms: np.ndarray, source: str, target: str) -> np.ndarray:
    transformer = _transformer(source, target)
    return np.asarray(
        shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(*xy.T))),
        dtype=object,
    )


def display_name(name: object) -> str:
    """The name as a map label shows it.

    An ICB's "NHS Cheshire and Merseyside Integrated Care Board" becomes "Cheshire and
    Merseyside" (the leading "NHS " and trailing " Integrated Care Board" dropped); a sub-ICB
    location's "NHS Cheshire and Merseyside ICB - 01F" becomes "Cheshire and Merseyside 01F".
    Every other name is kept as it is, with runs of white space and control characters made one
    space.

    Parameters
    ----------
    name
        A name from the lookups (``icb24nm``, ``sicbl24nm``, ``lad24nm``, ``ward24nm``...).

    Returns
    -------
    str
    """
    text = " ".join(_CONTROL.sub(" ", str(name)).split())
    short = _ICB_SUFFIX.sub("", _NHS_PREFIX.sub("", text))
    sub_icb = _SUB_ICB.match(short)
    if sub_icb:
        short = f"{sub_icb['icb']} {sub_icb['code']}"
    return short or text


@dataclass(frozen=True)
class PlaceLabels:
    """Names and where to put them, in placing order (tier, then larger areas first).

    Attributes
    ----------
    text
        The name shown (:func:`display_name`).
    lon, lat
        The label point (EPSG:4326), inside the shape.
    area
        The shape's area in square metres (EPSG:27700): the placing priority within a tier.
    reach
        ``(n, 4)``: how far the shape reaches from the point to the left, right, down and up,
        in Web Mercator metres (its chords through the point).
    tier
        :data:`TIER_AREA` or :data:`TIER_WARD`.
    """

    text: tuple[str, ...]
    lon: np.ndarray
    lat: np.ndarray
    area: np.ndarray
    reach: np.ndarray
    tier: np.ndarray

    def __len__(self) -> int:
        return len(self.text)


def empty() -> PlaceLabels:
    """No labels."""
    none = np.zeros(0)
    return PlaceLabels((), none, none, none, np.zeros((0, 4)), np.zeros(0, dtype=np.int64))


def _sorted(labels: PlaceLabels) -> PlaceLabels:
    order = np.lexsort((-labels.area, labels.tier))
    return PlaceLabels(
        tuple(labels.text[i] for i in order),
        labels.lon[order],
        labels.lat[order],
        labels.area[order],
        labels.reach[order],
        labels.tier[order],
    )


def _chord_reach(shapes: np.ndarray, x: np.ndarray, y: np.ndarray, vertical: bool) -> np.ndarray:
    """``(n, 2)``: distance from each point to its shape's edge along a horizontal (or
    vertical) line, backwards then forwards, in the shapes' units (the chord through the point)."""
    bounds = shapely.bounds(shapes)
    if vertical:
        ends = np.stack([np.c_[x, bounds[:, 1] - 1], np.c_[x, bounds[:, 3] + 1]], axis=1)
    else:
        ends = np.stack([np.c_[bounds[:, 0] - 1, y], np.c_[bounds[:, 2] + 1, y]], axis=1)
    cuts = shapely.intersection(shapes, shapely.linestrings(ends))
    parts, owner = shapely.get_parts(cuts, return_index=True)
    pb = shapely.bounds(parts)
    at = (y if vertical else x)[owner]
    lo, hi = (pb[:, 1], pb[:, 3]) if vertical else (pb[:, 0], pb[:, 2])
    # The piece of the chord the point lies on (the point is inside, so one piece holds it).
    holds = (lo <= at + 1e-6) & (hi >= at - 1e-6)
    out = np.zeros((len(shapes), 2))
    back = np.where(holds, at - lo, 0.0)
    forth = np.where(holds, hi - at, 0.0)
    np.maximum.at(out[:, 0], owner, back)
    np.maximum.at(out[:, 1], owner, forth)
    return out


def area_labels(
    geometries: Sequence[Any] | np.ndarray, names: Sequence[object], *, tier: int = TIER_AREA
) -> PlaceLabels:
    """A label per (multi)polygon, at its pole of inaccessibility.

    Parameters
    ----------
    geometries
        Polygons or multipolygons in EPSG:4326 (a multipolygon's label goes in the part that
        holds the largest inscribed circle).
    names
        The name of each shape (shown through :func:`display_name`).
    tier
        :data:`TIER_AREA` or :data:`TIER_WARD`.

    Returns
    -------
    PlaceLabels
        In placing order; shapes that are empty or missing get no label.
    """
    geoms = np.asarray(geometries, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0)
    geoms = geoms[keep.astype(bool)]
    texts = [display_name(n) for n, k in zip(names, keep, strict=True) if k]
    if not len(geoms):
        return empty()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        # Polygons only (a repaired ring never becomes a stray line or point).
        geoms[invalid] = shapely.make_valid(
            geoms[invalid], method="structure", keep_collapsed=False
        )
    metric = _project(geoms, settings.CRS_STORE, settings.CRS_METRIC)
    # Found to within a hundredth of the shape's larger side (a few pixels at the zoom that
    # shows the whole shape; GEOS's default, a thousandth, took three times as long).
    b = shapely.bounds(metric)
    tolerance = np.maximum(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 100, 1.0)
    circles = shapely.maximum_inscribed_circle(metric, tolerance)
    poles = shapely.get_coordinates(shapely.get_point(circles, 0))
    lon, lat = _transformer(settings.CRS_METRIC, settings.CRS_STORE).transform(*poles.T)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    # The chords in Web Mercator, whose axes are the screen's.
    mercator = shapely.transform(
        geoms, lambda xy: np.column_stack(web_mercator(xy[:, 0], xy[:, 1]))
    )
    x, y = web_mercator(lon, lat)
    reach = np.hstack(
        [_chord_reach(mercator, x, y, vertical=False), _chord_reach(mercator, x, y, vertical=True)]
    )
    labels = PlaceLabels(
        tuple(texts),
        lon,
        lat,
        shapely.area(metric),
        reach,
        np.full(len(texts), tier, dtype=np.int64),
    )
    return _sorted(labels)


def grouped_labels(
    frame: gpd.GeoDataFrame, code: str, name: str, *, tier: int = TIER_AREA
) -> PlaceLabels:
    """A label per group of shapes (e.g. the LSOAs of each ward), at the pole of the group's
    union.

    The LSOAs of a ward or local authority tile it without overlaps, so each group's union is a
    coverage union (:func:`shapely.coverage_union_all`), several times faster than a general
    one.

    Parameters
    ----------
    frame
        Polygons (EPSG:4326) with the ``code`` and ``name`` columns.
    code, name
        The group's code and name columns.
    tier
        :data:`TIER_AREA` or :data:`TIER_WARD`.

    Returns
    -------
    PlaceLabels
    """
    known = frame[frame[code].notna() & frame.geometry.notna()]
    if not len(known):
        return empty()
    codes = known[code].astype(str).to_numpy()
    order = np.argsort(codes, kind="stable")
    _, starts = np.unique(codes[order], return_index=True)
    ends = [*starts[1:].tolist(), len(order)]
    geoms = np.asarray(known.geometry.values, dtype=object)[order]
    names = known[name].astype(str).to_numpy()[order]
    unions = [shapely.coverage_union_all(geoms[s:e]) for s, e in zip(starts, ends, strict=True)]
    return area_labels(unions, names[starts].tolist(), tier=tier)


def concat(*parts: PlaceLabels) -> PlaceLabels:
    """Several sets of labels as one, in placing order."""
    if not parts:
        return empty()
    return _sorted(
        PlaceLabels(
            tuple(t for p in parts for t in p.text),
            np.concatenate([p.lon for p in parts]),
            np.concatenate([p.lat for p in parts]),
            np.concatenate([p.area for p in parts]),
            np.concatenate([p.reach for p in parts]),
            np.concatenate([p.tier for p in parts]),
        )
    )


def lsoa_map_labels(lsoas: gpd.GeoDataFrame) -> PlaceLabels:
    """The names over an area's LSOA map: its local authorities (the part of each in the
    area), then its wards.

    Parameters
    ----------
    lsoas
        The area's LSOAs (EPSG:4326); the names used are those of the columns present among
        ``lad24cd``/``lad24nm`` and ``ward24cd``/``ward24nm``.

    Returns
    -------
    PlaceLabels
    """
    parts = []
    if {"lad24cd", "lad24nm"} <= set(lsoas.columns):
        parts.append(grouped_labels(lsoas, "lad24cd", "lad24nm", tier=TIER_AREA))
    if {"ward24cd", "ward24nm"} <= set(lsoas.columns):
        parts.append(grouped_labels(lsoas, "ward24cd", "ward24nm", tier=TIER_WARD))
    return concat(*parts)


def place_boxes(boxes: np.ndarray | Sequence[Sequence[float]], gap: float = 0.0) -> list[int]:
    """Which labels are shown: in the order given (the placing order), each box that overlaps
    none already placed (with ``gap`` between them) is placed, and any other is hidden.

    ``canvas.js`` applies the same rule in the browser at every zoom, to the names' pixel boxes.

    Parameters
    ----------
    boxes
        ``(n, 4)``: ``x0, y0, x1, y1`` of each label, in placing order.
    gap
        Space kept between two labels.

    Returns
    -------
    list of int
        Indices of the placed labels, in order.
    """
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    placed: list[int] = []
    for i in range(len(b)):
        if placed:
            p = b[placed]
            overlaps = (
                (b[i, 0] < p[:, 2] + gap)
                & (p[:, 0] < b[i, 2] + gap)
                & (b[i, 1] < p[:, 3] + gap)
                & (p[:, 1] < b[i, 3] + gap)
            )
            if overlaps.any():
                continue
        placed.append(i)
    return placed


#: The unit of the reaches sent (metres): a pixel at zoom 14 is about 10 Web Mercator metres.
_REACH_UNIT: Final = 10


def payload(labels: PlaceLabels) -> dict[str, Any]:
    """What the label layer sends, compactly (an ICB's 286 names in about 9 kB).

    Names as one newline-separated string; points in EPSG:4326 as a Google polyline (latitude,
    longitude at five decimals, about a metre); the reaches (left, right, down, up) in whole
    units of ten Web Mercator metres, rounded down, as a polyline of precision 0; the number of
    names of each tier (they come in tier order), and each tier's minimum zoom.

    Returns
    -------
    dict
    """
    texts = [_CONTROL.sub(" ", t) for t in labels.text]
    at = np.column_stack([labels.lat, labels.lon]).tolist()
    units = np.floor(labels.reach / _REACH_UNIT).astype(np.int64).reshape(-1, 2).tolist()
    tiers = np.bincount(labels.tier, minlength=TIER_WARD + 1) if len(labels) else [0, 0]
    return {
        "text": "\n".join(texts),
        "at": polyline.encode([(a, b) for a, b in at], 5),
        "reach": polyline.encode([(a, b) for a, b in units], 0),
        "unit": _REACH_UNIT,
        "tiers": [int(t) for t in tiers],
        "minZoom": {str(TIER_WARD): WARD_MIN_ZOOM},
    }


def names_frame(labels: PlaceLabels) -> pd.DataFrame:
    """The labels as a table (text, lon, lat, area, tier), for scripts and tests."""
    return pd.DataFrame(
        {
            "text": list(labels.text),
            "lon": labels.lon,
            "lat": labels.lat,
            "area": labels.area,
            "tier": labels.tier,
        }
    )
