r"""What is near a place: assets of each type, and the neighbourhoods whose residents live there.

A place is a point in British National Grid metres (EPSG:27700): a postcode's grid reference
(:func:`place_of_postcode`) or a point on the map (:func:`place_of_point`). Distance is the
straight line in metres, the same measure as walking access (:mod:`assetmap.measures.access`).
For a place :math:`p` and a distance :math:`r`:

.. math::

    A(p, r) = \{ j : \lVert a_j - p \rVert \le r \}, \qquad
    N(p, r) = \{ i : \lVert c_i - p \rVert \le r \}

with :math:`a_j` an asset's point and :math:`c_i` an LSOA's residence point (the mean of its
postcodes, :func:`assetmap.measures.access.residence_points`). An LSOA counts by where its
residents live, not by its polygon touching the circle: its residents are all in or all out.

Text from a person or a link is read by :func:`check_postcode_text` (before the postcode
directory is needed), :func:`parse_point` (``"53.43,-2.96"``) and :func:`parse_distance`; what
a search finds is summed up by :func:`summarise` (assets by type, residents by decile, the Core20
residents: IMD deciles 1 to :data:`assetmap.settings.CORE20_MAX_DECILE`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings
from assetmap.geography.geocode import (
    STATUS_MALFORMED,
    STATUS_MISSING,
    STATUS_OK,
    PostcodeDirectory,
)

#: The largest distance a search takes, in metres (beyond it "near" means nothing to a planner,
#: and the lists grow to thousands of rows).
MAX_DISTANCE_M: Final = 20_000.0

#: The LSOA columns a search reports, with ``distance_m`` after them.
LSOA_COLUMNS: Final[tuple[str, ...]] = (
    "lsoa21cd",
    "lsoa21nm",
    "lad24nm",
    "imd_decile",
    "core20",
    "population",
)

#: The asset columns a search reports, with ``distance_m`` after them.
ASSET_COLUMNS: Final[tuple[str, ...]] = (
    "asset_type",
    "name",
    "postcode",
    "lsoa21cd",
    "easting",
    "northing",
)

#: Where a postcode outside England is, by the first letter of its local authority code.
_NATIONS: Final = {
    "W": "in Wales",
    "S": "in Scotland",
    "N": "in Northern Ireland",
    "L": "in the Channel Islands",
    "M": "on the Isle of Man",
}

#: The longest postcode, in characters once its spaces are removed: an outward code of up to
#: four and an inward code of three (``SW1A1AA``). Longer text is no postcode, and is refused
#: without a look-up.
MAX_POSTCODE_CHARS: Final = 7

#: Longest text :func:`parse_point` and :func:`parse_distance` read (a latitude and longitude to
#: the millimetre fit in 40 characters); longer text is refused unread.
MAX_NUMBER_TEXT_CHARS: Final = 40

_TO_BNG: Final = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)
_TO_WGS84: Final = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)
_SPACE: Final = re.compile(r"\s+")


class PlaceError(ValueError):
    """A place that cannot be searched from; the message names the value and the reason.

    Attributes
    ----------
    reason
        The reason alone, without the value (for a caller that quotes the value itself, e.g.
        cut to a length): ``"malformed postcode"``, ``"in Scotland: assetmap covers England
        only"``.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = message if reason is None else reason


@dataclass(frozen=True)
class Place:
    """A point to search from.

    Attributes
    ----------
    label
        How to name it: the formatted postcode, or the point's coordinates.
    easting, northing
        British National Grid metres.
    """

    label: str
    easting: float
    northing: float


def check_postcode_text(text: str) -> str:
    """``text`` stripped, refused when it cannot be a postcode whatever the directory holds.

    Needs no directory, so text that is empty or longer than any postcode
    (:data:`MAX_POSTCODE_CHARS` once its spaces are removed) is refused before one is loaded.

    Raises
    ------
    PlaceError
        ``reason`` ``"no postcode"`` or ``"malformed postcode"``.
    """
    compact = _SPACE.sub("", text)
    if compact and len(compact) <= MAX_POSTCODE_CHARS:
        return text.strip()
    status = STATUS_MALFORMED if compact else STATUS_MISSING
    raise PlaceError(f"{text.strip()[:20]!r}: {status}", status)


def place_of_postcode(text: str, postcodes: PostcodeDirectory) -> Place:
    """The grid reference of an English postcode.

    Raises
    ------
    PlaceError
        The text is not a postcode (:func:`check_postcode_text`), the directory does not know
        it, it has no grid reference, or it lies outside England (Wales, Scotland, Northern
        Ireland, the Channel Islands).
    """
    shown = check_postcode_text(text)[:20]
    found = postcodes.geocode(pd.Series([text])).iloc[0]
    if found["geocode_status"] != STATUS_OK:
        status = str(found["geocode_status"])
        raise PlaceError(f"{shown!r}: {status}", status)
    laua = str(found["laua"])
    if not laua.startswith("E"):
        where = f"{_NATIONS.get(laua[:1], 'outside England')}: assetmap covers England only"
        raise PlaceError(f"{found['postcode']} is {where}", where)
    return Place(str(found["postcode"]), float(found["easting"]), float(found["northing"]))


