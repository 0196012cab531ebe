"""Rows of a text file that run over several lines: each judged a quoted value with a line break,
or a stray or unclosed quote mark that ran lines together, and what the user is told of them."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assetmap.ingest.columns import _POSTCODE_SHAPE, _parses_as_number
from assetmap.ingest.model import (
    JOIN_LINE_BREAK,
    JOIN_STRAY_QUOTE,
    JOIN_UNCLOSED_QUOTE,
    JoinedLines,
)
from assetmap.ingest.records import _is_blank_record, _Records
from assetmap.ingest.words import _count


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
