"""Candidate sites from a user: typed postcodes, or a CSV of postcodes or coordinates.

Every row given is either placed (a :class:`~assetmap.measures.near.Place` inside the area) or
reported with its row number and the reason, never dropped: ``len(sites) + len(report)`` is the
number of rows (or postcodes) given.

A candidate file is read by :func:`assetmap.ingest.read_table` (so it is decoded, sniffed and
size-checked as an asset upload is: UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab; a
point or a comma as decimal mark), with at most :data:`MAX_CANDIDATES` rows. Its header must name
a ``postcode`` column, or ``latitude`` and ``longitude`` columns (WGS84 degrees), and may name a
``name`` column; a row with both uses its coordinates. Postcodes are placed by
:func:`assetmap.measures.near.place_of_postcode`, coordinates by
:func:`~assetmap.measures.near.place_of_point`; each place is then put in its LSOA
(:class:`assetmap.geography.spatial.LsoaLocator`, as a new site of a what-if is) and refused when
that LSOA is not one of the area's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.ingest import RawTable, UploadError, UploadLimits, read_table
from assetmap.measures.near import Place, PlaceError, place_of_point, place_of_postcode
from assetmap.measures.scenariofile import MAX_LABEL_CHARS
from assetmap.presentation.text import cut

#: Most rows one candidate file may hold (and most postcodes typed at once).
MAX_CANDIDATES: Final = 2_000
#: Column headers read as each field (compared without case, spaces, ``_`` or ``-``).
HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "postcode": ("postcode", "postalcode", "pcd", "pcds"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "name": ("name", "sitename", "candidate"),
}
#: The columns of :attr:`Candidates.report`.
REPORT_COLUMNS: Final = ("row", "value", "reason")


_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CandidateError(ValueError):
    """A candidate file that cannot be read at all; the message says why."""


@dataclass(frozen=True)
class Candidates:
    """Candidate sites placed, and the rows that could not be.

    Attributes
    ----------
    sites
        The placed sites, in the order given; each labelled by its name when the file gives one,
        else by its postcode or coordinates.
    lsoas
        The LSOA each site lies in.
    rows
        The row (file line, or position in the typed list) of each site.
    report
        One row per row not placed: ``row``, ``value`` (what was given, cut short) and
        ``reason``.
    given
        How many rows (or postcodes) were given.
    notes
        What the reader says about a file as a whole (its encoding, blank rows skipped).
    """

    sites: tuple[Place, ...]
    lsoas: tuple[str, ...]
    rows: tuple[int, ...]
    report: pd.DataFrame
    given: int
    notes: tuple[str, ...] = ()


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header).casefold()


def find_columns(columns: Sequence[str]) -> dict[str, str]:
    """Field (``postcode``, ``latitude``, ``longitude``, ``name``) -> the column that holds it."""
    found: dict[str, str] = {}
    for field, names in HEADERS.items():
        for column in columns:
            if _key(str(column)) in names:
                found[field] = str(column)
                break
    return found


def place_sites(
    places: Sequence[tuple[int, str, Place | str]],
    locator: LsoaLocator,
    inside: Collection[str],
    area_name: str,
) -> Candidates:
    """Put places in their LSOAs; those outside the area are reported.

    Parameters
    ----------
    places
        ``(row, value, place)``: the row number, what was given (for the report) and the place,
        or the reason it could not be placed (a ``str``).
    locator
        Places each point in its LSOA.
    inside
        The area's LSOA codes.
    area_name
        How the report names the area (``Hartlepool``).
    """
    report: list[tuple[int, str, str]] = [
        (row, cut(value, 60), place) for row, value, place in places if isinstance(place, str)
    ]
    found = [(row, value, p) for row, value, p in places if isinstance(p, Place)]
    codes: list[str | None] = []
    if found:
        x = np.array([p.easting for _, _, p in found], dtype="float64")
        y = np.array([p.northing for _, _, p in found], dtype="float64")
        codes = [c if isinstance(c, str) else None for c in locator.locate(x, y)["lsoa21cd"]]
    wanted = set(inside)
    sites, lsoas, rows = [], [], []
    for (row, value, place), code in zip(found, codes, strict=True):
        if code is None:
            report.append((row, cut(value, 60), "not in an English neighbourhood (LSOA)"))
        elif code not in wanted:
            report.append((row, cut(value, 60), f"outside {area_name} (in LSOA {code})"))
        else:
            sites.append(place)
            lsoas.append(code)
            rows.append(row)
    table = pd.DataFrame(sorted(report), columns=list(REPORT_COLUMNS))
    return Candidates(tuple(sites), tuple(lsoas), tuple(rows), table, len(places))


def split_postcodes(text: str) -> list[str]:
    """The postcodes in typed text: one a line, or separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[\n\r,;]+", text) if part.strip()]


