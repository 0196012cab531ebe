"""The row report (every row not mapped, and every further line of a row over several lines) and
the messages about the whole file (:func:`read_summary` first)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assetmap.ingest.categories import _slug
from assetmap.ingest.delimited import _DELIMITER_NAMES, DECIMALS
from assetmap.ingest.model import (
    FORMAT_CSV,
    FORMAT_GEOJSON,
    FORMAT_XLSX,
    JOIN_STRAY_QUOTE,
    JOIN_UNCLOSED_QUOTE,
    ColumnMapping,
    RawTable,
)
from assetmap.ingest.reasons import (
    REASON_CONTINUED_LINE,
    REASON_MERGED_LINE,
    UPLOAD_REPORT_COLUMNS,
    WARNING_SWAPPED,
)
from assetmap.ingest.rows import _Rows
from assetmap.ingest.words import _REPORT_CHARS, _count, _short


def _joined_report(table: RawTable, used: ColumnMapping) -> pd.DataFrame:
    """One report row per further line of a row that runs over several lines."""
    columns = [str(c) for c in table.frame.columns]
    position = {
        key: columns.index(str(value))
        for key, value in used.as_dict().items()
        if value is not None and str(value) in columns
    }
    out: dict[str, list[object]] = {c: [] for c in UPLOAD_REPORT_COLUMNS}
    for j in table.joined:
        if j.kind == JOIN_STRAY_QUOTE:
            why = (
                f"read as part of the row on line {j.row}: a quote mark there opens a value that "
                f"only closes on line {j.last} (read the file with quoting off to place this "
                "line on its own)"
            )
        elif j.kind == JOIN_UNCLOSED_QUOTE:
            why = (
                f"read as part of the row on line {j.row}, whose quote mark is never closed "
                f"(the rest of the file, to line {j.last}, ran into it)"
            )
        else:
            why = (
                f"part of the row on line {j.row}: a quoted value there holds a line break, so "
                f"the row takes lines {j.row}-{j.last} and is judged as a whole"
            )
        for k, cells in enumerate(j.cells):
            out["source_row"].append(j.row + 1 + k)
            out["reason"].append(REASON_MERGED_LINE if j.merged else REASON_CONTINUED_LINE)
            out["detail"].append(why)
            # A merged line is a row of its own: show what it holds. A continued line is part
            # of a value, so its pieces do not line up with the columns.
            for key in ("name", "category", "postcode", "latitude", "longitude", "easting",
                        "northing"):  # fmt: skip
                at = position.get(key)
                value = cells[at] if j.merged and at is not None and at < len(cells) else None
                out[key].append(None if value is None else _short(value, _REPORT_CHARS))
    return pd.DataFrame(out, columns=UPLOAD_REPORT_COLUMNS)


def _report_frame(rows: _Rows, table: RawTable, used: ColumnMapping) -> pd.DataFrame:
    """Every row not mapped, in the columns :data:`UPLOAD_REPORT_COLUMNS`: its reason and detail,
    and what it said (cut to a length a page can show), with a row of its own for every further
    line of a row that runs over several, in line order."""
    mapped = rows.ok

    def shown(key: str) -> np.ndarray | None:
        values = rows.raw[key]
        if values is None:
            return None
        return np.array([_short(v, _REPORT_CHARS) for v in values[~mapped]], dtype=object)

    report = pd.DataFrame(
        {
            "source_row": rows.source_row[~mapped],
            "name": shown("name"),
            "category": shown("category"),
            "reason": rows.reason[~mapped],
            "detail": rows.detail[~mapped],
            "postcode": shown("postcode"),
            "latitude": shown("latitude"),
            "longitude": shown("longitude"),
            "easting": shown("easting"),
            "northing": shown("northing"),
        },
        columns=UPLOAD_REPORT_COLUMNS,
    )
    if table.joined:
        extra = _joined_report(table, used)
        report = (
            pd.concat([report.astype(object), extra.astype(object)], ignore_index=True)
            .sort_values("source_row", kind="stable")
            .reset_index(drop=True)
        )
        report["source_row"] = report["source_row"].astype(np.int64)
    return report


def _messages(
    table: RawTable,
    used: ColumnMapping,
    detected: bool,
    assets: pd.DataFrame,
    labels: dict[str, str],
) -> list[str]:
    messages = [read_summary(table), *table.messages]
    messages.append(("Columns found: " if detected else "Columns used: ") + used.describe() + ".")
    swapped = int(assets["warning"].fillna("").str.contains(WARNING_SWAPPED, regex=False).sum())
    if swapped:
        messages.append(
            f"{_count(swapped, 'row')} had latitude and longitude the wrong way round: swapped "
            "back, with a warning on each."
        )
    shared: dict[str, list[str]] = {}
    for slug in pd.unique(assets["asset_type"]):  # in the order the file uses them
        if slug in labels:
            shared.setdefault(_slug(labels[slug]), []).append(labels[slug])
    apart = [names for names in shared.values() if len(names) > 1]
    if apart:
        listed = "; ".join(" and ".join(repr(n) for n in names[:4]) for names in apart[:5])
        messages.append(
            f"Types that differ only in punctuation or accents are kept apart: {listed}."
        )
    if used.category is not None and len(labels) > 50:
        messages.append(
            f"The type column {used.category!r} has {len(labels):,} different values: is it "
            "really a type or category?"
        )
    return messages


def read_summary(table: RawTable) -> str:
    """How the file was read, in one sentence (what the page and the command line show first)."""
    n = table.rows_read
    if table.format == FORMAT_GEOJSON:
        return f"Read {_count(n, 'feature')} from {table.filename} (GeoJSON)."
    parts = ["Excel workbook" if table.format == FORMAT_XLSX else "CSV"]
    if table.sheet is not None:
        parts.append(f"sheet {table.sheet!r}")
    if table.encoding:
        parts.append(table.encoding)
    if table.delimiter:
        parts.append(f"{_DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))}-separated")
    parts.append(DECIMALS.get(table.decimal, table.decimal))
    if table.format == FORMAT_CSV and not table.quoting:
        parts.append("quoting off")
    parts.append(
        f"header on row {table.header_row}" if table.header_row is not None else "no header row"
    )
    lines = table.data_lines
    what = _count(lines, "data line") if table.format == FORMAT_CSV else _count(n, "row")
    if lines != n:
        what += f" as {_count(n, 'row')}"
    return f"Read {what} from {table.filename} ({', '.join(parts)})."
