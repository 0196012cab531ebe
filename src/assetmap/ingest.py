"""A planner's own asset register in: read it, find its columns, place every row or say why not.

An upload is bytes and a file name, nothing more: the name only tells which format the user meant
(and is shown in messages), it never becomes a path. The steps:

1. :func:`read_table` checks the size (:func:`check_size`, the one limit of the dashboard and the
   command line), sniffs the real format from the bytes (CSV text, an Excel ``.xlsx`` workbook or
   GeoJSON), decodes text (UTF-8 with or without a byte-order mark, UTF-16 with one or without
   one, else Windows-1252), finds the delimiter, the decimal mark and the header row (each can be
   given instead, as can a workbook's sheet, and quoting can be turned off), and returns every
   cell as text with the line (CSV) or row (workbook) it starts on. Whole-file problems raise
   :class:`UploadError` with a message meant for the user.
2. :func:`detect_columns` finds the name, postcode, coordinate, type, id and address columns from
   their headers (and, for a file without a header, a postcode column from its values). The caller
   can correct the result and pass it back.
3. :func:`ingest_table` locates each row by its coordinates (latitude/longitude or British National
   Grid easting/northing) or its postcode, assigns it to an LSOA, and reports every row it cannot
   place with a reason from :data:`REASONS`. Every data line of the file is accounted for:
   ``len(assets) + len(report) == data_lines`` always. A row that runs over several lines (a
   quoted value with a line break, or a stray quote mark that swallowed the lines after it) is one
   row; each further line it took is reported on its own, saying which row it was read into.

:func:`ingest` runs all three. Nothing here evaluates, unpickles or executes anything from the file;
text stays text (HTML is escaped where it is shown; CSV exports go through
:func:`assetmap.presentation.export.to_csv_bytes`, which neutralises formulas).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import math
import re
import threading
import unicodedata
import warnings
import weakref
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings
from assetmap.data.assets import (
    ASSET_COLUMNS,
    LOCATED_BY_GRID,
    LOCATED_BY_LATLON,
    LOCATED_BY_POSTCODE,
    REASON_DUPLICATE,
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
from assetmap.presentation.text import ECHO_MAX_CHARS

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

FORMAT_CSV: Final = "csv"
FORMAT_XLSX: Final = "xlsx"
FORMAT_GEOJSON: Final = "geojson"

#: Accepted file name endings and the format each promises.
ACCEPTED_EXTENSIONS: Final[dict[str, str]] = {
    ".csv": FORMAT_CSV,
    ".tsv": FORMAT_CSV,
    ".txt": FORMAT_CSV,
    ".xlsx": FORMAT_XLSX,
    ".xlsm": FORMAT_XLSX,
    ".geojson": FORMAT_GEOJSON,
    ".json": FORMAT_GEOJSON,
}

#: Asset type of rows without a type (or when the file has no type column).
DEFAULT_TYPE: Final = "uploaded"

#: Row-level reasons, in the order rows are checked (a row gets the first that applies).
REASON_MALFORMED_ROW: Final = "malformed row"
REASON_NOT_POINT: Final = "not a point"
REASON_BAD_GEOMETRY: Final = "invalid geometry"
REASON_TOO_LONG: Final = "value too long"
REASON_NO_NAME: Final = "empty name"
REASON_NO_LOCATION: Final = "no location"
REASON_INCOMPLETE_COORDS: Final = "incomplete coordinates"
REASON_NON_NUMERIC: Final = "non-numeric coordinates"
REASON_GRID_AS_LATLON: Final = "grid reference in latitude/longitude columns"
REASON_LATLON_AS_GRID: Final = "latitude/longitude in easting/northing columns"
REASON_OUT_OF_RANGE: Final = "coordinates out of range"
#: A line a stray (or never closed) quote mark ran into the row above it: not placed on its own.
REASON_MERGED_LINE: Final = "line merged into another row"
#: A line that continues a quoted value with a line break: its row is judged as a whole.
REASON_CONTINUED_LINE: Final = "line continues the row above"

#: Every reason a row can be reported with (postcode reasons are
#: :mod:`assetmap.geography.geocode`'s).
REASONS: Final[tuple[str, ...]] = (
    REASON_MERGED_LINE,
    REASON_CONTINUED_LINE,
    REASON_MALFORMED_ROW,
    REASON_NOT_POINT,
    REASON_BAD_GEOMETRY,
    REASON_TOO_LONG,
    REASON_NO_NAME,
    REASON_NO_LOCATION,
    STATUS_MISSING,
    STATUS_MALFORMED,
    STATUS_UNKNOWN,
    STATUS_NO_GRIDREF,
    REASON_INCOMPLETE_COORDS,
    REASON_NON_NUMERIC,
    REASON_GRID_AS_LATLON,
    REASON_LATLON_AS_GRID,
    REASON_OUT_OF_RANGE,
    REASON_OUTSIDE_ENGLAND,
    REASON_NO_LSOA,
    REASON_DUPLICATE,
)

#: Warnings on rows that were mapped but changed or doubtful (column ``warning``; the open layers
#: use :data:`assetmap.data.assets.WARNING_POSTCODE_FAR` too).
WARNING_SWAPPED: Final = "latitude and longitude were the wrong way round"
WARNING_REPEATED_ID: Final = "identifier used twice"

#: Columns of :attr:`IngestResult.assets`: the open layers' schema, which says how each row was
#: located and carries any warning.
UPLOAD_ASSET_COLUMNS: Final[list[str]] = list(ASSET_COLUMNS)
#: Columns of :attr:`IngestResult.report`: the row, what it said, why it was not mapped.
UPLOAD_REPORT_COLUMNS: Final[list[str]] = [
    "source_row",
    "name",
    "category",
    "reason",
    "detail",
    "postcode",
    "latitude",
    "longitude",
    "easting",
    "northing",
]

#: Names of the coordinate columns a GeoJSON file's Point geometries become.
GEOMETRY_LONGITUDE: Final = "geometry longitude"
GEOMETRY_LATITUDE: Final = "geometry latitude"
GEOMETRY_EASTING: Final = "geometry easting"
GEOMETRY_NORTHING: Final = "geometry northing"

# British National Grid extent (metres): anything outside is not a grid reference in GB.
_GRID_MAX_E: Final = 700_000.0
_GRID_MIN: Final = 1_000.0
_GRID_MAX_N: Final = 1_300_000.0
# Report cells longer than this are cut (with an ellipsis) so a huge value cannot flood a page.
_REPORT_CHARS: Final = 200
# Header and sniffing windows.
_TITLE_WINDOW: Final = 20
# Excel sheets: columns read beyond the widest of the first rows, and blank rows allowed for.
_XLSX_EXTRA_COLUMNS: Final = 20
_XLSX_BLANK_ROWS: Final = 10_000
_SNIFF_CHARS: Final = 65_536
_DELIMITERS: Final = (",", ";", "\t", "|")
_DELIMITER_NAMES: Final = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: Separators a user may choose (:func:`parse_delimiter` reads these words too), and decimal marks.
DELIMITERS: Final[dict[str, str]] = dict(_DELIMITER_NAMES)
DECIMALS: Final[dict[str, str]] = {".": "decimal point", ",": "decimal comma"}
# How a row spread over several lines came to be (see JoinedLines).
JOIN_LINE_BREAK: Final = "line break"
JOIN_STRAY_QUOTE: Final = "stray quote"
JOIN_UNCLOSED_QUOTE: Final = "unclosed quote"
# Values people write for "nothing here" in a location cell: treated as blank so a row can fall
# back to its postcode rather than be reported for a non-numeric "NULL".
_NULL_TOKENS: Final = frozenset({"", "na", "n/a", "null", "none", "nan", "-", "#n/a", "nil", "--"})
_POSTCODE_SHAPE: Final = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_COUNTRY_BY_PREFIX: Final = {
    "W": "Wales",
    "S": "Scotland",
    "N": "Northern Ireland",
    "L": "the Channel Islands",
    "M": "the Isle of Man",
}

_TO_BNG = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)


class UploadError(ValueError):
    """A whole-file problem; the message is written for the person who uploaded the file."""


# --------------------------------------------------------------------------------------------------
# Limits, tables, mappings, results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadLimits:
    """Caps on one upload (defaults from :mod:`assetmap.settings`, read when called).

    Attributes
    ----------
    max_bytes
        Largest file.
    max_rows
        Most data rows (or features).
    max_columns
        Most columns.
    max_cell_chars
        Longest value in a column that is used; longer ones are reported.
    max_unzipped_bytes
        Most an ``.xlsx`` may unpack to.
    max_cells
        Most values (rows x columns), whatever the file's shape.
    max_lines
        Most data lines of a text file (rows whose values hold line breaks span several).
    """

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_unzipped_bytes: int
    max_cells: int = 20_000_000
    max_lines: int = 400_000

    @classmethod
    def from_settings(cls) -> UploadLimits:
        """The limits in :mod:`assetmap.settings` now (so a changed setting applies)."""
        return cls(
            max_bytes=int(settings.UPLOAD_MAX_MB * 1024 * 1024),
            max_rows=settings.UPLOAD_MAX_ROWS,
            max_columns=settings.UPLOAD_MAX_COLUMNS,
            max_cell_chars=settings.UPLOAD_MAX_CELL_CHARS,
            max_unzipped_bytes=int(settings.UPLOAD_MAX_UNZIPPED_MB * 1024 * 1024),
            max_cells=settings.UPLOAD_MAX_CELLS,
            max_lines=settings.UPLOAD_MAX_LINES,
        )


@dataclass(frozen=True)
class JoinedLines:
    """A row of a text file that runs over several lines, and why.

    Attributes
    ----------
    row
        The line the row starts on (its ``source_row``).
    last
        The last line it takes.
    kind
        :data:`JOIN_LINE_BREAK` (a quoted value holds a line break: the row is read as a whole),
        :data:`JOIN_STRAY_QUOTE` (a quote mark opened a value that ran over lines that each look
        like a row of their own) or :data:`JOIN_UNCLOSED_QUOTE` (a quote mark is never closed, so
        the rest of the file ran into the row). The last two report the row as malformed.
    cells
        Each further line (``row + 1`` to ``last``) split at the separator with quoting off, so
        the report can show what it held.
    """

    row: int
    last: int
    kind: str
    cells: tuple[tuple[str, ...], ...] = ()

    @property
    def merged(self) -> bool:
        """Whether the lines ran together by mistake (a stray or unclosed quote)."""
        return self.kind != JOIN_LINE_BREAK

    @property
    def extra_lines(self) -> int:
        """Lines beyond the first."""
        return self.last - self.row


@dataclass(frozen=True, eq=False)
class RawTable:
    """An upload read as text, before any column has a meaning.

    Attributes
    ----------
    frame
        One row per data row, one column per column (unique names; ``column N`` where the file has
        no header or a blank one), every cell a ``str`` (blank is ``""``).
    source_row
        For text, the line of the file each row starts on (header = line 1 when it is the first;
        the same as the spreadsheet row unless a value above holds a line break); for a workbook
        the sheet's row; for GeoJSON the feature number (1 = first feature).
    format
        ``csv``, ``xlsx`` or ``geojson``.
    filename
        The file's name, cleaned for display (no folders, no control characters, at most
        :data:`assetmap.presentation.text.ECHO_MAX_CHARS` characters).
    encoding, delimiter
        What the text was read with (``None`` for workbooks and GeoJSON).
    header_row
        Line (row) of the header, ``None`` when the file has none (or for GeoJSON).
    row_reason, row_detail
        Problems the reader already found per row (``None`` where there is none): a CSV row with
        more values than the header has columns, a GeoJSON feature that is not a point.
    messages
        Notes about the whole file, for the user (encoding, skipped blank rows, ...).
    geometry
        For GeoJSON, the columns holding the Point coordinates (used before any header guess).
    decimal
        The decimal mark numbers are read with (``.`` or ``,``).
    quoting
        Whether quote marks enclose values (``False``: they are plain text).
    sheet, sheets
        For a workbook, the sheet read and every sheet's name.
    joined
        Rows of a text file that run over several lines (see :class:`JoinedLines`).
    """

    frame: pd.DataFrame
    source_row: np.ndarray
    format: str
    filename: str
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    row_reason: np.ndarray | None = None
    row_detail: np.ndarray | None = None
    messages: tuple[str, ...] = ()
    geometry: ColumnMapping | None = None
    decimal: str = "."
    quoting: bool = True
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    joined: tuple[JoinedLines, ...] = ()

    @property
    def rows_read(self) -> int:
        """Number of data rows (features), as read: a row over several lines counts once."""
        return len(self.frame)

    @property
    def data_lines(self) -> int:
        """Lines of data in the file (rows for workbooks, features for GeoJSON): the total every
        result accounts for, ``len(assets) + len(report)``."""
        return self.rows_read + sum(j.extra_lines for j in self.joined)


_FIELD_LABELS: Final = {
    "name": "name",
    "postcode": "postcode",
    "latitude": "latitude",
    "longitude": "longitude",
    "easting": "easting",
    "northing": "northing",
    "category": "type/category",
    "identifier": "identifier",
    "address": "address",
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the upload holds what. ``None`` means the file has no such column.

    A value is a column name (exact, or the same but for case and spacing), or a column's position
    counted from 1 (an ``int``, or a digit string that is not itself a column name), so a file
    without a header can be mapped as ``ColumnMapping(name=2, postcode=10)``.

    Attributes
    ----------
    name
        The asset's name (required).
    postcode
        A UK postcode in any case and spacing.
    latitude, longitude
        WGS84 decimal degrees (degrees-minutes-seconds and N/S/E/W letters are understood).
    easting, northing
        British National Grid metres (EPSG:27700).
    category
        A type or category; each distinct value becomes an asset type.
    identifier
        The owner's own id, kept in ``asset_id``.
    address
        Shown with the asset.
    """

    name: str | int | None = None
    postcode: str | int | None = None
    latitude: str | int | None = None
    longitude: str | int | None = None
    easting: str | int | None = None
    northing: str | int | None = None
    category: str | int | None = None
    identifier: str | int | None = None
    address: str | int | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        """Field -> column, every field."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def missing(self) -> list[str]:
        """What the mapping lacks before rows can be placed, in words (empty when complete)."""
        out = []
        if self.name is None:
            out.append("a name column")
        has_ll = self.latitude is not None and self.longitude is not None
        has_en = self.easting is not None and self.northing is not None
        if self.postcode is None and not has_ll and not has_en:
            out.append(
                "a location: a postcode column, or latitude and longitude columns, "
                "or easting and northing columns"
            )
        for one, other in (
            ("latitude", "longitude"),
            ("longitude", "latitude"),
            ("easting", "northing"),
            ("northing", "easting"),
        ):
            if getattr(self, one) is not None and getattr(self, other) is None:
                out.append(f"a {other} column to go with the {one} column")
        return out

    def describe(self) -> str:
        """The mapped fields in words, e.g. ``name: 'Name', postcode: 'Postcode'``."""
        parts = [f"{_FIELD_LABELS[k]}: {v!r}" for k, v in self.as_dict().items() if v is not None]
        return ", ".join(parts) if parts else "no columns"


@dataclass(eq=False)
class IngestResult:
    """An upload placed: the mapped rows, the reported rows, and how the file was read.

    Attributes
    ----------
    assets
        Columns :data:`UPLOAD_ASSET_COLUMNS`: the open layers'
        :data:`assetmap.data.assets.ASSET_COLUMNS` (``asset_type`` is the category's slug or the
        default type) plus ``located_by`` and ``warning`` (``None`` unless the row was fixed or
        looks doubtful).
    report
        Columns :data:`UPLOAD_REPORT_COLUMNS`: every row not mapped, with its reason (one of
        :data:`REASONS`), a detail in words, and the raw location values as given.
    mapping
        The columns used (resolved to names).
    rows_read
        Data rows (features) as read: a row whose values run over several lines counts once.
    data_lines
        Lines of data in the file (for a workbook its rows, for GeoJSON its features):
        ``len(assets) + len(report) == data_lines`` always, every further line of a row that runs
        over several being reported on its own.
    format, encoding, delimiter, header_row, filename, decimal, quoting, sheet
        How the file was read (see :class:`RawTable`).
    messages
        Notes about the whole file, for the user.
    categories
        Asset type slug -> label, for every type mapped. Labels that differ only in case and
        spacing are one type (the most common spelling is its label); any other difference keeps
        them apart, even where their slugs would be the same (``=1+1`` is ``1_1``, then ``-1+1``
        is ``1_1_2``, in the order the file first uses them).
    joined
        Rows that run over several lines (see :class:`JoinedLines`).
    """

    assets: pd.DataFrame
    report: pd.DataFrame
    mapping: ColumnMapping
    rows_read: int
    format: str
    encoding: str | None
    delimiter: str | None
    header_row: int | None
    filename: str
    messages: list[str] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    data_lines: int = 0
    decimal: str = "."
    quoting: bool = True
    sheet: str | None = None
    joined: tuple[JoinedLines, ...] = ()

    @property
    def reason_counts(self) -> pd.Series:
        """Reported rows per reason, most common first."""
        return self.report["reason"].value_counts()

    @property
    def warning_count(self) -> int:
        """Mapped rows that carry a warning."""
        return int(self.assets["warning"].notna().sum())

    @property
    def merged_lines(self) -> list[int]:
        """Lines a stray or unclosed quote mark ran into the row above them (empty if none)."""
        return [n for j in self.joined if j.merged for n in range(j.row + 1, j.last + 1)]

    def labelled_assets(self) -> pd.DataFrame:
        """:attr:`assets` with ``asset_type_label`` (the type as the file spells it) after
        ``asset_type`` (its slug): what the user is shown and can download."""
        out = self.assets.copy()
        labels = out["asset_type"].map(self.categories).fillna(out["asset_type"])
        out.insert(list(out.columns).index("asset_type") + 1, "asset_type_label", labels)
        return out


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _display_name(filename: str) -> str:
    # The name is only ever shown: keep its last path component, drop control characters and cap
    # its length, so it cannot smuggle a path or flood a message.
    base = re.split(r"[\\/]", str(filename))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > ECHO_MAX_CHARS:  # keep the ending, which says the format
        base = base[: ECHO_MAX_CHARS - 31] + "…" + base[-30:]
    return base or "the file"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _size(n_bytes: float) -> str:
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / 1024 / 1024:,.1f} MB"
    return f"{n_bytes / 1024:,.1f} KB" if n_bytes >= 1024 else f"{n_bytes:,.0f} bytes"


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].casefold() if dot > 0 else ""


def expected_format(filename: str) -> str | None:
    """The format a file name's ending promises (:data:`FORMAT_CSV`, :data:`FORMAT_XLSX` or
    :data:`FORMAT_GEOJSON`); ``None`` for an ending that is not accepted."""
    return ACCEPTED_EXTENSIONS.get(_extension(_display_name(filename)))


def _accepted_words() -> str:
    return (
        ".csv, .tsv or .txt (comma-, semicolon- or tab-separated text), .xlsx (Excel workbook) "
        "or .geojson / .json (GeoJSON points)"
    )


def _sniff_binary(data: bytes) -> str | None:
    """The kind of a binary file from its first bytes, or ``None`` for (maybe) text."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, RuntimeError):
            return "a damaged zip archive"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("word/") for n in names):
            return "a Word document"
        if any(n.startswith("ppt/") for n in names):
            return "a PowerPoint file"
        if b"opendocument.spreadsheet" in mimetype:
            return "an OpenDocument spreadsheet (.ods)"
        return "a zip archive"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an Excel 97-2003 workbook (.xls) or another old Office file"
    signatures = (
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"PAR1", "a Parquet file"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"SQLite format 3", "an SQLite database"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
    )
    for magic, kind in signatures:
        if data.startswith(magic):
            return kind
    return None