def place_of_point(latitude: float, longitude: float) -> Place:
    """A point given in WGS84 degrees (a click on the map), in grid metres.

    A point at sea or outside England is a place all the same: nothing lies near it, and
    :func:`nearby` says so with empty tables.

    Raises
    ------
    PlaceError
        The coordinates are not numbers, or not a latitude (-90 to 90) and longitude (-180 to
        180).
    """
    lat, lon = float(latitude), float(longitude)
    if not (np.isfinite(lat) and np.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise PlaceError(f"({latitude}, {longitude}) is not a latitude and longitude")
    x, y = _TO_BNG.transform(lon, lat)
    return Place(f"{lat:.5f}, {lon:.5f}", float(x), float(y))


def parse_point(text: str) -> Place:
    """The place ``"latitude,longitude"`` names (WGS84 degrees, as :func:`point_text` writes).

    Raises
    ------
    PlaceError
        The text is longer than :data:`MAX_NUMBER_TEXT_CHARS`, is not two numbers separated by
        a comma, or they are not a latitude and longitude (:func:`place_of_point`).
    """
    reason = "not a latitude and longitude in degrees (write them as 53.43,-2.96)"
    parts = text.split(",") if len(text) <= MAX_NUMBER_TEXT_CHARS else []
    try:
        lat, lon = (float(p) for p in parts)
        return place_of_point(lat, lon)
    except (ValueError, PlaceError):
        raise PlaceError(f"{text[:MAX_NUMBER_TEXT_CHARS]!r}: {reason}", reason) from None


def point_text(latitude: float, longitude: float) -> str:
    """A point as :func:`parse_point` reads it, to 5 decimal places (about a metre)."""
    return f"{float(latitude):.5f},{float(longitude):.5f}"


def wgs84(place: Place) -> tuple[float, float]:
    """The place's latitude and longitude (WGS84 degrees), to draw it on a web map."""
    lon, lat = _TO_WGS84.transform(place.easting, place.northing)
    return float(lat), float(lon)


def check_distance(distance_m: float) -> float:
    """``distance_m`` as a float, refused unless 0 < distance <= :data:`MAX_DISTANCE_M`.

    Raises
    ------
    PlaceError
        Out of range (or not a number); ``reason`` says the range.
    """
    value = float(distance_m)
    if not (0 < value <= MAX_DISTANCE_M):
        reason = f"give a distance above 0 and at most {MAX_DISTANCE_M:,.0f} m"
        raise PlaceError(f"distance {distance_m!r} m: {reason}", reason)
    return value


def parse_distance(text: str) -> float:
    """A distance in metres written as text (a link's ``distance=800``), checked as
    :func:`check_distance` does.

    Raises
    ------
    PlaceError
        The text is longer than :data:`MAX_NUMBER_TEXT_CHARS`, is not a number, or is out of
        range.
    """
    try:
        value = float(text) if len(text) <= MAX_NUMBER_TEXT_CHARS else math.nan
    except ValueError:
        value = math.nan
    if math.isnan(value):
        reason = "not a distance in metres"
        raise PlaceError(f"distance {text[:MAX_NUMBER_TEXT_CHARS]!r}: {reason}", reason)
    return check_distance(value)


@dataclass(frozen=True)
class Nearby:
    """Output of :func:`nearby`.

    Attributes
    ----------
    place
        Where the search is from.
    distance_m
        The distance :math:`r` in metres.
    assets
        Assets within it: :data:`ASSET_COLUMNS` and ``distance_m``, nearest first.
    lsoas
        LSOAs whose residence point is within it: :data:`LSOA_COLUMNS` and ``distance_m``,
        nearest first.
    """

    place: Place
    distance_m: float
    assets: pd.DataFrame
    lsoas: pd.DataFrame


@dataclass(frozen=True)
class Searchable:
    """What a search looks among, prepared once (:meth:`build`) for many searches.

    Attributes
    ----------
    assets
        The assets (:data:`ASSET_COLUMNS`), in their own order.
    asset_xy
        Their BNG coordinates, shape ``(n, 2)``.
    lsoas
        One row per LSOA (:data:`LSOA_COLUMNS`), in the order of ``lsoa_xy``.
    lsoa_xy
        Each LSOA's residence point, shape ``(m, 2)``.
    """

    assets: pd.DataFrame
    asset_xy: np.ndarray
    lsoas: pd.DataFrame
    lsoa_xy: np.ndarray

    @classmethod
    def build(
        cls, assets: pd.DataFrame, residence: pd.DataFrame, lsoas: pd.DataFrame
    ) -> Searchable:
        """From located assets (``easting``, ``northing``, :data:`ASSET_COLUMNS`; cut to the
        types of interest), every LSOA's residence point (``lsoa21cd``, ``res_easting``,
        ``res_northing``) and the LSOA table (:data:`LSOA_COLUMNS`)."""
        homes = residence[["lsoa21cd", "res_easting", "res_northing"]].merge(
            lsoas[list(LSOA_COLUMNS)], on="lsoa21cd", how="inner", validate="one_to_one"
        )
        return cls(
            assets=assets[list(ASSET_COLUMNS)].reset_index(drop=True),
            asset_xy=assets[["easting", "northing"]].to_numpy(dtype="float64"),
            lsoas=homes[list(LSOA_COLUMNS)],
            lsoa_xy=homes[["res_easting", "res_northing"]].to_numpy(dtype="float64"),
        )


def _within(xy: np.ndarray, place: Place, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    # Positions of the points within the distance and their distances, nearest first (ties by
    # position, so the order is stable).
    d = np.hypot(xy[:, 0] - place.easting, xy[:, 1] - place.northing)
    inside = np.flatnonzero(d <= distance_m)
    order = inside[np.argsort(d[inside], kind="stable")]
    return order, d[order]


def nearby(place: Place, distance_m: float, among: Searchable) -> Nearby:
    """The assets and the LSOAs within ``distance_m`` of ``place``.

    Parameters
    ----------
    place
        Where to search from.
    distance_m
        Straight-line distance in metres (see :func:`check_distance`).
    among
        The assets and LSOAs to look among (:meth:`Searchable.build`).
    """
    r = check_distance(distance_m)
    at, d = _within(among.asset_xy, place, r)
    near_assets = among.assets.iloc[at].assign(distance_m=d).reset_index(drop=True)
    at, d = _within(among.lsoa_xy, place, r)
    near_lsoas = among.lsoas.iloc[at].assign(distance_m=d).reset_index(drop=True)
    return Nearby(place, r, near_assets, near_lsoas)


def assets_by_type(found: Nearby, types: list[str]) -> pd.DataFrame:
    """How many assets of each type are within the distance (0 for a type with none).

    Returns
    -------
    pandas.DataFrame
        One row per type in ``types`` order: ``asset_type``, ``assets`` and
        ``nearest_m`` (NaN when there is none).
    """
    grouped = found.assets.groupby("asset_type")["distance_m"]
    counts = grouped.size().reindex(types, fill_value=0)
    nearest = grouped.min().reindex(types)
    return pd.DataFrame(
        {"asset_type": types, "assets": counts.to_numpy("int64"), "nearest_m": nearest.to_numpy()}
    )


def residents_by_decile(found: Nearby) -> pd.DataFrame:
    """The residents of the LSOAs within the distance, by IMD 2025 decile (1 = most deprived).

    Returns
    -------
    pandas.DataFrame
        Ten rows, ``imd_decile`` 1-10: ``lsoa_count`` and ``population`` (0 where none).
    """
    grouped = found.lsoas.groupby("imd_decile")
    return (
        pd.DataFrame({"lsoa_count": grouped.size(), "population": grouped["population"].sum()})
        .reindex(range(1, 11), fill_value=0)
        .astype("int64")
        .rename_axis("imd_decile")
        .reset_index()
    )


@dataclass(frozen=True)
class Summary:
    """Output of :func:`summarise`: what a search found, in figures.

    Attributes
    ----------
    place, distance_m
        Where the search is from and how far it looked.
    assets
        :func:`assets_by_type` of the types searched for.
    deciles
        :func:`residents_by_decile`, with ``core20`` (decile 1 to
        :data:`assetmap.settings.CORE20_MAX_DECILE`).
    lsoa_count, residents
        The LSOAs whose residence point is within the distance, and their residents (Census
        2021).
    core20_lsoas, core20_residents
        Those of them in the most deprived 20% of England (Core20).
    """

    place: Place
    distance_m: float
    assets: pd.DataFrame
    deciles: pd.DataFrame
    lsoa_count: int
    residents: int
    core20_lsoas: int
    core20_residents: int

    @property
    def core20_share(self) -> float | None:
        """Share of the residents who live in Core20 LSOAs (``None`` when there are none)."""
        return self.core20_residents / self.residents if self.residents else None


def summarise(found: Nearby, types: list[str]) -> Summary:
    """The figures of a search: assets of each of ``types``, residents by decile and Core20."""
    deciles = residents_by_decile(found)
    deciles["core20"] = deciles["imd_decile"] <= settings.CORE20_MAX_DECILE
    core20 = deciles[deciles["core20"]]
    return Summary(
        place=found.place,
        distance_m=found.distance_m,
        assets=assets_by_type(found, types),
        deciles=deciles,
        lsoa_count=len(found.lsoas),
        residents=int(deciles["population"].sum()),
        core20_lsoas=int(core20["lsoa_count"].sum()),
        core20_residents=int(core20["population"].sum()),
    )
