"""Every English postcode joined to its LSOA by both engines of ``assetmap join``, in one run.

Points: the 2,264,892 English postcodes with a grid reference, written as one GeoParquet file
(EPSG:27700) with a ``point_id`` column. Each engine reads that file, joins and writes GeoParquet:

- single machine: ``join_file(engine="local")``, one process, one output file;
- Dask: ``join_file(engine="dask")`` on a ``LocalCluster`` of ``settings.DASK_WORKERS`` worker
  processes (one thread each): Hilbert spatial shuffle, join per partition, one file per
  partition written by the workers.

The target is exactness: the Dask output, matched by ``point_id``, has the same LSOA, method and
distance for every point as ``LsoaLocator.locate`` on all points at once. The rates are for the
record: on a 2-core machine Dask only adds the cost of its shuffle and its processes; it pays
off when the points no longer fit one machine's memory.

Run: ``.venv/bin/python bench/bench_dask.py``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.geography import geocode
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import distributed

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.common import Result, report  # the project root is on the path only from here


def same_as(got: pd.DataFrame, expected: pd.DataFrame) -> bool:
    """Whether two joins agree on every point (NaN matching NaN)."""
    for col in ("lsoa21cd", "lsoa_method"):
        a, b = got[col].astype("str"), expected[col].astype("str")
        if not (a.isna().equals(b.isna()) and (a.dropna() == b.dropna()).all()):
            return False
    return bool(
        np.array_equal(got["distance_to_lsoa_m"], expected["distance_to_lsoa_m"], equal_nan=True)
    )


def main() -> int:
    locator = LsoaLocator.load()
    x, y = geocode.english_grid_refs(pd.read_parquet(settings.DATA_DIR / "postcodes.parquet"))
    n = x.size
    t = time.perf_counter()
    expected = locator.locate(x, y)
    in_memory_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory(prefix="bench_dask_") as tmp:
        src = Path(tmp) / "postcodes.parquet"
        gpd.GeoDataFrame(
            {"point_id": np.arange(n)},
            geometry=gpd.points_from_xy(x, y),
            crs=settings.CRS_METRIC,
        ).to_parquet(src)

        local = distributed.join_file(src, Path(tmp) / "local.parquet", locator=locator)
        local_out = pd.read_parquet(local.out, columns=["point_id", *distributed.JOIN_COLUMNS])
        local_same = same_as(local_out.sort_values("point_id").reset_index(drop=True), expected)

        t = time.perf_counter()
        with distributed.dask_client() as client:
            started_s = time.perf_counter() - t
            workers = len(client.scheduler_info()["workers"])
            dask = distributed.join_file(
                src, Path(tmp) / "dask", engine="dask", locator=locator, client=client
            )
        files = sorted(dask.out.glob("*.parquet"))
        got = pd.concat(
            [pd.read_parquet(f, columns=["point_id", *distributed.JOIN_COLUMNS]) for f in files],
            ignore_index=True,
        )
        dask_same = len(got) == n and same_as(
            got.sort_values("point_id").reset_index(drop=True), expected
        )

    results = [
        Result(
            "join in memory (LsoaLocator.locate)",
            f"{in_memory_s:.2f} s ({n / in_memory_s / 1e6:.1f} M pts/s)",
        ),
        Result(
            "join file, single machine (read, join, write)",
            f"{local.seconds:.1f} s ({local.points_per_second / 1e3:,.0f} k pts/s)",
        ),
        Result(
            f"join file, Dask {workers} workers (read, shuffle, join, write)",
            f"{dask.seconds:.1f} s ({dask.points_per_second / 1e3:,.0f} k pts/s)",
            baseline=f"{local.seconds:.1f} s (single machine)",
            ratio=f"{local.seconds / dask.seconds:.2f}x",
        ),
        Result("Dask cluster start (2 processes)", f"{started_s:.1f} s"),
        Result(
            f"Dask join = single machine, {n:,} postcodes",
            "yes" if dask_same else "NO",
            target="identical",
            ok=dask_same,
        ),
        Result(
            "single-machine file join = in-memory join",
            "yes" if local_same else "NO",
            target="identical",
            ok=local_same,
        ),
    ]
    title = f"assetmap join: single machine vs Dask ({dask.n_partitions} partitions)"
    return report(results, title, source="bench_dask")


if __name__ == "__main__":
    sys.exit(main())
