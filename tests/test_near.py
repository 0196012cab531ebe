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


def test_the_summary_equals_a_direct_count(
    place: near.Place, assets: pd.DataFrame, residence: pd.DataFrame, lsoas: pd.DataFrame
) -> None:
    found = _found(place, 1200, assets, residence, lsoas)
    summary = near.summarise(found, list(ALL_TYPES))
    # Straight from the tables: residence points within 1,200 m, their residents and deciles.
    d = np.hypot(
        residence["res_easting"] - place.easting, residence["res_northing"] - place.northing
    )
    close = lsoas[lsoas["lsoa21cd"].isin(residence.loc[d <= 1200, "lsoa21cd"])]
    deprived = close[close["imd_decile"] <= settings.CORE20_MAX_DECILE]
    assert summary.lsoa_count == len(close) > 0
    assert summary.residents == close["population"].sum()
    assert summary.core20_lsoas == len(deprived) == close["core20"].sum() > 0
    assert summary.core20_residents == deprived["population"].sum()
    assert summary.core20_share == pytest.approx(
        deprived["population"].sum() / close["population"].sum()
    )
    assert list(summary.deciles["core20"]) == [True] * 2 + [False] * 8
    by_decile = close.groupby("imd_decile")["population"].sum().reindex(range(1, 11), fill_value=0)
    assert summary.deciles["population"].tolist() == by_decile.tolist()
    a = np.hypot(assets["easting"] - place.easting, assets["northing"] - place.northing)
    per_type = assets[a <= 1200]["asset_type"].value_counts()
    assert summary.assets.set_index("asset_type")["assets"].to_dict() == {
        t: int(per_type.get(t, 0)) for t in ALL_TYPES
    }
    assert (summary.place, summary.distance_m) == (place, 1200)


def test_a_summary_of_nowhere_has_no_share() -> None:
    empty = near.Searchable.build(
        pd.DataFrame(columns=[*near.ASSET_COLUMNS]),
        pd.DataFrame(columns=["lsoa21cd", "res_easting", "res_northing"]),
        pd.DataFrame(columns=[*near.LSOA_COLUMNS]),
    )
    summary = near.summarise(near.nearby(near.place_of_point(54.0, -5.0), 500, empty), ["museum"])
    assert (summary.residents, summary.core20_residents, summary.core20_share) == (0, 0, None)
    assert summary.assets["assets"].tolist() == [0]


def test_no_postcode_is_longer_than_the_longest_checked(postcodes: PostcodeDirectory) -> None:
    longest = int(postcodes.frame["postcode"].str.len().max())
    assert longest == near.MAX_POSTCODE_CHARS
    assert near.check_postcode_text("  sw1a 1aa ") == "sw1a 1aa"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "no postcode"), ("   ", "no postcode"), ("SW1A 1AAX", "malformed postcode")],
)
def test_text_that_is_no_postcode_is_refused_before_a_look_up(text: str, reason: str) -> None:
    with pytest.raises(near.PlaceError) as refused:
        near.check_postcode_text(text)
    assert refused.value.reason == reason


def test_a_huge_postcode_is_refused_with_a_short_message(postcodes: PostcodeDirectory) -> None:
    with pytest.raises(near.PlaceError) as refused:
        near.place_of_postcode("<img src=x>" * 6_000, postcodes)
    assert refused.value.reason == "malformed postcode"
    assert len(str(refused.value)) < 60


def test_the_reason_of_a_postcode_outside_england_names_the_nation(
    postcodes: PostcodeDirectory,
) -> None:
    with pytest.raises(near.PlaceError) as refused:
        near.place_of_postcode("CF10 1EP", postcodes)
    assert refused.value.reason == "in Wales: assetmap covers England only"
    assert str(refused.value) == "CF10 1EP is in Wales: assetmap covers England only"


def test_a_point_written_as_text_reads_back(place: near.Place) -> None:
    lat, lon = near.wgs84(place)
    read = near.parse_point(near.point_text(lat, lon))
    # Five decimal places: within a metre of the postcode's grid reference.
    assert np.hypot(read.easting - place.easting, read.northing - place.northing) < 1.0
    assert near.point_text(lat, lon) == f"{lat:.5f},{lon:.5f}"
    assert near.parse_point(" 53.43 , -2.96 ").label == "53.43000, -2.96000"


@pytest.mark.parametrize(
    "text", ["", "53.4", "53.4,-2.9,1", "north,west", "95,0", "nan,0", "1," * 100, "<b>1</b>,2"]
)
def test_text_that_is_no_point_is_refused(text: str) -> None:
    with pytest.raises(near.PlaceError) as refused:
        near.parse_point(text)
    assert refused.value.reason.startswith("not a latitude and longitude")
    assert len(str(refused.value)) < 150


@pytest.mark.parametrize(
    ("text", "value"), [("800", 800.0), (" 1500.5 ", 1500.5), ("2e4", 20_000.0)]
)
def test_a_distance_written_as_text_is_read(text: str, value: float) -> None:
    assert near.parse_distance(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("far", "not a distance in metres"),
        ("nan", "not a distance in metres"),
        ("9" * 60_000, "not a distance in metres"),
        ("0", "give a distance above 0"),
        ("20001", "give a distance above 0"),
        ("inf", "give a distance above 0"),
    ],
)
def test_a_distance_text_out_of_range_or_no_number_is_refused(text: str, reason: str) -> None:
    with pytest.raises(near.PlaceError) as refused:
        near.parse_distance(text)
    assert refused.value.reason.startswith(reason)
    assert len(str(refused.value)) < 120
