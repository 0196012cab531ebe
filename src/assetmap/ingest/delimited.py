"""Delimited text: the separators and decimal marks a user may give (or that are sniffed from
the text) and the CSV reader, which keeps the line each record starts and ends on."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Final, Literal

from assetmap.ingest.decode import _SNIFF_CHARS
from assetmap.ingest.model import UploadError, UploadLimits
from assetmap.ingest.records import _TITLE_WINDOW, _is_blank_record, _Records, _too_many_cells

_DELIMITERS: Final = (",", ";", "\t", "|")
_DELIMITER_NAMES: Final = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: Separators a user may choose (:func:`parse_delimiter` reads these words too), and decimal marks.
DELIMITERS: Final[dict[str, str]] = dict(_DELIMITER_NAMES)
DECIMALS: Final[dict[str, str]] = {".": "decimal point", ",": "decimal comma"}


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
