"""Candidate sites from a user (``assetmap.measures.candidates``): every row placed or reported.

Places are checked against the postcode directory's own grid references, pyproj's transform and
geopandas' point-in-polygon on the LSOA boundaries, worked out here."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from assetmap import settings
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import candidates
from assetmap.measures.scenariofile import MAX_LABEL_CHARS

LAD = "E06000001"  # Hartlepool
NAME = "Hartlepool"


@pytest.fixture(scope="module")
def inside(lsoas: pd.DataFrame) -> list[str]:
    return lsoas.loc[lsoas["lad24cd"] == LAD, "lsoa21cd"].tolist()


@pytest.fixture(scope="module")
def gridded(postcodes: PostcodeDirectory) -> pd.DataFrame:
    return postcodes.frame[postcodes.frame["easting"].notna()]


def _lsoa_of(polygons: gpd.GeoDataFrame, easting: float, northing: float) -> str:
    """The LSOA whose polygon holds a BNG point (geopandas, in the test)."""
    point = gpd.GeoSeries.from_xy([easting], [northing], crs=settings.CRS_METRIC)
    hit = polygons[polygons.contains(point.to_crs(polygons.crs).iloc[0])]
    assert len(hit) == 1
    return str(hit["lsoa21cd"].iloc[0])


def _read(
    text: str,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: list[str],
    filename: str = "sites.csv",
    encoding: str = "utf-8",
) -> candidates.Candidates:
    return candidates.read_candidates(
        text.encode(encoding), filename, postcodes, locator, inside, NAME
    )


def test_typed_postcodes_are_placed_or_each_reported_with_its_reason(
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: list[str],
    gridded: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
) -> None:
    here = gridded[gridded["laua"] == LAD].iloc[[0, 1]]
    scottish = str(gridded.loc[gridded["laua"].str.startswith("S"), "postcode"].iloc[0])
    welsh = str(gridded.loc[gridded["laua"].str.startswith("W"), "postcode"].iloc[0])
    manchester = str(gridded.loc[gridded["laua"] == "E08000003", "postcode"].iloc[0])
    texts = candidates.split_postcodes(
        f"{here['postcode'].iloc[0].lower()}\n{scottish}; ZZ9 9ZZ,{welsh}\n"
        f"{manchester}\r\nnot a postcode at all\n\n{here['postcode'].iloc[1]}"
    )
    assert len(texts) == 7
    found = candidates.from_postcodes(texts, postcodes, locator, inside, NAME)
    assert found.given == 7
    assert len(found.sites) + len(found.report) == found.given
    assert found.rows == (1, 7)
    for site, (_, pc) in zip(found.sites, here.iterrows(), strict=True):
        assert (site.easting, site.northing) == (pc["easting"], pc["northing"])
    assert list(found.lsoas) == [
        _lsoa_of(lsoa_polygons, s.easting, s.northing) for s in found.sites
    ]
    reasons = dict(zip(found.report["row"], found.report["reason"], strict=True))
    assert reasons[2] == "in Scotland: assetmap covers England only"
    assert reasons[3] == "unknown postcode"
    assert reasons[4] == "in Wales: assetmap covers England only"
    assert reasons[5].startswith(f"outside {NAME} (in LSOA E01")
    assert reasons[6] == "malformed postcode"


def test_too_many_postcodes_at_once_are_refused(
    postcodes: PostcodeDirectory, locator: LsoaLocator, inside: list[str]
) -> None:
    with pytest.raises(candidates.CandidateError, match="at most 2,000"):
        candidates.from_postcodes(["TS24 7PW"] * 2_001, postcodes, locator, inside, NAME)


def test_a_csv_of_names_postcodes_and_coordinates(
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: list[str],
    gridded: pd.DataFrame,
    lsoas: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
) -> None:
    pc = gridded[gridded["laua"] == LAD].iloc[0]
    # A point inside Hartlepool in degrees: the centre of one of its LSOAs' polygons.
    poly = lsoa_polygons[lsoa_polygons["lsoa21cd"] == inside[0]].geometry.iloc[0]
    centre = poly.representative_point()
    lat, lon = round(centre.y, 6), round(centre.x, 6)
    bng = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)
    x, y = bng.transform(lon, lat)
    text = (
        "Site name,Post Code,Latitude,Longitude\n"
        f"Hub =1+1,{pc['postcode']},,\n"  # a formula-looking name is kept as text
        f"By point,,{lat},{lon}\n"
        f"Both,ZZ9 9ZZ,{lat},{lon}\n"  # coordinates win over the postcode
        "Half,,54.69,\n"
        "Not numbers,,north,west\n"
        "Far,,53.4808,-2.2426\n"  # Manchester
        "At sea,,54.5,1.5\n"
        "Nothing,,,\n"
        "\n"
        f"{'x' * (MAX_LABEL_CHARS + 1)},{pc['postcode']},,\n"
        "Tab\tand\x01control,TS24 7PW,,\n"
    )
    found = _read(text, postcodes, locator, inside)
    assert found.given == 10
    assert found.notes == ("Skipped 1 blank row (not counted as data lines).",)
    assert len(found.sites) + len(found.report) == found.given
    assert [s.label for s in found.sites] == ["Hub =1+1", "By point", "Both", "Tab and control"]
    assert found.rows == (2, 3, 4, 12)
    assert (found.sites[0].easting, found.sites[0].northing) == (pc["easting"], pc["northing"])
    for site in found.sites[1:3]:
        assert site.easting == pytest.approx(x, abs=0.01)
        assert site.northing == pytest.approx(y, abs=0.01)
    assert found.lsoas[1] == inside[0] == _lsoa_of(lsoa_polygons, x, y)
    reasons = dict(zip(found.report["row"], found.report["reason"], strict=True))
    assert reasons[5] == "a latitude needs a longitude, and a longitude a latitude"
    assert reasons[6] == "('north', 'west') is not a latitude and longitude"
    manchester = lsoas.set_index("lsoa21cd")["lad24cd"]
    far = reasons[7].removeprefix(f"outside {NAME} (in LSOA ").removesuffix(")")
    assert manchester[far] == "E08000003"
    assert reasons[8] == "not in an English neighbourhood (LSOA)"
    assert reasons[9] == "no postcode, and no latitude and longitude"
    assert reasons[11] == f"the name is longer than {MAX_LABEL_CHARS} characters"
    # Every value reported is cut short, never the whole cell.
    assert found.report["value"].str.len().max() <= 60


def test_a_semicolon_file_with_decimal_commas_in_windows_1252(
    postcodes: PostcodeDirectory, locator: LsoaLocator, inside: list[str], gridded: pd.DataFrame
) -> None:
    pc = gridded[gridded["laua"] == LAD].iloc[3]
    text = f"nom;lat;lon;postcode\nCafé;54,6900;-1,2100;\nCrèche;;;{pc['postcode']}\n"
    found = _read(text, postcodes, locator, inside, encoding="cp1252")
    assert len(found.sites) == 2, found.report
    bng = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)
    x, y = bng.transform(-1.21, 54.69)
    assert found.sites[0].easting == pytest.approx(x, abs=0.01)
    assert found.sites[0].northing == pytest.approx(y, abs=0.01)
    # No name column ("nom" is not one): sites are named by what placed them.
    assert found.sites[1].label.replace(" ", "") == pc["postcode"]


def test_a_row_with_more_values_than_the_header_is_reported_not_read(
    postcodes: PostcodeDirectory, locator: LsoaLocator, inside: list[str], gridded: pd.DataFrame
) -> None:
    pc = gridded[gridded["laua"] == LAD].iloc[0]
    text = f"name,postcode\nOne,{pc['postcode']}\nTwo,{pc['postcode']},extra\n\n"
    found = _read(text, postcodes, locator, inside)
    assert found.rows == (2,)
    assert found.report["row"].tolist() == [3]
    assert "malformed row" in found.report["reason"].iloc[0]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"name,town\nA,B\n", "sites.csv", "no 'postcode' column and no 'latitude'"),
        (b"name,latitude\nA,54\n", "sites.csv", "no 'postcode' column"),
        (b"\x00\x01\x02\xff\xfe" * 50, "sites.csv", "is not a text file"),
        (b"", "sites.csv", "sites.csv is empty"),
        (b"postcode\n" + b"TS24 7PW\n" * 2_001, "sites.csv", "2,000"),
    ],
    ids=["no-location", "latitude-only", "binary", "empty", "too-many-rows"],
)
def test_a_file_that_cannot_be_read_says_why(
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    inside: list[str],
    data: bytes,
    filename: str,
    message: str,
) -> None:
    with pytest.raises(candidates.CandidateError, match=message):
        candidates.read_candidates(data, filename, postcodes, locator, inside, NAME)


def test_headers_are_matched_without_case_spaces_or_punctuation() -> None:
    found = candidates.find_columns(["Post-Code", "LAT", "lng", "Site_Name", "other"])
    assert found == {
        "postcode": "Post-Code",
        "latitude": "LAT",
        "longitude": "lng",
        "name": "Site_Name",
    }
    assert candidates.find_columns(["a", "b"]) == {}
    assert np.all([not candidates.split_postcodes(t) for t in ("", " \n ,;")])