def from_postcodes(
    texts: Sequence[str],
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: Collection[str],
    area_name: str,
) -> Candidates:
    """Typed postcodes as sites; ``row`` is each one's position in ``texts`` (from 1).

    Raises
    ------
    CandidateError
        More than :data:`MAX_CANDIDATES` postcodes.
    """
    if len(texts) > MAX_CANDIDATES:
        raise CandidateError(
            f"{len(texts):,} postcodes given; at most {MAX_CANDIDATES:,} can be placed at once"
        )
    places: list[tuple[int, str, Place | str]] = []
    for row, text in enumerate(texts, start=1):
        try:
            places.append((row, text, place_of_postcode(text, postcodes)))
        except PlaceError as exc:
            places.append((row, text, exc.reason))
    return place_sites(places, locator, inside, area_name)


def _clean_name(text: str) -> str:
    # Control characters (a name is shown and saved as plain text) become spaces, runs of
    # space one space.
    return " ".join(_CONTROL.sub(" ", text).split())


def _number(text: str, decimal: str) -> float:
    value = text.strip().replace("\u2212", "-")
    if decimal == ",":
        value = value.replace(",", ".")
    return float(value)


def _row_place(
    cells: pd.Series, columns: dict[str, str], decimal: str, postcodes: PostcodeDirectory
) -> tuple[str, Place | str]:
    """What a row gives (for the report) and its place, or why it has none."""
    name = _clean_name(str(cells[columns["name"]])) if "name" in columns else ""
    lat = str(cells[columns["latitude"]]).strip() if "latitude" in columns else ""
    lon = str(cells[columns["longitude"]]).strip() if "longitude" in columns else ""
    postcode = str(cells[columns["postcode"]]).strip() if "postcode" in columns else ""
    given = ", ".join(v for v in (name, postcode, lat, lon) if v) or "(blank)"
    if len(name) > MAX_LABEL_CHARS:
        return given, f"the name is longer than {MAX_LABEL_CHARS} characters"
    if lat or lon:
        if not (lat and lon):
            return given, "a latitude needs a longitude, and a longitude a latitude"
        try:
            place = place_of_point(_number(lat, decimal), _number(lon, decimal))
        except (ValueError, PlaceError):
            return given, f"({cut(lat, 20)!r}, {cut(lon, 20)!r}) is not a latitude and longitude"
    elif postcode:
        try:
            place = place_of_postcode(postcode, postcodes)
        except PlaceError as exc:
            return given, exc.reason
    else:
        return given, "no postcode, and no latitude and longitude"
    return given, dataclasses.replace(place, label=name) if name else place


def from_table(
    table: RawTable,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: Collection[str],
    area_name: str,
) -> Candidates:
    """The rows of a table read by :func:`assetmap.ingest.read_table` as sites.

    Raises
    ------
    CandidateError
        No ``postcode`` column and no ``latitude`` and ``longitude`` columns.
    """
    columns = find_columns(list(table.frame.columns))
    has_points = "latitude" in columns and "longitude" in columns
    if "postcode" not in columns and not has_points:
        heads = ", ".join(repr(cut(c, 30)) for c in list(table.frame.columns)[:8])
        raise CandidateError(
            f"{table.filename} has no 'postcode' column and no 'latitude' and 'longitude' "
            f"columns (its columns: {heads})"
        )
    if not has_points:
        columns.pop("latitude", None)
        columns.pop("longitude", None)
    reasons = [None] * len(table.frame) if table.row_reason is None else list(table.row_reason)
    details = [None] * len(table.frame) if table.row_detail is None else list(table.row_detail)
    places: list[tuple[int, str, Place | str]] = []
    for row, (_, cells), reason, detail in zip(
        table.source_row, table.frame.iterrows(), reasons, details, strict=True
    ):
        given, place = _row_place(cells, columns, table.decimal, postcodes)
        if isinstance(reason, str) and reason:
            # The reader found the row broken (more values than the header has columns).
            place = f"{reason}: {detail}" if isinstance(detail, str) and detail else reason
        places.append((int(row), given, place))
    placed = place_sites(places, locator, inside, area_name)
    return dataclasses.replace(placed, notes=tuple(table.messages))


def read_candidates(
    data: bytes,
    filename: str,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: Collection[str],
    area_name: str,
) -> Candidates:
    """A candidate file (CSV, or any table :func:`assetmap.ingest.read_table` reads) as sites.

    Raises
    ------
    CandidateError
        The file cannot be read (too big, too many rows, not a table, no location columns):
        the message says why.
    """
    limits = dataclasses.replace(UploadLimits.from_settings(), max_rows=MAX_CANDIDATES)
    try:
        table = read_table(data, filename, header=True, limits=limits)
    except UploadError as exc:
        raise CandidateError(str(exc)) from None
    return from_table(table, postcodes, locator, inside, area_name)
