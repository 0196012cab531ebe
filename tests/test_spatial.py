"""Points to LSOAs: inside, on a shared border, just off the coast, far out at sea."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap import settings
from assetmap.data import sources, store
from assetmap.geography import spatial
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator


def test_point_inside_gets_its_lsoa(locator: LsoaLocator, lsoa_polygons: gpd.GeoDataFrame) -> None:
    sample = lsoa_polygons.iloc[::997].to_crs(settings.CRS_METRIC)
    inside = shapely.point_on_surface(sample.geometry.values)
    out = locator.locate(shapely.get_x(inside), shapely.get_y(inside))
    assert out["lsoa21cd"].tolist() == sample["lsoa21cd"].tolist()
    assert (out["lsoa_method"] == spatial.METHOD_WITHIN).all()
    assert (out["distance_to_lsoa_m"] == 0).all()


def test_shared_border_goes_to_lowest_code(locator: LsoaLocator) -> None:
    # A vertex shared by two LSOAs touches both; it must land in exactly one, the lower code.
    tree = shapely.STRtree(locator.polygons)
    a = locator.polygons[100]
    neighbours = [i for i in tree.query(a, predicate="touches") if i != 100]
    assert neighbours
    shared = shapely.intersection(a.boundary, locator.polygons[neighbours[0]].boundary)
    x, y = shapely.get_coordinates(shared)[0]
    hits = tree.query(shapely.points(x, y), predicate="intersects")
    assert len(hits) >= 2
    out = locator.locate(np.array([x]), np.array([y]))
    assert out["lsoa21cd"].iloc[0] == locator.codes[min(hits)]
    assert out["lsoa_method"].iloc[0] == spatial.METHOD_WITHIN


def test_coast_postcodes_go_to_nearest_lsoa(
    locator: LsoaLocator, postcodes: PostcodeDirectory
) -> None:
    frame = postcodes.frame
    english = frame[frame["laua"].astype(str).str.startswith("E") & frame["easting"].notna()]
    sample = english.iloc[::50]
    x, y = sample["easting"].to_numpy(), sample["northing"].to_numpy()
    outside = locator.index.query(x, y) < 0
    assert outside.sum() > 20  # ~3,700 of all English postcodes lie outside every LSOA
    out = locator.locate(x[outside], y[outside])
    tree = shapely.STRtree(locator.polygons)
    (src, dst), dist = tree.query_nearest(
        shapely.points(x[outside], y[outside]), return_distance=True, all_matches=False
    )
    near = dist <= settings.NEAREST_LSOA_MAX_M
    assert (out["lsoa_method"].to_numpy()[src[near]] == spatial.METHOD_NEAREST).all()
    assert (out["lsoa21cd"].to_numpy()[src[near]] == locator.codes[dst[near]]).all()
    assert np.allclose(out["distance_to_lsoa_m"].to_numpy()[src[near]], dist[near])
    assert out["lsoa21cd"].isna().to_numpy()[src[~near]].all()


def test_far_at_sea_or_missing_gets_no_lsoa(locator: LsoaLocator) -> None:
    # 20 km out in the Irish Sea off Blackpool, and a missing coordinate: nothing is guessed.
    out = locator.locate(np.array([310_000.0, np.nan]), np.array([436_000.0, 436_000.0]))
    assert out["lsoa21cd"].isna().all()
    assert out["lsoa_method"].isna().all()
    assert out["distance_to_lsoa_m"].isna().all()


def test_fallback_distance_is_a_setting(locator: LsoaLocator, postcodes: PostcodeDirectory) -> None:
    frame = postcodes.frame
    english = frame[frame["laua"].astype(str).str.startswith("E") & frame["easting"].notna()]
    x, y = english["easting"].to_numpy()[::20], english["northing"].to_numpy()[::20]
    out = locator.locate(x, y)
    off = out[(out["lsoa_method"] == "nearest") & (out["distance_to_lsoa_m"] > 100)]
    assert len(off) > 0
    i = off.index[0]
    limit = off.loc[i, "distance_to_lsoa_m"] - 1
    strict = locator.locate(x[[i]], y[[i]], max_nearest_m=limit)
    assert strict["lsoa21cd"].isna().all()
    assert strict["lsoa_method"].isna().all()


def test_postcodes_outside_every_lsoa_are_counted_and_are_outside(
    locator: LsoaLocator, lsoa_polygons: gpd.GeoDataFrame, data_dir: Path
) -> None:
    onspd = pd.read_parquet(data_dir / "postcodes.parquet")
    n = spatial.outside_every_lsoa(locator, onspd)
    assert store.load_manifest(data_dir)["counts"]["postcodes_outside_lsoas"] == n
    # Checked against a plain STRtree of the polygons, not the grid index: every postcode the
    # index leaves out touches no polygon, and the English postcodes it places are not out.
    english = onspd[onspd["laua"].str.startswith("E") & onspd["easting"].notna()]
    pos = locator.index.query(english["easting"].to_numpy(), english["northing"].to_numpy())
    out = english[pos < 0]
    assert len(out) == n > 0
    polygons = lsoa_polygons.to_crs(settings.CRS_METRIC).geometry.values
    tree = shapely.STRtree(polygons)
    points = shapely.points(out["easting"].to_numpy(), out["northing"].to_numpy())
    assert tree.query(points, predicate="intersects").size == 0
    sample = english[pos >= 0].sample(5_000, random_state=1)
    hits = tree.query(
        shapely.points(sample["easting"].to_numpy(), sample["northing"].to_numpy()),
        predicate="intersects",
    )
    assert np.unique(hits[0]).size == len(sample)


def test_source_lsoas_with_mismatched_edges_are_counted(data_dir: Path) -> None:
    raw = sources.read_boundaries("boundaries_lsoa21")
    raw = raw[raw["lsoa21_code"].str.startswith(settings.ENGLAND_LSOA_PREFIX)]
    geoms = raw.to_crs(settings.CRS_METRIC).geometry.values
    assert not shapely.coverage_is_valid(geoms)  # the source needs cleaning: the count is not 0
    invalid = shapely.coverage_invalid_edges(geoms)
    expected = int((~shapely.is_empty(invalid)).sum())
    assert store.load_manifest(data_dir)["counts"]["lsoa_edges_mismatched"] == expected > 0
    # Measured on this release of the boundaries: pairs (and one triple) of neighbours in Milton
    # Keynes, Cornwall, Torridge, County Durham, Wealden and Bromsgrove.
    assert sorted(raw.loc[~shapely.is_empty(invalid), "lsoa21_code"]) == [
        "E01016798", "E01016799", "E01019003", "E01019004", "E01020304", "E01020305",
        "E01020307", "E01020754", "E01020756", "E01021175", "E01021176", "E01033060",
        "E01033243",
    ]  # fmt: skip
