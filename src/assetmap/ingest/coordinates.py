"""Coordinates as people write them -> numbers: blanks and "NULL"s, decimal commas, thousands,
degree signs, N/S/E/W and degrees-minutes-seconds; the British National Grid's extent and the
transform from WGS84 to it."""

from __future__ import annotations

import math
import re
from typing import Final

import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings

# British National Grid extent (metres): anything outside is not a grid reference in GB.
_GRID_MAX_E: Final = 700_000.0
_GRID_MIN: Final = 1_000.0
_GRID_MAX_N: Final = 1_300_000.0

# Values people write for "nothing here" in a location cell: treated as blank so a row can fall
# back to its postcode rather than be reported for a non-numeric "NULL".
_NULL_TOKENS: Final = frozenset({"", "na", "n/a", "null", "none", "nan", "-", "#n/a", "nil", "--"})

_TO_BNG = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)


def _blank(values: np.ndarray) -> np.ndarray:
    folded = map(str.casefold, map(str.strip, values))
    return np.fromiter(map(_NULL_TOKENS.__contains__, folded), dtype=bool, count=len(values))


_DMS: Final = re.compile(
    r"([NSEW])?\s*(\d+(?:\.\d+)?)\s*[°d:\s]\s*(\d+(?:\.\d+)?)?\s*['m:\u2032\s]?\s*"
    r"(\d+(?:\.\d+)?)?\s*(?:\"|''|s|\u2033)?\s*([NSEW])?",
    re.IGNORECASE,
)
_PLAIN: Final = re.compile(
    r"([NSEW])?\s*([+-]?\d*(?:[.,]\d+)?|[+-]?\d+[.,]?)\s*°?\s*([NSEW])?", re.I
)


def _parse_one(text: str, grid: bool) -> float:
    """A coordinate written by hand: comma decimals, thousands, degree signs, N/S/E/W, DMS."""
    s = text.strip().replace("\u2212", "-").replace("\u00a0", " ")
    if grid:
        # Metres: thousands separators ("530,000") or a decimal comma, never letters or degrees.
        if re.fullmatch(r"[+-]?\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?", s):
            return float(re.sub(r"[, ]", "", s))
        if re.fullmatch(r"[+-]?\d+,\d+", s):
            return float(s.replace(",", "."))
        return math.nan
    plain = _PLAIN.fullmatch(s)
    if plain and plain.group(2) and re.search(r"\d", plain.group(2)):
        value = float(plain.group(2).replace(",", "."))
        hemisphere = (plain.group(1) or plain.group(3) or "").upper()
        return -abs(value) if hemisphere in ("S", "W") else value
    dms = _DMS.fullmatch(s)
    if dms:
        degrees = float(dms.group(2))
        minutes = float(dms.group(3) or 0)
        seconds = float(dms.group(4) or 0)
        if minutes < 60 and seconds < 60:
            value = degrees + minutes / 60 + seconds / 3600
            hemisphere = (dms.group(1) or dms.group(5) or "").upper()
            return -value if hemisphere in ("S", "W") else value
    return math.nan


def _parse_numbers(
    values: np.ndarray, blank: np.ndarray, grid: bool, decimal: str = "."
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from text cells: the values (NaN where blank or bad) and a mask of bad ones.

    With a decimal comma, ``52,48`` is 52.48 and ``530.000,5`` is 530000.5. Degrees are read
    with either mark whatever the file's (no latitude has thousands); in metres, the file's
    decimal mark tells ``530,000`` (530000 with a decimal point) from ``530,5``.
    """
    text = pd.Series(values, dtype=object).where(~blank, None).str.strip()
    if decimal == ",":
        if grid:
            thousands = text.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?").fillna(False)
            text = text.where(~thousands.astype(bool), text.str.replace(".", "", regex=False))
        one_comma = text.str.fullmatch(r"[+-]?\d*,\d+|[+-]?\d+,").fillna(False).astype(bool)
        text = text.where(~one_comma, text.str.replace(",", ".", regex=False))
    numbers = np.array(pd.to_numeric(text, errors="coerce"), dtype="float64")
    retry = np.flatnonzero(~blank & ~np.isfinite(numbers))
    for i in retry:  # only the few cells written unusually take the slow path
        try:
            numbers[i] = _parse_one(str(values[i]), grid)
        except (ValueError, OverflowError):
            numbers[i] = math.nan
    bad = ~blank & ~np.isfinite(numbers)
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers, bad


def _fmt(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1000 else f"{value:,.0f}"


def _grid_like(e: np.ndarray, n: np.ndarray, low: float = _GRID_MIN) -> np.ndarray:
    # Inside the grid's extent. By default also clearly metres: every English point is more than
    # 1 km from the grid's origin on both axes, so a placeholder latitude/longitude like (100, 0)
    # is not taken for a grid reference.
    with np.errstate(invalid="ignore"):
        return (e >= low) & (e <= _GRID_MAX_E) & (n >= low) & (n <= _GRID_MAX_N)