_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes are UTF-16 text without a byte-order mark.

    Text in a register is mostly ASCII, which UTF-16 writes as the character and a NUL: NULs in
    every other byte (the odd positions little-endian, the even ones big-endian), none between.
    """
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Bytes to text: BOM if any, else UTF-16 by its NULs, else UTF-8, else Windows-1252.

    Returns text, encoding, notes.
    """
    notes: list[str] = []
    boms = [(codec, label) for bom, codec, label in _BOMS if data.startswith(bom)]
    utf16 = None if boms else _utf16_without_bom(data)
    if boms:
        codec, encoding = boms[0]
        text = data.decode(codec, errors="replace")
    elif utf16 is not None:
        text = data.decode(utf16, errors="replace")
        order = "little" if utf16.endswith("le") else "big"
        encoding = f"UTF-16 {order}-endian"
        notes.append(
            f"{name} is UTF-16 ({order}-endian) text without a byte-order mark; it was read "
            "as such."
        )
    elif len(data) >= 8 and data.count(0) > 0.2 * len(data):
        # NULs between the letters but not in UTF-16's pattern: UTF-32, or an encoding that
        # cannot be told from the bytes. Removing them would only garble the text.
        raise UploadError(
            f"{name} is not UTF-8, UTF-16 or Windows-1252 text: {data.count(0) / len(data):.0%} of "
            "its bytes are NUL (UTF-32?). Save it from Excel with the encoding option "
            "'CSV UTF-8 (Comma delimited)' and upload that."
        )
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" in the machine's code page: Windows-1252 in the UK.
            text, encoding = data.decode("cp1252", errors="replace"), "Windows-1252"
            notes.append(
                f"{name} is not UTF-8; it was read as Windows-1252 (what Excel on Windows "
                "saves as CSV). If letters look wrong, save it as 'CSV UTF-8' and upload again."
            )
    bad = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
    if bad > 0:
        notes.append(f"{bad:,} characters could not be read in {encoding} and show as '\ufffd'.")
    nul = text.count("\x00")
    if nul:
        # NULs never belong in a register; they come from damage or the wrong encoding.
        text = text.replace("\x00", "")
        notes.append(
            f"Removed {_count(nul, 'NUL character')} (a sign of damage or the wrong encoding)."
        )
    stray = text.count("\ufeff")
    if stray:
        # A byte-order mark inside the text (files pasted together) is an invisible character.
        text = text.replace("\ufeff", "")
        notes.append(f"Removed {_count(stray, 'stray byte-order mark')} inside the text.")
    return text, encoding, notes


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_CHARS]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r")
    return control > 0.05 * len(sample)


