"""The pieces of the "Plan a site" page: the scenario kept in the session, the cached what-if and
best-sites runs, and the before/after map.

A scenario (the sites a user adds and the assets they close) lives in ``st.session_state`` only,
never on disk; it is saved and shared as a file or a link (:mod:`assetmap.measures.scenariofile`).
Every cached function is keyed by plain values: the :class:`ui.data.Counting`, tuples of codes
and types, and the scenario as its JSON text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from pyproj import Transformer

from assetmap import settings
from assetmap.data.assets import ASSET_SOURCES, FAMILIES
from assetmap.measures import access, scenariofile, siteplan, whatif
from assetmap.measures.near import Place
from assetmap.presentation import maps, offline
from assetmap.presentation.classify import Classes
from assetmap.presentation.layers import LayerControl, Legend, PointLayer
from ui import data
from ui.areafilter import asset_label, type_family

if TYPE_CHECKING:
    from ui.upload import SessionUpload

_TO_WGS84 = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)

#: Map colours: walk-access bands (none within reach stands out), and the planned points.
WALK_COLOURS: tuple[str, ...] = ("#d95f02", "#c7e9c0", "#74c476", "#238b45")
NEW_SITE_COLOUR = "#000000"
CLOSED_COLOUR = "#9e9e9e"
BEST_SITE_COLOUR = "#F0E442"
GAINS_COLOUR = "#0072B2"
LOSES_COLOUR = "#CC79A7"
#: A click closes the asset nearest it when that is at most this far (metres).
CLICK_CLOSE_M = 250.0

#: Headings of the what-if and best-sites columns in the tables and CSV files.
LABELS: dict[str, str] = {
    "lsoa21cd": "LSOA code (2021)",
    "lsoa21nm": "LSOA name",
    "lad24nm": "Local authority",
    "imd_decile": "IMD 2025 decile (1 = most deprived)",
    "core20": "Core20 (most deprived 20%)",
    "population": "Residents",
    "assets_before": "Assets inside, before",
    "assets_after": "Assets inside, after",
    "walk_assets_before": "Assets within walking distance, before",
    "walk_assets_after": "Assets within walking distance, after",
    "fca_per_1k_before": "2SFCA per 1,000 residents, before",
    "fca_per_1k_after": "2SFCA per 1,000 residents, after",
    "gap_score_before": "Gap score, before",
    "gap_score_after": "Gap score, after",
    "gap_score_change": "Change in gap score",
    "gains_access": "Gains an asset within walking distance",
    "loses_access": "Loses its last asset within walking distance",
    "lsoas_gaining": "LSOAs gaining",
    "residents_gaining": "Residents gaining",
    "lsoas_losing": "LSOAs losing",
    "residents_losing": "Residents losing",
    "pick": "Pick",
    "candidate": "Site",
    "easting": "Easting (BNG, m)",
    "northing": "Northing (BNG, m)",
    "gain": "Core20 residents newly within reach (marginal gain)",
    "covered": "Core20 residents within reach, cumulative",
}


@dataclass(frozen=True)
class Choice:
    """What the scenario counts: the types walking access counts and the type a new site is."""

    types: tuple[str, ...]
    asset_type: str
    label: str


def choices(types: Sequence[str]) -> dict[str, Choice]:
    """Option -> choice: each counted type, then each family with two or more counted types
    (its new sites are of the family's first counted type unless another is picked)."""
    out = {t: Choice((t,), t, asset_label(t)) for t in types}
    for family, spec in FAMILIES.items():
        members = tuple(t for t in types if type_family(t) == family)
        if len(members) >= 2:
            out[f"family:{family}"] = Choice(members, members[0], f"All {spec.label.lower()}")
    return out


# --- the scenario in the session ------------------------------------------------------------

_SITES = "plan_sites"
_CLOSED = "plan_closed"
_FOR = "plan_for"


def sites() -> list[Place]:
    """The sites added so far (this session only)."""
    found = st.session_state.setdefault(_SITES, [])
    assert isinstance(found, list)
    return found


def closed() -> list[str]:
    """The ``asset_id`` of the assets closed so far (this session only)."""
    found = st.session_state.setdefault(_CLOSED, [])
    assert isinstance(found, list)
    return found


def set_scenario(add: Sequence[Place], close: Sequence[str]) -> None:
    """Replace the scenario."""
    st.session_state[_SITES] = list(add)
    st.session_state[_CLOSED] = list(dict.fromkeys(close))


def add_sites(places: Sequence[Place]) -> int:
    """Add sites (a place already added is not added twice); returns how many were added."""
    have = sites()
    new = [p for p in places if p not in have]
    have.extend(new)
    return len(new)


def close_asset(asset_id: str) -> bool:
    """Close an asset; ``False`` when it was closed already."""
    have = closed()
    if asset_id in have:
        return False
    have.append(asset_id)
    return True


def keep_for(area_ref: str) -> bool:
    """Start a new scenario when the area changed; ``True`` when one was dropped for it."""
    dropped = st.session_state.get(_FOR) not in (None, area_ref) and bool(sites() or closed())
    if st.session_state.get(_FOR) != area_ref:
        set_scenario([], [])
        st.session_state[_FOR] = area_ref
    return dropped


# --- cached computation ---------------------------------------------------------------------


def area_assets(key: data.Counting, types: tuple[str, ...], codes: tuple[str, ...]) -> pd.DataFrame:
    """The area's assets of these types (``asset_id``, ``asset_type``, ``name``, ``postcode``,
    ``lsoa21cd``, ``easting``, ``northing``), by type and name."""
    return _area_assets(key, types, codes, data.counted_upload(key))


@st.cache_data(max_entries=32, show_spinner=False)
def _area_assets(
    key: data.Counting,
    types: tuple[str, ...],
    codes: tuple[str, ...],
    _upload: SessionUpload | None,
) -> pd.DataFrame:
    points = data.counted_points(key, _upload, geometry=False)
    rows = points[points["asset_type"].isin(types) & points["lsoa21cd"].isin(codes)]
    cols = ["asset_id", "asset_type", "name", "postcode", "lsoa21cd", "easting", "northing"]
    return rows[cols].sort_values(["asset_type", "name", "asset_id"]).reset_index(drop=True)


def walk_before(key: data.Counting, types: tuple[str, ...], distance_m: float) -> pd.Series:
    """Assets of these types within walking distance of every LSOA today (indexed by code)."""
    return _walk_before(key, types, distance_m, data.counted_upload(key))


@st.cache_data(max_entries=32, show_spinner=False)
def _walk_before(
    key: data.Counting, types: tuple[str, ...], distance_m: float, _upload: SessionUpload | None
) -> pd.Series:
    lsoas = data.lsoa_table()
    found = access.access_metrics(
        data.residence(),
        lsoas.set_index("lsoa21cd")["population"],
        data.counted_points(key, _upload, geometry=False),
        types=list(types),
        distance_m=distance_m,
    )
    return found.table["walk_assets"]


def run_whatif(key: data.Counting, saved: scenariofile.SavedScenario) -> whatif.WhatIf:
    """:func:`assetmap.measures.whatif.run` for England (cached per scenario)."""
    return _run_whatif(key, scenariofile.to_json(saved), data.counted_upload(key))


@st.cache_data(max_entries=32, show_spinner=False)
def _run_whatif(
    key: data.Counting, scenario_json: str, _upload: SessionUpload | None
) -> whatif.WhatIf:
    saved = scenariofile.from_json(scenario_json)
    return whatif.run(
        saved.scenario,
        lsoas=data.lsoa_table(),
        assets=data.counted_points(key, _upload, geometry=False),
        residence=data.residence(),
        locator=data.lsoa_locator(),
        types=list(saved.types),
        need=key.need,
        distance_m=saved.distance_m,
    )


def best_sites(
    key: data.Counting,
    types: tuple[str, ...],
    distance_m: float,
    codes: tuple[str, ...],
    k: int,
    candidates: tuple[tuple[str, float, float], ...] | None,
) -> siteplan.BestSites:
    """:func:`assetmap.measures.siteplan.best_sites` (cached per argument)."""
    return _best_sites(key, types, distance_m, codes, k, candidates, data.counted_upload(key))


@st.cache_data(max_entries=32, show_spinner=False)
def _best_sites(
    key: data.Counting,
    types: tuple[str, ...],
    distance_m: float,
    codes: tuple[str, ...],
    k: int,
    candidates: tuple[tuple[str, float, float], ...] | None,
    _upload: SessionUpload | None,
) -> siteplan.BestSites:
    given = (
        None
        if candidates is None
        else pd.DataFrame(list(candidates), columns=["candidate", "easting", "northing"])
    )
    return siteplan.best_sites(
        data.lsoa_table(),
        data.residence(),
        _walk_before(key, types, distance_m, _upload),
        list(codes),
        k,
        candidates=given,
        distance_m=distance_m,
    )


# --- the map --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class PlanMap:
    """The map and the shapes behind it (for click look-ups)."""

    map: folium.Map
    shapes: gpd.GeoDataFrame


def plan_map(
    key: data.Counting,
    codes: tuple[str, ...],
    saved: scenariofile.SavedScenario,
    after: bool,
    best: tuple[tuple[str, float, float], ...],
) -> PlanMap:
    """The area's LSOAs coloured by walking access before or after the scenario, with the
    assets of its types, the new sites, the closed assets and the best sites marked."""
    return _plan_map(key, codes, scenariofile.to_json(saved), after, best, data.counted_upload(key))


@st.cache_resource(max_entries=16, show_spinner="Drawing the map…")
def _plan_map(
    key: data.Counting,
    codes: tuple[str, ...],
    scenario_json: str,
    after: bool,
    best: tuple[tuple[str, float, float], ...],
    _upload: SessionUpload | None,
) -> PlanMap:
    saved = scenariofile.from_json(scenario_json)
    types, d = saved.types, saved.distance_m
    lsoas = data.lsoa_table()
    local = lsoas[lsoas["lsoa21cd"].isin(codes)]
    shapes = data.lsoa_shapes()
    frame = gpd.GeoDataFrame(
        local.merge(shapes, on="lsoa21cd", how="left"), geometry="geometry", crs=shapes.crs
    )
    before = _walk_before(key, types, d, _upload)
    found = siteplan.local(_run_whatif(key, scenario_json, _upload), codes)
    walk = siteplan.walk_after(before, found) if after else before
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
    lads = data.layer("lad")
    outlines = lads[lads["lad24cd"].isin(frame["lad24cd"].unique())]
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
            hit = frame[frame["lsoa21cd"].isin(found.table.loc[found.table[flag], "lsoa21cd"])]
            if len(hit):
                maps.outline(hit, name=words, colour=colour, weight=3.0).add_to(m)
                extra.append((colour, f"{words} ({len(hit):,})", "line"))
    assets = _area_assets(key, types, codes, _upload)
    shut = assets["asset_id"].isin(saved.scenario.close)
    labels = {k: s.label for k, s in ASSET_SOURCES.items()} | (_upload.labels if _upload else {})
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
            (maps.ASSET_COLOURS.get(t, "#E69F00"), labels.get(t, t), "circle")
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
    new = saved.scenario.add
    if new:
        _points(
            [p.easting for p in new],
            [p.northing for p in new],
            ["Site"],
            [(f"{i}. {p.label}",) for i, p in enumerate(new, start=1)],
            colour=NEW_SITE_COLOUR,
            name=f"New sites ({len(new):,})",
            kind=f"New {asset_label(saved.scenario.asset_type)}",
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
    return PlanMap(m, frame[["lsoa21cd", "geometry"]])


# --- messages that outlive a rerun ----------------------------------------------------------

_FLASH = "plan_flash"


def flash(kind: str, text: str) -> None:
    """Say something on the next run (after ``st.rerun()``); ``text`` is Markdown, data escaped."""
    st.session_state.setdefault(_FLASH, []).append((kind, text))


def show_flashes() -> None:
    """Show what :func:`flash` kept, once."""
    for kind, text in st.session_state.pop(_FLASH, []):
        getattr(st, kind)(text)


# --- a scenario read from a file or a link --------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A saved scenario checked against the page: what can be used, and what cannot (in words,
    plain text)."""

    option: str | None
    asset_type: str
    distance_m: float | None
    add: tuple[Place, ...]
    close: tuple[str, ...]
    problems: tuple[str, ...]


#: The walking distances the page offers (metres).
DISTANCE_RANGE: tuple[int, int] = (100, 5_000)


def check_saved(
    saved: scenariofile.SavedScenario,
    options: dict[str, Choice],
    area_ref: str,
    codes: tuple[str, ...],
    area_name: str,
    assets: pd.DataFrame,
) -> Loaded:
    """What of ``saved`` the page can use for this area and these counted types."""
    from assetmap.measures import candidates
    from assetmap.presentation.text import cut

    problems: list[str] = []
    if saved.area != area_ref:
        problems.append(
            f"it was saved for another area ({cut(saved.area, 40)!r}): choose that area in the "
            "sidebar first"
        )
        return Loaded(None, saved.scenario.asset_type, None, (), (), tuple(problems))
    option = next((k for k, c in options.items() if c.types == saved.types), None)
    if option is None:
        problems.append(
            "it counts asset types the sidebar does not count here "
            f"({cut(', '.join(saved.types), 60)!r}): add them in the sidebar"
        )
        return Loaded(None, saved.scenario.asset_type, None, (), (), tuple(problems))
    low, high = DISTANCE_RANGE
    distance: float | None = saved.distance_m
    if not low <= saved.distance_m <= high:
        problems.append(
            f"its walking distance {saved.distance_m:g} m is outside {low:,}-{high:,} m: the "
            f"distance is left at the page's"
        )
        distance = None
    placed = candidates.place_sites(
        [(i, p.label, p) for i, p in enumerate(saved.scenario.add, start=1)],
        data.lsoa_locator(),
        codes,
        area_name,
    )
    for row, value, reason in placed.report.itertuples(index=False):
        problems.append(f"new site {row} ({value!r}) is left out: {reason}")
    known = set(assets["asset_id"])
    close = tuple(a for a in saved.scenario.close if a in known)
    unknown = [a for a in saved.scenario.close if a not in known]
    if unknown:
        problems.append(
            f"{len(unknown):,} of its assets to close are not assets of these types in the "
            f"area (the first: {cut(unknown[0], 40)!r})"
        )
    return Loaded(option, saved.scenario.asset_type, distance, placed.sites, close, tuple(problems))
