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
import pandas as pd
import streamlit as st

from assetmap import settings
from assetmap.data import dictionary
from assetmap.data.assets import ASSET_SOURCES, FAMILIES
from assetmap.measures import access, candidates, scenariofile, siteplan, whatif
from assetmap.measures.near import Place
from assetmap.presentation import export, planmap
from assetmap.presentation.text import cut, markdown_text
from ui import data
from ui.areafilter import asset_label, type_family

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

    from ui.upload import SessionUpload

#: A click closes the asset nearest it when that is at most this far (metres).
CLICK_CLOSE_M = 250.0


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
    changes = bool(saved.scenario.add or saved.scenario.close)
    found = (
        siteplan.local(_run_whatif(key, scenario_json, _upload), codes)
        if after and changes
        else whatif.WhatIf(pd.DataFrame(columns=["lsoa21cd", *whatif.CHANGE_COLUMNS]), d)
    )
    walk = siteplan.walk_after(before, found) if after else before
    lads = data.layer("lad")
    labels = {k: s.label for k, s in ASSET_SOURCES.items()} | (_upload.labels if _upload else {})
    m = planmap.plan_map(
        frame,
        walk,
        found,
        _area_assets(key, types, codes, _upload),
        closed=saved.scenario.close,
        new_sites=saved.scenario.add,
        new_site_label=asset_label(saved.scenario.asset_type),
        best=best,
        distance_m=d,
        after=after,
        labels=labels,
        lad_outlines=lads[lads["lad24cd"].isin(frame["lad24cd"].unique())],
    )
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
    known = set(assets.loc[assets["asset_type"].isin(saved.types), "asset_id"])
    close = tuple(a for a in saved.scenario.close if a in known)
    unknown = [a for a in saved.scenario.close if a not in known]
    if unknown:
        problems.append(
            f"{len(unknown):,} of its assets to close are not assets of these types in the "
            f"area (the first: {cut(unknown[0], 40)!r})"
        )
    return Loaded(option, saved.scenario.asset_type, distance, placed.sites, close, tuple(problems))


# --- the page's parts -----------------------------------------------------------------------

#: What a click on the map does.
CLICK_MODES: dict[str, str] = {
    "add": "adds a new site",
    "close": "closes the nearest asset",
}
_PENDING = "plan_pending"
_URL_SEEN = "plan_url_seen"
_URL_PARAM = "scenario"
_CLOSE_WIDGET = "plan_close"
_LIST = "plan_candidate_list"
_OPENED = "plan_opened"


def _say_problems(kind: str, problems: Sequence[str], where: str) -> None:
    for problem in problems:
        getattr(st, kind)(f"{markdown_text(where)}: {markdown_text(problem)}.")


def _use(loaded: Loaded, options: dict[str, Choice]) -> None:
    """Put a checked scenario in the session and the widgets (before they are drawn)."""
    assert loaded.option is not None
    st.session_state["plan_choice"] = loaded.option
    if len(options[loaded.option].types) > 1:
        st.session_state["plan_site_type"] = loaded.asset_type
    if loaded.distance_m is not None:
        st.session_state["plan_distance"] = round(loaded.distance_m)
    set_scenario(loaded.add, loaded.close)


def apply_pending(options: dict[str, Choice]) -> None:
    """Use the scenario a file opened on the last run (see :func:`open_scenario`)."""
    loaded = st.session_state.pop(_PENDING, None)
    if isinstance(loaded, Loaded) and loaded.option in options:
        _use(loaded, options)


def read_url(
    options: dict[str, Choice],
    area_ref: str,
    codes: tuple[str, ...],
    area_name: str,
    key: data.Counting,
) -> None:
    """Use the link's ``?scenario=`` when it is new to this session; say what cannot be used."""
    raw = st.query_params.get(_URL_PARAM)
    if not raw or raw == st.session_state.get(_URL_SEEN):
        return
    st.session_state[_URL_SEEN] = raw
    where = "The scenario in the link"
    try:
        saved = scenariofile.decode_url(raw, area_ref)
    except scenariofile.ScenarioFileError as exc:
        st.warning(f"{where} could not be read, so it is left out: {markdown_text(exc)}.")
        return
    loaded = check_saved(
        saved, options, area_ref, codes, area_name, area_assets(key, key.types, codes)
    )
    if loaded.option is None:
        _say_problems("warning", loaded.problems, f"{where} is left out")
        return
    _use(loaded, options)
    _say_problems("warning", loaded.problems, where)