def _is_blank_record(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


def _quoting(on: bool) -> Literal[0, 3]:
    return csv.QUOTE_MINIMAL if on else csv.QUOTE_NONE


def _sniff_delimiter(text: str, preferred: str, quoting: bool = True) -> str:
    """The delimiter that splits the first rows most consistently into the most columns.

    A comma that only ever stands between two digits is a decimal comma, not a separator, when
    another delimiter splits the rows consistently: ``Hub;52,48;-1,90`` is semicolon-separated.
    """
    sample = text[:_SNIFF_CHARS]
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if 0 < cut < len(text) - 1:
        sample = sample[:cut]
    order = [preferred, *[d for d in _DELIMITERS if d != preferred]]
    scores: dict[str, tuple[float, int]] = {}
    for delim in order:
        widths = []
        try:
            rows = csv.reader(
                io.StringIO(sample, newline=""), delimiter=delim, quoting=_quoting(quoting)
            )
            for cells in rows:
                if cells and not _is_blank_record(cells):
                    widths.append(len(cells))
                if len(widths) >= 50:
                    break
        except csv.Error:
            continue
        if not widths:
            continue
        mode, count = Counter(widths).most_common(1)[0]
        if mode < 2:
            continue
        # Consistency first (rounded, so one odd row does not lose to a split that is uniform by
        # accident), then more columns; ties keep the preferred order.
        scores[delim] = (round(count / len(widths), 1), mode)
    commas = sample.count(",")
    decimal_commas = bool(commas) and len(re.findall(r"\d,\d", sample)) >= 0.9 * commas
    if decimal_commas and any(d != "," and v[0] >= 0.9 for d, v in scores.items()):
        scores.pop(",", None)
    best, best_score = preferred, (-1.0, 0)
    for delim in order:
        if delim in scores and scores[delim] > best_score:
            best, best_score = delim, scores[delim]
    return best


# Numbers written with a decimal comma (52,48; 1.234,5) or a decimal point (52.48; 1,234.5). A
# comma followed by exactly three digits (1,234) could be either and counts for neither.
_COMMA_DECIMAL: Final = re.compile(r"[+-]?(?:\d+,(?!\d{3}$)\d+|\d{1,3}(?:\.\d{3})+,\d+)")
_POINT_DECIMAL: Final = re.compile(r"[+-]?(?:\d+\.(?!\d{3}$)\d+|\d{1,3}(?:,\d{3})+\.\d+)")


def _sniff_decimal(rows: Sequence[Sequence[str]]) -> str:
    """``,`` when the cells' numbers use decimal commas more often than decimal points, else
    ``.``."""
    comma = point = 0
    for cells in rows[:500]:
        for cell in cells:
            text = cell.strip()
            if not text or not text[-1].isdigit():
                continue
            if _COMMA_DECIMAL.fullmatch(text):
                comma += 1
            elif _POINT_DECIMAL.fullmatch(text):
                point += 1
    return "," if comma > point else "."


@dataclass
class _Records:
    """Non-blank records with the line (row) each starts and ends on, before a header is chosen.

    ``lines`` holds a text file's physical lines, kept only when a record runs over several.
    """

    rows: list[list[str]]
    numbers: list[int]
    ends: list[int] = field(default_factory=list)
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    unclosed_quote_row: int | None = None
    unclosed_quote_lines: int = 0
    lines: list[str] | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()


def _too_many_cells(name: str, limits: UploadLimits) -> UploadError:
    return UploadError(
        f"{name} holds more than {limits.max_cells:,} values (rows x columns), more than one "
        "upload may: remove the columns you do not need, or split it."
    )


def _csv_records(
    text: str, delimiter: str, limits: UploadLimits, name: str, quoting: bool = True
) -> _Records:
    # The csv module's field cap defaults to 128 KiB; a larger cell would stop the reader. Raise it
    # to the upload size (never lower it): huge cells are then judged per row, not per file.
    needed = len(text) + 1
    if csv.field_size_limit() < needed:
        csv.field_size_limit(needed)
    out = _Records([], [])
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, strict=False, quoting=_quoting(quoting)
    )
    rows, numbers, ends = out.rows, out.numbers, out.ends
    limit = limits.max_rows + _TITLE_WINDOW
    last_end = 0  # physical lines: a record runs from the line after the last one to line_num
    cells_read = extra_lines = 0
    try:
        for cells in reader:
            start, end = last_end + 1, reader.line_num
            last_end = end
            cells_read += len(cells)
            if cells_read > limits.max_cells:
                raise _too_many_cells(name, limits)
            # Most rows start with a value: only the others need the full blank check.
            if cells and (cells[0].strip() or not _is_blank_record(cells)):
                rows.append(cells)
                numbers.append(start)
                ends.append(end)
                extra_lines += end - start
                if len(rows) > limit:
                    out.truncated = True
                    return out
                if len(rows) + extra_lines > limits.max_lines + _TITLE_WINDOW:
                    raise UploadError(
                        f"{name} has more than {limits.max_lines:,} lines, the most one upload "
                        "may hold: split it into smaller files."
                    )
    except csv.Error as exc:  # not expected with strict=False and the raised field limit
        raise UploadError(f"{name} cannot be read as delimited text ({exc}).") from exc
    if extra_lines:
        out.lines = io.StringIO(text, newline="").readlines()
    # A quote opened and never closed swallows the rest of the file into one value. The strict
    # reader says so at the end of the data; point at the line where it started.
    if quoting and out.rows and text.count('"') % 2 == 1:
        lines = out.lines if out.lines is not None else io.StringIO(text, newline="").readlines()
        tail_lines = lines[numbers[-1] - 1 :]
        try:
            list(csv.reader(tail_lines, delimiter=delimiter, strict=True))
        except csv.Error:
            out.unclosed_quote_row = numbers[-1]
            out.unclosed_quote_lines = len(tail_lines)
    return out


def _cell_text(value: object) -> str:
    """A workbook or JSON value as the text a spreadsheet shows (numbers without a stray .0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _pick_sheet(titles: Sequence[str], sheet: str | int | None, name: str) -> int:
    """Index of the chosen sheet: a name (exact, else ignoring case and spacing) or a position
    counted from 1; the first sheet when ``None``."""
    if sheet is None:
        return 0
    if isinstance(sheet, str) and sheet in titles:
        return list(titles).index(sheet)
    folded = [re.sub(r"\s+", " ", t).strip().casefold() for t in titles]
    key = re.sub(r"\s+", " ", str(sheet)).strip().casefold()
    if key in folded:
        return folded.index(key)
    if re.fullmatch(r"\d{1,4}", key) and 1 <= int(key) <= len(titles):
        return int(key) - 1
    listed = ", ".join(repr(t) for t in titles[:20]) + (", ..." if len(titles) > 20 else "")
    raise UploadError(
        f"{name} has no sheet {_short(str(sheet), 40)!r}: its sheets are {listed} (or give the "
        "sheet's position, 1 for the first)."
    )


def _xlsx_records(
    data: bytes, limits: UploadLimits, name: str, sheet: str | int | None = None
) -> _Records:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_unzipped_bytes:
        raise UploadError(
            f"{name} unpacks to {unpacked / 1e6:,.0f} MB, more than the "
            f"{limits.max_unzipped_bytes / 1e6:,.0f} MB allowed: save it as CSV and upload that."
        )
    import openpyxl  # only workbooks need it

    out = _Records([], [])
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read: not the user's concern.
            warnings.simplefilter("ignore")
            # read_only streams the sheet; data_only gives the values Excel saved, not formulas.
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            try:
                sheets = book.worksheets
                if not sheets:
                    raise UploadError(f"{name} has no worksheet.")
                titles = [str(s.title) for s in sheets]
                chosen = _pick_sheet(titles, sheet, name)
                out.sheet, out.sheets = titles[chosen], tuple(titles)
                if len(sheets) > 1:
                    rest = [t for k, t in enumerate(titles) if k != chosen]
                    others = ", ".join(repr(t) for t in rest[:3])
                    more = ", ..." if len(rest) > 3 else ""
                    which = "the first sheet" if chosen == 0 else f"sheet {chosen + 1}"
                    out.notes.append(
                        f"Read {which}, {titles[chosen]!r}; the workbook's other sheets "
                        f"({others}{more}) were not read (choose another sheet to read it)."
                    )
                _read_sheet(sheets[chosen], limits, out, name)
            finally:
                book.close()
    except UploadError:
        raise
    except Exception as exc:  # a hostile workbook can break the parser in many ways
        raise UploadError(
            f"{name} looks like an Excel workbook but cannot be read ({exc})."
        ) from exc
    return out


def _read_sheet(sheet: Any, limits: UploadLimits, out: _Records, name: str) -> None:
    """Rows of a read-only worksheet, within bounds a tiny hostile file cannot stretch."""
    # openpyxl pads every row to the sheet's stated width and yields every row up to its stated
    # height: one cell at XFD1048576 would mean a billion empty cells. So read the table's own
    # width (the widest of its first rows, plus a margin for notes to the right) and stop after
    # as many rows as an upload may hold, plus room for blank ones.
    probe = sheet.iter_rows(
        max_row=_TITLE_WINDOW * 2, max_col=limits.max_columns + 1, values_only=True
    )
    widest = max(
        (max((j + 1 for j, v in enumerate(row) if v is not None), default=0) for row in probe),
        default=0,
    )
    width = min(limits.max_columns + 1, max(widest, 1) + _XLSX_EXTRA_COLUMNS)
    height = limits.max_rows + _TITLE_WINDOW + _XLSX_BLANK_ROWS
    cells_read = 0
    rows = sheet.iter_rows(max_row=height, max_col=width, values_only=True)
    for number, values in enumerate(rows, start=1):
        if values.count(None) == len(values):
            continue
        cells = [_cell_text(v) for v in values]
        if _is_blank_record(cells):
            continue
        while not cells[-1]:  # the padding to the read width is not columns
            cells.pop()
        cells_read += len(cells)
        if cells_read > limits.max_cells:
            raise _too_many_cells(name, limits)
        out.rows.append(cells)
        out.numbers.append(number)
        out.ends.append(number)
        if len(out.rows) > limits.max_rows + _TITLE_WINDOW:
            out.truncated = True
            return
    stated_width, stated_height = sheet.max_column or 0, sheet.max_row or 0
    if stated_width > width:
        out.notes.append(
            f"The sheet's stated size reaches column {stated_width:,}; only the first {width:,} "
            "columns were read (the table's own columns and a margin to their right)."
        )
    if stated_height > height:
        out.notes.append(
            f"The sheet's stated size reaches row {stated_height:,}; reading stopped at row "
            f"{height:,}, past the most rows one upload may hold."
        )


def _parses_as_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _looks_like_data(cells: Sequence[str]) -> bool:
    # A header names columns; a first row holding a postcode or a number is data (the NHS ODS
    # files, for instance, have no header).
    for cell in cells:
        text = cell.strip()
        if not text:
            continue
        if _POSTCODE_SHAPE.fullmatch(re.sub(r"\s+", "", text.upper())) or _parses_as_number(text):
            return True
    return False


def _column_names(header: Sequence[str] | None, width: int) -> tuple[list[str], int]:
    """Unique, tidy column names; returns them and how many header cells were cut short."""
    names: list[str] = []
    seen: set[str] = set()
    cut = 0
    for i in range(width):
        raw = header[i] if header is not None and i < len(header) else ""
        text = re.sub(r"\s+", " ", raw).strip()
        if len(text) > _REPORT_CHARS:
            text, cut = text[:_REPORT_CHARS] + "…", cut + 1
        text = text or f"column {i + 1}"
        candidate, k = text, 2
        while candidate.casefold() in seen:
            candidate, k = f"{text} ({k})", k + 1
        seen.add(candidate.casefold())
        names.append(candidate)
    return names, cut


def _header_hits(cells: Sequence[str]) -> int:
    """How many cells are column names :func:`detect_columns` knows."""
    hits = 0
    for cell in cells:
        tokens = _tokens(cell)
        if tokens and (
            "".join(tokens) in _ALL_SYNONYMS or any(_partial_match(f, tokens) for f in _FIELD_ORDER)
        ):
            hits += 1
    return hits


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _guess_first(window: Sequence[Sequence[str]], header: bool | None) -> int:
    """Index of the header among the first rows: title rows above it are skipped.

    The first row that names two or more known columns (and holds no postcode or number) is the
    header, when every row above it is a title: one with fewer values. Failing that, rows holding
    a single value (in a table of three or more columns) are titles.
    """
    if header is False:
        return 0
    for i, row in enumerate(window):
        if _header_hits(row) >= 2 and not _looks_like_data(row):
            width = _filled(row)
            if all(_filled(r) < width for r in window[:i]):
                return i
    first = 0
    if max(_filled(r) for r in window) >= 3:
        while (
            first < len(window) - 1
            and _filled(window[first]) == 1
            and not _looks_like_data(window[first])
        ):
            first += 1
    return first


def _find_header_row(records: _Records, header_row: int, name: str) -> int:
    """Index of the record on the chosen header row, or a clear :class:`UploadError`."""
    if header_row < 1:
        raise UploadError(f"Row {header_row} is not a row of {name}: rows count from 1.")
    for i, (start, end) in enumerate(zip(records.numbers, records.ends, strict=True)):
        if start == header_row:
            return i
        if start < header_row <= end:
            raise UploadError(
                f"Line {header_row} of {name} is not where a row starts: it is part of the row "
                f"on line {start}, which runs over lines {start}-{end}. Choose that row, or "
                "another."
            )
        if start > header_row:
            raise UploadError(
                f"Row {header_row} of {name} is blank: choose the row that holds the column names."
            )
    raise UploadError(
        f"{name} has no row {header_row}: its last row with values is row {records.ends[-1]}."
    )


@dataclass(frozen=True)
class _Profile:
    """What the rows on one line each hold per column: always a value, a postcode, a number."""

    width: int
    filled: tuple[bool, ...]
    postcode: tuple[bool, ...]
    number: tuple[bool, ...]


def _profile(rows: Sequence[Sequence[str]], width: int) -> _Profile:
    columns = range(width)
    n = max(len(rows), 1)
    cells = [[r[c].strip() if c < len(r) else "" for r in rows] for c in columns]
    filled = [sum(1 for v in col if v) for col in cells]

    def share(test: Callable[[str], bool], c: int) -> bool:
        return filled[c] > 0 and sum(1 for v in cells[c] if v and test(v)) >= 0.9 * filled[c]

    return _Profile(
        width,
        tuple(f >= 0.9 * n for f in filled),
        tuple(share(_is_postcode, c) for c in columns),
        tuple(share(_is_number, c) for c in columns),
    )


def _is_postcode(text: str) -> bool:
    return bool(_POSTCODE_SHAPE.fullmatch(re.sub(r"\s+", "", text.upper())))


def _is_number(text: str) -> bool:
    return _parses_as_number(text.replace(",", ".", 1))


def _fits(cells: Sequence[str], profile: _Profile) -> bool:
    """Whether one line, split with quoting off, looks like the file's one-line rows."""
    width = profile.width
    if len(cells) < width or (len(cells) > width and not _is_blank_record(cells[width:])):
        return False
    for c in range(width):
        value = cells[c].strip().strip('"').strip()
        if (
            (profile.filled[c] and not value)
            or (profile.postcode[c] and not _is_postcode(value))
            or (profile.number[c] and not _is_number(value))
        ):
            return False
    return True


