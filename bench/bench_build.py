"""Time a full `assetmap build` from the real sources into a scratch folder.

Target (issue 3): < 60 s on the 2-core CI machine. Prints each step's time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from assetmap.build import build

TARGET_S = 60.0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = build(data_dir=Path(tmp) / "data", progress=False)
        total = time.perf_counter() - started
    print("step            seconds")
    for step, seconds in result.timings.items():
        if step != "total":
            print(f"{step:<15} {seconds:7.2f}")
    verdict = "ok" if total < TARGET_S else "MISSED"
    print(f"{'total':<15} {total:7.2f}   target < {TARGET_S:.0f} s: {verdict}")
    return 0 if total < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
