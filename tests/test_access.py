"""Walking-distance access: residence points, walk counts, nearest distances and 2SFCA.

The slice checks recompute everything for a few neighbouring Knowsley LSOAs by brute force
(``math.hypot`` over every asset and every residence point), without a KD-tree.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import spearmanr

from assetmap import cli, settings
from assetmap.data import dictionary, store
from assetmap.measures import access

# Knowsley 006A (IMD decile 1) and its nearest neighbours by residence point.
CENTRE = "E01006412"
SLICE_SIZE = 6
TYPES = ["library", "gp_practice"]


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


@pytest.fixture(scope="module")
def population(lsoas: pd.DataFrame) -> pd.Series:
    return lsoas.set_index("lsoa21cd")["population"]


@pytest.fixture(scope="module")
def england(residence: pd.DataFrame, population: pd.Series, assets: pd.DataFrame) -> pd.DataFrame:
    return access.access_metrics(residence, population, assets, TYPES).table


@pytest.fixture(scope="module")
def gb_postcodes(data_dir: Path) -> pd.DataFrame:
    frame = pd.read_parquet(data_dir / "postcodes.parquet")
    keep = frame["laua"].astype(str).str[0].isin(["E", "W", "S"]) & frame["easting"].notna()
    return frame[keep]


@pytest.fixture(scope="module")
def slice_codes(residence: pd.DataFrame) -> list[str]:
    res = residence.set_index("lsoa21cd")
    x0, y0 = res.loc[CENTRE, ["res_easting", "res_northing"]]
    dist = pd.Series(np.hypot(res["res_easting"] - x0, res["res_northing"] - y0), index=res.index)
    return dist.nsmallest(SLICE_SIZE).index.tolist()


def _inside(polygon: shapely.Geometry, postcodes: pd.DataFrame) -> pd.DataFrame:
    xmin, ymin, xmax, ymax = polygon.bounds
    box = postcodes[
        postcodes["easting"].between(xmin, xmax) & postcodes["northing"].between(ymin, ymax)
    ]
    points = shapely.points(box["easting"].to_numpy(), box["northing"].to_numpy())
    return box[shapely.covers(polygon, points)]


def test_residence_point_is_the_mean_of_the_lsoas_postcodes(
    residence: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
    gb_postcodes: pd.DataFrame,
    slice_codes: list[str],
) -> None:
    polygons = lsoa_polygons.set_index("lsoa21cd").to_crs(settings.CRS_METRIC).geometry
    res = residence.set_index("lsoa21cd")
    for code in slice_codes:
        inside = _inside(polygons[code], gb_postcodes)
        assert len(inside) > 0
        row = res.loc[code]
        assert row["res_method"] == access.RES_POSTCODE_MEAN
        assert row["res_postcodes"] == len(inside)
        assert row["res_easting"] == pytest.approx(inside["easting"].mean(), abs=1e-6)
        assert row["res_northing"] == pytest.approx(inside["northing"].mean(), abs=1e-6)


def test_every_lsoa_has_a_residence_point(
    residence: pd.DataFrame,
    lsoas: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
    gb_postcodes: pd.DataFrame,
    data_dir: Path,
) -> None:
    assert residence["lsoa21cd"].tolist() == lsoas["lsoa21cd"].tolist()
    assert np.isfinite(residence[["res_easting", "res_northing"]].to_numpy()).all()
    assert set(residence["res_method"]) <= {access.RES_POSTCODE_MEAN, access.RES_POLYGON_POINT}
    fallback = residence[residence["res_method"] == access.RES_POLYGON_POINT]
    # The build reports how many LSOAs fell back to a point on the polygon.
    assert store.load_manifest(data_dir)["counts"]["residence_polygon_point"] == len(fallback)
    assert len(fallback) < 0.001 * len(residence)
    assert (fallback["res_postcodes"] == 0).all()
    assert (residence.loc[residence["res_postcodes"] == 0, "res_method"] == "polygon point").all()
    polygons = lsoa_polygons.set_index("lsoa21cd").to_crs(settings.CRS_METRIC).geometry
    for row in fallback.itertuples():
        polygon = polygons[row.lsoa21cd]
        assert len(_inside(polygon, gb_postcodes)) == 0  # really no postcode inside
        assert polygon.covers(shapely.Point(row.res_easting, row.res_northing))


def test_walk_counts_nearest_and_2sfca_by_hand(
    england: pd.DataFrame,
    residence: pd.DataFrame,
    population: pd.Series,
    assets: pd.DataFrame,
    slice_codes: list[str],
) -> None:
    d = settings.WALK_DISTANCE_M
    chosen = assets[assets["asset_type"].isin(TYPES)]
    ax, ay = chosen["easting"].to_numpy(), chosen["northing"].to_numpy()
    hx, hy = residence["res_easting"].to_numpy(), residence["res_northing"].to_numpy()
    people = population.reindex(residence["lsoa21cd"]).to_numpy()
    res = residence.set_index("lsoa21cd")

    reach: dict[str, list[int]] = {}
    for code in slice_codes:
        x, y = res.loc[code, ["res_easting", "res_northing"]]
        dist = [math.hypot(ax[j] - x, ay[j] - y) for j in range(len(ax))]
        reach[code] = [j for j, v in enumerate(dist) if v <= d]
        got = england.loc[code]
        assert got["walk_assets"] == len(reach[code])
        assert got["walk_nearest_m"] == pytest.approx(min(dist), abs=1e-6)

    # Step 1 for every asset the slice reaches: its residents are everyone within d in England.
    share = {}
    for j in {j for js in reach.values() for j in js}:
        near = np.hypot(hx - ax[j], hy - ay[j]) <= d
        share[j] = 1.0 / people[near].sum()
    for code in slice_codes:
        expected = 1000 * sum(share[j] for j in reach[code])
        assert england.loc[code, "fca_per_1k"] == pytest.approx(expected, rel=1e-12)
    # The slice is in a town: it must have reached something, or the check proves nothing.
    assert sum(len(js) for js in reach.values()) > 0


def test_2sfca_conserves_supply(
    england: pd.DataFrame,
    residence: pd.DataFrame,
    population: pd.Series,
    assets: pd.DataFrame,
) -> None:
    d0 = settings.WALK_DISTANCE_M
    chosen = assets[assets["asset_type"].isin(TYPES)]
    homes = shapely.points(residence["res_easting"], residence["res_northing"])
    points = shapely.points(chosen["easting"], chosen["northing"])
    src, _ = shapely.STRtree(homes).query(points, predicate="dwithin", distance=d0)
    served = len(np.unique(src))
    assert 0 < served < len(chosen)
    supply = (england["fca_per_1k"] * population.reindex(england.index)).sum() / 1000
    assert supply == pytest.approx(served, rel=1e-9)


def test_an_area_matches_england_filtered(
    england: pd.DataFrame,
    residence: pd.DataFrame,
    population: pd.Series,
    assets: pd.DataFrame,
    lsoas: pd.DataFrame,
) -> None:
    codes = lsoas.loc[lsoas["lad24cd"] == "E08000011", "lsoa21cd"]  # Knowsley
    area = access.access_metrics(residence, population, assets, TYPES, codes=codes).table
    assert area.index.tolist() == codes.tolist()
    expected = england.loc[codes]
    assert (area["walk_assets"] == expected["walk_assets"]).all()
    assert np.allclose(area["walk_nearest_m"], expected["walk_nearest_m"], rtol=0, atol=1e-9)
    assert np.allclose(area["fca_per_1k"], expected["fca_per_1k"], rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="no residence point"):
        access.access_metrics(residence, population, assets, TYPES, codes=["W01000001"])


def test_inside_the_boundary_is_not_always_within_walking_distance(
    residence: pd.DataFrame, population: pd.Series, assets: pd.DataFrame
) -> None:
    # walk_assets >= the in-LSOA count is NOT a property: in a large LSOA an asset inside can
    # lie further than d from the residence point. Each such asset must indeed be beyond d.
    d = settings.WALK_DISTANCE_M
    found = access.access_metrics(residence, population, assets).table
    inside = assets.groupby("lsoa21cd").size().reindex(found.index, fill_value=0)
    fewer = found.index[found["walk_assets"] < inside]
    assert len(fewer) > 0
    res = residence.set_index("lsoa21cd")
    for code in fewer[:: max(1, len(fewer) // 20)]:
        own = assets[assets["lsoa21cd"] == code]
        x, y = res.loc[code, ["res_easting", "res_northing"]]
        near = [
            math.hypot(e - x, n - y) <= d
            for e, n in zip(own["easting"], own["northing"], strict=True)
        ]
        # The LSOA's own assets within d are among those counted, and some lie beyond d.
        assert sum(near) <= found.loc[code, "walk_assets"]
        assert sum(near) < len(own)


def test_distance_and_types(
    england: pd.DataFrame, residence: pd.DataFrame, population: pd.Series, assets: pd.DataFrame
) -> None:
    run = access.access_metrics(residence, population, assets, TYPES, distance_m=1200)
    wider = run.table
    assert (wider["walk_assets"] >= england["walk_assets"]).all()
    assert (wider["walk_nearest_m"] == england["walk_nearest_m"]).all()
    assert run.run.distance_m == 1200
    assert run.run.fca_distance_m == 1200  # the catchment follows the walking distance
    assert run.run.asset_types == tuple(TYPES)
    # A register with only coordinates (an upload) counts every row.
    plain = assets.loc[assets["asset_type"].isin(TYPES), ["easting", "northing"]]
    same = access.access_metrics(residence, population, plain)
    assert same.run.asset_types is None
    assert same.table.equals(england)
    with pytest.raises(ValueError, match="no assets of type"):
        access.access_metrics(residence, population, assets, ["swimming_pool"])


def test_compare_with_counts(
    all_metrics: pd.DataFrame, residence: pd.DataFrame, population: pd.Series, assets: pd.DataFrame
) -> None:
    found = access.access_metrics(residence, population, assets).table
    frame = all_metrics.join(found, on="lsoa21cd")
    table = access.compare_with_counts(frame)
    assert list(table.columns) == list(access.COMPARE_COLUMNS)
    assert table["imd_decile"].tolist() == [*map(str, range(1, 11)), "all"]
    rows = table.set_index("imd_decile")
    assert rows.loc["all", "population"] == population.sum()
    assert rows.loc["all", "assets"] == len(assets)
    one = frame[frame["imd_decile"] == 1]
    hidden = ((one["assets"] == 0) & (one["walk_assets"] > 0)).mean()
    assert rows.loc["1", "none_inside_walkable_share"] == pytest.approx(hidden)
    weighted = np.average(one["fca_per_1k"], weights=one["population"])
    assert rows.loc["1", "fca_per_1k"] == pytest.approx(weighted)
    rho = spearmanr(frame["assets_per_1k"], frame["walk_assets"]).statistic
    assert rows.loc["all", "spearman_walk"] == pytest.approx(rho)
    rho = spearmanr(one["assets_per_1k"], one["fca_per_1k"]).statistic
    assert rows.loc["1", "spearman_fca"] == pytest.approx(rho)
    text = access.explain_comparison(table)
    assert f"{table['none_inside_walkable_share'].iloc[-1]:.1%}" in text


def test_every_column_is_in_the_dictionary(residence: pd.DataFrame, england: pd.DataFrame) -> None:
    names = [
        *residence.columns,
        *england.columns,
        *access.ACCESS_TABLE_COLUMNS,
        *access.COMPARE_COLUMNS,
    ]
    assert [c for c in names if c not in dictionary.COLUMNS] == []


def test_cli_writes_an_areas_access(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "access.csv"
    status = cli.main(["access", "--area", "E08000011", "--types", "library", "--out", str(out)])
    assert status == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == list(access.ACCESS_TABLE_COLUMNS)
    assert (table["lad24cd"] == "E08000011").all()
    assert len(table) == (store.load_lsoas(data_dir)["lad24cd"] == "E08000011").sum()