def _ranges(spans: Sequence[tuple[int, int]], most: int = 8) -> str:
    """``lines 3-4, 9-12 and 20-21`` (the first ``most``, then how many more)."""
    words = [f"{a}-{b}" for a, b in spans[:most]]
    if len(spans) > most:
        words.append(f"{len(spans) - most:,} more")
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return "lines " + listed


def _split_number(cells: Sequence[str]) -> tuple[str, str] | None:
    """Two neighbouring cells that read as one number split at a decimal comma (``52``, ``48``)."""
    for x, y in itertools.pairwise(cells):
        if re.fullmatch(r"[+-]?\d+", x.strip()) and re.fullmatch(r"\d+", y.strip()):
            return x.strip(), y.strip()
    return None


def _joined_rows(
    records: _Records,
    data_numbers: Sequence[int],
    data_ends: Sequence[int],
    width: int,
    delimiter: str,
) -> list[JoinedLines]:
    """Data rows over several lines, each judged: a line break in a quoted value, or a stray or
    unclosed quote mark that ran lines together (most of its lines are complete rows alone)."""
    lines = records.lines
    if lines is None:
        return []
    out = []
    last = len(data_numbers) - 1
    # The rows on one line show what a row holds: a line swallowed by a stray quote is one.
    one_line = [
        records.rows[k]
        for k in range(len(records.rows) - len(data_numbers), len(records.rows))
        if records.ends[k] == records.numbers[k]
    ][:500]
    profile = _profile(one_line, width)
    for i, (start, end) in enumerate(zip(data_numbers, data_ends, strict=True)):
        if end == start:
            continue
        split = [
            tuple(next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), []))
            for line in lines[start - 1 : end]
        ]
        if i == last and records.unclosed_quote_row == start:
            kind = JOIN_UNCLOSED_QUOTE
        else:
            complete = sum(1 for cells in split if _fits(cells, profile))
            kind = (
                JOIN_STRAY_QUOTE if complete >= 2 and 2 * complete > len(split) else JOIN_LINE_BREAK
            )
        out.append(JoinedLines(start, end, kind, tuple(split[1:])))
    return out


def _joined_messages(joined: Sequence[JoinedLines], name: str) -> list[str]:
    messages = []
    stray = [(j.row, j.last) for j in joined if j.kind == JOIN_STRAY_QUOTE]
    if stray:
        lost = sum(b - a for a, b in stray)
        one = len(stray) == 1
        these = "That row is" if one else f"These {len(stray):,} rows are"
        messages.append(
            f"A quote mark ran lines of {name} together: {_ranges(stray)} were "
            f"{'' if one else 'each '}read as one row, because a quote mark on the first line "
            f"opens a value that only closes on the last. {these} reported as malformed and the "
            f"{_count(lost, 'line')} after {'its' if one else 'their'} first as merged into "
            f"{'it' if one else 'them'}; nothing is placed from them. If quote marks in the file "
            "are part of the text rather than around values, read it again with quoting off."
        )
    messages.extend(
        f"Line {j.row} opens a quote mark that is never closed: lines {j.row}-{j.last}, the rest "
        "of the file, were read as one row, which is reported as malformed (the lines after its "
        "first as merged into it). Close the quote, or read the file again with quoting off."
        for j in joined
        if j.kind == JOIN_UNCLOSED_QUOTE
    )
    breaks = [(j.row, j.last) for j in joined if j.kind == JOIN_LINE_BREAK]
    if breaks:
        one = len(breaks) == 1
        messages.append(
            f"{_count(len(breaks), 'row')} of {name} {'holds' if one else 'hold'} a quoted value "
            f"with a line break, so {'it runs' if one else 'each runs'} over more than one line: "
            f"{_ranges(breaks)}. {'It is' if one else 'Each is'} read as one row; the further "
            "lines are listed in the report as continuing the row above."
        )
    return messages


def _table_from_records(
    records: _Records,
    *,
    fmt: str,
    name: str,
    header: bool | None,
    limits: UploadLimits,
    extra_cells: str,
    encoding: str | None = None,
    delimiter: str | None = None,
    notes: Sequence[str] = (),
    decimal: str | None = None,
    quoting: bool = True,
    header_row: int | None = None,
) -> RawTable:
    """Choose the header, name the columns, pad the rows: records -> :class:`RawTable`.

    ``extra_cells`` says what a row with more cells than the header is: ``"malformed"`` (CSV: an
    unquoted delimiter shifted the values) or ``"columns"`` (a workbook: a note off to the right).
    ``header_row`` (a line or row number) puts the header there instead of guessing it.
    """
    rows, numbers, ends = records.rows, records.numbers, records.ends
    messages = [*notes, *records.notes]
    if not rows:
        raise UploadError(f"{name} is empty: it has no rows with any values.")

    if header_row is not None:
        first, has_header = _find_header_row(records, header_row, name), True
        if first:
            messages.append(
                f"Read the header from row {header_row}, as chosen; skipped "
                f"{_count(first, 'row')} above it."
            )
    else:
        # Title rows ("Asset register, March 2025") above the header: skip them, and say so.
        first = _guess_first(rows[:_TITLE_WINDOW], header)
        if first:
            title = next(c for c in rows[0] if c.strip()).strip()
            messages.append(
                f"Skipped {_count(first, 'title row')} above the header "
                f"(row {numbers[0]}: {_short(title, 60)!r})."
            )
        has_header = not _looks_like_data(rows[first]) if header is None else header
    if has_header:
        header_cells: list[str] | None = rows[first]
        found_header: int | None = numbers[first]
        data, data_numbers, data_ends = rows[first + 1 :], numbers[first + 1 :], ends[first + 1 :]
    else:
        header_cells, found_header = None, None
        data, data_numbers, data_ends = rows[first:], numbers[first:], ends[first:]
        if header is None:
            messages.append(
                f"The first row (row {numbers[first]}) holds a postcode or a number, so {name} "
                "is read as having no header row: its columns are named 'column 1', "
                "'column 2', ..."
            )

    if records.truncated or len(data) > limits.max_rows:
        raise UploadError(
            f"{name} has more than {limits.max_rows:,} rows, the most one upload may hold: "
            "split it into smaller files."
        )
    if not data:
        why = ""
        if records.unclosed_quote_row is not None:
            why = (
                f" (a quote mark opened on line {records.unclosed_quote_row} is never closed, so "
                "everything after it was read as one value)"
            )
        raise UploadError(f"{name} has a header row but no data rows{why}.")

    if header_cells is not None:
        width = len(header_cells)
        # Blank header cells at the end (a trailing delimiter) are not columns.
        while width > 1 and not header_cells[width - 1].strip():
            width -= 1
        if extra_cells == "columns":
            width = max(width, *(len(r) for r in data))
    else:
        width = max(len(r) for r in data)
    if width > limits.max_columns:
        raise UploadError(
            f"{name} has {width:,} columns, more than the {limits.max_columns:,} allowed: "
            "remove the columns you do not need."
        )
    names, cut = _column_names(header_cells, width)
    if cut:
        messages.append(f"Shortened {_count(cut, 'very long column name')}.")

    n = len(data)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    padded: list[list[str]] = []
    split_numbers: list[tuple[int, tuple[str, str]]] = []
    for i, cells in enumerate(data):
        if len(cells) > width:
            if extra_cells == "malformed" and not _is_blank_record(cells[width:]):
                reason[i] = REASON_MALFORMED_ROW
                detail[i] = (
                    f"{len(cells)} values but the header has {width} columns "
                    "(a delimiter inside a value that is not in quotes?)"
                )
                pair = _split_number(cells) if delimiter == "," else None
                if pair is not None:
                    split_numbers.append((data_numbers[i], pair))
                    detail[i] = (
                        f"{len(cells)} values but the header has {width} columns (a decimal comma "
                        f"in a comma-separated file? {pair[0]!r} and {pair[1]!r})"
                    )
            cells = cells[:width]
        elif len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        padded.append(cells)

    joined = _joined_rows(records, data_numbers, data_ends, width, delimiter or ",")
    at = {start: i for i, start in enumerate(data_numbers)} if joined else {}
    for j in joined:
        i = at[j.row]
        if j.kind == JOIN_STRAY_QUOTE:
            reason[i] = REASON_MALFORMED_ROW
            detail[i] = (
                f"a quote mark on line {j.row} opens a value that only closes on line {j.last}: "
                f"lines {j.row}-{j.last} were read as this one row, though each looks like a row "
                "of its own (read the file with quoting off?)"
            )
        elif j.kind == JOIN_UNCLOSED_QUOTE:
            reason[i] = REASON_MALFORMED_ROW
            detail[i] = (
                f"a quote mark in this row is never closed, so the rest of the file (lines "
                f"{j.row}-{j.last}) ran into this row"
            )
    messages.extend(_joined_messages(joined, name))

    decimal = decimal or _sniff_decimal(data)
    if split_numbers:
        line, (x, y) = split_numbers[0]
        messages.append(
            f"{_count(len(split_numbers), 'row')} of {name} "
            f"{'has' if len(split_numbers) == 1 else 'have'} more values than the header has "
            f"columns, with a number that looks split at a decimal comma (line {line}: {x!r} "
            f"and {y!r}): in a comma-separated file a decimal comma cannot be told from a "
            "separator, so these rows are reported as malformed. "
            "Save the file with semicolons between values (what Excel writes where the decimal "
            "mark is a comma), or put such numbers in quotes, and upload it again."
        )
    elif delimiter == "," and decimal == ",":
        messages.append(
            f"{name} is comma-separated and its numbers have decimal commas: only numbers in "
            'quotes ("52,48") can be read whole; one without quotes is split into two values '
            "and its row reported as malformed. Saving the file with semicolons between values "
            "avoids this."
        )

    # Blank rows below the table are formatting; blank rows within it are worth a mention.
    taken = sum(end - start + 1 for start, end in zip(numbers, ends, strict=True))
    blank = ends[-1] - taken
    if blank:
        messages.append(f"Skipped {_count(blank, 'blank row')} (not counted as data lines).")

    frame = pd.DataFrame(padded, columns=pd.Index(names, dtype=object), dtype=object)
    return RawTable(
        frame=frame,
        source_row=np.asarray(data_numbers, dtype=np.int64),
        format=fmt,
        filename=name,
        encoding=encoding,
        delimiter=delimiter,
        header_row=found_header,
        row_reason=reason,
        row_detail=detail,
        messages=tuple(messages),
        decimal=decimal,
        quoting=quoting,
        sheet=records.sheet,
        sheets=records.sheets,
        joined=tuple(joined),
    )


