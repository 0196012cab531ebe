"""Reading an upload: :func:`read_table` (the size and format checks, then the CSV, Excel or
GeoJSON reader) and the size check shared by the dashboard and the command line."""

from __future__ import annotations

from assetmap.ingest.decode import _decode, _looks_binary, _sniff_binary
from assetmap.ingest.delimited import _csv_records, _sniff_delimiter, parse_decimal, parse_delimiter
from assetmap.ingest.excel import _xlsx_records
from assetmap.ingest.geojson import _geojson_table, _parse_json
from assetmap.ingest.model import (
    ACCEPTED_EXTENSIONS,
    FORMAT_CSV,
    FORMAT_GEOJSON,
    FORMAT_XLSX,
    RawTable,
    UploadError,
    UploadLimits,
)
from assetmap.ingest.table import _table_from_records
from assetmap.ingest.words import _display_name, _extension, _size


def expected_format(filename: str) -> str | None:
    """The format a file name's ending promises (:data:`FORMAT_CSV`, :data:`FORMAT_XLSX` or
    :data:`FORMAT_GEOJSON`); ``None`` for an ending that is not accepted."""
    return ACCEPTED_EXTENSIONS.get(_extension(_display_name(filename)))


def _accepted_words() -> str:
    return (
        ".csv, .tsv or .txt (comma-, semicolon- or tab-separated text), .xlsx (Excel workbook) "
        "or .geojson / .json (GeoJSON points)"
    )


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
        return _read_workbook(
            data,
            name,
            expected,
            limits,
            header=header,
            decimal=decimal,
            sheet=sheet,
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

    return _read_text(
        data,
        name,
        ext,
        expected,
        limits,
        header=header,
        delimiter=delimiter,
        decimal=decimal,
        quoting=quoting,
        header_row=header_row,
    )


def _read_workbook(
    data: bytes,
    name: str,
    expected: str,
    limits: UploadLimits,
    *,
    header: bool | None,
    decimal: str | None,
    sheet: str | int | None,
    header_row: int | None,
) -> RawTable:
    """An Excel workbook's sheet -> :class:`RawTable` (when the file's name promised one)."""
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


def _read_text(
    data: bytes,
    name: str,
    ext: str,
    expected: str,
    limits: UploadLimits,
    *,
    header: bool | None,
    delimiter: str | None,
    decimal: str | None,
    quoting: bool,
    header_row: int | None,
) -> RawTable:
    """Delimited text -> :class:`RawTable`: decoded, its delimiter sniffed unless given (tab first
    for ``.tsv``), split into records (when the file's name promised text)."""
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