def write_url(saved: scenariofile.SavedScenario) -> None:
    """Keep the scenario in the link when it is small enough (else say the file keeps it)."""
    changes = bool(saved.scenario.add or saved.scenario.close)
    value = scenariofile.url_value(saved) if changes else None
    if value is not None:
        st.query_params[_URL_PARAM] = value
        st.session_state[_URL_SEEN] = value
        return
    if _URL_PARAM in st.query_params:
        del st.query_params[_URL_PARAM]
    if changes:
        st.caption(
            "The scenario is too large for the page's link: download it (Save or open) to keep "
            "or share it."
        )


def keep_closed_among(assets: pd.DataFrame) -> None:
    """Reopen closed assets that are not among ``assets`` (the types planned changed)."""
    have = closed()
    known = set(assets["asset_id"])
    kept = [a for a in have if a in known]
    if len(kept) < len(have):
        st.session_state[_CLOSED] = kept
        n = len(have) - len(kept)
        st.info(
            f"{n:,} closed asset{'s are' if n != 1 else ' is'} not of the types planned now, "
            "so open again."
        )


def asset_names(assets: pd.DataFrame) -> dict[str, str]:
    """``asset_id`` -> how the close list names it (plain text: name, type, postcode)."""
    out = {}
    for asset_id, name, kind, postcode in zip(
        assets["asset_id"], assets["name"], assets["asset_type"], assets["postcode"], strict=True
    ):
        where = f", {postcode}" if isinstance(postcode, str) and postcode else ""
        shown = cut(name, 60) if isinstance(name, str) and name.strip() else "(no name)"
        out[str(asset_id)] = f"{shown} ({asset_label(str(kind))}{where})"
    return out


def seed_close_widget(ids: Sequence[str]) -> None:
    """Give the close list the assets closed so far (a click may have closed one)."""
    known = set(ids)
    st.session_state[_CLOSE_WIDGET] = [a for a in closed() if a in known]


def close_widget_changed() -> None:
    """The close list changed: it is the closed assets now."""
    st.session_state[_CLOSED] = list(st.session_state.get(_CLOSE_WIDGET, []))


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def report_placed(placed: candidates.Candidates, what: str) -> None:
    """Say how many were placed, and each one that was not with its row and reason."""
    if placed.sites:
        st.success(f"{len(placed.sites):,} of {_count(placed.given, what)} placed in the area.")
    if len(placed.report):
        lines = [
            f"- {what.capitalize()} {row} ({markdown_text(repr(value))}): {markdown_text(reason)}"
            for row, value, reason in placed.report.head(10).itertuples(index=False)
        ]
        more = len(placed.report) - len(lines)
        tail = f"\n- … and {more:,} more (see the table)" if more > 0 else ""
        st.warning(
            f"{len(placed.report):,} of {_count(placed.given, what)} could not be placed:\n"
            + "\n".join(lines)
            + tail
        )
        if more > 0:
            st.dataframe(
                placed.report.rename(
                    columns={"row": what.capitalize(), "value": "Given", "reason": "Reason"}
                ),
                hide_index=True,
                width="stretch",
            )