def _bng_crs(collection: dict[str, Any]) -> bool:
    # RFC 7946 GeoJSON is WGS84, but older files name a CRS; British National Grid is the one
    # English councils use.
    crs = collection.get("crs")
    return isinstance(crs, dict) and "27700" in json.dumps(crs)


def _geojson_table(doc: object, name: str, limits: UploadLimits) -> RawTable:
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise UploadError(f"{name} is a GeoJSON FeatureCollection without a features list.")
        bng = _bng_crs(doc)
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        features, bng = [doc], _bng_crs(doc)
    else:
        raise UploadError(
            f"{name} is JSON but not GeoJSON: expected a FeatureCollection (or one Feature)."
        )
    if not features:
        raise UploadError(f"{name} is a GeoJSON file with no features.")
    if len(features) > limits.max_rows:
        raise UploadError(
            f"{name} has {len(features):,} features, more than the {limits.max_rows:,} one upload "
            "may hold: split it into smaller files."
        )
    x_col, y_col = (
        (GEOMETRY_EASTING, GEOMETRY_NORTHING) if bng else (GEOMETRY_LONGITUDE, GEOMETRY_LATITUDE)
    )
    keys: dict[str, None] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            for key in props:
                keys.setdefault(str(key), None)
                if len(keys) > limits.max_columns:
                    raise UploadError(
                        f"{name} has more than {limits.max_columns:,} property names, more than "
                        "one upload may hold."
                    )
    prop_names = list(keys)
    if len(features) * (len(prop_names) + 2) > limits.max_cells:
        raise _too_many_cells(name, limits)
    # Geometry columns come last but are named first, so a property called the same is renamed.
    names, _ = _column_names([x_col, y_col, *prop_names], len(prop_names) + 2)
    column_of = dict(zip(prop_names, names[2:], strict=True))
    n = len(features)
    columns: dict[str, list[str]] = {c: [""] * n for c in names}
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            reason[i], detail[i] = REASON_BAD_GEOMETRY, "not a GeoJSON Feature object"
            continue
        props = feature.get("properties")
        if isinstance(props, dict):
            for key, value in props.items():
                columns[column_of[str(key)]][i] = _cell_text(value)
        geometry = feature.get("geometry")
        if geometry is None:
            continue  # no geometry: the row may still have a postcode property
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind != "Point":
            if isinstance(kind, str) and kind:
                reason[i] = REASON_NOT_POINT
                detail[i] = f"{_short(kind, 40)} geometry: only Point features can be placed"
            else:
                reason[i], detail[i] = REASON_BAD_GEOMETRY, "the geometry has no type"
            continue
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            reason[i] = REASON_BAD_GEOMETRY
            detail[i] = "a Point without a pair of coordinates"
            continue
        columns[names[0]][i] = _cell_text(coords[0])
        columns[names[1]][i] = _cell_text(coords[1])
    frame = pd.DataFrame(
        {c: columns[c] for c in [*names[2:], *names[:2]]}, dtype=object, columns=None
    )
    geometry_mapping = (
        ColumnMapping(easting=names[0], northing=names[1])
        if bng
        else ColumnMapping(longitude=names[0], latitude=names[1])
    )
    messages = (f"{name} states British National Grid (EPSG:27700) coordinates.",) if bng else ()
    return RawTable(
        frame=frame,
        source_row=np.arange(1, n + 1, dtype=np.int64),
        format=FORMAT_GEOJSON,
        filename=name,
        row_reason=reason,
        row_detail=detail,
        messages=messages,
        geometry=geometry_mapping,
    )


@dataclass
class _Json:
    """What a JSON parse of the bytes found: ``kind`` is geojson, json or None (not JSON)."""

    kind: str | None
    doc: object = None
    error: str = ""


def _parse_json(data: bytes, expected: str, name: str) -> _Json:
    # Only bytes that open like JSON are parsed, unless JSON is what the name promised.
    head = data[:64].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if expected != FORMAT_GEOJSON and not head.startswith((b"{", b"[")):
        return _Json(None)
    text, _, _ = _decode(data, name)
    try:
        doc = json.loads(text)  # plain data: json never builds objects or runs code
    except RecursionError:
        return _Json(None, error="it is nested too deeply")
    except ValueError as exc:
        return _Json(None, error=f"it is not valid JSON: {exc}")
    if isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature"):
        return _Json(FORMAT_GEOJSON, doc)
    return _Json("json", doc)


def size_message(n_bytes: int, filename: str, limits: UploadLimits | None = None) -> str | None:
    """What is said of a file of ``n_bytes`` that is too big to upload; ``None`` when it is not.

    The one message the dashboard and the command line give (see :func:`check_size`).
    """
    limits = limits or UploadLimits.from_settings()
    if n_bytes <= limits.max_bytes:
        return None
    return (
        f"{_display_name(filename)} is {_size(n_bytes)}, more than the {_size(limits.max_bytes)} "
        "one upload may be: split it, or remove columns you do not need."
    )


def check_size(n_bytes: int, filename: str, limits: UploadLimits | None = None) -> None:
    """Refuse a file bigger than one upload may be, before its bytes are read.

    The one size check of the dashboard (on the size the browser reports), the command line (on
    the file's size on disk) and :func:`read_table`.

    Raises
    ------
    UploadError
        With :func:`size_message`.
    """
    message = size_message(n_bytes, filename, limits)
    if message is not None:
        raise UploadError(message)


_DELIMITER_WORDS: Final = {
    ",": ",", "comma": ",", ";": ";", "semicolon": ";", "\\t": "\t", "\t": "\t", "tab": "\t",
    "|": "|", "pipe": "|",
}  # fmt: skip
_DECIMAL_WORDS: Final = {
    ".": ".", "point": ".", "dot": ".", "period": ".", ",": ",", "comma": ",",
}  # fmt: skip


def parse_delimiter(value: str) -> str:
    """A separator as a user writes it (``;``, ``semicolon``, ``tab``, ``\\t``...) -> the character.

    Raises
    ------
    UploadError
        For anything but comma, semicolon, tab or pipe.
    """
    found = _DELIMITER_WORDS.get(value if value in _DELIMITER_WORDS else value.strip().casefold())
    if found is None:
        raise UploadError(
            f"The separator {value!r} is not one assetmap reads: choose comma (,), semicolon (;), "
            "tab or pipe (|)."
        )
    return found


def parse_decimal(value: str) -> str:
    """A decimal mark as a user writes it (``,``, ``comma``, ``.``, ``point``) -> the character.

    Raises
    ------
    UploadError
        For anything but a point or a comma.
    """
    found = _DECIMAL_WORDS.get(value.strip().casefold())
    if found is None:
        raise UploadError(
            f"The decimal mark {value!r} is not one assetmap reads: choose a point (.) or a "
            "comma (,)."
        )
    return found


