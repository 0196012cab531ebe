"""Placing rows: each located by its coordinates or its postcode, then assigned to an LSOA
(swapped latitude/longitude put back, the coast within the fallback distance, the Welsh and
Scottish borders, hints for coordinates in no LSOA)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.data.assets import (
    LOCATED_BY_GRID,
    LOCATED_BY_LATLON,
    LOCATED_BY_POSTCODE,
    REASON_NO_LSOA,
    REASON_OUTSIDE_ENGLAND,
    WARNING_POSTCODE_FAR,
)
from assetmap.geography.geocode import (
    STATUS_MALFORMED,
    STATUS_MISSING,
    STATUS_NO_GRIDREF,
    STATUS_UNKNOWN,
    PostcodeDirectory,
)
from assetmap.geography.spatial import METHOD_NEAREST, LsoaLocator
from assetmap.ingest.coordinates import _TO_BNG, _fmt, _grid_like, _parse_numbers
from assetmap.ingest.reasons import (
    REASON_GRID_AS_LATLON,
    REASON_INCOMPLETE_COORDS,
    REASON_LATLON_AS_GRID,
    REASON_NON_NUMERIC,
    REASON_OUT_OF_RANGE,
    WARNING_SWAPPED,
)
from assetmap.ingest.rows import _check_nothing, _Rows
from assetmap.ingest.words import _short

_COUNTRY_BY_PREFIX: Final = {
    "W": "Wales",
    "S": "Scotland",
    "N": "Northern Ireland",
    "L": "the Channel Islands",
    "M": "the Isle of Man",
}

# Non-English postcodes per directory, built on first need: a coordinate that is outside every
# (coast-clipped) English LSOA but within the fallback distance of one may be on the Welsh or
# Scottish side of the border, not on a pier; the nearest non-English postcode tells.
_BORDER_TREES: weakref.WeakKeyDictionary[PostcodeDirectory, tuple[Any, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
_BORDER_LOCK = threading.Lock()


def _border_tree(postcodes: PostcodeDirectory) -> tuple[Any, np.ndarray]:
    with _BORDER_LOCK:
        cached = _BORDER_TREES.get(postcodes)
        if cached is not None:
            return cached
        from scipy.spatial import cKDTree

        frame = postcodes.frame
        laua = frame["laua"]
        if isinstance(laua.dtype, pd.CategoricalDtype):
            english = np.asarray(laua.cat.categories.astype(str).str.startswith("E"), dtype=bool)
            codes = laua.cat.codes.to_numpy()
            is_english = np.where(codes >= 0, english[np.maximum(codes, 0)], True)
        else:
            is_english = laua.astype(str).str.startswith("E").to_numpy(bool)
        east = frame["easting"].to_numpy(dtype="float64")
        north = frame["northing"].to_numpy(dtype="float64")
        keep = np.flatnonzero(~is_english & np.isfinite(east) & np.isfinite(north))
        tree = cKDTree(np.column_stack([east[keep], north[keep]]))
        _BORDER_TREES[postcodes] = (tree, keep)
        return tree, keep


def _country(laua: object) -> str:
    return _COUNTRY_BY_PREFIX.get(str(laua)[:1], "outside England")


def _locate_postcodes(rows: _Rows, todo: np.ndarray, postcodes: PostcodeDirectory) -> None:
    # Every row's postcode is looked up, not only those located by it: rows placed by their
    # coordinates keep their formatted postcode, and a far-off one earns a warning.
    if rows.raw["postcode"] is None:
        return
    given = rows.text("postcode")
    geo = postcodes.geocode(pd.Series(given, dtype=object))
    rows.geo = geo
    status = geo["geocode_status"].to_numpy(dtype=object)
    for st in (STATUS_MISSING, STATUS_MALFORMED, STATUS_UNKNOWN, STATUS_NO_GRIDREF):
        rows.reject_each(
            todo & (status == st), st, lambda i: f"{status[i]} {_short(given[i], 20)!r}"
        )
    laua = geo["laua"].to_numpy(dtype=object)
    english = geo["laua"].fillna("E").astype(str).str.startswith("E").to_numpy(bool)
    formatted = geo["postcode"].to_numpy(dtype=object)
    rows.reject_each(
        todo & ~english,
        REASON_OUTSIDE_ENGLAND,
        lambda i: f"postcode {formatted[i]} is in {_country(laua[i])}",
    )
    done = todo & rows.ok
    rows.east[done] = geo["easting"].to_numpy()[done]
    rows.north[done] = geo["northing"].to_numpy()[done]
    rows.located_by[done] = LOCATED_BY_POSTCODE


def _check_pair(
    rows: _Rows, todo: np.ndarray, keys: tuple[str, str], grid: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Blank and non-numeric checks shared by both kinds of coordinates; returns the numbers."""
    first, second = keys
    a, a_bad = _parse_numbers(rows.text(first), rows.blank[first], grid=grid, decimal=rows.decimal)
    b, b_bad = _parse_numbers(
        rows.text(second), rows.blank[second], grid=grid, decimal=rows.decimal
    )
    rows.reject_each(
        todo & (rows.blank[first] | rows.blank[second]),
        REASON_INCOMPLETE_COORDS,
        lambda i: f"the {first if rows.blank[first][i] else second} is blank",
    )
    rows.reject_each(
        todo & (a_bad | b_bad),
        REASON_NON_NUMERIC,
        lambda i: (
            f"{first} {_short(rows.text(first)[i], 30)!r} is not a number"
            if a_bad[i]
            else f"{second} {_short(rows.text(second)[i], 30)!r} is not a number"
        ),
    )
    return a, b


