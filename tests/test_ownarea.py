"""Own areas (``assetmap.geography.ownarea``): codes, drawn shapes and boundary files, checked
against the ICB they reproduce, residence points tested directly, and files in other CRSs."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap import settings
from assetmap.cli import main
from assetmap.data import store
from assetmap.geography import areas, ownarea
from assetmap.measures import metrics
from tests.conftest import COMMUNITY_TYPES

HARTLEPOOL = "E06000001"


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


@pytest.fixture(scope="module")
def smallest_icb(lsoas: pd.DataFrame) -> areas.Area:
    counts = lsoas.groupby("icb24cd").size().sort_values()
    return areas.resolve(f"icb:{counts.index[0]}", areas.catalogue(lsoas))


def _hartlepool(lsoas: pd.DataFrame) -> pd.DataFrame:
    return lsoas[lsoas["lad24cd"] == HARTLEPOOL]


def test_own_area_of_an_icbs_lsoas_reproduces_that_icb(
    lsoas: pd.DataFrame, community_metrics: pd.DataFrame, smallest_icb: areas.Area
) -> None:
    codes = areas.select(lsoas, smallest_icb)["lsoa21cd"]
    own = ownarea.own_area(reversed(codes.tolist()), lsoas, "The same LSOAs")
    assert own.level == areas.OWN
    assert own.lsoas == tuple(sorted(codes))
    icb = metrics.rollup(community_metrics, "icb", smallest_icb, types=COMMUNITY_TYPES)
    mine = metrics.rollup(community_metrics, "own", own, types=COMMUNITY_TYPES)
    assert len(icb) == len(mine) == 1
    figures = [c for c in icb.columns if c in mine.columns and c not in ("level",)]
    numeric = [c for c in figures if pd.api.types.is_numeric_dtype(icb[c])]
    assert {"population", "assets", "assets_per_1k", "gap_score_mean"} <= set(numeric)
    pd.testing.assert_series_equal(
        icb[numeric].iloc[0], mine[numeric].iloc[0], check_names=False, rtol=0, atol=0
    )
    assert mine["own_nm"].iloc[0] == "The same LSOAs"
    pd.testing.assert_frame_equal(
        metrics.gap_table(community_metrics, smallest_icb, types=COMMUNITY_TYPES, need="imd"),
        metrics.gap_table(community_metrics, own, types=COMMUNITY_TYPES, need="imd"),
    )
    pd.testing.assert_frame_equal(
        metrics.decile_table(areas.select(community_metrics, smallest_icb), COMMUNITY_TYPES),
        metrics.decile_table(areas.select(community_metrics, own), COMMUNITY_TYPES),
    )
    # Its parent is the ICB itself (the ICB holding most of its residents).
    assert areas.parent_of(own, lsoas) == smallest_icb


def test_own_area_codes_are_checked_and_named(lsoas: pd.DataFrame) -> None:
    first = lsoas["lsoa21cd"].iloc[0]
    area = ownarea.own_area([f" {first.lower()} ", first], lsoas, "  My\npatch\x00 ")
    assert area.lsoas == (first,)
    assert area.name == "My patch"
    assert area.ref == f"own:{first}"
    assert ownarea.parse_ref(area.ref) == [first]
    assert area.label == "Own area: My patch"
    assert ownarea.own_area([first], lsoas).name == ownarea.DEFAULT_NAME
    assert ownarea.own_area([first], lsoas, "x" * 500).name.startswith("x" * 70)
    assert len(ownarea.own_area([first], lsoas, "x" * 500).name) <= ownarea.MAX_NAME_CHARS
    with pytest.raises(ownarea.OwnAreaError, match="at least one LSOA"):
        ownarea.own_area([" ", ""], lsoas)
    with pytest.raises(ownarea.OwnAreaError, match=r"^'<B>' is not an LSOA 2021 code"):
        ownarea.own_area(["<b>", first], lsoas)
    with pytest.raises(ownarea.OwnAreaError, match=r"'W01000001', 'W01000002' are not LSOA 2021"):
        ownarea.own_area(["W01000001", "W01000002"], lsoas)
    with pytest.raises(ownarea.OwnAreaError, match=r"^'E01999999' is not among England's LSOAs"):
        ownarea.own_area(["E01999999"], lsoas)
    with pytest.raises(ownarea.OwnAreaError, match="not an own area"):
        ownarea.parse_ref("icb:QYG")


def test_url_fits_only_small_areas(lsoas: pd.DataFrame, smallest_icb: areas.Area) -> None:
    small = ownarea.own_area(_hartlepool(lsoas)["lsoa21cd"].head(20), lsoas)
    assert ownarea.url_fits(small)
    big = ownarea.own_area(areas.select(lsoas, smallest_icb)["lsoa21cd"], lsoas)
    assert len(big.ref) > settings.OWN_AREA_URL_MAX_CHARS
    assert not ownarea.url_fits(big)


def test_drawn_shape_counts_lsoas_by_residence_point(
    lsoas: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame, residence: pd.DataFrame
) -> None:
    # A rectangle around the middle of Hartlepool, in longitude / latitude.
    box = shapely.box(-1.235, 54.675, -1.19, 54.7)
    drawn = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(box)}
    fitted = ownarea.fit(ownarea.drawn_shape(drawn), lsoa_polygons, residence, "Town centre")
    # Directly: residence points (BNG) inside the rectangle projected to BNG with geopandas.
    points = gpd.GeoSeries(
        gpd.points_from_xy(residence["res_easting"], residence["res_northing"]), crs=27700
    )
    box_bng = gpd.GeoSeries([box], crs=4326).to_crs(27700).iloc[0]
    expected = sorted(residence.loc[points.within(box_bng).to_numpy(), "lsoa21cd"])
    assert list(fitted.area.lsoas) == expected
    assert len(expected) > 5
    touched = lsoa_polygons[lsoa_polygons.intersects(box)]["lsoa21cd"]
    whole = set(lsoa_polygons[lsoa_polygons.within(box)]["lsoa21cd"])
    assert fitted.outside_touched == len(set(touched) - set(expected)) > 0
    assert fitted.partly_inside == len(set(expected) - whole) > 0
    assert f"{len(expected):,} LSOAs counted" in fitted.note


def test_drawn_shape_errors_say_why(
    lsoa_polygons: gpd.GeoDataFrame, residence: pd.DataFrame
) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[-1.23, 54.68], [-1.19, 54.70], [-1.19, 54.68], [-1.23, 54.70], [-1.23, 54.68]]
        ],
    }
    with pytest.raises(ownarea.OwnAreaError, match=r"crosses itself near 54\.69.*-1\.21"):
        ownarea.drawn_shape(bowtie)
    line = {"type": "LineString", "coordinates": [[-1.2, 54.6], [-1.1, 54.7]]}
    with pytest.raises(ownarea.OwnAreaError, match="nothing drawn is a polygon"):
        ownarea.drawn_shape({"type": "FeatureCollection", "features": [{"geometry": line}]})
    with pytest.raises(ownarea.OwnAreaError, match="not GeoJSON"):
        ownarea.drawn_shape({"type": "Polygon", "coordinates": "<script>"})
    sea = ownarea.drawn_shape(shapely.geometry.mapping(shapely.box(1.0, 54.0, 1.1, 54.1)))
    with pytest.raises(ownarea.OwnAreaError, match="covers no English LSOA"):
        ownarea.fit(sea, lsoa_polygons, residence)
    # A tiny square inside one LSOA, away from its residence point.
    tiny = ownarea.drawn_shape(
        shapely.geometry.mapping(shapely.box(-1.2301, 54.6801, -1.23, 54.6802))
    )
    with pytest.raises(ownarea.OwnAreaError, match="overlaps 1 LSOAs but holds none"):
        ownarea.fit(tiny, lsoa_polygons, residence)


def _bng_file(
    tmp_path: Path, lsoas: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame, ext: str
) -> Path:
    codes = _hartlepool(lsoas)["lsoa21cd"]
    town = lsoa_polygons[lsoa_polygons["lsoa21cd"].isin(codes)].to_crs(27700)
    path = tmp_path / f"hartlepool.{ext}"
    gpd.GeoDataFrame({"what": ["Hartlepool"]}, geometry=[town.union_all()], crs=27700).to_file(path)
    return path


@pytest.mark.parametrize("ext", ["gpkg", "geojson"])
def test_boundary_in_british_national_grid_is_reprojected(
    tmp_path: Path,
    ext: str,
    lsoas: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
    residence: pd.DataFrame,
) -> None:
    path = _bng_file(tmp_path, lsoas, lsoa_polygons, ext)
    boundary = ownarea.read_boundary(path.read_bytes(), path.name)
    assert any("reprojected from OSGB36 / British National Grid" in n for n in boundary.notes)
    assert boundary.shape is not None
    assert -1.4 < boundary.shape.centroid.x < -1.1
    fitted = ownarea.from_boundary(boundary, lsoas, lsoa_polygons, residence)
    # The town's own boundary holds exactly its LSOAs' residence points.
    assert fitted.area.lsoas == tuple(sorted(_hartlepool(lsoas)["lsoa21cd"]))
    assert fitted.area.name == "hartlepool"


def test_area_file_round_trips_exactly(
    lsoas: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame, residence: pd.DataFrame
) -> None:
    area = ownarea.own_area(_hartlepool(lsoas)["lsoa21cd"].head(7), lsoas, "Seven <b>LSOAs</b>")
    content = ownarea.to_geojson(area, lsoa_polygons)
    assert json.loads(content)["name"] == "Seven <b>LSOAs</b>"
    again = ownarea.from_boundary(
        ownarea.read_boundary(content, "area.geojson"), lsoas, lsoa_polygons, residence
    )
    assert again.area == area


def test_bad_boundary_files_are_refused_by_name(tmp_path: Path) -> None:
    def refused(content: bytes, name: str, match: str) -> None:
        with pytest.raises(ownarea.OwnAreaError, match=match):
            ownarea.read_boundary(content, name)

    refused(b"a,b\n1,2\n", "patch.csv", "'patch.csv' is not a boundary file")
    refused(b"", "patch.geojson", "is empty")
    refused(b"{not json", "patch.geojson", "could not be read as GeoJSON")
    refused(b"SQLite format 3\x00 broken", "patch.gpkg", "could not be read as GeoPackage")
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [0, 51]},
            }
        ],
    }
    refused(json.dumps(points).encode(), "pts.geojson", r"has no polygon \(it holds Point\)")
    # BNG metres in a GeoJSON that names no CRS: refused, not guessed.
    square = shapely.geometry.mapping(shapely.box(450000, 530000, 451000, 531000))
    nameless = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": square}],
    }
    refused(json.dumps(nameless).encode(), "bng.geojson", "names no coordinate reference system")
    big = tmp_path / "big.geojson"
    refused(b" " * (settings.UPLOAD_MAX_MB * 1024 * 1024 + 1), big.name, "more than the")


def test_self_crossing_boundary_file_is_repaired_and_said(
    lsoas: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame, residence: pd.DataFrame
) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[-1.23, 54.68], [-1.19, 54.70], [-1.19, 54.68], [-1.23, 54.70], [-1.23, 54.68]]
        ],
    }
    line = {"type": "LineString", "coordinates": [[-1.2, 54.6], [-1.1, 54.7]]}
    collection = {
        "type": "FeatureCollection",
        "name": "Bow tie",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": bowtie},
            {"type": "Feature", "properties": {}, "geometry": line},
        ],
    }
    boundary = ownarea.read_boundary(json.dumps(collection).encode(), "tie.geojson")
    assert boundary.name == "Bow tie"
    assert "1 feature that is not a polygon left out" in boundary.notes
    assert any(
        n.startswith("polygon 1 repaired: it crossed itself near 54.69") for n in boundary.notes
    )
    assert boundary.shape is not None
    assert boundary.shape.is_valid
    fitted = ownarea.from_boundary(boundary, lsoas, lsoa_polygons, residence)
    assert len(fitted.area.lsoas) > 0


def test_cli_takes_own_and_file_areas(
    tmp_path: Path,
    data_dir: Path,
    lsoas: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
    community_metrics: pd.DataFrame,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _bng_file(tmp_path, lsoas, lsoa_polygons, "gpkg")
    out = tmp_path / "summary.csv"
    args = ["--data-dir", str(data_dir), "summary", "--by", "lad", "--out", str(out)]
    assert main([*args, "--area", f"file:{path}"]) == 0
    assert "Own area: hartlepool: reprojected from OSGB36" in capsys.readouterr().err
    by_file = pd.read_csv(out)
    la = metrics.rollup(
        community_metrics,
        "lad",
        areas.Area("lad", HARTLEPOOL, "Hartlepool"),
        types=COMMUNITY_TYPES,
    )
    assert by_file["lad24cd"].tolist() == [HARTLEPOOL]
    assert by_file["population"].iloc[0] == la["population"].iloc[0]
    assert np.isclose(by_file["assets_per_1k"].iloc[0], la["assets_per_1k"].iloc[0])
    codes = ",".join(_hartlepool(lsoas)["lsoa21cd"].head(3))
    gaps = tmp_path / "gaps.csv"
    assert (
        main(["--data-dir", str(data_dir), "gaps", "--area", f"own:{codes}", "--out", str(gaps)])
        == 0
    )
    assert sorted(pd.read_csv(gaps)["lsoa21cd"]) == sorted(codes.split(","))
    assert main(["--data-dir", str(data_dir), "gaps", "--area", "own:E01999999,<b>"]) == 2
    assert "'<B>'" in capsys.readouterr().err
    assert (
        main(["--data-dir", str(data_dir), "gaps", "--area", f"file:{tmp_path}/none.geojson"]) == 2
    )
    assert "no boundary file" in capsys.readouterr().err
