"""One ingest's per-row state (:class:`_Rows`) and the checks that are not about location: what the
reader found, over-long values, empty names, nothing to locate by, duplicates; and asset ids."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from assetmap.data.assets import LOCATED_BY_POSTCODE, REASON_DUPLICATE
from assetmap.geography.geocode import STATUS_MISSING
from assetmap.ingest.coordinates import _blank
from assetmap.ingest.model import _FIELD_LABELS, ColumnMapping, RawTable
from assetmap.ingest.reasons import (
    REASON_NO_LOCATION,
    REASON_NO_NAME,
    REASON_TOO_LONG,
    WARNING_REPEATED_ID,
)
from assetmap.ingest.words import _short


class _Rows:
    """One ingest's state: the text of the columns used and, per row, the verdict so far.

    A row keeps the first reason that rejects it; ``ok`` are the rows still in.
    """

    def __init__(self, table: RawTable, columns: ColumnMapping) -> None:
        n = len(table.frame)
        self.n = n
        self.decimal = table.decimal
        self.source_row = table.source_row
        self.columns: dict[str, str | None] = {
            k: (str(v) if v is not None else None) for k, v in columns.as_dict().items()
        }
        self.raw: dict[str, np.ndarray | None] = {
            k: (table.frame[v].to_numpy(dtype=object) if v is not None else None)
            for k, v in self.columns.items()
        }
        # Blank (or "NULL", "n/a"...) cells matter where a row may fall back to another column.
        self.blank = {
            k: (_blank(v) if v is not None else np.ones(n, dtype=bool))
            for k, v in self.raw.items()
            if k in ("postcode", "latitude", "longitude", "easting", "northing", "identifier")
        }
        # ``ok`` is kept beside ``reason`` rather than derived from it: it is read at every step.
        self.ok = np.ones(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)
        self.warning = np.full(n, None, dtype=object)
        self.east = np.full(n, np.nan)
        self.north = np.full(n, np.nan)
        self.lat = np.full(n, np.nan)
        self.lon = np.full(n, np.nan)
        self.located_by = np.full(n, None, dtype=object)
        self.geo: pd.DataFrame | None = None

    def text(self, key: str) -> np.ndarray:
        """The raw text of a field's column (blanks when the field is not mapped)."""
        values = self.raw[key]
        return values if values is not None else np.full(self.n, "", dtype=object)

    def reject(self, mask: np.ndarray, why: str, words: str) -> None:
        """Reject the rows in ``mask`` that are still in, all with the same detail."""
        hit = mask & self.ok
        self.reason[hit] = why
        self.detail[hit] = words
        self.ok &= ~hit

    def reject_each(self, mask: np.ndarray, why: str, words: Callable[[int], str]) -> None:
        """Reject the rows in ``mask`` that are still in, with ``words(i)`` as each detail."""
        # Details are written only for the rows rejected, so 100,000 good rows cost nothing here.
        for i in np.flatnonzero(mask & self.ok):
            self.reason[i] = why
            self.detail[i] = words(int(i))
            self.ok[i] = False

    def warn(self, i: int, words: str) -> None:
        self.warning[i] = words if self.warning[i] is None else f"{self.warning[i]}; {words}"


def _check_reader(rows: _Rows, table: RawTable) -> None:
    if table.row_reason is not None and table.row_detail is not None:
        known = ~pd.isna(table.row_reason)
        rows.reason[known] = table.row_reason[known]
        rows.ok &= ~known
        rows.detail[known] = table.row_detail[known]


def _check_lengths(rows: _Rows, max_chars: int) -> None:
    lengths = {
        key: np.fromiter(map(len, values), dtype=np.int64, count=rows.n)
        for key, values in rows.raw.items()
        if values is not None
    }
    too_long = np.zeros(rows.n, dtype=bool)
    for counts in lengths.values():
        too_long |= counts > max_chars

    def words(i: int) -> str:
        key = next(k for k, counts in lengths.items() if counts[i] > max_chars)
        return (
            f"the {_FIELD_LABELS[key]} is {lengths[key][i]:,} characters long "
            f"(at most {max_chars:,})"
        )

    rows.reject_each(too_long, REASON_TOO_LONG, words)


