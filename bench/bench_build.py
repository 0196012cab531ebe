"""Time a full `assetmap build` from the real sources into a scratch folder.

Target (issue 3): < 60 s on the 2-core CI machine. Prints each step's time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from assetmap import settings
from assetmap.data.build import build

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.common import Result, report  # the project root is on the path only from here

TARGET_S = 60.0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = build(data_dir=Path(tmp) / "data", progress=False)
        total = time.perf_counter() - started
    results = [
        Result(f"build step: {step}", f"{seconds:.2f} s")
        for step, seconds in result.timings.items()
        if step != "total"
    ]
    results.append(
        Result("build, real sources to data/", f"{total:.1f} s", target=f"< {TARGET_S:.0f} s",
               ok=total < TARGET_S)
    )  # fmt: skip
    return report(results, "assetmap build", source="bench_build")


if __name__ == "__main__":
    sys.exit(main())