def candidate_list(
    uploaded: UploadedFile | None, codes: tuple[str, ...], area_name: str
) -> candidates.Candidates | None:
    """The uploaded candidate list, placed (once per file and area), with its report shown."""
    if uploaded is None:
        st.session_state.pop(_LIST, None)
        return None
    token = (uploaded.file_id, uploaded.name, uploaded.size, hash(codes))
    kept = st.session_state.get(_LIST)
    if not (isinstance(kept, tuple) and kept[0] == token):
        try:
            with st.spinner("Placing the candidates…"):
                found: candidates.Candidates | str = candidates.read_candidates(
                    uploaded.getvalue(),
                    uploaded.name,
                    data.postcode_directory(),
                    data.lsoa_locator(),
                    codes,
                    area_name,
                )
        except candidates.CandidateError as exc:
            found = str(exc)
        kept = (token, found)
        st.session_state[_LIST] = kept
    result = kept[1]
    if isinstance(result, str):
        st.error(f"{markdown_text(uploaded.name)} cannot be read: {markdown_text(result)}")
        return None
    for note in result.notes:
        st.caption(markdown_text(note))
    report_placed(result, "row")
    if not result.sites:
        st.error(
            f"No row of {markdown_text(uploaded.name)} is a place in {markdown_text(area_name)}."
        )
    return result


def sites_table(added: Sequence[Place]) -> pd.DataFrame:
    """The new sites as a table."""
    return pd.DataFrame(
        {
            "New site": range(1, len(added) + 1),
            "Where": [p.label for p in added],
            dictionary.label("easting"): [round(p.easting) for p in added],
            dictionary.label("northing"): [round(p.northing) for p in added],
        }
    )


def open_scenario(
    opened: UploadedFile | None,
    options: dict[str, Choice],
    area_ref: str,
    codes: tuple[str, ...],
    area_name: str,
    key: data.Counting,
) -> None:
    """Read a scenario file once; when usable, use it on the next run (widgets are drawn)."""
    if opened is None:
        st.session_state.pop(_OPENED, None)
        return
    if st.session_state.get(_OPENED) == opened.file_id:
        return
    st.session_state[_OPENED] = opened.file_id
    name = markdown_text(opened.name)
    try:
        saved = scenariofile.from_json(opened.getvalue())
    except scenariofile.ScenarioFileError as exc:
        st.error(f"{name} cannot be opened: {markdown_text(exc)}.")
        return
    loaded = check_saved(
        saved, options, area_ref, codes, area_name, area_assets(key, key.types, codes)
    )
    if loaded.option is None:
        _say_problems("error", loaded.problems, f"{opened.name} cannot be used")
        return
    st.session_state[_PENDING] = loaded
    flash(
        "success",
        f"Opened {name}: {len(loaded.add):,} new sites and {len(loaded.close):,} closed assets.",
    )
    for problem in loaded.problems:
        flash("warning", f"{name}: {markdown_text(problem)}.")
    st.rerun()


def clicked(
    point: Place, mode: str, codes: tuple[str, ...], area_name: str, assets: pd.DataFrame
) -> bool:
    """Act on a click on the map; ``True`` when the scenario changed (rerun to show it)."""
    if mode == "close":
        still = assets[~assets["asset_id"].isin(closed())].reset_index(drop=True)
        at = siteplan.nearest_asset(still, point, CLICK_CLOSE_M)
        if at is None:
            st.warning(
                f"No open asset of the types planned is within {CLICK_CLOSE_M:,.0f} m of the "
                f"point clicked ({markdown_text(point.label)}): nothing closed."
            )
            return False
        row = still.iloc[at]
        close_asset(str(row["asset_id"]))
        flash(
            "success",
            f"Closed {markdown_text(asset_names(still.iloc[[at]])[str(row['asset_id'])])}.",
        )
        return True
    placed = candidates.place_sites(
        [(1, point.label, point)], data.lsoa_locator(), codes, area_name
    )
    if not placed.sites:
        reason = str(placed.report["reason"].iloc[0])
        st.warning(
            f"The point clicked ({markdown_text(point.label)}) is {markdown_text(reason)}: no "
            "site added. Click inside the area."
        )
        return False
    add_sites(placed.sites)
    flash("success", f"New site added at {markdown_text(point.label)}.")
    return True