def _check_names(rows: _Rows) -> pd.Series:
    # Runs of any white space (tabs, line breaks) become one space, as a page would show them.
    name = pd.Series([" ".join(v.split()) for v in rows.text("name")], dtype=object)
    rows.reject(name.eq("").to_numpy(bool), REASON_NO_NAME, "the name is blank")
    return name


def _check_nothing(rows: _Rows, nothing: np.ndarray) -> None:
    cols = rows.columns
    if cols["latitude"] is None and cols["easting"] is None:
        text = rows.text("postcode")

        def words(i: int) -> str:  # "N/A" and the like count as blank, but say what was there
            value = text[i].strip()
            return f"the postcode is {_short(value, 20)!r}" if value else "the postcode is blank"

        rows.reject_each(nothing, STATUS_MISSING, words)
        return
    mapped = [
        _FIELD_LABELS[k]
        for k in ("postcode", "latitude", "longitude", "easting", "northing")
        if cols[k] is not None
    ]
    rows.reject(nothing, REASON_NO_LOCATION, f"blank {', '.join(mapped)}")


def _place_keys(rows: _Rows, slugs: np.ndarray, name: pd.Series) -> np.ndarray:
    """Type, name and place of each row still in: equal keys are one asset listed twice."""
    keys = np.full(rows.n, None, dtype=object)
    postcode = rows.geo["postcode"].to_numpy(dtype=object) if rows.geo is not None else None
    names = name.to_numpy(dtype=object)
    for i in np.flatnonzero(rows.ok):
        if postcode is not None and rows.located_by[i] == LOCATED_BY_POSTCODE:
            place = postcode[i]
        else:
            place = f"{rows.east[i]:.0f} {rows.north[i]:.0f}"
        keys[i] = f"{slugs[i]}|{names[i].casefold()}|{place}"
    return keys


def _check_duplicates(rows: _Rows, keys: np.ndarray) -> None:
    ok = np.flatnonzero(rows.ok)
    codes, _ = pd.factorize(keys[ok])
    # Rows are in file order, so a key's first position among the rows still in is its first row.
    _, first_pos = np.unique(codes, return_index=True)
    first = rows.source_row[ok][first_pos[codes]]
    dup = np.zeros(rows.n, dtype=bool)
    dup[ok] = first != rows.source_row[ok]
    first_row = np.zeros(rows.n, dtype=np.int64)
    first_row[ok] = first
    rows.reject_each(
        dup,
        REASON_DUPLICATE,
        lambda i: f"duplicate of row {first_row[i]} (same name, type and location)",
    )


def _asset_ids(rows: _Rows, slugs: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The owner's id where given (unique within the upload), else a hash of type, name, place."""
    blank = rows.blank["identifier"]
    own = np.array(
        ["" if b else v.strip() for v, b in zip(rows.text("identifier"), blank, strict=True)],
        dtype=object,
    )
    ids = np.full(rows.n, None, dtype=object)
    mapped = np.flatnonzero(rows.ok)
    hashed = mapped[own[mapped] == ""]
    # pandas' hash is fixed-keyed, so the same row gets the same id in every upload and session.
    digests = pd.util.hash_array(keys[hashed].astype(object))
    own[hashed] = [f"{h:016x}" for h in digests]
    ids[mapped] = [f"{s}:{o}" for s, o in zip(slugs[mapped], own[mapped], strict=True)]
    repeated = pd.Series(ids[mapped]).duplicated(keep="first").to_numpy(bool)
    if repeated.any():
        first_row = dict(zip(ids[mapped][::-1], rows.source_row[mapped][::-1], strict=True))
        for i in mapped[repeated]:
            rows.warn(
                int(i),
                f"{WARNING_REPEATED_ID}: {_short(own[i], 40)!r} is also on row {first_row[ids[i]]}",
            )
            ids[i] = f"{ids[i]}#{rows.source_row[i]}"
    return ids
