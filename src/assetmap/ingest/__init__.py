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

The modules, in the order the pipeline uses them (each imports only those above it):

- :mod:`~assetmap.ingest.words`: the file's display name and ending, counts, sizes and
  shortened values in messages.
- :mod:`~assetmap.ingest.model`: the formats, :class:`UploadError`, :class:`UploadLimits` and
  the objects passed along: :class:`RawTable` (with :class:`JoinedLines`),
  :class:`ColumnMapping`, :class:`IngestResult`.
- :mod:`~assetmap.ingest.reasons`: why a row is reported, the warnings on mapped rows, and the
  columns of the assets and the report.
- :mod:`~assetmap.ingest.coordinates`: coordinates written by hand to numbers, the British
  National Grid's extent, WGS84 to the grid.
- :mod:`~assetmap.ingest.categories`: asset types from a category column (slugs and labels).
- :mod:`~assetmap.ingest.decode`: the format of binary files from their first bytes; text
  decoded from its bytes.
- :mod:`~assetmap.ingest.records`: the rows a reader found, before a header is chosen.
- :mod:`~assetmap.ingest.delimited`: delimited text: separators and decimal marks (given or
  sniffed), the CSV reader.
- :mod:`~assetmap.ingest.excel`: the Excel workbook reader.
- :mod:`~assetmap.ingest.columns`: the header row among the first rows, column names, and which
  column holds what (:func:`detect_columns`, :func:`resolve_mapping`).
- :mod:`~assetmap.ingest.geojson`: the GeoJSON reader (Point features).
- :mod:`~assetmap.ingest.joined`: rows of a text file that run over several lines, and why.
- :mod:`~assetmap.ingest.table`: records to a :class:`RawTable`: header, columns, padded rows.
- :mod:`~assetmap.ingest.read`: :func:`read_table`, the size check and the format checks.
- :mod:`~assetmap.ingest.rows`: one ingest's per-row verdicts and the checks that are not about
  location (values too long, empty names, duplicates, ids).
- :mod:`~assetmap.ingest.place`: rows located by postcode or coordinates and assigned to LSOAs
  (swapped coordinates, the coast, the Welsh and Scottish borders).
- :mod:`~assetmap.ingest.report`: the row report and the messages about the whole file.
- :mod:`~assetmap.ingest.pipeline`: :func:`ingest_table` and :func:`ingest`.

Every public name is importable from :mod:`assetmap.ingest` itself.
"""

from __future__ import annotations

from assetmap.data.assets import (
    REASON_DUPLICATE,
    REASON_NO_LSOA,
    REASON_OUTSIDE_ENGLAND,
    WARNING_POSTCODE_FAR,
)
from assetmap.ingest.categories import DEFAULT_TYPE
from assetmap.ingest.columns import detect_columns, detect_table, resolve_mapping
from assetmap.ingest.delimited import DECIMALS, DELIMITERS, parse_decimal, parse_delimiter
from assetmap.ingest.geojson import (
    GEOMETRY_EASTING,
    GEOMETRY_LATITUDE,
    GEOMETRY_LONGITUDE,
    GEOMETRY_NORTHING,
)
from assetmap.ingest.model import (
    ACCEPTED_EXTENSIONS,
    FORMAT_CSV,
    FORMAT_GEOJSON,
    FORMAT_XLSX,
    JOIN_LINE_BREAK,
    JOIN_STRAY_QUOTE,
    JOIN_UNCLOSED_QUOTE,
    ColumnMapping,
    IngestResult,
    JoinedLines,
    RawTable,
    UploadError,
    UploadLimits,
)
from assetmap.ingest.pipeline import ingest, ingest_table
from assetmap.ingest.read import check_size, expected_format, read_table, size_message
from assetmap.ingest.reasons import (
    REASON_BAD_GEOMETRY,
    REASON_CONTINUED_LINE,
    REASON_GRID_AS_LATLON,
    REASON_INCOMPLETE_COORDS,
    REASON_LATLON_AS_GRID,
    REASON_MALFORMED_ROW,
    REASON_MERGED_LINE,
    REASON_NO_LOCATION,
    REASON_NO_NAME,
    REASON_NON_NUMERIC,
    REASON_NOT_POINT,
    REASON_OUT_OF_RANGE,
    REASON_TOO_LONG,
    REASONS,
    UPLOAD_ASSET_COLUMNS,
    UPLOAD_REPORT_COLUMNS,
    WARNING_REPEATED_ID,
    WARNING_SWAPPED,
)
from assetmap.ingest.report import read_summary

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "DECIMALS",
    "DEFAULT_TYPE",
    "DELIMITERS",
    "FORMAT_CSV",
    "FORMAT_GEOJSON",
    "FORMAT_XLSX",
    "GEOMETRY_EASTING",
    "GEOMETRY_LATITUDE",
    "GEOMETRY_LONGITUDE",
    "GEOMETRY_NORTHING",
    "JOIN_LINE_BREAK",
    "JOIN_STRAY_QUOTE",
    "JOIN_UNCLOSED_QUOTE",
    "REASONS",
    "REASON_BAD_GEOMETRY",
    "REASON_CONTINUED_LINE",
    "REASON_DUPLICATE",
    "REASON_GRID_AS_LATLON",
    "REASON_INCOMPLETE_COORDS",
    "REASON_LATLON_AS_GRID",
    "REASON_MALFORMED_ROW",
    "REASON_MERGED_LINE",
    "REASON_NON_NUMERIC",
    "REASON_NOT_POINT",
    "REASON_NO_LOCATION",
    "REASON_NO_LSOA",
    "REASON_NO_NAME",
    "REASON_OUTSIDE_ENGLAND",
    "REASON_OUT_OF_RANGE",
    "REASON_TOO_LONG",
    "UPLOAD_ASSET_COLUMNS",
    "UPLOAD_REPORT_COLUMNS",
    "WARNING_POSTCODE_FAR",
    "WARNING_REPEATED_ID",
    "WARNING_SWAPPED",
    "ColumnMapping",
    "IngestResult",
    "JoinedLines",
    "RawTable",
    "UploadError",
    "UploadLimits",
    "check_size",
    "detect_columns",
    "detect_table",
    "expected_format",
    "ingest",
    "ingest_table",
    "parse_decimal",
    "parse_delimiter",
    "read_summary",
    "read_table",
    "resolve_mapping",
    "size_message",
]