def _locate_latlon(rows: _Rows, todo: np.ndarray) -> None:
    lat, lon = _check_pair(rows, todo, ("latitude", "longitude"), grid=False)
    with np.errstate(invalid="ignore"):
        in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    grid_like = _grid_like(lon, lat) | _grid_like(lat, lon)
    rows.reject_each(
        todo & ~in_range & grid_like,
        REASON_GRID_AS_LATLON,
        lambda i: (
            f"latitude {_fmt(lat[i])} and longitude {_fmt(lon[i])} look like British National "
            "Grid metres, not degrees: choose these columns as easting and northing"
        ),
    )
    rows.reject_each(
        todo & ~in_range,
        REASON_OUT_OF_RANGE,
        lambda i: (
            f"latitude {_fmt(lat[i])} is not between -90 and 90"
            if abs(lat[i]) > 90
            else f"longitude {_fmt(lon[i])} is not between -180 and 180"
        ),
    )
    done = todo & rows.ok
    rows.lat, rows.lon = lat, lon
    if done.any():
        rows.east[done], rows.north[done] = _TO_BNG.transform(lon[done], lat[done])
    rows.located_by[done] = LOCATED_BY_LATLON


def _locate_grid(rows: _Rows, todo: np.ndarray) -> None:
    east, north = _check_pair(rows, todo, ("easting", "northing"), grid=True)
    with np.errstate(invalid="ignore"):
        degrees = (np.abs(east) <= 180) & (np.abs(north) <= 180)
    rows.reject_each(
        todo & degrees,
        REASON_LATLON_AS_GRID,
        lambda i: (
            f"easting {_fmt(east[i])} and northing {_fmt(north[i])} look like degrees, not "
            "metres: choose these columns as longitude and latitude"
        ),
    )
    rows.reject_each(
        todo & ~_grid_like(east, north, low=0.0),
        REASON_OUT_OF_RANGE,
        lambda i: (
            f"easting {_fmt(east[i])}, northing {_fmt(north[i])} is outside the British National "
            "Grid (easting 0 to 700,000, northing 0 to 1,300,000)"
        ),
    )
    done = todo & rows.ok
    rows.east[done], rows.north[done] = east[done], north[done]
    rows.located_by[done] = LOCATED_BY_GRID


