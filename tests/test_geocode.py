"""Postcodes to points with the ONS Postcode Directory, and LSOAs for every English postcode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assetmap.geography import geocode
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator

# LAD codes that changed between the 2024 lookup and the directory's 2025 codes.
LAD24_TO_LAD25 = {"E08000016": "E08000038", "E08000019": "E08000039"}


def test_normalises_case_and_spacing(postcodes: PostcodeDirectory) -> None:
    raw = pd.Series(["sw1a 1aa", " SW1A1AA ", "sw1a\u00a0 1aa", "M1 1AE", "m11ae"])
    out = postcodes.geocode(raw)
    assert out["postcode"].tolist() == ["SW1A 1AA"] * 3 + ["M1 1AE"] * 2
    assert (out["geocode_status"] == geocode.STATUS_OK).all()
    xy = out[["easting", "northing"]].to_numpy()
    assert (xy[0] == xy[1]).all()


def test_every_row_gets_a_status(postcodes: PostcodeDirectory) -> None:
    no_grid = postcodes.frame.loc[postcodes.frame["easting"].isna(), "postcode"].iloc[0]
    raw = pd.Series(
        [None, "", "not a postcode", "ZZ9 9ZZ", no_grid, "LS1 1UR", "npt 0ad"],
        index=[5, 6, 7, 8, 9, 10, 11],
    )
    out = postcodes.geocode(raw)
    assert list(out.index) == [5, 6, 7, 8, 9, 10, 11]
    assert out["geocode_status"].tolist() == [
        geocode.STATUS_MISSING,
        geocode.STATUS_MISSING,
        geocode.STATUS_MALFORMED,
        geocode.STATUS_UNKNOWN,
        geocode.STATUS_NO_GRIDREF,
        geocode.STATUS_OK,
        geocode.STATUS_OK,  # a non-standard postcode the directory lists (Newport)
    ]
    assert np.isnan(out["easting"].iloc[:5]).all()
    assert out["laua"].iloc[-2] == "E08000035"  # Leeds


def test_directory_is_the_november_2025_edition(postcodes: PostcodeDirectory) -> None:
    frame = postcodes.frame
    assert len(frame) == 2_720_556
    assert frame["laua"].astype(str).str.startswith("E").sum() == 2_264_892
    assert frame["postcode"].is_unique


@pytest.mark.slow
def test_lsoa_agrees_with_directory_local_authority(
    postcodes: PostcodeDirectory, locator: LsoaLocator, lsoas: pd.DataFrame
) -> None:
    frame = postcodes.frame
    english = frame[frame["laua"].astype(str).str.startswith("E")]
    placed = locator.locate(english["easting"].to_numpy(), english["northing"].to_numpy())
    lad = placed["lsoa21cd"].map(lsoas.set_index("lsoa21cd")["lad24cd"]).replace(LAD24_TO_LAD25)
    assert english["easting"].notna().all()  # every English postcode has a grid reference
    agree = (lad.to_numpy() == english["laua"].astype(str).to_numpy()).mean()
    print(f"\nLA agreement: {agree:.4%} of {len(english):,} English postcodes")
    assert agree >= 0.995
    assert (placed["lsoa_method"] == "nearest").sum() == pytest.approx(3_700, rel=0.05)
