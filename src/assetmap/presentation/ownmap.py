"""Map layers for making an own area (:mod:`assetmap.geography.ownarea`): the LSOAs picked so
far outlined as a layer of their own, and folium's Draw plugin limited to the shapes an area can
be.

The Draw plugin adds to a map that :mod:`assetmap.presentation.mapviews` built (give it a copy:
a cached map stays as built) and points its files at ``static/vendor``
(:func:`offline.localise`), so nothing is fetched from the internet; Leaflet.draw is among the
vendored packages.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

import folium
import geopandas as gpd
from folium.plugins import Draw

from assetmap import settings
from assetmap.presentation import offline

#: Outline of a picked LSOA (drawn over the measure's colours, so dark and thick).
PICKED_COLOUR: Final = "#000000"
#: Name of the picked layer in the map's layer control.
PICKED_LAYER: Final = "Picked LSOAs"
#: The shapes the Draw plugin offers: an area is a polygon (a rectangle is one).
DRAW_SHAPES: Final = ("polygon", "rectangle")
_NOT_DRAWN: Final = ("polyline", "circle", "marker", "circlemarker")


def picked_layer(lsoa_shapes: gpd.GeoDataFrame, codes: Collection[str]) -> folium.FeatureGroup:
    """The LSOAs ``codes`` outlined, as a layer of their own (not interactive, so a click goes
    through to the map and picks or unpicks the LSOA under it).

    Give it to ``st_folium(..., feature_group_to_add=...)`` rather than adding it to the map:
    streamlit-folium then redraws only this layer when the picks change, so the map keeps its
    place and zoom while the user picks.

    Parameters
    ----------
    lsoa_shapes
        LSOA polygons with ``lsoa21cd``, in any CRS (drawn in EPSG:4326).
    codes
        The picked LSOA codes (those not in ``lsoa_shapes`` are not drawn).

    Returns
    -------
    folium.FeatureGroup
        Named :data:`PICKED_LAYER`; empty when nothing is picked.
    """
    group = folium.FeatureGroup(name=PICKED_LAYER, control=False)
    picked = lsoa_shapes[lsoa_shapes["lsoa21cd"].isin(list(codes))][["lsoa21cd", "geometry"]]
    if not picked.empty:
        folium.GeoJson(
            picked.to_crs(settings.CRS_STORE),
            interactive=False,
            style_function=lambda _: {
                "color": PICKED_COLOUR,
                "weight": 3,
                "fillColor": PICKED_COLOUR,
                "fillOpacity": 0.15,
            },
        ).add_to(group)
    return group


def add_draw(m: folium.Map) -> Draw:
    """Add folium's Draw plugin to ``m`` with only :data:`DRAW_SHAPES` offered and its files
    served locally; ``st_folium(..., returned_objects=["all_drawings"])`` returns what is
    drawn as GeoJSON features (EPSG:4326)."""
    draw = Draw(
        export=False,
        position="topleft",
        draw_options={**dict.fromkeys(_NOT_DRAWN, False), "polygon": {"allowIntersection": False}},
        edit_options={"edit": False},
    )
    draw.add_to(m)
    offline.localise(m)
    return draw
