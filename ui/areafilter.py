"""The one area filter shared by every page, kept in the URL so a copied link reopens the view.

The filter lives in the sidebar that ``app.py`` draws before running the chosen page, so its
widgets keep their state across pages. Its values are mirrored to ``st.query_params``:
``?area=icb:E54000008&families=community&types=foodbank,sports_club&need=health``. Asset
families (:data:`assetmap.data.assets.FAMILIES`) choose which types are offered; a new session
counts the community organisations.

A user's own area (:mod:`assetmap.geography.ownarea`, made on the Your own area page) is one
more level, offered once the session has one: ``?area=own:E01…,E01…&area_name=My+patch`` while
its LSOA codes fit in a link (``settings.OWN_AREA_URL_MAX_CHARS``), else ``?area=own`` and its
file is the way to share it.

A value in the URL that cannot be used (an unknown area, type, family or measure) is explained in
a notice that quotes it as plain text, cut to :data:`assetmap.presentation.text.ECHO_MAX_CHARS`
characters: a link is anyone's to write, so nothing in it is ever read as Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from assetmap import settings
from assetmap.data import dictionary
from assetmap.data.assets import ASSET_SOURCES, FAMILIES, FAMILY_COMMUNITY, family_of, family_types
from assetmap.geography import areas, ownarea
from assetmap.measures import metrics
from assetmap.presentation.text import ECHO_MAX_CHARS, cut, markdown_text
from ui import data, upload

#: Levels a user can filter to, in the order offered.
FILTER_LEVELS: tuple[str, ...] = ("england", "region", "icb", "sicbl", "lad")

#: Each need measure as the picker names it (defined once, in the data dictionary).
NEED_LABELS: dict[str, str] = {key: d.name for key, d in dictionary.DOMAINS.items()}

#: The need measure a new session starts with (the overall IMD).
DEFAULT_NEED = "imd"
#: Asset families a session counts until it chooses: community organisations.
DEFAULT_FAMILIES: tuple[str, ...] = (FAMILY_COMMUNITY,)
#: Asset types a session counts until it chooses: the open layers of the default families.
DEFAULT_TYPES: tuple[str, ...] = tuple(t for f in DEFAULT_FAMILIES for t in family_types(f))

# Widget keys. Streamlit forgets a widget's state when a page that does not draw it runs, so
# the choice is also kept under "saved_" keys and each page seeds the widgets from there.
_LEVEL_KEY = "filter_level"
_FAMILIES_KEY = "filter_families"
_TYPES_KEY = "filter_types"
_NEED_KEY = "filter_need"
#: The session's own area (an :class:`assetmap.geography.areas.Area` of level ``own``), and how
#: it was made (plain text).
_OWN_KEY = "own_area"
_OWN_NOTE_KEY = "own_area_note"


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
        """File-name-safe description of the area (``icb-E54000008``, ``own-3f2a…``)."""
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


def type_family(asset_type: str) -> str:
    """The family of an asset type (an upload's is the one its user chose)."""
    return family_of(asset_type, upload.families())


def types_by_family(types: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """The chosen types grouped by family, in :data:`FAMILIES` order."""
    grouped = {f: [t for t in types if type_family(t) == f] for f in FAMILIES}
    return {f: members for f, members in grouped.items() if members}


def _types_of(families: list[str]) -> list[str]:
    return [t for t in type_options() if type_family(t) in families]


def add_types(types: list[str]) -> None:
    """Count these types too (after an upload); takes effect on the next run."""
    saved = st.session_state.get(_saved(_TYPES_KEY), list(DEFAULT_TYPES))
    st.session_state[_saved(_TYPES_KEY)] = list(dict.fromkeys([*saved, *types]))
    families = st.session_state.get(_saved(_FAMILIES_KEY), list(DEFAULT_FAMILIES))
    added = [type_family(t) for t in types]
    st.session_state[_saved(_FAMILIES_KEY)] = [f for f in FAMILIES if f in families or f in added]


def _families_changed() -> None:
    # Choosing families counts every type of them; the types box then narrows that down.
    _save(_FAMILIES_KEY)
    st.session_state[_saved(_TYPES_KEY)] = _types_of(st.session_state[_FAMILIES_KEY])


def default_selection() -> Selection:
    """What a new session with no link shows: England, community organisations, the IMD."""
    return Selection(areas.ENGLAND, DEFAULT_TYPES, DEFAULT_NEED)


#: Longest ``?area=`` value looked up: well beyond the longest ``level:name`` (83 characters);
#: anything longer names no area.
_LONGEST_AREA_QUERY = 200


def link_notice(problem: str) -> None:
    """Say that part of the link could not be used.

    Parameters
    ----------
    problem
        What was wrong, in plain text, with any value from the URL already cut (see
        :func:`assetmap.presentation.text.cut`); it is escaped here, so it shows as written.
    """
    st.warning(
        f"The link could not be followed exactly: {markdown_text(problem.rstrip('.'))}. "
        "Showing the closest view."
    )


def quoted(value: str) -> str:
    """A value from the URL as a notice quotes it: cut to :data:`ECHO_MAX_CHARS`, in quotes."""
    return repr(cut(value))


def _url_area(raw: str) -> tuple[areas.Area | None, str]:
    """The area ``?area=`` names, or why there is none (plain text, the value quoted cut)."""
    if len(raw) <= _LONGEST_AREA_QUERY:
        try:
            return areas.resolve(raw, data.area_catalogue()), ""
        except (areas.AreaNotFoundError, areas.AmbiguousAreaError) as exc:
            if len(raw) <= ECHO_MAX_CHARS:
                # The library's words quote the value whole and list close matches.
                return None, str(exc.args[0])
    return None, f"no area matches {quoted(raw)}"


#: Most LSOA codes an ``?area=own:`` value is read for (far more than a link can carry).
_LONGEST_OWN_QUERY = 100 * settings.OWN_AREA_URL_MAX_CHARS


def _url_own_area(raw: str, name: str | None) -> tuple[areas.Area | None, str]:
    """The own area ``?area=own:…`` names, or why there is none (plain text, values cut)."""
    if raw.strip().lower() == areas.OWN or not raw.partition(":")[2].strip():
        return None, (
            "the link's own area was too large to keep in a link: open its file (the area's "
            "GeoJSON) on the Your own area page"
        )
    if len(raw) > _LONGEST_OWN_QUERY:
        return None, f"the own area in the link is longer than {_LONGEST_OWN_QUERY:,} characters"
    try:
        return ownarea.own_area(ownarea.parse_ref(raw), data.lsoa_table(), name), ""
    except ownarea.OwnAreaError as exc:
        return None, f"the own area in the link cannot be used: {exc}"


def own_area() -> areas.Area | None:
    """The session's own area, if it has made one."""
    found = st.session_state.get(_OWN_KEY)
    return found if isinstance(found, areas.Area) else None


def own_area_note() -> str:
    """How the session's own area was made (plain text), or ``""``."""
    return str(st.session_state.get(_OWN_NOTE_KEY, ""))


def set_own_area(area: areas.Area, note: str) -> None:
    """Make ``area`` the session's own area and the selection; call ``st.rerun()`` next."""
    st.session_state[_OWN_KEY] = area
    st.session_state[_OWN_NOTE_KEY] = note
    st.session_state[_saved(_LEVEL_KEY)] = areas.OWN


def clear_own_area() -> None:
    """Forget the session's own area (the selection goes back to England)."""
    st.session_state.pop(_OWN_KEY, None)
    st.session_state.pop(_OWN_NOTE_KEY, None)
    if st.session_state.get(_saved(_LEVEL_KEY)) == areas.OWN:
        st.session_state[_saved(_LEVEL_KEY)] = "england"


def _read_url() -> None:
    """Seed the widgets from the URL once per session; explain anything that cannot be used."""
    params = st.query_params
    problems = []
    level, code = "england", None
    raw_area = params.get("area")
    if raw_area and raw_area.partition(":")[0].strip().lower() == areas.OWN:
        own, problem = _url_own_area(raw_area, params.get("area_name"))
        if own is None:
            problems.append(problem)
        else:
            set_own_area(own, "from the link")
            level = areas.OWN
    elif raw_area:
        found, problem = _url_area(raw_area)
        if found is None:
            problems.append(problem)
        elif found.level in FILTER_LEVELS:
            level, code = found.level, found.code
        else:
            problems.append(f"areas of level {found.level!r} cannot be chosen here")
    families = list(DEFAULT_FAMILIES)
    raw_families = params.get("families")
    if raw_families:
        asked = [f for f in raw_families.split(",") if f]
        unknown = [f for f in asked if f not in FAMILIES]
        if unknown:
            problems.append(f"unknown asset families {quoted(', '.join(unknown))}")
        families = [f for f in FAMILIES if f in asked] or families
    types = _types_of(families)
    raw_types = params.get("types")
    if raw_types:
        asked = [t for t in raw_types.split(",") if t]
        unknown = [t for t in asked if t not in type_options()]
        uploaded = [t for t in unknown if t.startswith(upload.PREFIX)]
        others = [t for t in unknown if t not in uploaded]
        if uploaded:
            problems.append(
                f"the link counts uploaded asset types ({quoted(', '.join(uploaded))}), but this "
                "browser has no such upload kept: an upload is kept only for the browser that "
                f"made it, for at most {settings.UPLOAD_KEEP_MINUTES} minutes, and not once "
                "removed: give the file again on the Upload page"
            )
        if others:
            problems.append(f"unknown asset types {quoted(', '.join(others))}")
        known = [t for t in asked if t in type_options()]
        if known:
            types = known
            if not raw_families:  # a link with types only: their families
                families = [f for f in FAMILIES if f in {type_family(t) for t in known}]
            else:
                families = [f for f in FAMILIES if f in families or f in map(type_family, known)]
    need = params.get("need", DEFAULT_NEED)
    if need not in metrics.NEED_MEASURES:
        problems.append(f"unknown deprivation measure {quoted(need)}")
        need = DEFAULT_NEED
    st.session_state[_saved(_LEVEL_KEY)] = level
    if code is not None:
        st.session_state[_saved(_area_key(level))] = code
    st.session_state[_saved(_FAMILIES_KEY)] = families
    st.session_state[_saved(_TYPES_KEY)] = types
    st.session_state[_saved(_NEED_KEY)] = need
    st.session_state["filter_url_problems"] = problems


def set_area(area: areas.Area) -> None:
    """Point the filter at an area (e.g. after a click on the map); call ``st.rerun()`` next."""
    if area.level == areas.OWN:
        set_own_area(area, own_area_note() if area == own_area() else "")
        return
    st.session_state[_saved(_LEVEL_KEY)] = area.level
    if area.level != "england":
        st.session_state[_saved(_area_key(area.level))] = area.code


def _url_value(area: areas.Area) -> str:
    """``?area=`` for an area: its reference, or ``own`` for an own area too large for a link."""
    if area.level == "england":
        return "england"
    if area.level == areas.OWN and not ownarea.url_fits(area):
        return areas.OWN
    return area.ref


def sidebar() -> Selection:
    """Draw the filter in the sidebar and return the selection (also written to the URL)."""
    if "filter_seeded" not in st.session_state:
        _read_url()
        st.session_state["filter_seeded"] = True
    cat = data.area_catalogue()
    with st.sidebar:
        st.header("Area")
        own = own_area()
        levels = (*FILTER_LEVELS, areas.OWN) if own else FILTER_LEVELS
        if st.session_state.get(_saved(_LEVEL_KEY)) not in levels:
            st.session_state[_saved(_LEVEL_KEY)] = "england"
        _seed(_LEVEL_KEY)
        level = st.selectbox(
            "Geography level",
            levels,
            format_func=lambda k: areas.level(k).label,
            key=_LEVEL_KEY,
            on_change=_save,
            args=(_LEVEL_KEY,),
            help="Your own area (LSOAs picked, a shape drawn or a boundary file) is made on the "
            "Your own area page.",
        )
        area = areas.ENGLAND
        if level == areas.OWN and own is not None:
            area = own
            n = len(own.lsoas)
            st.caption(
                f"**{markdown_text(own.name)}**: {n:,} LSOA{'s' if n != 1 else ''}, counted by "
                "where their residence point lies."
            )
        elif level != "england":
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
        _seed(_FAMILIES_KEY)
        families: list[str] = st.multiselect(
            "Asset families",
            list(FAMILIES),
            format_func=lambda k: FAMILIES[k].label,
            key=_FAMILIES_KEY,
            on_change=_families_changed,
            help="Each family is reported on its own: "
            + " ".join(f"{f.label}: {f.description}" for f in FAMILIES.values()),
        )
        choices = _types_of(families) if families else type_options()
        saved = st.session_state.get(_saved(_TYPES_KEY))
        if saved is not None:  # an upload removed, or a family dropped, since: drop its types
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
    for key in (_LEVEL_KEY, _area_key(level), _FAMILIES_KEY, _TYPES_KEY, _NEED_KEY):
        _save(key)
    chosen = tuple(types) if types else tuple(choices if families else DEFAULT_TYPES)
    st.query_params.update(
        {
            "area": _url_value(area),
            "families": ",".join(types_by_family(chosen)),
            "types": ",".join(chosen),
            "need": need,
        }
    )
    if area.level == areas.OWN:
        st.query_params["area_name"] = area.name
    elif "area_name" in st.query_params:
        del st.query_params["area_name"]
    for problem in st.session_state.pop("filter_url_problems", []):
        link_notice(problem)
    if upload.restored() and not st.session_state.get("upload_restore_noticed"):
        st.session_state["upload_restore_noticed"] = True
        found = upload.current()
        assert found is not None
        st.info(
            f"Your upload {quoted(found.filename)} is counted again: "
            + markdown_text(upload.restored_note(found))
        )
    if not types:
        counted = ", ".join(FAMILIES[f].label.lower() for f in types_by_family(chosen))
        st.info(f"No asset type chosen: counting every type of {markdown_text(counted)}.")
    return Selection(area, chosen, need)