def best_sites_section(
    key: data.Counting,
    types: tuple[str, ...],
    distance_m: float,
    codes: tuple[str, ...],
    listed: candidates.Candidates | None,
) -> tuple[tuple[str, float, float], ...]:
    """The best-sites controls and results; returns the chosen sites (for the map)."""
    st.header("Best sites")
    st.caption(
        "Where would k new sites bring the most residents of the most deprived 20% (Core20 "
        "LSOAs with none within walking distance today) within reach? This is the maximal "
        "covering location problem (Church and ReVelle 1974), solved by greedy selection: each "
        "pick adds the site that reaches the most of those residents not reached yet. Greedy "
        "selection always reaches at least 1 - 1/e (63%) of the best possible, and often all "
        "of it. It is set beside a naive rule: a site at each of the k most deprived such LSOAs."
    )
    c1, c2, c3 = st.columns([1.2, 2, 1])
    k = int(c1.slider("Sites to choose (k)", 1, 10, 5, key="plan_k"))
    sources = {"homes": "Where the area's residents live (each LSOA's residence point)"}
    if listed is not None and listed.sites:
        sources["list"] = f"Your candidate list ({len(listed.sites):,} places)"
    if st.session_state.get("plan_best_from") not in sources:
        st.session_state.pop("plan_best_from", None)
    source = c2.radio(
        "Choose among", list(sources), format_func=sources.__getitem__, key="plan_best_from"
    )
    on = c3.toggle("Find the best sites", key="plan_best_on")
    if not on:
        return ()
    given = None
    if source == "list" and listed is not None:
        given = tuple((p.label, float(p.easting), float(p.northing)) for p in listed.sites)
    with st.spinner("Choosing the best sites…"):
        best = best_sites(key, types, distance_m, codes, k, given)
    if best.demand <= 0:
        st.info(
            "No Core20 LSOA of the area is without an asset within walking distance (or the "
            "area has none): no new site would bring a Core20 resident newly within reach."
        )
        return ()
    m1, m2, m3 = st.columns(3)
    m1.metric("Core20 residents with none within reach today", f"{best.demand:,.0f}")
    m2.metric(
        f"Within reach of the {len(best.chosen):,} greedy sites",
        f"{best.covered:,.0f}",
        delta=f"{best.covered - best.naive_covered:+,.0f} against the naive rule",
        delta_color="normal",
        help="Residents of those LSOAs whose residence point is within the walking distance.",
    )
    m3.metric(
        f"Within reach of the naive rule's {len(best.naive):,} sites",
        f"{best.naive_covered:,.0f}",
    )
    names = data.lsoa_table().set_index("lsoa21cd")["lsoa21nm"]
    chosen = best.chosen.copy()
    if given is None:
        chosen.insert(2, "lsoa21nm", chosen["candidate"].map(names))
    naive = best.naive.assign(lsoa21nm=best.naive["candidate"].map(names))
    left, right = st.columns(2)
    with left:
        st.subheader("Greedy choice, pick by pick")
        shown = chosen.drop(columns=["easting", "northing"]).rename(columns=dictionary.label)
        st.dataframe(shown, hide_index=True, width="stretch")
        if len(chosen) < k:
            st.caption(f"Only {len(chosen):,} sites add anyone: the rest would reach no one new.")
    with right:
        st.subheader("Naive rule: the most deprived LSOAs with none")
        st.dataframe(
            naive[["candidate", "lsoa21nm"]].rename(columns=dictionary.label),
            hide_index=True,
            width="stretch",
        )
    d1, d2, _ = st.columns([1, 1, 2])
    d1.download_button(
        "Download the best sites (CSV)",
        data=export.to_csv_bytes(chosen.rename(columns=dictionary.label)),
        file_name=f"assetmap_best-sites_k{k}_{int(distance_m)}m.csv",
        mime="text/csv",
        key="plan_best_csv",
    )
    if d2.button("Add these sites to the scenario", key="plan_best_add"):
        n = add_sites(
            [
                Place(str(c), float(e), float(n))
                for c, e, n in zip(
                    chosen["candidate"], chosen["easting"], chosen["northing"], strict=True
                )
            ]
        )
        flash("success", f"{n:,} best sites added to the scenario.")
        st.rerun()
    return tuple(
        (str(c), float(e), float(n))
        for c, e, n in zip(chosen["candidate"], chosen["easting"], chosen["northing"], strict=True)
    )