def read_table(
    data: bytes,
    filename: str,
    *,
    header: bool | None = None,
    limits: UploadLimits | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    quoting: bool = True,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read an upload as text cells with the line (row) each starts on.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The name it was uploaded with: its ending says which format is expected; it is shown in
        messages and never used as a path.
    header
        ``True``/``False`` when the caller knows whether the first row is a header; ``None`` to
        decide from the file (title rows above a header are skipped; a first row with a postcode
        or a number in it is data).
    limits
        Caps on size, rows, lines, columns and cells; :meth:`UploadLimits.from_settings` by
        default.
    delimiter
        The separator of a text file (``,`` ``;`` tab ``|``); sniffed from the file when ``None``.
    decimal
        The decimal mark of numbers (``.`` or ``,``); sniffed from the values when ``None``.
    quoting
        ``False`` reads quote marks as plain text, one row per line: the way to read a file whose
        stray quote marks ran lines together.
    sheet
        A workbook's sheet: its name or position counted from 1; the first when ``None``.
    header_row
        The line (row) that holds the column names, counted from 1; the rows above it are
        skipped. Guessed when ``None``.

    Returns
    -------
    RawTable

    Raises
    ------
    UploadError
        For a problem with the whole file: too big, too many rows, lines or columns, empty, header
        only, not what its name says, an unaccepted ending, unreadable, a sheet or header row it
        does not have.
    """
    limits = limits or UploadLimits.from_settings()
    data = bytes(data)
    name = _display_name(filename)
    ext = _extension(name)
    if ext not in ACCEPTED_EXTENSIONS:
        what = f"'{ext}' files" if ext else "Files without an ending such as .csv"
        raise UploadError(f"{name}: {what} are not accepted. Upload {_accepted_words()}.")
    expected = ACCEPTED_EXTENSIONS[ext]
    check_size(len(data), name, limits)
    if delimiter is not None:
        delimiter = parse_delimiter(delimiter)
    if decimal is not None:
        decimal = parse_decimal(decimal)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UploadError(f"{name} is empty.")

    kind = _sniff_binary(data)
    if kind == FORMAT_XLSX:
        if expected != FORMAT_XLSX:
            raise UploadError(
                f"{name} is an Excel workbook, not {_format_words(expected)}: rename it to end in "
                ".xlsx, or save it from Excel as CSV, and upload again."
            )
        records = _xlsx_records(data, limits, name, sheet)
        return _table_from_records(
            records,
            fmt=FORMAT_XLSX,
            name=name,
            header=header,
            limits=limits,
            extra_cells="columns",
            decimal=decimal,
            header_row=header_row,
        )
    if kind is not None:
        raise UploadError(
            f"{name} is {kind}, not {_format_words(expected)}. Upload {_accepted_words()}."
        )

    parsed = _parse_json(data, expected, name)
    if expected == FORMAT_GEOJSON:
        if parsed.kind is None:
            raise UploadError(f"{name} cannot be read as GeoJSON: {parsed.error}.")
        return _geojson_table(parsed.doc, name, limits)
    if parsed.kind == FORMAT_GEOJSON:
        raise UploadError(
            f"{name} is a GeoJSON file, not {_format_words(expected)}: rename it to end in "
            ".geojson and upload again."
        )
    if parsed.kind == "json":
        raise UploadError(f"{name} is a JSON file, not {_format_words(expected)}.")

    text, encoding, notes = _decode(data, name)
    if _looks_binary(text):
        raise UploadError(f"{name} is not a text file, so not {_format_words(expected)}.")
    if expected == FORMAT_XLSX:
        raise UploadError(
            f"{name} is not an Excel workbook: it is text (CSV?). Rename it to end in .csv and "
            "upload again."
        )
    if delimiter is None:
        delimiter = _sniff_delimiter(text, "\t" if ext == ".tsv" else ",", quoting)
    records = _csv_records(text, delimiter, limits, name, quoting)
    if not quoting:
        notes.append("Quoting is off: quote marks are read as part of the values.")
    return _table_from_records(
        records,
        fmt=FORMAT_CSV,
        name=name,
        header=header,
        limits=limits,
        extra_cells="malformed",
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
        decimal=decimal,
        quoting=quoting,
        header_row=header_row,
    )


def _format_words(fmt: str) -> str:
    return {
        FORMAT_CSV: "CSV text as its name says",
        FORMAT_XLSX: "an Excel workbook (.xlsx) as its name says",
        FORMAT_GEOJSON: "GeoJSON as its name says",
    }[fmt]


# --------------------------------------------------------------------------------------------------
# Column detection
# --------------------------------------------------------------------------------------------------

# Header synonyms, compared after folding case, accents, spaces and punctuation ("Post Code",
# "post_code" and "postCode" are all "postcode"). Earlier entries win.
_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "postcode": (
        "postcode", "postalcode", "postcodes", "pcd", "pcds", "pcode", "sitepostcode",
        "premisespostcode", "venuepostcode", "zip", "zipcode", "pc",
    ),
    "latitude": (
        "latitude", "lat", "wgs84latitude", "latwgs84", "latdd", "decimallatitude", "latitudewgs84",
    ),
    "longitude": (
        "longitude", "lon", "long", "lng", "wgs84longitude", "lonwgs84", "londd",
        "decimallongitude", "longitudewgs84",
    ),
    "easting": (
        "easting", "eastings", "oseast1m", "bngeasting", "osgbeasting", "gridx", "xcoordinate",
        "xcoord", "east", "x",
    ),
    "northing": (
        "northing", "northings", "osnrth1m", "bngnorthing", "osgbnorthing", "gridy", "ycoordinate",
        "ycoord", "north", "y",
    ),
    "name": (
        "name", "assetname", "sitename", "organisationname", "organizationname", "orgname",
        "venuename", "facilityname", "placename", "premisesname", "servicename", "groupname",
        "clubname", "buildingname", "establishmentname", "practicename", "title", "venue",
        "facility", "premises", "site", "organisation", "organization", "establishment",
    ),
    "category": (
        "category", "type", "assettype", "assetcategory", "sitetype", "facilitytype", "venuetype",
        "servicetype", "organisationtype", "categories", "kind", "class", "classification",
    ),
    "identifier": (
        "id", "identifier", "assetid", "siteid", "uid", "uniqueid", "ref", "reference", "refno",
        "referencenumber", "code", "sitecode", "orgcode", "organisationcode", "odscode",
        "practicecode", "urn", "uprn", "objectid", "fid",
    ),
    "address": (
        "address", "fulladdress", "siteaddress", "streetaddress", "address1", "addressline1",
        "addr", "street",
    ),
}  # fmt: skip

# Words that make a "... name" header name something other than the asset.
_NOT_ASSET_NAME: Final = frozenset((
    "contact", "first", "sur", "last", "user", "file", "authority", "la", "lad", "ward", "street",
    "road", "manager", "lsoa", "msoa", "oa", "region", "icb", "ccg", "district", "county", "town",
    "city", "area", "parent", "trust", "owner", "operator", "borough", "parish", "constituency",
    "country", "nation", "person", "staff", "email", "web", "sheet", "layer",
))  # fmt: skip
# Words that make a "... code"/"... id" header an area code or a postcode, not the asset's id.
_NOT_ASSET_ID: Final = frozenset((
    "post", "postcode", "lsoa", "msoa", "oa", "ward", "la", "lad", "authority", "region", "icb",
    "ccg", "sicbl", "district", "county", "country", "parent", "trust", "pcn", "nation",
    "constituency", "parish", "grid", "area",
))  # fmt: skip
_ALL_SYNONYMS: Final = frozenset(v for names in _SYNONYMS.values() for v in names)
_FIELD_ORDER: Final = (
    "postcode",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "name",
    "category",
    "identifier",
    "address",
)


def _tokens(header: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z]+|[0-9]+", ascii_text.casefold())


def _partial_match(field_name: str, tokens: list[str]) -> bool:
    """Looser header rules, used only when no header is an exact synonym."""
    key = "".join(tokens)
    if field_name == "postcode":
        return "postcode" in key and not {"sector", "district", "area"} & set(tokens)
    if field_name == "latitude":
        return "latitude" in key
    if field_name == "longitude":
        return "longitude" in key
    if field_name == "easting":
        return "easting" in key
    if field_name == "northing":
        return "northing" in key
    if field_name == "name":
        return "name" in tokens and not _NOT_ASSET_NAME & set(tokens)
    if field_name == "category":
        return (
            bool(tokens)
            and ("category" in tokens or "categories" in tokens or tokens[-1] == "type")
            and not {"postcode", "geometry", "file", "data"} & set(tokens)
        )
    if field_name == "identifier":
        return (
            bool(tokens)
            and tokens[-1] in {"id", "ref", "reference", "identifier", "code"}
            and "postcode" not in key
            and not _NOT_ASSET_ID & set(tokens)
        )
    if field_name == "address":
        return bool(tokens) and tokens[0] in {"address", "addr", "street"}
    return False


def _postcode_column_by_values(sample: pd.DataFrame, used: set[str]) -> str | None:
    # A file without a header (or with an unusual one) still shows its postcodes: a column where
    # most values have the shape of a UK postcode.
    for column in sample.columns:
        if column in used:
            continue
        values = [str(v).strip() for v in sample[column].tolist() if str(v).strip()]
        if len(values) < min(3, len(sample)) or not values:
            continue
        shaped = sum(1 for v in values if _POSTCODE_SHAPE.fullmatch(re.sub(r"\s+", "", v.upper())))
        if shaped >= 0.6 * len(values):
            return str(column)
    return None


def _degrees_like(sample: pd.DataFrame, columns: Sequence[str]) -> bool:
    values = pd.to_numeric(
        pd.Series([v for c in columns for v in sample[c].tolist()], dtype=object),
        errors="coerce",
    ).dropna()
    return bool(len(values)) and bool((values.abs() <= 180).all())


def detect_columns(columns: Sequence[str], sample: pd.DataFrame | None = None) -> ColumnMapping:
    """Guess which column holds what from the header names (and, given a sample, the values).

    Headers are compared ignoring case, accents, spaces and punctuation against common names
    (``Postcode``/``Post code``/``PCD``, ``Latitude``/``lat``, ``Easting``/``X``,
    ``Site name``, ``Type``/``Category``, ``ID``/``Ref``...), then by looser rules (a header
    containing ``name`` that is not a contact's or an area's, one ending in ``type``, ``id`` or
    ``code`` that is not a postcode or an area code). Each column is used at most once.

    Parameters
    ----------
    columns
        The column names.
    sample
        Optional first rows (text cells). With it, a postcode column is also found by its values,
        and ``X``/``Y`` columns holding degrees become longitude/latitude.

    Returns
    -------
    ColumnMapping
        Check :meth:`ColumnMapping.missing` for what is still needed.
    """
    names = [str(c) for c in columns]
    keys = ["".join(_tokens(c)) for c in names]
    tokens = [_tokens(c) for c in names]
    used: set[str] = set()
    found: dict[str, str | None] = dict.fromkeys(_FIELD_ORDER)
    for field_name in _FIELD_ORDER:
        hit = None
        for synonym in _SYNONYMS[field_name]:
            hit = next((c for c, k in zip(names, keys, strict=True) if k == synonym), None)
            if hit is not None and hit not in used:
                break
            hit = None
        if hit is None:
            hit = next(
                (
                    c
                    for c, t in zip(names, tokens, strict=True)
                    if c not in used and _partial_match(field_name, t)
                ),
                None,
            )
        if hit is not None:
            found[field_name] = hit
            used.add(hit)
    if sample is not None and len(sample):
        if found["postcode"] is None:
            found["postcode"] = _postcode_column_by_values(sample, used)
        east, north = found["easting"], found["northing"]
        if (
            east is not None
            and north is not None
            and found["latitude"] is None
            and found["longitude"] is None
            and _degrees_like(sample, [east, north])
        ):
            found.update(longitude=east, latitude=north, easting=None, northing=None)
    # Half a pair locates nothing: a lone latitude column is more likely a note than a coordinate.
    for one, other in (("latitude", "longitude"), ("easting", "northing")):
        if (found[one] is None) != (found[other] is None):
            found[one] = found[other] = None
    return ColumnMapping(**found)


def detect_table(table: RawTable) -> ColumnMapping:
    """:func:`detect_columns` on a read table, with a GeoJSON file's Point coordinates first."""
    mapping = detect_columns(list(table.frame.columns), table.frame.head(200))
    if table.geometry is not None:
        geometry = {k: v for k, v in table.geometry.as_dict().items() if v is not None}
        # Properties that look like coordinates give way to the geometry itself.
        cleared = dict.fromkeys(("latitude", "longitude", "easting", "northing"))
        mapping = replace(mapping, **{**cleared, **geometry})
    return mapping


def resolve_mapping(mapping: ColumnMapping, columns: Sequence[str], name: str) -> ColumnMapping:
    """Turn every value of ``mapping`` into an exact column name, or raise :class:`UploadError`.

    Parameters
    ----------
    mapping
        Column names (exact or differing only in case and spacing) or 1-based positions.
    columns
        The table's columns.
    name
        The file's name, for messages.

    Returns
    -------
    ColumnMapping
        Exact names only; complete (see :meth:`ColumnMapping.missing`).
    """
    names = [str(c) for c in columns]
    folded = {re.sub(r"\s+", " ", c).strip().casefold(): c for c in names}
    resolved: dict[str, str | None] = {}
    for key, value in mapping.as_dict().items():
        if value is None or (isinstance(value, str) and not value.strip()):
            resolved[key] = None
            continue
        hit: str | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            hit = names[value - 1] if 1 <= value <= len(names) else None
        elif isinstance(value, str):
            text = value.strip()
            hit = value if value in names else folded.get(re.sub(r"\s+", " ", text).casefold())
            digits = re.fullmatch(r"#?(\d{1,6})", text)
            if hit is None and digits and 1 <= int(digits.group(1)) <= len(names):
                hit = names[int(digits.group(1)) - 1]
        if hit is None:
            listed = ", ".join(repr(c) for c in names[:30]) + (", ..." if len(names) > 30 else "")
            raise UploadError(
                f"{name} has no column {value!r} for the {_FIELD_LABELS[key]}. "
                f"Its columns are: {listed}."
            )
        resolved[key] = hit
    out = ColumnMapping(**resolved)
    location = [v for k in ("postcode", "latitude", "longitude", "easting", "northing")
                if (v := resolved[k]) is not None]  # fmt: skip
    repeated = sorted({c for c in location if location.count(c) > 1})
    if repeated:
        raise UploadError(
            f"The column {repeated[0]!r} is chosen for two different location fields: "
            "pick one column for each."
        )
    missing = out.missing()
    if missing:
        listed = ", ".join(repr(c) for c in names[:30]) + (", ..." if len(names) > 30 else "")
        raise UploadError(
            f"{name}: cannot place the rows without {' and '.join(missing)}. Choose them from the "
            f"file's columns: {listed}."
        )
    return out


# --------------------------------------------------------------------------------------------------
# Row checks
# --------------------------------------------------------------------------------------------------


def _short(value: object, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _slug(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.casefold()).strip("_")[:40].strip("_")
    if not slug:
        # Letters with no ASCII form (e.g. Welsh is fine, Chinese is not): a stable short code.
        slug = "type_" + hashlib.sha1(label.encode(), usedforsecurity=False).hexdigest()[:8]
    return slug


def _categories(
    raw: np.ndarray | None, n: int, default_type: str
) -> tuple[np.ndarray, dict[str, str]]:
    """Slug per row and slug -> label, blank -> the default type.

    Values that differ only in case and spacing are one type, labelled with its most common
    spelling. Others are kept apart even where their slugs would be equal (``=1+1`` and ``-1+1``
    are both ``1_1``): the second to appear in the file is ``1_1_2``, the third ``1_1_3``, and
    so on, skipping any slug the file already uses.
    """
    if raw is None:
        return np.full(n, default_type, dtype=object), {}
    # A register has few distinct types: tidy and slug each distinct value once.
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object))
    tidy = [re.sub(r"\s+", " ", str(u)).strip() for u in uniques]
    counts = np.bincount(codes, minlength=len(uniques))
    # Group the spellings of one type; groups in the order the file first uses them.
    group_of: dict[str, int] = {}
    group = np.array([group_of.setdefault(t.casefold(), len(group_of)) for t in tidy])
    keys = list(group_of)
    base = [_slug(k) if k else default_type for k in keys]
    taken = set(base)
    slug_of_group = list(base)
    owner: dict[str, int] = {}
    # Blank rows keep the default type's own slug; then the order the file uses the types in.
    for g in sorted(range(len(keys)), key=lambda g: keys[g] != ""):
        slug = base[g]
        if owner.setdefault(slug, g) != g:
            k = 2
            while f"{slug}_{k}" in taken:
                k += 1
            slug_of_group[g] = f"{slug}_{k}"
            taken.add(slug_of_group[g])
    slug_of = np.array([slug_of_group[g] for g in group], dtype=object)
    slugs = slug_of[codes]
    labels: dict[str, str] = {}
    for k in sorted(range(len(tidy)), key=lambda k: (-counts[k], tidy[k])):
        if tidy[k]:
            labels.setdefault(str(slug_of[k]), tidy[k])
    return slugs, labels


