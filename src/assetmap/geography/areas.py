"""The geography: LSOA -> ward / sub-ICB -> ICB / local authority -> region -> England.

Every level is built from the LSOAs (each LSOA carries the codes of every level it belongs to), so
the levels nest exactly and roll-ups of counts add up. Areas are addressed the way planners name
them: an ONS code (``E54000008``), an NHS code (``QYG``), or a name (``Cheshire and Merseyside``),
optionally with a level prefix (``icb:QYG``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from assetmap import settings


@dataclass(frozen=True)
class Level:
    """A geography level and the LSOA-table columns that carry it.

    Attributes
    ----------
    key
        Short name used in CLI arguments, URLs and file names (``icb``).
    label
        Name shown to users (``Integrated Care Board``).
    code
        Column of the ONS code (``icb24cd``).
    name
        Column of the name (``icb24nm``).
    nhs_code
        Column of the NHS ODS code, for NHS levels (``icb24cdh``).
    """

    key: str
    label: str
    code: str
    name: str
    nhs_code: str | None = None


#: Levels from the largest to the smallest. Their keys are the ``--by`` and ``level:`` values.
LEVELS: dict[str, Level] = {
    lv.key: lv
    for lv in (
        Level("england", "England", "ctry24cd", "ctry24nm"),
        Level("region", "Region", "rgn24cd", "rgn24nm"),
        Level("icb", "Integrated Care Board", "icb24cd", "icb24nm", "icb24cdh"),
        Level("sicbl", "Sub-ICB location", "sicbl24cd", "sicbl24nm", "sicbl24cdh"),
        Level("lad", "Local authority", "lad24cd", "lad24nm"),
        Level("ward", "Electoral ward", "ward24cd", "ward24nm"),
        Level("lsoa", "LSOA", "lsoa21cd", "lsoa21nm"),
    )
}

#: The key of a user's own area (:mod:`assetmap.geography.ownarea`): a set of LSOAs with a name
#: the user gives. It is not in :data:`LEVELS` (no LSOA column carries it, and it is never a
#: ``level:`` of the catalogue); :func:`level` gives its :class:`Level`.
OWN = "own"

#: An own area as a level: its code and name columns exist only where :func:`with_area_columns`
#: adds them.
OWN_LEVEL = Level(OWN, "Own area", "own_cd", "own_nm")

#: Each level's parent for "area against its parent" comparisons. An own area's is the ICB
#: holding most of its residents.
PARENT: dict[str, str] = {
    OWN: "icb",
    "sicbl": "icb",
    "icb": "region",
    "lad": "region",
    "ward": "lad",
    "lsoa": "sicbl",
    "region": "england",
}

#: Levels that get a boundary layer and a summary table in the build.
AREA_LAYERS: tuple[str, ...] = ("england", "region", "icb", "sicbl", "lad")

ENGLAND_CODE = "E92000001"


class AreaNotFoundError(LookupError):
    """No area matches; the message lists close matches."""


class AmbiguousAreaError(LookupError):
    """Several areas match; the message lists them with their level prefixes."""


@dataclass(frozen=True)
class Area:
    """A resolved area.

    Attributes
    ----------
    level
        A key of :data:`LEVELS`.
    code
        ONS code.
    name
        Official name.
    nhs_code
        NHS ODS code where the level has one.
    lsoas
        An own area's LSOA codes, sorted (empty for every other level). Its ``code`` is a short
        digest of them (:func:`assetmap.geography.ownarea.own_area`).
    """

    level: str
    code: str
    name: str
    nhs_code: str | None = None
    lsoas: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """``level:code``, the form the CLI and URLs use; ``own:<LSOA codes, comma-separated>``
        for an own area (which :func:`assetmap.geography.ownarea.own_area` reads back)."""
        if self.level == OWN:
            return f"{OWN}:{','.join(self.lsoas)}"
        return f"{self.level}:{self.code}"

    @property
    def label(self) -> str:
        """Name with level, for headings (``Local authority: Manchester``)."""
        label = level(self.level).label
        if self.level == "england" or label.casefold() in self.name.casefold():
            return self.name
        return f"{label}: {self.name}"


def level(key: str) -> Level:
    """The :class:`Level` of a key of :data:`LEVELS`, or of :data:`OWN`."""
    return OWN_LEVEL if key == OWN else LEVELS[key]


ENGLAND = Area("england", ENGLAND_CODE, "England")


def catalogue(lsoas: pd.DataFrame, levels: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every area of the given levels, with codes and names.

    Parameters
    ----------
    lsoas
        The LSOA table (it carries the code and name columns of every level).
    levels
        Level keys; defaults to all but ``lsoa``.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``code``, ``nhs_code``, ``name``, one row per area.
    """
    keys = levels or tuple(k for k in LEVELS if k != "lsoa")
    parts = []
    for key in keys:
        lv = LEVELS[key]
        cols = [lv.code, lv.name] + ([lv.nhs_code] if lv.nhs_code else [])
        part = lsoas[cols].drop_duplicates(lv.code)
        parts.append(
            pd.DataFrame(
                {
                    "level": key,
                    "code": part[lv.code].astype(str).to_numpy(),
                    "nhs_code": part[lv.nhs_code].astype(str).to_numpy() if lv.nhs_code else None,
                    "name": part[lv.name].astype(str).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _simple_name(name: str) -> str:
    # Planners say "Cheshire and Merseyside", the register says "NHS Cheshire and Merseyside
    # Integrated Care Board"; compare on the distinctive part.
    text = name.casefold().replace("&", "and")
    text = re.sub(r"^nhs\s+", "", text)
    text = re.sub(r"\s+(integrated care board|icb)$", "", text)
    return re.sub(r"\s+", " ", text).strip()


def resolve(query: str, areas: pd.DataFrame) -> Area:
    """Find one area from a code, an NHS code or a name, with an optional ``level:`` prefix.

    Matching is case-insensitive and tried in order: ONS code, NHS code, exact name, name
    without "NHS" / "Integrated Care Board", then a unique partial name.

    Parameters
    ----------
    query
        e.g. ``"icb:QYG"``, ``"E08000003"``, ``"lad:Manchester"``, ``"england"``.
    areas
        Output of :func:`catalogue`.

    Returns
    -------
    Area

    Raises
    ------
    AreaNotFoundError
        Nothing matches; the message lists up to ``settings.CLOSE_MATCHES`` close matches.
    AmbiguousAreaError
        Several areas match equally well.
    """
    text = query.strip()
    level = None
    if ":" in text:
        prefix, rest = text.split(":", 1)
        if prefix.strip().lower() not in LEVELS:
            known = ", ".join(LEVELS)
            raise AreaNotFoundError(f"unknown level {prefix!r} in {query!r}; levels are: {known}")
        level, text = prefix.strip().lower(), rest.strip()
    if text.casefold() == "england" or level == "england":
        return ENGLAND
    pool = areas if level is None else areas[areas["level"] == level]
    if pool.empty:
        raise AreaNotFoundError(f"no areas of level {level!r} are loaded")

    key = text.casefold()
    simple = _simple_name(text)
    names = pool["name"].str.casefold()
    simple_names = pool["name"].map(_simple_name)
    for mask in (
        pool["code"].str.casefold() == key,
        pool["nhs_code"].fillna("").str.casefold() == key,
        names == key,
        simple_names == simple,
        simple_names.str.contains(re.escape(simple), regex=True) if simple else names != names,
    ):
        hits = pool[mask]
        if len(hits) == 1:
            return _area(hits.iloc[0])
        if len(hits) > 1:
            # The same name at several levels (a council and its sub-ICB) needs a prefix.
            options = "; ".join(
                f"{r.level}:{r.code} ({r.name})" for r in hits.head(10).itertuples()
            )
            raise AmbiguousAreaError(
                f"{query!r} matches {len(hits)} areas; say which with a level prefix: {options}"
            )
    labels = pd.concat([pool["name"], pool["code"], pool["nhs_code"].dropna()]).astype(str)
    close = difflib.get_close_matches(text, labels.unique().tolist(), n=settings.CLOSE_MATCHES)
    hint = f" Close matches: {', '.join(close)}." if close else ""
    scope = f" at level {level!r}" if level else ""
    raise AreaNotFoundError(f"no area matches {query!r}{scope}.{hint}")


def _area(row: pd.Series) -> Area:
    nhs = row["nhs_code"]
    return Area(
        str(row["level"]),
        str(row["code"]),
        str(row["name"]),
        None if nhs is None or pd.isna(nhs) else str(nhs),
    )


def select(lsoas: pd.DataFrame, area: Area) -> pd.DataFrame:
    """The LSOAs of an area.

    Parameters
    ----------
    lsoas
        The LSOA table or any frame with the level code columns.
    area
        A resolved area.

    Returns
    -------
    pandas.DataFrame
        The rows of ``lsoas`` inside ``area`` (all rows for England).
    """
    if area.level == "england":
        return lsoas
    if area.level == OWN:
        return lsoas[lsoas["lsoa21cd"].isin(area.lsoas)]
    return lsoas[lsoas[LEVELS[area.level].code] == area.code]


def with_area_columns(lsoas: pd.DataFrame, area: Area) -> pd.DataFrame:
    """The LSOAs of an area, with its level's code and name columns.

    Every level but :data:`OWN` has them already; an own area's (``own_cd``, ``own_nm``) are
    added, so it rolls up like any other area (:func:`assetmap.measures.metrics.rollup`).
    """
    inside = select(lsoas, area)
    if area.level != OWN:
        return inside
    return inside.assign(**{OWN_LEVEL.code: area.code, OWN_LEVEL.name: area.name})


def dissolve_layer(lsoas: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Dissolve LSOAs into one polygon per area and simplify shared borders together.

    ``shapely.coverage_simplify`` simplifies each shared edge once for both neighbours, so the
    simplified layer keeps no gaps and no overlaps.

    Parameters
    ----------
    lsoas
        LSOA layer in EPSG:27700 forming a valid coverage.
    level
        A key of :data:`LEVELS` (not ``lsoa``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area: code, name (and NHS code) columns and geometry, in EPSG:27700.
    """
    lv = LEVELS[level]
    cols = [lv.code, lv.name] + ([lv.nhs_code] if lv.nhs_code else [])
    dissolved = lsoas[[*cols, "geometry"]].dissolve(by=cols, method="coverage", as_index=False)
    tolerance = settings.SIMPLIFY_TOLERANCE_M[level]
    geoms = shapely.coverage_simplify(dissolved.geometry.values, tolerance)
    return dissolved.set_geometry(geoms).sort_values(lv.code, ignore_index=True)


def parent_of(area: Area, lsoas: pd.DataFrame) -> Area | None:
    """The area one level up (sub-ICB -> ICB -> region; LA -> region; region -> England).

    An ICB is not always inside one region; its parent is the region holding most of its
    residents.

    Parameters
    ----------
    area
        Any area.
    lsoas
        The LSOA table (with ``population``).

    Returns
    -------
    Area or None
        ``None`` for England.
    """
    if area.level == "england":
        return None
    up = PARENT.get(area.level, "england")
    if up == "england":
        return ENGLAND
    return largest_within(area, up, lsoas)


def largest_within(area: Area, level_key: str, lsoas: pd.DataFrame) -> Area:
    """The area of level ``level_key`` holding most of ``area``'s residents (an ICB's largest
    local authority, the region an own area mostly lies in).

    Parameters
    ----------
    area
        Any area but England.
    level_key
        A key of :data:`LEVELS` other than ``england``.
    lsoas
        The LSOA table (with ``population`` and the level's columns).
    """
    lv = LEVELS[level_key]
    inside = select(lsoas, area)
    by_pop = inside.groupby([lv.code, lv.name])["population"].sum().sort_values(ascending=False)
    code, name = by_pop.index[0]
    nhs = None
    if lv.nhs_code:
        nhs = str(inside.loc[inside[lv.code] == code, lv.nhs_code].iloc[0])
    return Area(level_key, str(code), str(name), nhs)
