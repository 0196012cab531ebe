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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings
from assetmap.geography.geocode import STATUS_OK, PostcodeDirectory

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

_TO_BNG: Final = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)


class PlaceError(ValueError):
    """A place that cannot be searched from; the message names the value and the reason."""


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


def place_of_postcode(text: str, postcodes: PostcodeDirectory) -> Place:
    """The grid reference of an English postcode.

    Raises
    ------
    PlaceError
        The text is not a postcode, the directory does not know it, it has no grid reference,
        or it lies outside England (Wales, Scotland, Northern Ireland, the Channel Islands).
    """
    found = postcodes.geocode(pd.Series([text])).iloc[0]
    shown = text.strip()[:20]
    if found["geocode_status"] != STATUS_OK:
        raise PlaceError(f"{shown!r}: {found['geocode_status']}")
    laua = str(found["laua"])
    if not laua.startswith("E"):
        where = _NATIONS.get(laua[:1], "outside England")
        raise PlaceError(f"{found['postcode']} is {where}: assetmap covers England only")
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


def check_distance(distance_m: float) -> float:
    """``distance_m`` as a float, refused unless 0 < distance <= :data:`MAX_DISTANCE_M`."""
    value = float(distance_m)
    if not (0 < value <= MAX_DISTANCE_M):
        raise PlaceError(
            f"distance {distance_m!r} m: give a distance above 0 and at most "
            f"{MAX_DISTANCE_M:,.0f} m"
        )
    return value


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
