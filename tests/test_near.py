"""What is near a postcode (``assetmap.measures.near``), against distances geopandas computes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from assetmap import cli, settings
from assetmap.data import store
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.measures import near
from tests.conftest import ALL_TYPES

#: Anfield, Liverpool: a Core20 neighbourhood with assets of several types around it.
POSTCODE = "L4 0TH"


@pytest.fixture(scope="module")
def place(postcodes: PostcodeDirectory) -> near.Place:
    return near.place_of_postcode(POSTCODE, postcodes)


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


def _found(
    place: near.Place,
    distance: float,
    assets: pd.DataFrame,
    residence: pd.DataFrame,
    lsoas: pd.DataFrame,
) -> near.Nearby:
    return near.nearby(place, distance, near.Searchable.build(assets, residence, lsoas))


def test_assets_and_lsoas_within_the_distance_are_those_geopandas_finds(
    place: near.Place, assets: pd.DataFrame, residence: pd.DataFrame, lsoas: pd.DataFrame
) -> None:
    found = _found(place, 1000, assets, residence, lsoas)
    assert len(near.Searchable.build(assets, residence, lsoas).lsoas) == len(lsoas)  # none lost
    origin = gpd.GeoSeries.from_xy([place.easting], [place.northing], crs=settings.CRS_METRIC)
    points = gpd.GeoSeries.from_xy(assets["easting"], assets["northing"], crs=settings.CRS_METRIC)
    within = points.distance(origin.iloc[0]) <= 1000
    assert sorted(found.assets["name"]) == sorted(assets.loc[within, "name"])
    assert len(found.assets) > 0
    assert found.assets["distance_m"].is_monotonic_increasing
    homes = gpd.GeoSeries.from_xy(residence["res_easting"], residence["res_northing"])
    close = residence.loc[homes.distance(origin.iloc[0]) <= 1000, "lsoa21cd"]
    assert set(found.lsoas["lsoa21cd"]) == set(close) != set()
    # Every LSOA's figures are its own row of the LSOA table.
    table = lsoas.set_index("lsoa21cd").loc[found.lsoas["lsoa21cd"]]
    assert (found.lsoas["population"].to_numpy() == table["population"].to_numpy()).all()
    assert (found.lsoas["imd_decile"].to_numpy() == table["imd_decile"].to_numpy()).all()


def test_counts_by_type_and_residents_by_decile_add_up(
    place: near.Place, assets: pd.DataFrame, residence: pd.DataFrame, lsoas: pd.DataFrame
) -> None:
    found = _found(place, 1500, assets, residence, lsoas)
    counts = near.assets_by_type(found, list(ALL_TYPES))
    assert list(counts["asset_type"]) == list(ALL_TYPES)
    assert counts["assets"].sum() == len(found.assets)
    nearest = counts["nearest_m"].to_numpy(dtype="float64")
    for t, n, d in zip(counts["asset_type"], counts["assets"], nearest, strict=True):
        mine = found.assets[found.assets["asset_type"] == t]
        assert n == len(mine)
        assert (np.isnan(d) and mine.empty) or d == mine["distance_m"].min()
    people = near.residents_by_decile(found)
    assert list(people["imd_decile"]) == list(range(1, 11))
    assert people["population"].sum() == found.lsoas["population"].sum()
    core20 = found.lsoas.loc[found.lsoas["core20"], "population"].sum()
    assert people.loc[people["imd_decile"] <= 2, "population"].sum() == core20 > 0


def test_a_point_on_the_map_is_the_same_place_as_its_grid_reference(place: near.Place) -> None:
    to_wgs84 = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)
    lon, lat = to_wgs84.transform(place.easting, place.northing)
    clicked = near.place_of_point(lat, lon)
    assert clicked.easting == pytest.approx(place.easting, abs=0.01)
    assert clicked.northing == pytest.approx(place.northing, abs=0.01)


def test_a_point_at_sea_finds_nothing(
    assets: pd.DataFrame, residence: pd.DataFrame, lsoas: pd.DataFrame
) -> None:
    found = _found(near.place_of_point(54.0, -5.0), 2000, assets, residence, lsoas)  # Irish Sea
    assert found.assets.empty
    assert found.lsoas.empty
    assert near.residents_by_decile(found)["population"].sum() == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("EH1 1YZ", "in Scotland"),
        ("CF10 1EP", "in Wales"),
        ("ZZ1 1ZZ", "unknown postcode"),
        ("<b>hello</b>", "malformed postcode"),
        ("", "no postcode"),
    ],
)
def test_a_postcode_that_cannot_be_searched_says_why(
    postcodes: PostcodeDirectory, text: str, says: str
) -> None:
    with pytest.raises(near.PlaceError, match=says):
        near.place_of_postcode(text, postcodes)


@pytest.mark.parametrize("distance", [0, -10, near.MAX_DISTANCE_M + 1, float("nan")])
def test_a_distance_out_of_range_is_refused(distance: float) -> None:
    with pytest.raises(near.PlaceError, match="give a distance above 0"):
        near.check_distance(distance)


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (51.5, 200.0), (float("nan"), 0.0)])
def test_a_point_that_is_not_a_latitude_and_longitude_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(near.PlaceError, match="not a latitude and longitude"):
        near.place_of_point(lat, lon)


def test_cli_near_writes_the_assets_as_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "near.gpkg"
    assert (
        cli.main(
            ["near", POSTCODE, "--distance", "1000", "--types", "gp_practice", "--out", str(out)]
        )
        == 0
    )
    written = gpd.read_file(out)
    assert set(written["asset_type"]) == {"gp_practice"}
    assert written.crs.to_epsg() == 4326
    assert "Within 1,000 m of L4 0TH" in capsys.readouterr().err
    assert cli.main(["near", "EH1 1YZ"]) == 2
    assert "is in Scotland" in capsys.readouterr().err