# --------------------------------------------------------------------------------------------------
# Ingest
# --------------------------------------------------------------------------------------------------


class _Rows:
    """One ingest's state: the text of the columns used and, per row, the verdict so far.

    A row keeps the first reason that rejects it; ``ok`` are the rows still in.
    """

    def __init__(self, table: RawTable, columns: ColumnMapping) -> None:
        n = len(table.frame)
        self.n = n
        self.decimal = table.decimal
        self.source_row = table.source_row
        self.columns: dict[str, str | None] = {
            k: (str(v) if v is not None else None) for k, v in columns.as_dict().items()
        }
        self.raw: dict[str, np.ndarray | None] = {
            k: (table.frame[v].to_numpy(dtype=object) if v is not None else None)
            for k, v in self.columns.items()
        }
        # Blank (or "NULL", "n/a"...) cells matter where a row may fall back to another column.
        self.blank = {
            k: (_blank(v) if v is not None else np.ones(n, dtype=bool))
            for k, v in self.raw.items()
            if k in ("postcode", "latitude", "longitude", "easting", "northing", "identifier")
        }
        # ``ok`` is kept beside ``reason`` rather than derived from it: it is read at every step.
        self.ok = np.ones(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)
        self.warning = np.full(n, None, dtype=object)
        self.east = np.full(n, np.nan)
        self.north = np.full(n, np.nan)
        self.lat = np.full(n, np.nan)
        self.lon = np.full(n, np.nan)
        self.located_by = np.full(n, None, dtype=object)
        self.geo: pd.DataFrame | None = None

    def text(self, key: str) -> np.ndarray:
        """The raw text of a field's column (blanks when the field is not mapped)."""
        values = self.raw[key]
        return values if values is not None else np.full(self.n, "", dtype=object)

    def reject(self, mask: np.ndarray, why: str, words: str) -> None:
        """Reject the rows in ``mask`` that are still in, all with the same detail."""
        hit = mask & self.ok
        self.reason[hit] = why
        self.detail[hit] = words
        self.ok &= ~hit

    def reject_each(self, mask: np.ndarray, why: str, words: Callable[[int], str]) -> None:
        """Reject the rows in ``mask`` that are still in, with ``words(i)`` as each detail."""
        # Details are written only for the rows rejected, so 100,000 good rows cost nothing here.
        for i in np.flatnonzero(mask & self.ok):
            self.reason[i] = why
            self.detail[i] = words(int(i))
            self.ok[i] = False

    def warn(self, i: int, words: str) -> None:
        self.warning[i] = words if self.warning[i] is None else f"{self.warning[i]}; {words}"


def _check_reader(rows: _Rows, table: RawTable) -> None:
    if table.row_reason is not None and table.row_detail is not None:
        known = ~pd.isna(table.row_reason)
        rows.reason[known] = table.row_reason[known]
        rows.ok &= ~known
        rows.detail[known] = table.row_detail[known]


def _check_lengths(rows: _Rows, max_chars: int) -> None:
    lengths = {
        key: np.fromiter(map(len, values), dtype=np.int64, count=rows.n)
        for key, values in rows.raw.items()
        if values is not None
    }
    too_long = np.zeros(rows.n, dtype=bool)
    for counts in lengths.values():
        too_long |= counts > max_chars

    def words(i: int) -> str:
        key = next(k for k, counts in lengths.items() if counts[i] > max_chars)
        return (
            f"the {_FIELD_LABELS[key]} is {lengths[key][i]:,} characters long "
            f"(at most {max_chars:,})"
        )

    rows.reject_each(too_long, REASON_TOO_LONG, words)


def _check_names(rows: _Rows) -> pd.Series:
    # Runs of any white space (tabs, line breaks) become one space, as a page would show them.
    name = pd.Series([" ".join(v.split()) for v in rows.text("name")], dtype=object)
    rows.reject(name.eq("").to_numpy(bool), REASON_NO_NAME, "the name is blank")
    return name


def _check_nothing(rows: _Rows, nothing: np.ndarray) -> None:
    cols = rows.columns
    if cols["latitude"] is None and cols["easting"] is None:
        text = rows.text("postcode")

        def words(i: int) -> str:  # "N/A" and the like count as blank, but say what was there
            value = text[i].strip()
            return f"the postcode is {_short(value, 20)!r}" if value else "the postcode is blank"

        rows.reject_each(nothing, STATUS_MISSING, words)
        return
    mapped = [
        _FIELD_LABELS[k]
        for k in ("postcode", "latitude", "longitude", "easting", "northing")
        if cols[k] is not None
    ]
    rows.reject(nothing, REASON_NO_LOCATION, f"blank {', '.join(mapped)}")


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


def _place_keys(rows: _Rows, slugs: np.ndarray, name: pd.Series) -> np.ndarray:
    """Type, name and place of each row still in: equal keys are one asset listed twice."""
    keys = np.full(rows.n, None, dtype=object)
    postcode = rows.geo["postcode"].to_numpy(dtype=object) if rows.geo is not None else None
    names = name.to_numpy(dtype=object)
    for i in np.flatnonzero(rows.ok):
        if postcode is not None and rows.located_by[i] == LOCATED_BY_POSTCODE:
            place = postcode[i]
        else:
            place = f"{rows.east[i]:.0f} {rows.north[i]:.0f}"
        keys[i] = f"{slugs[i]}|{names[i].casefold()}|{place}"
    return keys


def _check_duplicates(rows: _Rows, keys: np.ndarray) -> None:
    ok = np.flatnonzero(rows.ok)
    codes, _ = pd.factorize(keys[ok])
    # Rows are in file order, so a key's first position among the rows still in is its first row.
    _, first_pos = np.unique(codes, return_index=True)
    first = rows.source_row[ok][first_pos[codes]]
    dup = np.zeros(rows.n, dtype=bool)
    dup[ok] = first != rows.source_row[ok]
    first_row = np.zeros(rows.n, dtype=np.int64)
    first_row[ok] = first
    rows.reject_each(
        dup,
        REASON_DUPLICATE,
        lambda i: f"duplicate of row {first_row[i]} (same name, type and location)",
    )


