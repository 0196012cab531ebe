"""Postcode search: the assets and neighbourhoods within a distance of a postcode.

Ours: :func:`assetmap.measures.near.nearby` (one vectorised distance over every asset and every
LSOA residence point, prepared once by ``Searchable.build``), the postcode's look-up and the
residents by decile, for 50 real English postcodes drawn from the directory, every asset type,
1,000 m. The naive baseline in the same run is what a geopandas user writes: the same look-up, a
buffer of the point and ``sjoin`` of the assets and residence points against it.
Target (issue 18): one search < 0.2 s once the directory is loaded, with the same answers.
"""

from __future__ import annotations

import sys
import time

import geopandas as gpd
import pandas as pd

from assetmap import settings
from assetmap.data import store
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.measures import near

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.common import Result, report  # the project root is on the path only from here

TARGET_S = 0.2
DISTANCE_M = 1000.0
N = 50


def naive(place: near.Place, assets: gpd.GeoDataFrame, homes: gpd.GeoDataFrame) -> tuple[set, set]:
    circle = gpd.GeoDataFrame(
        geometry=gpd.GeoSeries.from_xy([place.easting], [place.northing], crs=settings.CRS_METRIC)
    ).buffer(DISTANCE_M, quad_segs=64)
    zone = gpd.GeoDataFrame(geometry=circle)
    a = gpd.sjoin(assets, zone, predicate="within")
    h = gpd.sjoin(homes, zone, predicate="within")
    return set(a.index), set(h["lsoa21cd"])


def main() -> int:
    directory = PostcodeDirectory.load()
    assets = store.load_assets()
    residence = store.load_residence()
    lsoas = store.load_lsoas()
    english = directory.frame[
        directory.frame["laua"].astype(str).str.startswith("E") & directory.frame["easting"].notna()
    ]
    picked = english["postcode"].sample(N, random_state=18).tolist()

    t = time.perf_counter()
    among = near.Searchable.build(assets, residence, lsoas)
    prepare_s = time.perf_counter() - t
    ours, answers = [], []
    for pc in picked:
        t = time.perf_counter()
        place = near.place_of_postcode(pc, directory)
        found = near.nearby(place, DISTANCE_M, among)
        near.residents_by_decile(found)
        ours.append(time.perf_counter() - t)
        answers.append((place, found))

    pts = gpd.GeoDataFrame(
        assets,
        geometry=gpd.GeoSeries.from_xy(assets["easting"], assets["northing"]),
        crs=settings.CRS_METRIC,
    )
    homes = gpd.GeoDataFrame(
        residence,
        geometry=gpd.GeoSeries.from_xy(residence["res_easting"], residence["res_northing"]),
        crs=settings.CRS_METRIC,
    )
    slow, differ = [], 0
    for pc, (place, found) in zip(picked[:10], answers[:10], strict=True):
        t = time.perf_counter()
        naive_place = directory.geocode(pd.Series([pc])).iloc[0]  # the same look-up, naively
        assert naive_place["easting"] == place.easting
        a, h = naive(place, pts, homes)
        slow.append(time.perf_counter() - t)
        # The buffer is a polygon (64 segments a quarter): points within a few centimetres of
        # the circle can fall either side, so count differences rather than require none.
        differ += len(h ^ set(found.lsoas["lsoa21cd"])) + (len(a) != len(found.assets))
    worst = max(ours)
    median = sorted(ours)[len(ours) // 2]
    naive_median = sorted(slow)[len(slow) // 2]
    results = [
        Result(
            "prepare the assets and LSOAs once (Searchable.build)", f"{prepare_s * 1000:.0f} ms"
        ),
        Result(
            f"postcode search, {DISTANCE_M:,.0f} m, every asset type (median of {N})",
            f"{median * 1000:.1f} ms (worst {worst * 1000:.1f} ms)",
            baseline=f"{naive_median * 1000:.1f} ms (buffer + sjoin)",
            ratio=f"{naive_median / median:.1f}x faster",
            target=f"< {TARGET_S} s",
            ok=worst < TARGET_S,
        ),
        Result(
            "answers that differ from the buffer + sjoin (10 searches)",
            f"{differ}",
            target="0 (or points on the polygonal circle's edge)",
            ok=None,
        ),
    ]
    return report(results, "Postcode search", source="bench_near")


if __name__ == "__main__":
    sys.exit(main())
