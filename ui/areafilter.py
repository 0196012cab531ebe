"""The one area filter shared by every page, kept in the URL so a copied link reopens the view.

The filter lives in the sidebar that ``app.py`` draws before running the chosen page, so its
widgets keep their state across pages. Its values are mirrored to ``st.query_params``:
``?area=icb:E54000008&types=library,sports_club&need=health``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from assetmap import areas, dictionary, metrics
from assetmap.assets import ASSET_SOURCES
from ui import data, upload

#: Levels a user can filter to, in the order offered.
FILTER_LEVELS: tuple[str, ...] = ("england", "region", "icb", "sicbl", "lad")

NEED_LABELS: dict[str, str] = {
    "imd": "Index of Multiple Deprivation (overall)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, skills and training",
    "health": "Health deprivation and disability",
    "crime": "Crime",
    "housing_services": "Barriers to housing and services",
    "environment": "Living environment",
}

#: The need measure a new session starts with (the overall IMD).
DEFAULT_NEED = "imd"
#: Asset types a session counts until it chooses: every open layer.
DEFAULT_TYPES: tuple[str, ...] = tuple(ASSET_SOURCES)

# Widget keys. Streamlit forgets a widget's state when a page that does not draw it runs, so
# the choice is also kept under "saved_" keys and each page seeds the widgets from there.
_LEVEL_KEY = "filter_level"
_TYPES_KEY = "filter_types"
_NEED_KEY = "filter_need"


def _area_key(level: str) -> str:
    return f"filter_area_{level}"


def _saved(key: str) -> str:
    return f"saved_{key}"


def _seed(key: str) -> None:
    """Give a widget its saved value before it is drawn.

    Assigning the key on every run is what keeps a widget's value across pages; a change made by
    the user is saved by the widget's ``on_change`` before this runs, so it is never undone.
    """
    if _saved(key) in st.session_state:
        st.session_state[key] = st.session_state[_saved(key)]


def _save(key: str) -> None:
    if key in st.session_state:
        st.session_state[_saved(key)] = st.session_state[key]


@dataclass(frozen=True)
class Selection:
    """What the user has chosen."""

    area: areas.Area
    types: tuple[str, ...]
    need: str

    @property
    def slug(self) -> str:
        """File-name-safe description of the area (``icb-E54000008``)."""
        return "england" if self.area.level == "england" else f"{self.area.level}-{self.area.code}"


def asset_label(asset_type: str) -> str:
    """Plural label of an asset type (open layer, or a category of this session's upload)."""
    src = ASSET_SOURCES.get(asset_type)
    return src.label if src else upload.labels().get(asset_type, asset_type)


def column_label(name: str) -> str:
    """Spelled-out heading for a column, including this session's uploaded asset types."""
    kind = name.removeprefix("assets_")
    if name.startswith("assets_") and kind in upload.labels():
        return f"{upload.labels()[kind]} (count)"
    return dictionary.label(name)


def type_options() -> list[str]:
    """Asset types this session can count: the open layers and its own upload's categories."""
    return [*ASSET_SOURCES, *upload.labels()]


def add_types(types: list[str]) -> None:
    """Count these types too (after an upload); takes effect on the next run."""
    saved = st.session_state.get(_saved(_TYPES_KEY), list(DEFAULT_TYPES))
    st.session_state[_saved(_TYPES_KEY)] = list(dict.fromkeys([*saved, *types]))


def default_selection() -> Selection:
    """What a new session with no link shows: England, every open asset layer, the IMD."""
    return Selection(areas.ENGLAND, DEFAULT_TYPES, DEFAULT_NEED)


def _read_url() -> None:
    """Seed the widgets from the URL once per session; explain anything that cannot be used."""
    params = st.query_params
    problems = []
    level, code = "england", None
    raw_area = params.get("area")
    if raw_area:
        try:
            found = areas.resolve(raw_area, data.area_catalogue())
            if found.level in FILTER_LEVELS:
                level, code = found.level, found.code
            else:
                problems.append(f"areas of level {found.level!r} cannot be chosen here")
        except (areas.AreaNotFoundError, areas.AmbiguousAreaError) as exc:
            problems.append(str(exc.args[0]))
    types = list(DEFAULT_TYPES)
    raw_types = params.get("types")
    if raw_types:
        asked = [t for t in raw_types.split(",") if t]
        unknown = [t for t in asked if t not in type_options()]
        if unknown:
            problems.append(
                f"unknown asset types {', '.join(unknown)} (an upload is only ever in the "
                "session that made it)"
            )
        types = [t for t in asked if t in type_options()] or types
    need = params.get("need", DEFAULT_NEED)
    if need not in metrics.NEED_MEASURES:
        problems.append(f"unknown deprivation measure {need!r}")
        need = DEFAULT_NEED
    st.session_state[_saved(_LEVEL_KEY)] = level
    if code is not None:
        st.session_state[_saved(_area_key(level))] = code
    st.session_state[_saved(_TYPES_KEY)] = types
    st.session_state[_saved(_NEED_KEY)] = need
    st.session_state["filter_url_problems"] = problems


def set_area(area: areas.Area) -> None:
    """Point the filter at an area (e.g. after a click on the map); call ``st.rerun()`` next."""
    st.session_state[_saved(_LEVEL_KEY)] = area.level
    if area.level != "england":
        st.session_state[_saved(_area_key(area.level))] = area.code


def sidebar() -> Selection:
    """Draw the filter in the sidebar and return the selection (also written to the URL)."""
    if "filter_seeded" not in st.session_state:
        _read_url()
        st.session_state["filter_seeded"] = True
    cat = data.area_catalogue()
    with st.sidebar:
        st.header("Area")
        _seed(_LEVEL_KEY)
        level = st.selectbox(
            "Geography level",
            FILTER_LEVELS,
            format_func=lambda k: areas.LEVELS[k].label,
            key=_LEVEL_KEY,
            on_change=_save,
            args=(_LEVEL_KEY,),
        )
        area = areas.ENGLAND
        if level != "england":
            options = cat[cat["level"] == level].sort_values("name")
            names = dict(zip(options["code"], options["name"], strict=True))
            nhs = dict(zip(options["code"], options["nhs_code"], strict=True))
            key = _area_key(level)
            _seed(key)
            if st.session_state.get(key) not in names:
                st.session_state.pop(key, None)

            def label(code: str) -> str:
                extra = f", {nhs[code]}" if nhs.get(code) else ""
                return f"{names[code]} ({code}{extra})"

            code = st.selectbox(
                f"{areas.LEVELS[level].label} (type to search by name or code)",
                list(names),
                format_func=label,
                key=key,
                on_change=_save,
                args=(key,),
            )
            row = options[options["code"] == code].iloc[0]
            area = areas.Area(level, code, str(row["name"]), nhs.get(code) or None)
        st.header("Assets")
        choices = type_options()
        saved = st.session_state.get(_saved(_TYPES_KEY))
        if saved is not None:  # an upload removed since: drop its types
            st.session_state[_saved(_TYPES_KEY)] = [t for t in saved if t in choices]
        _seed(_TYPES_KEY)
        _seed(_NEED_KEY)
        types: list[str] = st.multiselect(
            "Asset types counted",
            choices,
            format_func=asset_label,
            key=_TYPES_KEY,
            on_change=_save,
            args=(_TYPES_KEY,),
        )
        need = st.selectbox(
            "Need measured by (IoD 2025)",
            metrics.NEED_MEASURES,
            format_func=NEED_LABELS.__getitem__,
            key=_NEED_KEY,
            on_change=_save,
            args=(_NEED_KEY,),
        )
    for key in (_LEVEL_KEY, _area_key(level), _TYPES_KEY, _NEED_KEY):
        _save(key)
    chosen = tuple(types) if types else DEFAULT_TYPES
    st.query_params.update(
        {
            "area": area.ref if area.level != "england" else "england",
            "types": ",".join(chosen),
            "need": need,
        }
    )
    for problem in st.session_state.pop("filter_url_problems", []):
        st.warning(f"The link could not be followed exactly: {problem}. Showing the closest view.")
    if not types:
        st.info("No asset type chosen: counting all of them.")
    return Selection(area, chosen, need)
