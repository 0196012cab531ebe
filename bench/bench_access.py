"""Walking-distance access (walk counts, nearest asset, 2SFCA): KD-trees against plain geopandas.

Ours: :func:`assetmap.measures.access.access_metrics` (two ``scipy.spatial.cKDTree``, one sparse
distance matrix, ``numpy.bincount``), for England and for Cheshire and Merseyside ICB (``codes=``,
1,601 LSOAs, still sharing assets with the LSOAs around it).

Baseline, as a naive user writes it with geopandas: residence points and assets as
GeoDataFrames, ``gpd.sjoin(predicate="dwithin", distance=d)`` for every pair within ``d``,
``groupby`` counts, ``gpd.sjoin_nearest`` for the nearest distance, and two ``groupby`` sums for
the 2SFCA (for the ICB: the assets its LSOAs reach, joined again with all of England for their
demand). ``dwithin`` is exact; buffering each point by 800 m and joining with ``intersects`` is
the other common recipe, timed for the record: its polygon only approximates the circle, so a
few counts differ (reported).

Both answers must be identical (counts exactly, distances and ratios to 1e-9 relative).
Targets: England, one type selection, < 0.5 s. Exits 1 when a target is missed or the answers
differ.

Run: ``.venv/bin/python bench/bench_access.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.data import store
from assetmap.measures import access

# Run as a script (``python bench/bench_access.py``), the repository root is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import Result, report

TARGET_S = 0.5
ICB = "E54000008"  # Cheshire and Merseyside
T = TypeVar("T")


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs, and the last answer."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    assert out is not None
    return min(times), out


def naive(
    residence: pd.DataFrame,
    population: pd.Series,
    assets: pd.DataFrame,
    distance_m: float,
    codes: Sequence[str] | pd.Series | None = None,
) -> pd.DataFrame:
    """walk_assets, walk_nearest_m and fca_per_1k the plain geopandas way."""
    crs = settings.CRS_METRIC
    homes = gpd.GeoDataFrame(
        {"lsoa21cd": residence["lsoa21cd"].to_numpy(), "people": population.to_numpy()},
        geometry=gpd.points_from_xy(residence["res_easting"], residence["res_northing"]),
        crs=crs,
    )
    points = gpd.GeoDataFrame(
        {"asset": np.arange(len(assets))},
        geometry=gpd.points_from_xy(assets["easting"], assets["northing"]),
        crs=crs,
    )
    target = homes if codes is None else homes[homes["lsoa21cd"].isin(list(codes))]
    pairs = gpd.sjoin(target, points, predicate="dwithin", distance=distance_m)
    walk = pairs.groupby("lsoa21cd").size()
    nearest = gpd.sjoin_nearest(target, points, distance_col="d").groupby("lsoa21cd")["d"].min()
    if codes is None:
        demand = pairs.groupby("asset")["people"].sum()
    else:
        reached = points[points["asset"].isin(pairs["asset"].unique())]
        around = gpd.sjoin(reached, homes, predicate="dwithin", distance=distance_m)
        demand = around.groupby("asset")["people"].sum()
    pairs["share"] = 1.0 / pairs["asset"].map(demand)
    fca = 1000 * pairs.groupby("lsoa21cd")["share"].sum()
    index = pd.Index(target["lsoa21cd"], name="lsoa21cd")
    return pd.DataFrame(
        {
            "walk_assets": walk.reindex(index, fill_value=0).astype("int64"),
            "walk_nearest_m": nearest.reindex(index),
            "fca_per_1k": fca.reindex(index, fill_value=0.0),
        }
    )


def buffered_counts(residence: pd.DataFrame, assets: pd.DataFrame, distance_m: float) -> pd.Series:
    """walk_assets by buffering each residence point and joining with ``intersects``."""
    crs = settings.CRS_METRIC
    homes = gpd.GeoDataFrame(
        {"lsoa21cd": residence["lsoa21cd"].to_numpy()},
        geometry=gpd.points_from_xy(residence["res_easting"], residence["res_northing"]),
        crs=crs,
    )
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(assets["easting"], assets["northing"]), crs=crs
    )
    circles = homes.set_geometry(homes.buffer(distance_m))
    pairs = gpd.sjoin(circles, points, predicate="intersects")
    counts = pairs.groupby("lsoa21cd").size()
    return counts.reindex(homes["lsoa21cd"], fill_value=0).astype("int64")


def same(ours: pd.DataFrame, theirs: pd.DataFrame) -> int:
    """Number of LSOAs whose answers differ."""
    theirs = theirs.reindex(ours.index)
    bad = ours["walk_assets"].to_numpy() != theirs["walk_assets"].to_numpy()
    for col in ("walk_nearest_m", "fca_per_1k"):
        a, b = ours[col].to_numpy(), theirs[col].to_numpy()
        bad |= ~np.isclose(a, b, rtol=1e-9, atol=1e-9)
    return int(bad.sum())


def _access_table(
    residence: pd.DataFrame,
    population: pd.Series,
    assets: pd.DataFrame,
    types: list[str] | None,
    codes: pd.Series | None,
) -> pd.DataFrame:
    """The table of :func:`assetmap.measures.access.access_metrics`."""
    return access.access_metrics(residence, population, assets, types, codes=codes).table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (best is kept)")
    args = parser.parse_args()

    t = time.perf_counter()
    residence = store.load_residence()
    lsoas = store.load_lsoas(columns=["population", "icb24cd"])
    assets = store.load_assets()
    load_s = time.perf_counter() - t
    population = lsoas.set_index("lsoa21cd")["population"]
    icb = lsoas.loc[lsoas["icb24cd"] == ICB, "lsoa21cd"]
    d = settings.WALK_DISTANCE_M
    print(
        f"{len(residence):,} residence points, {len(assets):,} assets, walking distance {d:g} m, "
        f"inputs loaded in {load_s:.2f} s; best of {args.repeat}\n"
    )

    results: list[Result] = []
    differ_total = 0
    cases: list[tuple[str, list[str] | None, pd.Series | None]] = [
        ("England, all open layers", None, None),
        ("England, libraries", ["library"], None),
        (f"Cheshire and Merseyside ({len(icb):,} LSOAs), all layers", None, icb),
    ]
    for label, types, codes in cases:
        chosen = assets if types is None else assets[assets["asset_type"].isin(types)]
        ours_s, ours = best_of(
            args.repeat,
            partial(_access_table, residence, population, assets, types, codes),
        )
        base_s, theirs = best_of(
            max(1, args.repeat // 2),
            partial(naive, residence, population.reindex(residence["lsoa21cd"]), chosen, d, codes),
        )
        differ = same(ours, theirs)
        differ_total += differ
        results.append(
            Result(
                f"access_metrics, {label}",
                f"{ours_s:.3f} s",
                baseline=f"{base_s:.3f} s",
                ratio=f"{base_s / ours_s:.1f}x faster",
                target=f"< {TARGET_S:g} s, identical",
                ok=ours_s < TARGET_S and differ == 0,
            )
        )
        print(f"  {label}: {len(ours):,} LSOAs, {differ} differ from the geopandas baseline")

    buffer_s, buffered = best_of(1, lambda: buffered_counts(residence, assets, d))
    england = access.access_metrics(residence, population, assets).table
    off = int((buffered.to_numpy() != england["walk_assets"].to_numpy()).sum())
    results.append(
        Result(
            "walk_assets by 800 m buffer + sjoin (England)",
            f"{buffer_s:.3f} s",
            target="for the record",
            ratio=f"{off} LSOAs differ (polygonal circle)",
        )
    )
    print()
    status = report(results, "Walking-distance access", source="bench_access")
    return 1 if differ_total else status


if __name__ == "__main__":
    sys.exit(main())
