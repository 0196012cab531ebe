"""The evidence pack: the PDF and the data zip for the largest ICB and for England.

Times, each the median of a few runs: :func:`assetmap.presentation.report.load_inputs` (reading the
build and computing England's neighbourhood table: walking access, hot spots, change since
2019; the dashboard's caches already hold it, the command line computes it once), then for the
ICB with the most LSOAs and for England :func:`~assetmap.presentation.report.build_pack`,
:func:`~assetmap.presentation.report.pdf_bytes` and
:func:`~assetmap.presentation.report.data_zip_bytes`. The targets (issue 19: < 10 s for the
largest ICB, < 20 s for England, PDF < 5 MB) are held against the whole of it, inputs included,
as ``assetmap report`` runs; the pack alone is what a dashboard button waits for.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script too
from assetmap.data.assets import selected_types
from assetmap.geography import areas
from assetmap.presentation import report
from bench.common import Result
from bench.common import report as print_report

TARGET_ICB_S = 10.0
TARGET_ENGLAND_S = 20.0
TARGET_PDF_MB = 5.0
#: What a new dashboard session counts (the community organisations) and its need measure.
TYPES = selected_types()
NEED = "imd"

T = TypeVar("T")


def _timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    assert out is not None
    return statistics.median(times), out


def _pack(area: areas.Area, inputs: report.PackInputs) -> Callable[[], tuple[bytes, bytes]]:
    def run() -> tuple[bytes, bytes]:
        pack = report.build_pack(area, inputs)
        return report.pdf_bytes(pack), report.data_zip_bytes(pack)

    return run


def main() -> int:
    load_s, inputs = _timed(lambda: report.load_inputs(TYPES, NEED), repeat=3)
    table = inputs.neighbourhoods.table
    code = str(table["icb24cd"].value_counts().idxmax())
    icb = areas.resolve(f"icb:{code}", areas.catalogue(table))
    n_icb = int((table["icb24cd"] == code).sum())
    results = []
    for area, n, target in (
        (icb, n_icb, TARGET_ICB_S),
        (areas.ENGLAND, len(table), TARGET_ENGLAND_S),
    ):
        pack_s, (pdf, data) = _timed(_pack(area, inputs), repeat=3)
        total = load_s + pack_s
        mb = len(pdf) / 1e6
        results += [
            Result(
                f"evidence pack, {area.name} ({n:,} LSOAs), from the build",
                f"{total:.2f} s",
                target=f"< {target:g} s",
                ok=total < target,
            ),
            Result(
                "  of which the pack (PDF + zip) once inputs are loaded",
                f"{pack_s:.2f} s",
                target="for the record",
            ),
            Result(
                f"  PDF size, {area.name}",
                f"{mb:.2f} MB",
                target=f"< {TARGET_PDF_MB:g} MB",
                ok=mb < TARGET_PDF_MB,
            ),
            Result(
                f"  data zip size, {area.name}",
                f"{len(data) / 1e6:.1f} MB",
                target="for the record",
            ),
        ]
    results.insert(
        0,
        Result(
            "inputs: the build read, England's neighbourhood table computed",
            f"{load_s:.2f} s",
            target="for the record",
        ),
    )
    return print_report(results, "Evidence pack (PDF and data zip)", source="bench_report")


if __name__ == "__main__":
    sys.exit(main())
