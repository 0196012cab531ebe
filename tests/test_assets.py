"""Asset layers: every input row is mapped or reported, and the counts match the publishers'."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import assets as asset_mod
from assetmap.data import sources
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator


def _rows_in_file(key: str) -> int:
    # Counted with the csv module, independently of the pandas reader under test.
    path = sources.source_path(key)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = sum(1 for row in csv.reader(fh) if row)
    header = 0 if key == "gp_practices" else 1
    return rows - header


@pytest.mark.parametrize("asset_type", list(ASSET_SOURCES))
def test_mapped_plus_reported_equals_rows_read(
    asset_type: str, assets: pd.DataFrame, report: pd.DataFrame
) -> None:
    src = ASSET_SOURCES[asset_type]
    mapped = assets[assets["asset_type"] == asset_type]
    reported = report[report["asset_type"] == asset_type]
    assert len(mapped) + len(reported) == _rows_in_file(src.source_key)
    rows = pd.concat([mapped["source_row"], reported["source_row"]])
    assert rows.is_unique
    first = 1 if src.read_options.get("header", 0) is None else 2
    assert rows.min() == first
    assert rows.max() == first + len(rows) - 1
    assert reported["reason"].notna().all()
    assert reported["detail"].notna().all()


def test_every_mapped_asset_has_an_english_lsoa(assets: pd.DataFrame, lsoas: pd.DataFrame) -> None:
    assert assets["lsoa21cd"].isin(lsoas["lsoa21cd"]).all()
    assert set(assets["lsoa_method"]) == {"within", "nearest"}
    near = assets[assets["lsoa_method"] == "nearest"]
    assert near["distance_to_lsoa_m"].between(0, settings.NEAREST_LSOA_MAX_M).all()
    assert assets["asset_id"].is_unique


def test_libraries_match_the_published_counts(assets: pd.DataFrame, report: pd.DataFrame) -> None:
    raw = pd.read_csv(sources.source_path("libraries"), encoding="utf-8-sig", dtype=str)
    assert (raw["closed"].isna()).sum() == 3137  # SOURCES.md: 3,487 rows of which 350 closed
    # One of those 350 (Woolston Library, row 2078) has a blank "closed" cell, not a year:
    # it is treated as open.
    closed = raw["closed"].fillna("").str.strip() != ""
    assert closed.sum() == 349
    lib = report[report["asset_type"] == "library"]
    assert (lib["reason"] == "closed").sum() == closed.sum()
    open_rows = raw[~closed]
    fixed = open_rows[~open_rows["type"].str.casefold().str.match(r"(mobile|prison)")]
    mapped = assets[assets["asset_type"] == "library"]
    dup = lib[lib["reason"] == "duplicate"]
    assert len(mapped) + len(dup) == len(fixed)
    assert (lib["reason"] == "not in scope").sum() == len(open_rows) - len(fixed)


def test_gp_practices_match_the_published_counts(
    assets: pd.DataFrame, report: pd.DataFrame
) -> None:
    raw = pd.read_csv(sources.source_path("gp_practices"), header=None, dtype=str)
    active = raw[(raw[12] == "A") & (raw[25] == "4")]
    assert len(active) == 6750  # SOURCES.md: 6,750 active GP practices
    mapped = assets[assets["asset_type"] == "gp_practice"]
    gp = report[report["asset_type"] == "gp_practice"]
    outside = gp[gp["reason"] == "outside England"]
    dup = gp[gp["reason"] == "duplicate"]
    assert len(mapped) + len(outside) + len(dup) == len(active)
    assert set(mapped["asset_id"].str.removeprefix("gp_practice:")) <= set(active[0])


def test_museums_match_the_published_counts(assets: pd.DataFrame) -> None:
    # SOURCES.md: England 3,163, of which 2,513 open.
    assert (assets["asset_type"] == "museum").sum() == 2513


def test_sports_clubs_without_postcode_are_reported(report: pd.DataFrame) -> None:
    clubs = report[report["asset_type"] == "sports_club"]
    assert (clubs["reason"] == "no postcode").sum() == pytest.approx(350, abs=10)
    assert {"outside England", "unknown postcode"} <= set(clubs["reason"])


def test_report_names_row_and_reason_for_bad_rows(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    src = ASSET_SOURCES["sports_club"]
    raw = pd.DataFrame(
        {
            "source_row": [2, 3, 4, 5, 6, 7],
            "Organisation Name": ["Ok club", "No pc", "Bad pc", "Scots", "Ok club", "<b>x</b>"],
            "Address Line 1": ["", "", "", "", "", ""],
            "Address Line 2": ["", "", "", "", "", ""],
            "Address Line 3": ["", "", "", "", "", ""],
            "Address Line 4": ["", "", "", "", "", ""],
            "Postcode": ["LS1 1UR", "", "12345", "EH1 1YZ", "ls11ur", "ZZ9 9ZZ"],
        }
    )
    mapped, report = asset_mod.locate_assets(src, raw, postcodes, locator)
    assert mapped["source_row"].tolist() == [2]
    assert report.set_index("source_row")["reason"].to_dict() == {
        3: "no postcode",
        4: "malformed postcode",
        5: "outside England",
        6: "duplicate",
        7: "unknown postcode",
    }
    assert report.set_index("source_row").loc[6, "detail"] == "same name and postcode as row 2"
    assert report.set_index("source_row").loc[7, "name"] == "<b>x</b>"
