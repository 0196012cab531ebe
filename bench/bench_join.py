"""Every English postcode to its LSOA: plain geopandas sjoin against GridIndex, in one run.

Points: the 2,264,892 English postcodes with a grid reference in the ONS Postcode Directory.
Polygons: England's 33,755 LSOA 2021 polygons in EPSG:27700, cleaned with
``shapely.coverage_clean`` as the project uses them (``--raw`` keeps them as published).

Baseline, as a naive user writes it: ``points_from_xy`` + ``geopandas.sjoin(predicate=
"intersects")`` + the lowest polygon position per point
(``assetmap.geography.gridindex.sjoin_lowest``).
Both sides are timed best of ``--repeat`` runs. Target: GridIndex queries >= 3x faster than
the baseline. Exits 1 if the two answers differ anywhere.

Run: ``.venv/bin/python bench/bench_join.py [--repeat 3] [--raw]``
"""

from __future__ import annotations

import argparse
import sys
import time

import geopandas as gpd
import numpy as np
import shapely

from assetmap import settings
from assetmap.geography import geocode
from assetmap.geography.gridindex import GridIndex, sjoin_lowest

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.common import Result, report  # the project root is on the path only from here

TARGET_RATIO = 3.0


def load_polygons(clean: bool) -> tuple[np.ndarray, float]:
    """England's LSOA polygons (sorted by code) in metres, and the seconds cleaning took."""
    lsoas = gpd.read_parquet(settings.SOURCE_DIR / "boundaries_lsoa21.parquet")
    lsoas = lsoas[lsoas["lsoa21_code"].str.startswith("E")]
    lsoas = lsoas.sort_values("lsoa21_code").reset_index(drop=True).to_crs(settings.CRS_METRIC)
    polygons = np.asarray(lsoas.geometry.array, dtype=object)
    if not clean:
        return polygons, 0.0
    t = time.perf_counter()
    cleaned = np.asarray(shapely.coverage_clean(polygons), dtype=object)
    return cleaned, time.perf_counter() - t


def load_postcodes() -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing of every English postcode with a grid reference."""
    return geocode.english_grid_refs()


def row(label: str, seconds: float, n: int, baseline: float | None = None) -> str:
    """One table line: time, points per second and, if given, speed-up over the baseline."""
    ratio = f"{baseline / seconds:8.1f} x" if baseline else " " * 10
    return f"  {label:<44s} {seconds:8.3f} s  {n / seconds:14,.0f} pts/s  {ratio}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best is kept)")
    parser.add_argument("--raw", action="store_true", help="use the uncleaned polygons")
    args = parser.parse_args()

    t = time.perf_counter()
    polygons, clean_s = load_polygons(clean=not args.raw)
    polygons_s = time.perf_counter() - t
    t = time.perf_counter()
    x, y = load_postcodes()
    postcodes_s = time.perf_counter() - t
    n = len(x)
    kind = "raw" if args.raw else "cleaned"
    print(f"polygons: {len(polygons):,} LSOAs ({kind}), loaded in {polygons_s:.1f} s", end="")
    print(f" (coverage_clean {clean_s:.1f} s)" if clean_s else "")
    print(f"points:   {n:,} English postcodes, loaded in {postcodes_s:.1f} s")
    print(f"timings:  best of {args.repeat}\n")

    # Baseline, split into its stages.
    stages: list[dict[str, float]] = []
    expected = np.empty(0, dtype=np.int64)
    for _ in range(args.repeat):
        timings: dict[str, float] = {}
        expected = sjoin_lowest(x, y, polygons, timings=timings)
        stages.append(timings)
    baseline_s = min(sum(s.values()) for s in stages)
    sjoin_s = min(s["sjoin"] for s in stages)
    points_s = min(s["points"] for s in stages)

    index = GridIndex.build(polygons)
    query_times = []
    got = np.empty(0, dtype=np.int64)
    for _ in range(args.repeat):
        t = time.perf_counter()
        got = index.query(x, y)
        query_times.append(time.perf_counter() - t)
    query_s = min(query_times)
    stats = index.last_query

    same = np.array_equal(got, expected)
    ratio = baseline_s / query_s

    print(f"  {'step':<44s} {'time':>10s}  {'throughput':>20s}  {'vs baseline':>11s}")
    print(row("baseline: points_from_xy + sjoin + lowest", baseline_s, n))
    print(row("  of which points_from_xy + GeoDataFrame", points_s, n))
    print(row("  of which gpd.sjoin only", sjoin_s, n))
    print(row("GridIndex.query", query_s, n, baseline_s))
    one_off = index.build_seconds + query_s
    print(row("GridIndex.build + query (one-off use)", one_off, n, baseline_s))
    print(
        f"  index memory {index.nbytes / 1e6:.1f} MB (coarse grid {index.shape[1]} x "
        f"{index.shape[0]} of {index.cell_size:g} m, {index.n_blocks:,} blocks of "
        f"{index.refine} x {index.refine} {index.fine_cell_size:g} m cells); border cells "
        f"{index.n_border_cells:,} ({index.mean_candidates:.2f} candidates each); points tested "
        f"exactly {stats.exact_share:.1%} ({stats.n_exact:,}, {stats.n_pairs:,} tests); "
        f"points in no LSOA {(got == -1).sum():,}"
    )
    differ = int((got != expected).sum())
    results = [
        Result(
            f"join {n:,} English postcodes (GridIndex.query)",
            f"{query_s:.3f} s ({n / query_s / 1e6:.1f} M pts/s)",
            baseline=f"{baseline_s:.2f} s (sjoin)",
            ratio=f"{ratio:.1f}x faster",
            target=f">= {TARGET_RATIO:g}x faster",
            ok=ratio >= TARGET_RATIO,
        ),
        Result(
            "GridIndex.build + query (one-off use)",
            f"{one_off:.2f} s",
            baseline=f"{baseline_s:.2f} s",
            ratio=f"{baseline_s / one_off:.1f}x faster",
        ),
        Result(
            "join results identical to sjoin",
            "yes" if same else f"NO ({differ:,} differ)",
            target="identical",
            ok=same,
        ),
    ]
    kind_title = f"Point-in-LSOA join ({kind} polygons, best of {args.repeat})"
    return report(results, kind_title, source="bench_join")


if __name__ == "__main__":
    sys.exit(main())
