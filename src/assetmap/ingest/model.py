"""What an upload passes through: its formats, limits, the read table, the column mapping and
the result, and :class:`UploadError` for a problem with the whole file."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Final

import numpy as np
import pandas as pd

from assetmap import settings

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

# How a row spread over several lines came to be (see JoinedLines).
JOIN_LINE_BREAK: Final = "line break"
JOIN_STRAY_QUOTE: Final = "stray quote"
JOIN_UNCLOSED_QUOTE: Final = "unclosed quote"


class UploadError(ValueError):
    """A whole-file problem; the message is written for the person who uploaded the file."""


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
