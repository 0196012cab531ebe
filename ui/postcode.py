"""Search near a postcode, in the sidebar of every page: what is within a distance of a place.

A postcode (``L4 0TH``) or a point (``53.43, -2.96``: latitude, longitude) and a distance in
metres; the search (:mod:`assetmap.measures.near`) finds the assets of each type counted within
it, the LSOAs whose residence point is within it and their residents by IMD 2025 decile, Core20
included. The search is kept in the URL (``?postcode=L4+0TH&distance=1000``, or
``?point=53.43000,-2.96000&distance=800``) and read back from it on a new session; the Map page
draws it (:func:`active`, :mod:`assetmap.presentation.nearmap`) and can set it by a click
(:func:`search_here`).

Text that cannot be searched from (an unknown postcode, one outside England, a malformed point
or distance, whatever a link holds) gives a sidebar message that quotes it as plain text, cut to
:data:`assetmap.presentation.text.ECHO_MAX_CHARS`, with the reason
(:attr:`assetmap.measures.near.PlaceError.reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
import streamlit as st

from assetmap import settings
from assetmap.measures import near
from assetmap.presentation import export
from assetmap.presentation.text import markdown_text
from ui import data, upload
from ui.areafilter import asset_label, column_label, quoted

#: The distance a new session searches within, in metres (a walk of a quarter of an hour).
DEFAULT_DISTANCE_M: Final = 1000.0
#: The smallest distance the box takes (metres); the largest is near's own limit.
MIN_DISTANCE_M: Final = 1.0
#: Longest text the box takes: a point to the millimetre fits (a postcode is at most 8).
MAX_TEXT_CHARS: Final = near.MAX_NUMBER_TEXT_CHARS

_TEXT_KEY = "near_text"
_DISTANCE_KEY = "near_distance"
_SEEDED_KEY = "near_seeded"
_PROBLEMS_KEY = "near_url_problems"
_ACTIVE_KEY = "near_active"
#: URL parameters of a search.
URL_KEYS: Final = ("postcode", "point", "distance")


def _saved(key: str) -> str:
    return f"saved_{key}"


def _save(key: str) -> None:
    if key in st.session_state:
        st.session_state[_saved(key)] = st.session_state[key]


def _seed(key: str) -> None:
    # As the area filter does: a widget forgets its value on a page that does not draw it.
    if _saved(key) in st.session_state:
        st.session_state[key] = st.session_state[_saved(key)]


@dataclass(frozen=True)
class Search:
    """A search that ran: where from, how far, what it found.

    Attributes
    ----------
    kind
        ``"postcode"`` or ``"point"``: which URL parameter holds it.
    url_value
        The place as the URL holds it (the formatted postcode, or ``latitude,longitude``).
    found
        :func:`assetmap.measures.near.nearby` of the place.
    summary
        :func:`assetmap.measures.near.summarise` of it, for ``types``.
    types
        The asset types counted (the sidebar's choice).
    """

    kind: str
    url_value: str
    found: near.Nearby
    summary: near.Summary
    types: tuple[str, ...]


def place_of_text(text: str) -> tuple[str, near.Place]:
    """The place typed: a point when the text has a comma, else a postcode.

    Returns
    -------
    tuple of str and Place
        ``"point"`` or ``"postcode"``, and the place.

    Raises
    ------
    assetmap.measures.near.PlaceError
        The text names no place that can be searched from.
    """
    if "," in text:
        return "point", near.parse_point(text)
    near.check_postcode_text(text)  # before the postcode directory is loaded
    return "postcode", near.place_of_postcode(text, data.postcode_directory())


def url_value(kind: str, place: near.Place) -> str:
    """How the URL holds a place: the formatted postcode, or ``latitude,longitude``."""
    return place.label if kind == "postcode" else near.point_text(*near.wgs84(place))


@data.shown_on_the_page
@st.cache_resource(show_spinner="Preparing the search…", max_entries=16)
def _searchable(
    types: tuple[str, ...], upload_digest: str, _upload: upload.SessionUpload | None
) -> near.Searchable:
    # Keyed by the types and the upload's digest only: the need measure changes nothing here.
    key = data.Counting(types, "imd", upload_digest)
    return near.Searchable.build(
        data.counted_points(key, _upload, geometry=False), data.residence(), data.lsoa_table()
    )


def searchable(key: data.Counting) -> near.Searchable:
    """What a search looks among for what ``key`` counts (the session's upload included);
    built once per choice of types and shared, never modified."""
    return _searchable(key.types, key.upload_digest, data.counted_upload(key))


def _read_url() -> None:
    """Seed the box and the distance from the URL, once per session; note what cannot be used.

    A value longer than the box takes is not put in it; a malformed or unknown one is, and the
    search then says why it cannot run, as it would for the same text typed.
    """
    params = st.query_params
    problems: list[str] = []
    raw_postcode, raw_point = params.get("postcode"), params.get("point")
    if raw_postcode is not None and raw_point is not None:
        problems.append("it gives both a postcode and a point: searching near the postcode")
    raw = raw_postcode if raw_postcode is not None else raw_point
    name = "postcode" if raw_postcode is not None else "point"
    if raw is not None:
        if len(raw) > MAX_TEXT_CHARS:
            problems.append(
                f"{name} {quoted(raw)} is longer than any place "
                f"({MAX_TEXT_CHARS} characters): not searched"
            )
        elif name == "point" and "," not in raw:
            reason = "not a latitude and longitude in degrees (write them as 53.43,-2.96)"
            problems.append(f"point {quoted(raw)}: {reason}")
        else:
            st.session_state[_saved(_TEXT_KEY)] = raw
    raw_distance = params.get("distance")
    if raw_distance is not None:
        try:
            distance = near.parse_distance(raw_distance)
            if distance < MIN_DISTANCE_M:
                reason = f"give a distance of at least {MIN_DISTANCE_M:,.0f} m"
                raise near.PlaceError(reason, reason)
            st.session_state[_saved(_DISTANCE_KEY)] = distance
        except near.PlaceError as exc:
            problems.append(
                f"distance {quoted(raw_distance)} m: {exc.reason}; searching within "
                f"{DEFAULT_DISTANCE_M:,.0f} m"
            )
    st.session_state[_PROBLEMS_KEY] = problems


def search_here(latitude: float, longitude: float) -> None:
    """Search near a point (a click on the map); call ``st.rerun()`` next."""
    st.session_state[_saved(_TEXT_KEY)] = near.point_text(latitude, longitude)


def active() -> Search | None:
    """The search this run of the page made (:func:`sidebar` runs first), if any."""
    found = st.session_state.get(_ACTIVE_KEY)
    return found if isinstance(found, Search) else None


def _write_url(search: Search | None, distance: float) -> None:
    for name in URL_KEYS:
        if name in st.query_params and (search is None or name not in (search.kind, "distance")):
            del st.query_params[name]
    if search is not None:
        st.query_params.update({search.kind: search.url_value, "distance": f"{distance:g}"})


def sidebar(key: data.Counting) -> Search | None:
    """Draw the search box in the sidebar and, when it names a place, the search's results.

    Parameters
    ----------
    key
        What the page counts (:func:`ui.data.counting`): the asset types searched for.

    Returns
    -------
    Search or None
        The search, also kept for the page (:func:`active`); ``None`` when the box is empty
        or its text names no place.
    """
    st.session_state.pop(_ACTIVE_KEY, None)
    if _SEEDED_KEY not in st.session_state:
        _read_url()
        st.session_state[_SEEDED_KEY] = True
    if _saved(_DISTANCE_KEY) not in st.session_state:
        st.session_state[_saved(_DISTANCE_KEY)] = DEFAULT_DISTANCE_M
    _seed(_TEXT_KEY)
    _seed(_DISTANCE_KEY)
    search: Search | None = None
    with st.sidebar:
        st.header("Search near a postcode")
        text = st.text_input(
            "Postcode, or a point as latitude, longitude",
            key=_TEXT_KEY,
            max_chars=MAX_TEXT_CHARS,
            placeholder="L4 0TH, or 53.43, -2.96",
            on_change=_save,
            args=(_TEXT_KEY,),
            help="An English postcode, or a point in degrees (on the Map page, a click can set "
            "it). Leave empty for no search.",
        )
        distance = float(
            st.number_input(
                "Within (metres, straight line)",
                min_value=MIN_DISTANCE_M,
                max_value=near.MAX_DISTANCE_M,
                step=100.0,
                format="%.0f",
                key=_DISTANCE_KEY,
                on_change=_save,
                args=(_DISTANCE_KEY,),
                help=f"Up to {near.MAX_DISTANCE_M:,.0f} m. Walking access elsewhere in the "
                f"dashboard uses {settings.WALK_DISTANCE_M:,.0f} m.",
            )
        )
        for problem in st.session_state.pop(_PROBLEMS_KEY, []):
            st.warning(f"The link's search could not be followed: {markdown_text(problem)}.")
        typed = (text or "").strip()
        if typed:
            try:
                kind, place = place_of_text(typed)
                found = near.nearby(place, distance, searchable(key))
            except near.PlaceError as exc:
                st.warning(
                    f"No search near {markdown_text(quoted(typed))}: {markdown_text(exc.reason)}."
                )
            else:
                search = Search(
                    kind,
                    url_value(kind, place),
                    found,
                    near.summarise(found, list(key.types)),
                    key.types,
                )
                results(search)
    _save(_TEXT_KEY)
    _save(_DISTANCE_KEY)
    _write_url(search, distance)
    if search is not None:
        st.session_state[_ACTIVE_KEY] = search
    return search


def decile_table(summary: near.Summary) -> pd.DataFrame:
    """The residents of the LSOAs within the distance by IMD 2025 decile, as shown."""
    table = summary.deciles
    return pd.DataFrame(
        {
            "IMD decile": table["imd_decile"].to_numpy(),
            "LSOAs": table["lsoa_count"].to_numpy(),
            "Residents": table["population"].to_numpy(),
        }
    )


def _context(search: Search) -> dict[str, str]:
    found = upload.current()
    vintages = data.manifest()
    return {
        "Searched near": search.summary.place.label,
        "Within (m, straight line)": f"{search.summary.distance_m:,.0f}",
        "Asset types counted": "; ".join(asset_label(t) for t in search.types),
        "Data vintages": export.data_vintages(
            search.types,
            upload=found.filename if found else None,
            built_at=str(vintages.get("built_at", "")),
        ),
        "Method": "straight-line distance in British National Grid metres; an LSOA is within "
        "it when its residence point (mean of its postcodes) is",
    }


def assets_csv(search: Search) -> pd.DataFrame:
    """The assets found, nearest first, with what the search was (the CSV download)."""
    out = search.found.assets.assign(
        asset_type=[asset_label(t) for t in search.found.assets["asset_type"]],
        distance_m=search.found.assets["distance_m"].round(1),
    ).rename(columns=column_label)
    return out.assign(**_context(search))


def lsoas_csv(search: Search) -> pd.DataFrame:
    """The LSOAs whose residents live within the distance, nearest first (the CSV download)."""
    out = search.found.lsoas.assign(distance_m=search.found.lsoas["distance_m"].round(1))
    return out.rename(columns=column_label).assign(**_context(search))


def _stem(search: Search) -> str:
    place = "".join(c for c in search.url_value if c.isalnum() or c in ".-") or "place"
    return f"assetmap_near_{place}_{search.summary.distance_m:.0f}m"


def results(search: Search) -> None:
    """What a search found, where it is called (the sidebar): the assets of each type, the
    neighbourhoods and their residents by decile, Core20 among them, and CSV downloads."""
    s = search.summary
    n_assets = int(s.assets["assets"].sum())
    lines = [
        f"- {markdown_text(asset_label(kind))}: **{count:,}**"
        + ("" if pd.isna(nearest) else f", nearest {nearest:,.0f} m")
        for kind, count, nearest in zip(
            s.assets["asset_type"].astype(str),
            s.assets["assets"].astype(int),
            s.assets["nearest_m"].astype(float),
            strict=True,
        )
    ]
    st.markdown(
        f"Within **{s.distance_m:,.0f} m** of **{markdown_text(s.place.label)}** "
        f"(straight line): **{n_assets:,}** asset{'s' if n_assets != 1 else ''} of the types "
        "counted.\n\n" + "\n".join(lines)
    )
    share = "" if s.core20_share is None else f" ({s.core20_share:.0%})"
    st.markdown(
        f"**{s.lsoa_count:,}** neighbourhood{'s' if s.lsoa_count != 1 else ''} (LSOAs) whose "
        f"residents live within it: **{s.residents:,}** residents, **{s.core20_residents:,}**"
        f"{share} in the most deprived 20% (Core20, {s.core20_lsoas:,} "
        f"LSOA{'s' if s.core20_lsoas != 1 else ''})."
    )
    st.dataframe(decile_table(s), hide_index=True, width="stretch")
    st.caption(
        "An LSOA counts by where its residents live (its residence point), not by its shape "
        "touching the circle. Decile 1 is the most deprived 10% of England (IoD 2025)."
    )
    stem = _stem(search)
    st.download_button(
        "Assets found (CSV)",
        data=lambda: export.to_csv_bytes(assets_csv(search)),
        file_name=f"{stem}_assets.csv",
        mime="text/csv",
        key="near_assets_csv",
    )
    st.download_button(
        "Neighbourhoods found (CSV)",
        data=lambda: export.to_csv_bytes(lsoas_csv(search)),
        file_name=f"{stem}_lsoas.csv",
        mime="text/csv",
        key="near_lsoas_csv",
    )
