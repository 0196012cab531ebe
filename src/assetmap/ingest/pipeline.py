"""The whole ingest: :func:`ingest_table` places every row of a read table or reports why not;
:func:`ingest` reads the upload first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.ingest.categories import DEFAULT_TYPE, _categories, _label, _slug
from assetmap.ingest.columns import detect_table, resolve_mapping
from assetmap.ingest.model import ColumnMapping, IngestResult, RawTable, UploadLimits
from assetmap.ingest.place import _place_rows, _Placed
from assetmap.ingest.read import read_table
from assetmap.ingest.reasons import UPLOAD_ASSET_COLUMNS
from assetmap.ingest.report import _messages, _report_frame
from assetmap.ingest.rows import (
    _asset_ids,
    _check_duplicates,
    _check_lengths,
    _check_names,
    _check_reader,
    _place_keys,
    _Rows,
)


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
    placed = _place_rows(rows, postcodes, locator)
    slugs, labels = _categories(rows.raw["category"], rows.n, default_type)
    keys = _place_keys(rows, slugs, name)
    _check_duplicates(rows, keys)
    ids = _asset_ids(rows, slugs, keys)

    assets = _assets_frame(rows, ids, slugs, name, placed)
    report = _report_frame(rows, table, used)
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


def _assets_frame(
    rows: _Rows, ids: np.ndarray, slugs: np.ndarray, name: pd.Series, placed: _Placed
) -> pd.DataFrame:
    """The mapped rows in the columns :data:`UPLOAD_ASSET_COLUMNS`."""
    mapped = rows.ok
    address = rows.raw["address"]
    return pd.DataFrame(
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
