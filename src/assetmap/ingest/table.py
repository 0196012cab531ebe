"""Records -> :class:`~assetmap.ingest.model.RawTable`: the header chosen, the columns named, every
row padded or cut to the table's width (a CSV row with more values is malformed), rows over
several lines judged, and the notes about the file."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from assetmap.ingest.columns import _column_names, _find_header_row, _guess_first, _looks_like_data
from assetmap.ingest.delimited import _sniff_decimal
from assetmap.ingest.joined import _joined_messages, _joined_rows
from assetmap.ingest.model import (
    JOIN_STRAY_QUOTE,
    JOIN_UNCLOSED_QUOTE,
    JoinedLines,
    RawTable,
    UploadError,
    UploadLimits,
)
from assetmap.ingest.reasons import REASON_MALFORMED_ROW
from assetmap.ingest.records import _TITLE_WINDOW, _is_blank_record, _Records
from assetmap.ingest.words import _count, _short


def _split_number(cells: Sequence[str]) -> tuple[str, str] | None:
    """Two neighbouring cells that read as one number split at a decimal comma (``52``, ``48``)."""
    for x, y in itertools.pairwise(cells):
        if re.fullmatch(r"[+-]?\d+", x.strip()) and re.fullmatch(r"\d+", y.strip()):
            return x.strip(), y.strip()
    return None


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

    first, has_header = _find_header(records, header, header_row, name, messages)
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

    _check_data_rows(records, data, limits, name)
    width = _table_width(header_cells, data, extra_cells, limits, name)
    names, cut = _column_names(header_cells, width)
    if cut:
        messages.append(f"Shortened {_count(cut, 'very long column name')}.")

    padded, reason, detail, split_numbers = _pad_rows(
        data, data_numbers, width, extra_cells, delimiter
    )

    joined = _joined_rows(records, data_numbers, data_ends, width, delimiter or ",")
    _mark_joined(joined, data_numbers, reason, detail)
    messages.extend(_joined_messages(joined, name))

    decimal = decimal or _sniff_decimal(data)
    messages.extend(_decimal_messages(split_numbers, delimiter, decimal, name))

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


def _find_header(
    records: _Records, header: bool | None, header_row: int | None, name: str, messages: list[str]
) -> tuple[int, bool]:
    """Where the table starts (the index of its header, or of its first data record) and whether
    it has a header: on the chosen ``header_row``, else guessed below any title rows.

    What was skipped is said in ``messages``.
    """
    rows, numbers = records.rows, records.numbers
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
    return first, has_header


def _check_data_rows(
    records: _Records, data: Sequence[Sequence[str]], limits: UploadLimits, name: str
) -> None:
    """Refuse a table with more data rows than one upload may hold, or with none."""
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


def _table_width(
    header_cells: Sequence[str] | None,
    data: Sequence[Sequence[str]],
    extra_cells: str,
    limits: UploadLimits,
    name: str,
) -> int:
    """How many columns the table has (the header's, or the widest row's), within the limit."""
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
    return width


def _pad_rows(
    data: Sequence[list[str]],
    data_numbers: Sequence[int],
    width: int,
    extra_cells: str,
    delimiter: str | None,
) -> tuple[list[list[str]], np.ndarray, np.ndarray, list[tuple[int, tuple[str, str]]]]:
    """Every row cut or padded to ``width`` cells (see :func:`_table_from_records` for
    ``extra_cells``).

    Returns the rows, the reason and detail of each (``None`` where there is none), and the
    malformed rows whose values look like a number split at a decimal comma (line, the halves).
    """
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
    return padded, reason, detail, split_numbers


def _mark_joined(
    joined: Sequence[JoinedLines],
    data_numbers: Sequence[int],
    reason: np.ndarray,
    detail: np.ndarray,
) -> None:
    """Mark as malformed the rows a stray or unclosed quote mark ran further lines into."""
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


def _decimal_messages(
    split_numbers: Sequence[tuple[int, tuple[str, str]]],
    delimiter: str | None,
    decimal: str,
    name: str,
) -> list[str]:
    """What to say of decimal commas in a comma-separated file (nothing when there are none)."""
    messages = []
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
    return messages
