"""Postcodes geocoded per second once the directory is loaded.

100,000 real postcodes drawn from the ONS Postcode Directory, written the ways people write them
(lower case, no space, extra spaces), plus 2% that are unknown or malformed. Target (issue 3):
100,000 in < 0.5 s. The naive baseline in the same run is a pandas merge on the directory.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.geography.geocode import PostcodeDirectory, normalise_postcodes

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.common import Result, report  # the project root is on the path only from here

TARGET_S = 0.5
N = 100_000


def main() -> int:
    t0 = time.perf_counter()
    directory = PostcodeDirectory.load()
    load_s = time.perf_counter() - t0

    rng = np.random.default_rng(2025)
    picked = directory.frame["postcode"].sample(N, random_state=7).to_numpy(dtype=object)
    styled = []
    for i, pc in enumerate(picked):
        spaced = f"{pc[:-3]} {pc[-3:]}"
        styled.append([spaced, pc.lower(), f"  {spaced}  "][i % 3])
    bad = rng.choice(N, size=N // 50, replace=False)
    for i in bad:
        styled[i] = ["ZZ9 9ZZ", "not a postcode", ""][i % 3]
    raw = pd.Series(styled)

    times = []
    for _ in range(5):
        t = time.perf_counter()
        out = directory.geocode(raw)
        times.append(time.perf_counter() - t)
    best = min(times)

    t = time.perf_counter()
    naive = pd.DataFrame({"postcode": normalise_postcodes(raw)}).merge(
        directory.frame, on="postcode", how="left"
    )
    naive_s = time.perf_counter() - t
    same = np.array_equal(naive["easting"].to_numpy(), out["easting"].to_numpy(), equal_nan=True)

    print(f"statuses: {out['geocode_status'].value_counts().to_dict()}")
    results = [
        Result("postcode directory load", f"{load_s:.2f} s ({len(directory):,} postcodes)"),
        Result(
            f"geocode {N:,} postcodes (best of 5)",
            f"{best:.3f} s ({N / best:,.0f}/s)",
            baseline=f"{naive_s:.3f} s (pandas merge)",
            ratio=f"{naive_s / best:.1f}x faster",
            target=f"< {TARGET_S} s",
            ok=best < TARGET_S,
        ),
        Result("geocode equals the pandas merge", "yes" if same else "NO", target="identical",
               ok=same),
    ]  # fmt: skip
    return report(results, "Geocoding", source="bench_geocode")


if __name__ == "__main__":
    sys.exit(main())
