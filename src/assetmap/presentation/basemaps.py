"""The opt-in background map: tiles of a named provider (xyzservices), with its attribution.

Maps draw with no internet and no basemap by default (:mod:`assetmap.presentation.offline`);
a background map is the one thing a map may fetch from another host, and only when the user
asks for it. Providers come from the ``xyzservices`` catalogue, which carries each one's URL
template, zoom range and the attribution its licence requires, so the map credits the tiles as
their provider asks.

Examples
--------
>>> from assetmap.presentation import basemaps, maps
>>> m = maps.base_map([-3.1, 53.3, -2.8, 53.5], tiles=basemaps.provider("osm"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Final

import folium
import xyzservices
import xyzservices.providers

from assetmap.presentation import offline

#: Background maps by the name the dashboard's link uses (``?basemap=osm``).
BASEMAPS: Final[dict[str, xyzservices.TileProvider]] = {
    "osm": xyzservices.providers.OpenStreetMap.Mapnik,
}

#: Shown in words wherever the choice is offered.
LABELS: Final[dict[str, str]] = {"osm": "OpenStreetMap"}


def provider(name: str | None) -> xyzservices.TileProvider | None:
    """The provider a name stands for (``None`` for no background map).

    Parameters
    ----------
    name
        A key of :data:`BASEMAPS`, or ``None``.

    Returns
    -------
    xyzservices.TileProvider or None

    Raises
    ------
    KeyError
        For a name not in :data:`BASEMAPS`.
    """
    if name is None:
        return None
    if name not in BASEMAPS:
        raise KeyError(f"unknown background map {name!r}: one of {', '.join(BASEMAPS)}")
    return BASEMAPS[name]


def tile_layer(tiles: xyzservices.TileProvider) -> folium.TileLayer:
    """A tile layer of a provider: its URL, zoom range and attribution (HTML, from the provider).

    Parameters
    ----------
    tiles
        The provider (e.g. ``xyzservices.providers.OpenStreetMap.Mapnik``).

    Returns
    -------
    folium.TileLayer
        Not in the layer control: the page's own toggle turns it on and off.
    """
    # folium reads the URL, attribution and zoom range from the provider itself.
    return folium.TileLayer(tiles=tiles, name=tiles.name, overlay=False, control=False)


def add_basemap(m: folium.Map, tiles: xyzservices.TileProvider) -> folium.Map:
    """Put a provider's tiles behind a built map, and allow them (only them) to be fetched.

    The tiles go in Leaflet's tile pane, under the canvas layers whatever the order they were
    added in. The map is then passed through :func:`~assetmap.presentation.offline.localise`
    with ``allow_tiles=True``: every other link still has to be vendored.

    Parameters
    ----------
    m
        A map (e.g. of :func:`assetmap.presentation.mapviews.lsoa_view`), changed in place.
    tiles
        The provider.

    Returns
    -------
    folium.Map
        ``m``.
    """
    tile_layer(tiles).add_to(m)
    offline.localise(m, allow_tiles=True)
    return m