@dataclass
class _Placed:
    code: np.ndarray
    method: np.ndarray
    distance: np.ndarray


def _assign_lsoas(rows: _Rows, locator: LsoaLocator, postcodes: PostcodeDirectory) -> _Placed:
    todo = rows.ok & np.isfinite(rows.east) & np.isfinite(rows.north)
    found = locator.locate(np.where(todo, rows.east, np.nan), np.where(todo, rows.north, np.nan))
    # Copies: pandas hands out read-only views, and swapped rows are patched in place below.
    placed = _Placed(
        np.array(found["lsoa21cd"], dtype=object),
        np.array(found["lsoa_method"], dtype=object),
        np.array(found["distance_to_lsoa_m"], dtype="float64"),
    )
    missed = todo & pd.isna(placed.code)
    _swap_back(rows, missed, locator, placed)

    # No LSOA near: say what would have worked, never guess it.
    hints = _outside_hints(rows, missed, locator)
    limit_m = f"{settings.NEAREST_LSOA_MAX_M:g} m"
    given_pc = rows.text("postcode")
    rows.reject_each(
        missed & (rows.located_by == LOCATED_BY_POSTCODE),
        REASON_NO_LSOA,
        lambda i: f"no LSOA within {limit_m} of postcode {_short(given_pc[i], 20)}",
    )
    rows.reject_each(
        missed,
        REASON_OUTSIDE_ENGLAND,
        lambda i: f"no English LSOA within {limit_m} of {_where(rows, i)}{hints.get(i, '')}",
    )
    _check_border(rows, placed, postcodes)
    return placed


def _swap_back(rows: _Rows, missed: np.ndarray, locator: LsoaLocator, placed: _Placed) -> None:
    """Latitude/longitude that only make sense swapped: swap back, and say so on the row."""
    # England's latitudes (49.8-55.9) and longitudes (-6.4-1.8) do not overlap, so at most one of
    # the two readings can lie in England: the swap is a fix, not a guess.
    with np.errstate(invalid="ignore"):
        retry = np.flatnonzero(
            missed & (rows.located_by == LOCATED_BY_LATLON) & (np.abs(rows.lon) <= 90)
        )
    if not retry.size:
        return
    east, north = _TO_BNG.transform(rows.lat[retry], rows.lon[retry])
    found = locator.locate(east, north)
    for jj in np.flatnonzero(found["lsoa21cd"].notna().to_numpy(bool)):
        i, j = int(retry[jj]), int(jj)
        rows.east[i], rows.north[i] = east[j], north[j]
        placed.code[i] = found["lsoa21cd"].iat[j]
        placed.method[i] = found["lsoa_method"].iat[j]
        placed.distance[i] = found["distance_to_lsoa_m"].iat[j]
        missed[i] = False
        rows.lat[i], rows.lon[i] = rows.lon[i], rows.lat[i]
        rows.warn(
            i,
            f"{WARNING_SWAPPED}: read as latitude {_fmt(rows.lat[i])}, "
            f"longitude {_fmt(rows.lon[i])}",
        )


def _where(rows: _Rows, i: int) -> str:
    if rows.located_by[i] == LOCATED_BY_LATLON:
        return f"latitude {_fmt(rows.lat[i])}, longitude {_fmt(rows.lon[i])}"
    return f"easting {_fmt(rows.east[i])}, northing {_fmt(rows.north[i])}"


