"""What the canvas layers send: Web Mercator coordinates, SVG path data and script payloads.

Maps must draw fast and weigh little (a planner's browser, a Streamlit iframe, no internet), so
polygons are not sent as GeoJSON. Each ring is projected to Web Mercator here, rounded to whole
metres and sent as SVG path data of steps from vertex to vertex; the browser's own path parser turns
each class of polygons into one canvas ``Path2D`` (see :mod:`assetmap.presentation.layers`).
Points are sent as one polyline-encoded string of whole metres. Tooltip values travel as plain
arrays of text (:func:`pack_rows`), in a payload no value can break out of (:func:`js_payload`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import shapely


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


def pack_rows(rows: Sequence[Sequence[object]]) -> list[str]:
    """Each feature's tooltip texts as one tab-separated line (the layer sends the lines as one
    newline-separated string, so the browser parses one value, not thousands).

    Control characters in a text (which never belong in a name) become spaces, so none can
    be taken for a separator.
    """
    clean = re.compile(r"[\x00-\x1f\x7f]")
    return [_UNIT_SEPARATOR.join(clean.sub(" ", str(v)) for v in row) for row in rows]