def _asset_ids(rows: _Rows, slugs: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The owner's id where given (unique within the upload), else a hash of type, name, place."""
    blank = rows.blank["identifier"]
    own = np.array(
        ["" if b else v.strip() for v, b in zip(rows.text("identifier"), blank, strict=True)],
        dtype=object,
    )
    ids = np.full(rows.n, None, dtype=object)
    mapped = np.flatnonzero(rows.ok)
    hashed = mapped[own[mapped] == ""]
    # pandas' hash is fixed-keyed, so the same row gets the same id in every upload and session.
    digests = pd.util.hash_array(keys[hashed].astype(object))
    own[hashed] = [f"{h:016x}" for h in digests]
    ids[mapped] = [f"{s}:{o}" for s, o in zip(slugs[mapped], own[mapped], strict=True)]
    repeated = pd.Series(ids[mapped]).duplicated(keep="first").to_numpy(bool)
    if repeated.any():
        first_row = dict(zip(ids[mapped][::-1], rows.source_row[mapped][::-1], strict=True))
        for i in mapped[repeated]:
            rows.warn(
                int(i),
                f"{WARNING_REPEATED_ID}: {_short(own[i], 40)!r} is also on row {first_row[ids[i]]}",
            )
            ids[i] = f"{ids[i]}#{rows.source_row[i]}"
    return ids


def ingest_table(
    table: RawTable,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    *,
    mapping: ColumnMapping | None = None,
    default_type: str = DEFAULT_TYPE,
    limits: UploadLimits | None = None,
) -> IngestResult:
    """Place every row of a read upload in an LSOA, or report why not.

    Checks, each row leaving at the first that rejects it: what the reader found (a malformed CSV
    row, among them one a stray quote mark ran lines into; a GeoJSON feature that is not a
    point); over-long values in the columns used; an empty
    name; the location; duplicates (same name, type and place as an earlier row). A row is located
    by latitude/longitude when it has them, else easting/northing, else its postcode: whichever it
    gives first is the one judged (a bad coordinate is reported, not quietly replaced by the
    postcode).

    Latitude and longitude the wrong way round (only the swapped pair lies in England) are swapped
    back and the row carries a warning. Grid references in latitude/longitude columns, and the
    reverse, are reported with a hint, never guessed. A point outside every LSOA but within
    ``settings.NEAREST_LSOA_MAX_M`` of one is assigned to the nearest (coast), unless a Welsh or
    Scottish postcode is nearer than that LSOA (a border): then it is outside England.

    Parameters
    ----------
    table
        From :func:`read_table`.
    postcodes
        The postcode directory.
    locator
        The LSOA locator.
    mapping
        Which column holds what; :func:`detect_table` when ``None``.
    default_type
        Asset type for rows without a category (slugged).
    limits
        For the longest value accepted; :meth:`UploadLimits.from_settings` by default.

    Returns
    -------
    IngestResult
        Every further line of a row over several lines is in the report too, as
        :data:`REASON_MERGED_LINE` or :data:`REASON_CONTINUED_LINE`, so that
        ``len(assets) + len(report) == data_lines``.

    Raises
    ------
    UploadError
        When the mapping names a column the file lacks, or lacks a name or a location.
    """
    limits = limits or UploadLimits.from_settings()
    default_type = _slug(default_type or DEFAULT_TYPE)
    detected = mapping is None
    used = resolve_mapping(
        detect_table(table) if mapping is None else mapping,
        list(table.frame.columns),
        table.filename,
    )
    rows = _Rows(table, used)

    _check_reader(rows, table)
    _check_lengths(rows, limits.max_cell_chars)
    name = _check_names(rows)
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
    slugs, labels = _categories(rows.raw["category"], rows.n, default_type)
    keys = _place_keys(rows, slugs, name)
    _check_duplicates(rows, keys)
    ids = _asset_ids(rows, slugs, keys)

    mapped = rows.ok
    address = rows.raw["address"]
    assets = pd.DataFrame(
        {
            "asset_id": ids,
            "asset_type": slugs,
            "name": name.to_numpy(dtype=object),
            "subtype": None,
            "address": ([" ".join(v.split()) for v in address] if address is not None else None),
            "postcode": rows.geo["postcode"].to_numpy(dtype=object)
            if rows.geo is not None
            else None,
            "easting": rows.east,
            "northing": rows.north,
            "lsoa21cd": placed.code,
            "lsoa_method": placed.method,
            "distance_to_lsoa_m": placed.distance,
            "source_row": rows.source_row,
            "located_by": rows.located_by,
            "warning": rows.warning,
        }
    )[mapped].reset_index(drop=True)[UPLOAD_ASSET_COLUMNS]

    def shown(key: str) -> np.ndarray | None:
        values = rows.raw[key]
        if values is None:
            return None
        return np.array([_short(v, _REPORT_CHARS) for v in values[~mapped]], dtype=object)

    report = pd.DataFrame(
        {
            "source_row": rows.source_row[~mapped],
            "name": shown("name"),
            "category": shown("category"),
            "reason": rows.reason[~mapped],
            "detail": rows.detail[~mapped],
            "postcode": shown("postcode"),
            "latitude": shown("latitude"),
            "longitude": shown("longitude"),
            "easting": shown("easting"),
            "northing": shown("northing"),
        },
        columns=UPLOAD_REPORT_COLUMNS,
    )
    if table.joined:
        extra = _joined_report(table, used)
        report = (
            pd.concat([report.astype(object), extra.astype(object)], ignore_index=True)
            .sort_values("source_row", kind="stable")
            .reset_index(drop=True)
        )
        report["source_row"] = report["source_row"].astype(np.int64)
    return IngestResult(
        assets=assets,
        report=report,
        mapping=used,
        rows_read=rows.n,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_row=table.header_row,
        filename=table.filename,
        messages=_messages(table, used, detected, assets, labels),
        categories={s: labels.get(s, _label(s)) for s in pd.unique(assets["asset_type"])},
        data_lines=table.data_lines,
        decimal=table.decimal,
        quoting=table.quoting,
        sheet=table.sheet,
        joined=table.joined,
    )


def _joined_report(table: RawTable, used: ColumnMapping) -> pd.DataFrame:
    """One report row per further line of a row that runs over several lines."""
    columns = [str(c) for c in table.frame.columns]
    position = {
        key: columns.index(str(value))
        for key, value in used.as_dict().items()
        if value is not None and str(value) in columns
    }
    out: dict[str, list[object]] = {c: [] for c in UPLOAD_REPORT_COLUMNS}
    for j in table.joined:
        if j.kind == JOIN_STRAY_QUOTE:
            why = (
                f"read as part of the row on line {j.row}: a quote mark there opens a value that "
                f"only closes on line {j.last} (read the file with quoting off to place this "
                "line on its own)"
            )
        elif j.kind == JOIN_UNCLOSED_QUOTE:
            why = (
                f"read as part of the row on line {j.row}, whose quote mark is never closed "
                f"(the rest of the file, to line {j.last}, ran into it)"
            )
        else:
            why = (
                f"part of the row on line {j.row}: a quoted value there holds a line break, so "
                f"the row takes lines {j.row}-{j.last} and is judged as a whole"
            )
        for k, cells in enumerate(j.cells):
            out["source_row"].append(j.row + 1 + k)
            out["reason"].append(REASON_MERGED_LINE if j.merged else REASON_CONTINUED_LINE)
            out["detail"].append(why)
            # A merged line is a row of its own: show what it holds. A continued line is part
            # of a value, so its pieces do not line up with the columns.
            for key in ("name", "category", "postcode", "latitude", "longitude", "easting",
                        "northing"):  # fmt: skip
                at = position.get(key)
                value = cells[at] if j.merged and at is not None and at < len(cells) else None
                out[key].append(None if value is None else _short(value, _REPORT_CHARS))
    return pd.DataFrame(out, columns=UPLOAD_REPORT_COLUMNS)


def _messages(
    table: RawTable,
    used: ColumnMapping,
    detected: bool,
    assets: pd.DataFrame,
    labels: dict[str, str],
) -> list[str]:
    messages = [read_summary(table), *table.messages]
    messages.append(("Columns found: " if detected else "Columns used: ") + used.describe() + ".")
    swapped = int(assets["warning"].fillna("").str.contains(WARNING_SWAPPED, regex=False).sum())
    if swapped:
        messages.append(
            f"{_count(swapped, 'row')} had latitude and longitude the wrong way round: swapped "
            "back, with a warning on each."
        )
    shared: dict[str, list[str]] = {}
    for slug in pd.unique(assets["asset_type"]):  # in the order the file uses them
        if slug in labels:
            shared.setdefault(_slug(labels[slug]), []).append(labels[slug])
    apart = [names for names in shared.values() if len(names) > 1]
    if apart:
        listed = "; ".join(" and ".join(repr(n) for n in names[:4]) for names in apart[:5])
        messages.append(
            f"Types that differ only in punctuation or accents are kept apart: {listed}."
        )
    if used.category is not None and len(labels) > 50:
        messages.append(
            f"The type column {used.category!r} has {len(labels):,} different values: is it "
            "really a type or category?"
        )
    return messages


def _grid_like(e: np.ndarray, n: np.ndarray, low: float = _GRID_MIN) -> np.ndarray:
    # Inside the grid's extent. By default also clearly metres: every English point is more than
    # 1 km from the grid's origin on both axes, so a placeholder latitude/longitude like (100, 0)
    # is not taken for a grid reference.
    with np.errstate(invalid="ignore"):
        return (e >= low) & (e <= _GRID_MAX_E) & (n >= low) & (n <= _GRID_MAX_N)


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


def _label(slug: str) -> str:
    return slug.replace("_", " ").capitalize()


def read_summary(table: RawTable) -> str:
    """How the file was read, in one sentence (what the page and the command line show first)."""
    n = table.rows_read
    if table.format == FORMAT_GEOJSON:
        return f"Read {_count(n, 'feature')} from {table.filename} (GeoJSON)."
    parts = ["Excel workbook" if table.format == FORMAT_XLSX else "CSV"]
    if table.sheet is not None:
        parts.append(f"sheet {table.sheet!r}")
    if table.encoding:
        parts.append(table.encoding)
    if table.delimiter:
        parts.append(f"{_DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))}-separated")
    parts.append(DECIMALS.get(table.decimal, table.decimal))
    if table.format == FORMAT_CSV and not table.quoting:
        parts.append("quoting off")
    parts.append(
        f"header on row {table.header_row}" if table.header_row is not None else "no header row"
    )
    lines = table.data_lines
    what = _count(lines, "data line") if table.format == FORMAT_CSV else _count(n, "row")
    if lines != n:
        what += f" as {_count(n, 'row')}"
    return f"Read {what} from {table.filename} ({', '.join(parts)})."


def ingest(
    data: bytes,
    filename: str,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    *,
    mapping: ColumnMapping | None = None,
    default_type: str = DEFAULT_TYPE,
    header: bool | None = None,
    limits: UploadLimits | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    quoting: bool = True,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> IngestResult:
    """Read an upload and place every row: :func:`read_table` then :func:`ingest_table`.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The name it was uploaded with (its ending says the format; never used as a path).
    postcodes
        The postcode directory (:meth:`assetmap.geography.geocode.PostcodeDirectory.load`).
    locator
        The LSOA locator (:meth:`assetmap.geography.spatial.LsoaLocator.load`).
    mapping
        Which column holds what; detected from the headers when ``None``.
    default_type
        Asset type for rows without a category.
    header
        Whether the first row is a header; decided from the file when ``None``.
    limits
        Upload caps; :meth:`UploadLimits.from_settings` by default.
    delimiter, decimal, quoting, sheet, header_row
        How to read the file, where the sniffed or guessed reading is wrong (see
        :func:`read_table`).

    Returns
    -------
    IngestResult
        ``len(result.assets) + len(result.report) == result.data_lines``.

    Raises
    ------
    UploadError
        For a whole-file problem (see :func:`read_table`) or an unusable mapping.

    Examples
    --------
    >>> result = ingest(path.read_bytes(), path.name, postcodes, locator)  # doctest: +SKIP
    >>> result.report["reason"].value_counts()  # doctest: +SKIP
    """
    limits = limits or UploadLimits.from_settings()
    table = read_table(
        data,
        filename,
        header=header,
        limits=limits,
        delimiter=delimiter,
        decimal=decimal,
        quoting=quoting,
        sheet=sheet,
        header_row=header_row,
    )
    return ingest_table(
        table, postcodes, locator, mapping=mapping, default_type=default_type, limits=limits
    )
