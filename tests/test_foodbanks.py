"""Food banks (Give Food): every row mapped or reported, placed by postcode or coordinates, and
checked against the publisher's own ward and district names, on the real file."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from assetmap import settings
from assetmap.data import assets as asset_mod
from assetmap.data import build, sources, store
from assetmap.data.assets import ASSET_SOURCES, LOCATED_BY_LATLON, LOCATED_BY_POSTCODE
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator

FOODBANK = ASSET_SOURCES["foodbank"]

#: Local authorities formed in April 2023 by merging districts (Structural Changes Orders).
MERGED_2023 = {"Cumberland", "Westmorland and Furness", "North Yorkshire", "Somerset"}


@pytest.fixture(scope="module")
def raw_rows() -> list[dict[str, str]]:
    """The file read with the csv module, independently of the pandas reader under test."""
    with sources.source_path("foodbanks").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return asset_mod.read_source(FOODBANK)


def test_every_row_is_mapped_or_reported_by_outcome(
    raw_rows: list[dict[str, str]], assets: pd.DataFrame, report: pd.DataFrame
) -> None:
    mapped = assets[assets["asset_type"] == "foodbank"]
    reported = report[report["asset_type"] == "foodbank"]
    assert len(raw_rows) == 780  # SOURCES.md
    assert len(mapped) + len(reported) == len(raw_rows)
    # Outcomes, counted here from the raw rows.
    not_england = [r for r in raw_rows if r["country"] != "England"]
    english = [r for r in raw_rows if r["country"] == "England"]
    closed = [r for r in english if r["closed"] == "True"]
    assert len(english) == 617  # SOURCES.md: England 617
    by_reason = reported.groupby("reason")["detail"].apply(list).to_dict()
    assert len(by_reason["closed"]) == len(closed)
    by_country = [d for d in by_reason["outside England"] if d.startswith("outside England (")]
    assert len(by_country) == len(not_england)
    # SOURCES.md: 600 of the 603 open English rows fall in an English LSOA; the other 3 have a
    # Scottish or Welsh postcode, and are reported as outside England.
    assert len(english) - len(closed) == 603
    assert len(mapped) == 600
    by_postcode = [d for d in by_reason["outside England"] if d == "postcode is outside England"]
    assert len(by_postcode) == 3
    assert set(by_reason) == {"closed", "outside England"}
    # Every open English postcode is in the directory, so every one is placed by its postcode.
    assert set(mapped["located_by"]) == {LOCATED_BY_POSTCODE}
    assert mapped["subtype"].isin(["Trussell Trust", "IFAN", "Independent"]).all()
    assert mapped["asset_id"].str.removeprefix("foodbank:").isin([r["slug"] for r in english]).all()


def test_the_publishers_coordinates_place_a_row_without_a_known_postcode(
    raw: pd.DataFrame, postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    # Real rows, with their postcodes taken away or spoilt.
    rows = raw[raw["country"] == "England"].head(3).copy()
    rows["postcode"] = ["", "ZZ9 9ZZ", rows["postcode"].iloc[2]]
    mapped, report = asset_mod.locate_assets(FOODBANK, rows, postcodes, locator)
    assert report.empty
    assert mapped["located_by"].tolist() == [LOCATED_BY_LATLON, LOCATED_BY_LATLON, "postcode"]
    # The point is the publisher's latitude/longitude in British National Grid metres.
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    east, north = to_bng.transform(
        rows["lng"].astype(float).to_numpy(), rows["lat"].astype(float).to_numpy()
    )
    assert np.allclose(mapped["easting"].iloc[:2], east[:2])
    assert np.allclose(mapped["northing"].iloc[:2], north[:2])
    # ...and it lies in the LSOA it is counted in.
    shapes = gpd.GeoDataFrame(store.load_lsoas(geometry=True, columns=["lsoa21cd"]))
    polygons = shapes.to_crs(settings.CRS_METRIC)
    for x, y, code in zip(east[:2], north[:2], mapped["lsoa21cd"].iloc[:2], strict=True):
        hit = polygons.geometry.contains(shapely.Point(x, y)).to_numpy()
        inside = polygons.loc[hit, "lsoa21cd"].tolist()
        assert inside == [code]


def test_no_postcode_and_no_coordinates_is_reported(
    raw: pd.DataFrame, postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    rows = raw[raw["country"] == "England"].head(1).copy()
    rows[["postcode", "lat", "lng"]] = ["", "", ""]
    mapped, report = asset_mod.locate_assets(FOODBANK, rows, postcodes, locator)
    assert mapped.empty
    assert report["reason"].tolist() == ["no postcode"]
    assert report["detail"].iloc[0].endswith("and no valid latitude/longitude")


def test_postcode_far_from_the_publishers_point_is_flagged(
    raw_rows: list[dict[str, str]], assets: pd.DataFrame, postcodes: PostcodeDirectory
) -> None:
    mapped = assets[assets["asset_type"] == "foodbank"].set_index("asset_id")
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    english = [r for r in raw_rows if f"foodbank:{r['slug']}" in mapped.index]
    geo = postcodes.geocode(pd.Series([r["postcode"] for r in english]))
    x, y = to_bng.transform([float(r["lng"]) for r in english], [float(r["lat"]) for r in english])
    gap = np.hypot(geo["easting"].to_numpy() - x, geo["northing"].to_numpy() - y)
    far = {f"foodbank:{r['slug']}" for r, g in zip(english, gap, strict=True) if g > 1000}
    warned = set(mapped.index[mapped["warning"].notna()])
    assert warned == far
    assert len(far) >= 1
    # SOURCES.md: in Great Britain only Sherborne lies more than 5 km from its postcode (6.1 km).
    text = str(mapped.loc["foodbank:sherborne", "warning"])
    assert re.fullmatch(r"coordinates far from the postcode: 6\.1 km from DT9 4DU", text)


def test_placement_agrees_with_the_publishers_ward_and_district(
    raw_rows: list[dict[str, str]], assets: pd.DataFrame, lsoas: pd.DataFrame, data_dir: Path
) -> None:
    mapped = assets[assets["asset_type"] == "foodbank"]
    by_slug = {f"foodbank:{r['slug']}": r for r in raw_rows}
    lad = lsoas.set_index("lsoa21cd")["lad24nm"]

    def fold(name: str) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", name.lower().replace("&", " and ")).split())

    theirs = [by_slug[a]["district"] for a in mapped["asset_id"]]
    ours = mapped["lsoa21cd"].map(lad).tolist()
    agree = [fold(t) == fold(o) for t, o in zip(theirs, ours, strict=True)]
    counts = store.load_manifest(data_dir)["counts"]
    assert sum(agree) == counts["placement_district_agrees_foodbank"]
    assert counts["placement_checked_foodbank"] == len(mapped)
    assert sum(agree) / len(agree) > 0.95
    # Every disagreement is a district the publisher left blank or one merged in 2023.
    for t, o, ok in zip(theirs, ours, agree, strict=True):
        if not ok:
            assert t == "" or o in MERGED_2023, (t, o)
    check = store.load_placement_check(data_dir)
    assert len(check) == len(mapped)
    assert (check["district_agrees"] == "True").sum() == sum(agree)
    # Counting the 2022 names, only the blank districts are left.
    assert (check["district_agrees_2022"] != "True").sum() == theirs.count("")
    wards = (check["ward_agrees"] == "True").sum()
    assert wards == counts["placement_ward_agrees_foodbank"]
    assert 0.5 < wards / len(check) < 1  # ward names and boundaries changed in 2023 and 2024


def test_the_build_log_reports_the_agreement(data_dir: Path) -> None:
    counts = store.load_manifest(data_dir)["counts"]
    words = build.agreement_words("foodbank", counts)
    n = counts["placement_checked_foodbank"]
    share = counts["placement_district_agrees_foodbank"] / n
    assert f"local authority {counts['placement_district_agrees_foodbank']:,} of {n:,}" in words
    assert f"({share:.1%})" in words


def test_names_fold_case_ampersands_and_punctuation() -> None:
    names = pd.Series(["Bradford-on-Avon  & Holt", "bradford on avon and holt", "St. Ives"])
    folded = asset_mod.normalise_area_name(names)
    assert folded[0] == folded[1]
    assert folded[2] == "st ives"
