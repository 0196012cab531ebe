"""The Excel workbook reader: one sheet, chosen by name or position, read within bounds a tiny
hostile file cannot stretch."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from typing import Any, Final

from assetmap.ingest.model import UploadError, UploadLimits
from assetmap.ingest.records import (
    _TITLE_WINDOW,
    _cell_text,
    _is_blank_record,
    _Records,
    _too_many_cells,
)
from assetmap.ingest.words import _short

# Excel sheets: columns read beyond the widest of the first rows, and blank rows allowed for.
_XLSX_EXTRA_COLUMNS: Final = 20
_XLSX_BLANK_ROWS: Final = 10_000


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
