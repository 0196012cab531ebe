"""One way for every bench script to report: a table on stdout, and JSON lines for ``bench/run``.

Each bench builds a list of :class:`Result` and ends with ``sys.exit(report(results))``. When the
environment variable ``ASSETMAP_BENCH_JSON`` names a file, every result is appended to it as one
JSON line, which ``bench/run`` gathers into the suite's single table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

#: Environment variable naming the JSON-lines file results are appended to (set by bench/run).
JSON_ENV = "ASSETMAP_BENCH_JSON"


@dataclass(frozen=True)
class Result:
    """One measured figure beside its target.

    Attributes
    ----------
    measure
        What was measured, e.g. ``"join, all English postcodes"``.
    value
        The figure as people read it, e.g. ``"0.187 s"`` or ``"12.1 M pts/s"``.
    baseline
        The naive baseline measured in the same run (``""`` when there is none).
    ratio
        Ours against the baseline, e.g. ``"13.0x faster"`` (``""`` when there is none).
    target
        The target in words, e.g. ``"< 60 s"`` or ``">= 3x faster"``.
    ok
        Whether the target was met; ``None`` for a figure reported for the record only.
    """

    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None


def table(results: Sequence[Result], title: str | None = None) -> str:
    """The results as an aligned plain-text table."""
    head = ("measure", "value", "baseline", "ratio", "target", "status")
    rows = [head] + [
        (
            r.measure,
            r.value,
            r.baseline,
            r.ratio,
            r.target,
            "info" if r.ok is None else ("ok" if r.ok else "MISSED"),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if title:
        lines.insert(0, title)
    return "\n".join(line.rstrip() for line in lines)


def report(results: Sequence[Result], title: str | None = None, source: str = "") -> int:
    """Print the table, append JSON lines if asked, and return the exit status.

    Parameters
    ----------
    results
        The figures of one bench script.
    title
        Printed above the table.
    source
        The bench's name, recorded in the JSON lines (e.g. ``"bench_join"``).

    Returns
    -------
    int
        1 when any target was missed, else 0.
    """
    print(table(results, title))
    path = os.environ.get(JSON_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as fh:
            for r in results:
                fh.write(json.dumps({"source": source, **asdict(r)}) + "\n")
    return 1 if any(r.ok is False for r in results) else 0
