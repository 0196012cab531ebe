"""Why a row is reported (:data:`REASONS`), the warnings on rows that were mapped, and the
columns of the mapped assets and of the report."""

from __future__ import annotations

from typing import Final

from assetmap.data.assets import (
    ASSET_COLUMNS,
    REASON_DUPLICATE,
    REASON_NO_LSOA,
    REASON_OUTSIDE_ENGLAND,
)
from assetmap.geography.geocode import (
    STATUS_MALFORMED,
    STATUS_MISSING,
    STATUS_NO_GRIDREF,
    STATUS_UNKNOWN,
)

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
