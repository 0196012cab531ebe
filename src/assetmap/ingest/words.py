"""Small text helpers: a file's name as shown and its ending, counts, sizes, shortened values."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from assetmap.presentation.text import ECHO_MAX_CHARS

# Report cells longer than this are cut (with an ellipsis) so a huge value cannot flood a page.
_REPORT_CHARS: Final = 200


def _display_name(filename: str) -> str:
    # The name is only ever shown: keep its last path component, drop control characters and cap
    # its length, so it cannot smuggle a path or flood a message.
    base = re.split(r"[\\/]", str(filename))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > ECHO_MAX_CHARS:  # keep the ending, which says the format
        base = base[: ECHO_MAX_CHARS - 31] + "…" + base[-30:]
    return base or "the file"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _size(n_bytes: float) -> str:
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / 1024 / 1024:,.1f} MB"
    return f"{n_bytes / 1024:,.1f} KB" if n_bytes >= 1024 else f"{n_bytes:,.0f} bytes"


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].casefold() if dot > 0 else ""


def _short(value: object, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