def _check_border(rows: _Rows, placed: _Placed, postcodes: PostcodeDirectory) -> None:
    """Coordinates given to the nearest LSOA across a land border are not in England."""
    near = np.flatnonzero(
        rows.ok & (placed.method == METHOD_NEAREST) & (rows.located_by != LOCATED_BY_POSTCODE)
    )
    if not near.size:
        return
    tree, keep = _border_tree(postcodes)
    dist, pos = tree.query(np.column_stack([rows.east[near], rows.north[near]]))
    codes = postcodes.frame["postcode"].to_numpy(dtype=object)
    lauas = postcodes.frame["laua"].to_numpy(dtype=object)
    for k in np.flatnonzero(dist < placed.distance[near]):
        i, p = int(near[k]), int(keep[pos[k]])
        rows.reason[i] = REASON_OUTSIDE_ENGLAND
        rows.ok[i] = False
        rows.detail[i] = (
            f"the nearest postcode, {codes[p][:-3]} {codes[p][-3:]}, is in "
            f"{_country(lauas[p])} ({dist[k]:,.0f} m away); the nearest English LSOA is "
            f"{placed.distance[i]:,.0f} m away"
        )


def _warn_far_postcodes(rows: _Rows) -> None:
    """Coordinates far from the row's own postcode are mapped, with a warning to check them."""
    if rows.geo is None:
        return
    own_e = rows.geo["easting"].to_numpy()
    own_n = rows.geo["northing"].to_numpy()
    formatted = rows.geo["postcode"].to_numpy(dtype=object)
    check = rows.ok & (rows.located_by != LOCATED_BY_POSTCODE) & np.isfinite(own_e)
    gap = np.hypot(rows.east - own_e, rows.north - own_n)
    for i in np.flatnonzero(check & (gap > settings.UPLOAD_POSTCODE_MISMATCH_M)):
        rows.warn(int(i), f"{WARNING_POSTCODE_FAR}: {gap[i] / 1000:,.1f} km from {formatted[i]}")


def _outside_hints(rows: _Rows, missed: np.ndarray, locator: LsoaLocator) -> dict[int, str]:
    """For coordinates in no LSOA: would a missing minus sign, or swapped grid values, fit?"""
    hints: dict[int, str] = {}
    with np.errstate(invalid="ignore"):
        ll = np.flatnonzero(missed & (rows.located_by == LOCATED_BY_LATLON) & (rows.lon > 0))
    if ll.size:
        east, north = _TO_BNG.transform(-rows.lon[ll], rows.lat[ll])
        fits = locator.locate(east, north)["lsoa21cd"].notna().to_numpy(bool)
        for i in ll[fits]:
            hints[int(i)] = (
                f" (with longitude {_fmt(-rows.lon[i])} it would be in England: is a minus sign, "
                "or a W, missing?)"
            )
    en = np.flatnonzero(missed & (rows.located_by == LOCATED_BY_GRID))
    if en.size:
        fits = locator.locate(rows.north[en], rows.east[en])["lsoa21cd"].notna().to_numpy(bool)
        for i in en[fits]:
            hints[int(i)] = (
                " (with easting and northing the other way round it would be in England: "
                "check the columns)"
            )
    return hints


def _place_rows(rows: _Rows, postcodes: PostcodeDirectory, locator: LsoaLocator) -> _Placed:
    """Locate each row still in by the location it gives first (latitude/longitude, else
    easting/northing, else its postcode), assign it an LSOA, and warn where its coordinates are
    far from its own postcode."""
    # Which location each row gives: coordinates first, then the postcode.
    blank = rows.blank
    has_ll = ~(blank["latitude"] & blank["longitude"])
    has_en = ~(blank["easting"] & blank["northing"]) & ~has_ll
    has_pc = ~blank["postcode"] & ~has_ll & ~has_en
    _check_nothing(rows, ~(has_ll | has_en | has_pc))
    _locate_postcodes(rows, has_pc, postcodes)
    if rows.raw["latitude"] is not None:
        _locate_latlon(rows, has_ll)
    if rows.raw["easting"] is not None:
        _locate_grid(rows, has_en)
    placed = _assign_lsoas(rows, locator, postcodes)
    _warn_far_postcodes(rows)
    return placed
