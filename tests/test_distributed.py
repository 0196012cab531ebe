"""The Dask engine gives exactly what the single-machine path gives, on the real data.

One local cluster of two worker processes serves the whole module (as ``assetmap join --engine
dask`` starts one when no scheduler is given).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dask.dataframe as dd
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap import settings
from assetmap.cli import main
from assetmap.geography import geocode
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import distributed, metrics
from tests.conftest import ALL_TYPES

if TYPE_CHECKING:
    from distributed import Client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with distributed.dask_client(n_workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def english_postcodes(
    postcodes: PostcodeDirectory, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, np.ndarray, np.ndarray]:
    """Every English postcode with a grid reference as GeoParquet points, and their x, y."""
    x, y = geocode.english_grid_refs(postcodes.frame)
    path = tmp_path_factory.mktemp("dask_points") / "postcodes.parquet"
    points = gpd.GeoDataFrame(
        {"point_id": np.arange(x.size)}, geometry=gpd.points_from_xy(x, y), crs=settings.CRS_METRIC
    )
    points.to_parquet(path)
    return path, x, y


def test_dask_join_equals_single_machine_on_all_english_postcodes(
    client: Client,
    english_postcodes: tuple[Path, np.ndarray, np.ndarray],
    locator: LsoaLocator,
    tmp_path: Path,
) -> None:
    path, x, y = english_postcodes
    out = tmp_path / "joined"
    summary = distributed.join_file(
        path, out, engine="dask", locator=locator, client=client, npartitions=4
    )
    expected = locator.locate(x, y)  # the single-machine join, on all points at once

    files = sorted(out.glob("*.parquet"))
    assert len(files) == summary.n_partitions == 4
    parts = [gpd.read_parquet(f) for f in files]
    got = pd.concat(parts, ignore_index=True)
    assert len(got) == summary.n_points == x.size == 2_264_892
    got = got.sort_values("point_id").reset_index(drop=True)
    assert np.array_equal(got["point_id"], np.arange(x.size))  # every point once
    # The geometry came through untouched, so each row is the point it claims to be.
    assert np.array_equal(shapely.get_x(got.geometry.array), x)
    assert np.array_equal(shapely.get_y(got.geometry.array), y)
    for col in ("lsoa21cd", "lsoa_method"):
        want = expected[col].astype("str")
        assert got[col].isna().equals(want.isna())
        assert (got[col].dropna() == want.dropna()).all(), col
    assert np.array_equal(got["distance_to_lsoa_m"], expected["distance_to_lsoa_m"], equal_nan=True)
    assert summary.n_nearest == int((expected["lsoa_method"] == "nearest").sum()) > 3_000
    assert summary.n_within == int((expected["lsoa_method"] == "within").sum())

    # Spatially partitioned: partitions along a Hilbert curve cover compact pieces of England,
    # so their bounding boxes barely overlap; unsorted partitions would each span England
    # (the sum of their areas would be about 4 times the whole's).
    boxes = [shapely.box(*part.total_bounds) for part in parts]
    whole = shapely.box(x.min(), y.min(), x.max(), y.max())
    assert sum(b.area for b in boxes) < 1.5 * whole.area


def test_single_file_output_and_local_engine_agree(
    client: Client, locator: LsoaLocator, postcodes: PostcodeDirectory, tmp_path: Path
) -> None:
    # Manchester's postcodes in WGS84: both engines reproject the same way.
    frame = postcodes.frame
    manchester = frame[(frame["laua"] == "E08000003") & frame["easting"].notna()]
    points = gpd.GeoDataFrame(
        {"postcode": manchester["postcode"].to_numpy()},
        geometry=gpd.points_from_xy(manchester["easting"], manchester["northing"]),
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORE)
    src = tmp_path / "manchester.parquet"
    points.to_parquet(src)
    local = distributed.join_file(src, tmp_path / "local.parquet", locator=locator)
    remote = distributed.join_file(
        src, tmp_path / "dask.parquet", engine="dask", locator=locator, client=client
    )
    assert (
        (local.n_points, local.n_within) == (remote.n_points, remote.n_within) == (len(points),) * 2
    )
    a = gpd.read_parquet(local.out).sort_values("postcode").reset_index(drop=True)
    b = gpd.read_parquet(remote.out).sort_values("postcode").reset_index(drop=True)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    # Manchester's postcodes lie in LSOAs of Manchester.
    names = pd.read_parquet(
        settings.DATA_DIR / "boundaries/lsoa21.parquet", columns=["lsoa21cd", "lad24cd"]
    ).set_index("lsoa21cd")["lad24cd"]
    assert (a["lsoa21cd"].map(names) == "E08000003").mean() > 0.99


def test_count_assets_on_dask_equals_count_assets(
    assets: pd.DataFrame, lsoas: pd.DataFrame
) -> None:
    # A type present in one partition only (as an uploaded register's own category would be):
    # the partitions' tables have different columns and must still add up.
    frame = assets[["lsoa21cd", "asset_type"]].reset_index(drop=True)
    frame.loc[:999, "asset_type"] = "zz_register"
    got = distributed.count_assets(dd.from_pandas(frame, npartitions=5), lsoas["lsoa21cd"])
    want = metrics.count_assets(frame, lsoas["lsoa21cd"])
    pd.testing.assert_frame_equal(got, want)
    assert got["assets_zz_register"].sum() == 1000


def test_metrics_on_dask_equal_local_metrics(
    client: Client, assets: pd.DataFrame, lsoas: pd.DataFrame, all_metrics: pd.DataFrame
) -> None:
    got = distributed.lsoa_metrics(dd.from_pandas(assets, npartitions=4), lsoas)
    pd.testing.assert_frame_equal(got, all_metrics)
    for level in ("icb", "lad"):
        pd.testing.assert_frame_equal(
            metrics.rollup(got, level, types=ALL_TYPES),
            metrics.rollup(all_metrics, level, types=ALL_TYPES),
        )


def test_cli_join_both_engines_and_counts(
    client: Client, postcodes: PostcodeDirectory, tmp_path: Path
) -> None:
    frame = postcodes.frame
    leeds = frame[(frame["laua"] == "E08000035") & frame["easting"].notna()].head(5000)
    points = gpd.GeoDataFrame(
        {"postcode": leeds["postcode"].to_numpy(), "asset_type": "postcode"},
        geometry=gpd.points_from_xy(leeds["easting"], leeds["northing"]),
        crs=settings.CRS_METRIC,
    )
    src = tmp_path / "leeds.parquet"
    points.to_parquet(src)
    address = str(client.scheduler_info()["address"])
    assert main(["join", "--points", str(src), "--out", str(tmp_path / "l.parquet"),
                 "--counts", str(tmp_path / "l.csv")]) == 0  # fmt: skip
    assert main(["join", "--points", str(src), "--out", str(tmp_path / "d"), "--engine", "dask",
                 "--scheduler", address, "--npartitions", "2", "--quiet",
                 "--counts", str(tmp_path / "d.csv")]) == 0  # fmt: skip
    local = pd.read_csv(tmp_path / "l.csv")
    pd.testing.assert_frame_equal(local, pd.read_csv(tmp_path / "d.csv"))
    assert local["assets_postcode"].sum() == 5000  # every Leeds postcode lies in an LSOA
    assert len(local) == 33_755


def test_refuses_points_without_crs_or_not_points(locator: LsoaLocator, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no CRS"):
        distributed.locate_points(gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)]), locator)
    lines = gpd.GeoDataFrame(
        geometry=[shapely.Point(400000, 300000), shapely.LineString([(0, 0), (1, 1)])],
        crs=settings.CRS_METRIC,
    )
    with pytest.raises(ValueError, match="1 geometries are not points"):
        distributed.locate_points(lines, locator)
    src = tmp_path / "nocrs.parquet"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(400000, 300000)]).to_parquet(src)
    assert main(["join", "--points", str(src), "--out", str(tmp_path / "o.parquet")]) == 2
