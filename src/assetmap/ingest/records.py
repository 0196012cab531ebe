"""The rows a reader found (:class:`_Records`), before a header is chosen, and what the readers
share: blank rows, the cap on values, a value as the text a spreadsheet shows."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Final

from assetmap.ingest.model import UploadError, UploadLimits

# Header window: the first rows looked at for title rows above the header.
_TITLE_WINDOW: Final = 20


def _is_blank_record(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


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
