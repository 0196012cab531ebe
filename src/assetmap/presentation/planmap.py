"""The "Plan a site" map: an area's LSOAs coloured by walking access before or after a
scenario (:mod:`assetmap.measures.whatif`), with the assets of its types, the new sites, the
closed assets and the best sites (:mod:`assetmap.measures.siteplan`) marked.

Drawn on the shared canvas layers (:mod:`assetmap.presentation.layers`) and served offline
(:func:`assetmap.presentation.offline.localise`), like every other map of the project. Points
are given in British National Grid metres (EPSG:27700) and drawn in EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings
from assetmap.measures import siteplan, whatif
from assetmap.measures.near import Place
from assetmap.presentation import maps, offline
from assetmap.presentation.classify import Classes
from assetmap.presentation.layers import LayerControl, Legend, PointLayer

_TO_WGS84: Final = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)

#: Map colours: walk-access bands (none within reach stands out), and the planned points.
WALK_COLOURS: Final[tuple[str, ...]] = ("#d95f02", "#c7e9c0", "#74c476", "#238b45")
NEW_SITE_COLOUR: Final = "#000000"
CLOSED_COLOUR: Final = "#9e9e9e"
BEST_SITE_COLOUR: Final = "#F0E442"
GAINS_COLOUR: Final = "#0072B2"
LOSES_COLOUR: Final = "#CC79A7"


def _lat_lon(easting: Sequence[float], northing: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _TO_WGS84.transform(
        np.asarray(easting, dtype="float64"), np.asarray(northing, dtype="float64")
    )
    return np.asarray(lat), np.asarray(lon)


def _points(
    easting: Sequence[float],
    northing: Sequence[float],
    fields: list[str],
    values: list[tuple[str, ...]],
    *,
    colour: str,
    name: str,
    kind: str,
) -> PointLayer:
    lat, lon = _lat_lon(easting, northing)
    return PointLayer(
        lat, lon, fields, values, colour=colour, name=name, tooltip_fixed=[("Type", kind)]
    )


def plan_map(
    frame: gpd.GeoDataFrame,
    walk: pd.Series,
    found: whatif.WhatIf,
    assets: pd.DataFrame,
    *,
    closed: Sequence[str],
    new_sites: Sequence[Place],
    new_site_label: str,
    best: Sequence[tuple[str, float, float]],
    distance_m: float,
    after: bool,
    labels: dict[str, str],
    lad_outlines: gpd.GeoDataFrame,
) -> folium.Map:
    """The map of a scenario, before or after.

    Parameters
    ----------
    frame
        The area's LSOAs with ``lsoa21cd``, ``lsoa21nm``, ``lad24cd``, ``imd_decile``,
        ``core20``, ``population`` and their polygons (EPSG:4326).
    walk
        ``walk_assets`` of every LSOA, before or after (:func:`siteplan.walk_after`), by code.
    found
        The what-if cut to the area (:func:`siteplan.local`); its ``gains_access`` and
        ``loses_access`` LSOAs are outlined when ``after``.
    assets
        The area's assets of the types planned (``asset_id``, ``asset_type``, ``name``,
        ``postcode``, ``lsoa21cd``, ``easting``, ``northing``).
    closed
        ``asset_id`` of the assets the scenario closes (grey; gone from the open assets when
        ``after``).
    new_sites
        The sites the scenario adds (black), numbered in order.
    new_site_label
        What a new site is, in words (its asset type's label).
    best
        The best sites chosen (yellow): ``(name, easting, northing)``.
    distance_m
        The walking distance.
    after
        Colour by access after the scenario (else before).
    labels
        Asset type -> label, for the legend and tooltips.
    lad_outlines
        Local authority polygons (EPSG:4326) to outline.
    """
    d = distance_m
    values = walk.reindex(frame["lsoa21cd"]).to_numpy()
    index = siteplan.walk_class(values)
    band_labels = [
        f"None within {d:,.0f} m" if low == 0 else f"{label} within {d:,.0f} m"
        for label, low in siteplan.WALK_BANDS
    ]
    classes = Classes(
        [float(low) for _, low in siteplan.WALK_BANDS],
        band_labels,
        list(WALK_COLOURS),
        index,
        "categories",
    )
    m = maps.base_map(frame.total_bounds)
    when = "after" if after else "before"
    tooltip = {
        "LSOA": frame["lsoa21nm"].astype(str).tolist(),
        "IMD decile": [f"{v:,}" for v in frame["imd_decile"]],
        "Residents": [f"{v:,}" for v in frame["population"]],
        f"Assets within {d:,.0f} m ({when})": [
            "no data" if pd.isna(v) else f"{int(v):,}" for v in values
        ],
    }
    maps.choropleth(
        frame,
        classes,
        key="lsoa21cd",
        tooltip=tooltip,
        keyed=["LSOA"],
        name=f"LSOAs: walking access {when}",
    ).add_to(m)
    extra: list[tuple[str, str, str]] = []
    outlines = lad_outlines
    if len(outlines):
        maps.outline(
            outlines, name="Local authority borders", colour="#595959", weight=1.0, control=False
        ).add_to(m)
        extra.append(("#595959", "Local authority borders", "thin line"))
    if frame["core20"].any():
        maps.outline(
            frame[frame["core20"]].dissolve(),
            name="Core20 (most deprived 20% nationally)",
            colour="#000000",
            weight=2.2,
        ).add_to(m)
        extra.append(("#000000", "Core20 outline (most deprived 20%)", "line"))
    if after:
        for flag, colour, words in (
            ("gains_access", GAINS_COLOUR, "Gains an asset within reach"),
            ("loses_access", LOSES_COLOUR, "Loses its last asset within reach"),
        ):
            flagged = found.table.loc[found.table[flag].astype(bool).to_numpy(), "lsoa21cd"]
            hit = frame[frame["lsoa21cd"].isin(flagged)]
            if len(hit):
                maps.outline(hit, name=words, colour=colour, weight=3.0).add_to(m)
                extra.append((colour, f"{words} ({len(hit):,})", "line"))
    shut = assets["asset_id"].isin(list(closed))
    open_assets = assets[~shut] if after else assets
    if len(open_assets):
        points = gpd.GeoDataFrame(
            open_assets,
            geometry=gpd.points_from_xy(
                open_assets["easting"], open_assets["northing"], crs=settings.CRS_METRIC
            ),
        ).to_crs(settings.CRS_STORE)
        for layer in maps.asset_layers(points, labels):
            layer.add_to(m)
        extra.extend(
            (maps.ASSET_COLOURS.get(t, "#E69F00"), labels.get(t, str(t)), "circle")
            for t in open_assets["asset_type"].unique()
        )
    gone = assets[shut]
    if len(gone):
        _points(
            gone["easting"].tolist(),
            gone["northing"].tolist(),
            ["Name", "Postcode", "LSOA"],
            [
                (str(n), str(p or ""), str(c))
                for n, p, c in zip(gone["name"], gone["postcode"], gone["lsoa21cd"], strict=True)
            ],
            colour=CLOSED_COLOUR,
            name=f"Closed in this scenario ({len(gone):,})",
            kind="Closed in this scenario",
        ).add_to(m)
        extra.append((CLOSED_COLOUR, f"Closed in this scenario ({len(gone):,})", "circle"))
    new = list(new_sites)
    if new:
        _points(
            [p.easting for p in new],
            [p.northing for p in new],
            ["Site"],
            [(f"{i}. {p.label}",) for i, p in enumerate(new, start=1)],
            colour=NEW_SITE_COLOUR,
            name=f"New sites ({len(new):,})",
            kind=f"New {new_site_label}",
        ).add_to(m)
        extra.append((NEW_SITE_COLOUR, f"New sites ({len(new):,})", "circle"))
    if best:
        _points(
            [e for _, e, _ in best],
            [n for _, _, n in best],
            ["Site"],
            [(f"{i}. {c}",) for i, (c, _, _) in enumerate(best, start=1)],
            colour=BEST_SITE_COLOUR,
            name=f"Best sites ({len(best):,})",
            kind="Best site (greedy choice)",
        ).add_to(m)
        extra.append((BEST_SITE_COLOUR, f"Best sites ({len(best):,})", "circle"))
    note = (
        f"Walking access: assets of the type within {d:,.0f} m (straight line) of where each "
        f"LSOA's residents live, {when} the scenario. Source: IoD 2025 (MHCLG, OGL); Census "
        "2021 (ONS, OGL); asset layers as on Methods page."
    )
    m.add_child(Legend(f"Walking access, {when}", classes, note, extra))
    LayerControl(collapsed=True).add_to(m)
    offline.localise(m)
    return m