def _highlight_core20(row: pd.Series) -> list[str]:
    deprived = int(row[dictionary.label("imd_decile")]) <= settings.CORE20_MAX_DECILE
    return ["background-color: #fde0c5; font-weight: bold" if deprived else "" for _ in row]


def show_results(found: whatif.WhatIf, outside: int) -> None:
    """Who gains and who loses, by decile; the Core20 LSOAs gaining; each LSOA's change."""
    deciles = whatif.by_decile(found)
    core = deciles["imd_decile"] <= settings.CORE20_MAX_DECILE
    st.header("Who gains, who loses")
    m = st.columns(4)
    d = f"{found.distance_m:,.0f} m"
    gain_help = (
        f"Residents of LSOAs with no asset within {d} of where they live today, and one after."
    )
    lose_help = f"Residents of LSOAs with an asset within {d} today, and none after."
    m[0].metric(
        "Residents gaining access", f"{deciles['residents_gaining'].sum():,}", help=gain_help
    )
    m[1].metric(
        "Gaining, in IMD deciles 1-2",
        f"{deciles.loc[core, 'residents_gaining'].sum():,}",
        help=gain_help + " Deciles 1-2 are the most deprived 20% of England (Core20).",
    )
    m[2].metric("Residents losing access", f"{deciles['residents_losing'].sum():,}", help=lose_help)
    m[3].metric(
        "Losing, in IMD deciles 1-2",
        f"{deciles.loc[core, 'residents_losing'].sum():,}",
        help=lose_help + " Deciles 1-2 are the most deprived 20% of England (Core20).",
    )
    st.subheader("Residents gaining or losing an asset within walking distance, by IMD decile")
    table = deciles.rename(columns=dictionary.label)
    st.dataframe(
        table.style.apply(_highlight_core20, axis=1),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        f"Deciles 1-2 (highlighted) are the most deprived 20% of England (Core20). Within "
        f"{found.distance_m:,.0f} m in a straight line of an LSOA's residence point; residents "
        "from Census 2021."
    )
    gaining = siteplan.core20_gaining(found)
    st.subheader(f"Core20 LSOAs with no asset within reach that would gain one: {len(gaining):,}")
    if len(gaining):
        cols = ["lsoa21cd", "lsoa21nm", "lad24nm", "imd_decile", "population", "walk_assets_after"]
        st.dataframe(
            gaining[cols].rename(columns=dictionary.label), hide_index=True, width="stretch"
        )
    changes = found.table.sort_values(["gap_score_change", "lsoa21cd"])
    cols = [
        "lsoa21cd", "lsoa21nm", "lad24nm", "imd_decile", "core20", "population",
        "assets_before", "assets_after", "walk_assets_before", "walk_assets_after",
        "gap_score_before", "gap_score_after", "gap_score_change", "gains_access", "loses_access",
    ]  # fmt: skip
    shown = changes[cols].rename(columns=dictionary.label)
    st.subheader(f"Change in gap score, each LSOA affected ({len(shown):,})")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            dictionary.label(c): st.column_config.NumberColumn(format="%.1f")
            for c in ("gap_score_before", "gap_score_after", "gap_score_change")
        },
    )
    st.caption(
        "Gap score = need percentile minus provision percentile (national); a negative change "
        "closes the gap. An LSOA is affected when an asset opens or closes inside it or within "
        "walking distance of where its residents live."
        + (f" {outside:,} LSOAs outside the area are affected too (not shown)." if outside else "")
    )
    st.download_button(
        "Download the affected LSOAs (CSV)",
        data=export.to_csv_bytes(shown),
        file_name=f"assetmap_whatif_{int(found.distance_m)}m.csv",
        mime="text/csv",
        key="plan_changes_csv",
    )
