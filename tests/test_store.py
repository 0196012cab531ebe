"""Readers of the built data (``assetmap.data.store``), against published counts and each other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap import settings
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES

#: England's areas as their publishers count them: ONS (Census 2021 LSOAs; regions; local
#: authority districts, April 2024) and NHS England (ICBs and sub-ICB locations, 2024).
PUBLISHED = {"lsoa": 33_755, "england": 1, "region": 9, "icb": 42, "sicbl": 106, "lad": 296}


def test_the_lsoa_table_is_every_english_lsoa_in_code_order(data_dir: Path) -> None:
    table = store.load_lsoas(data_dir)
    assert len(table) == PUBLISHED["lsoa"]
    assert table["lsoa21cd"].is_unique
    assert table["lsoa21cd"].is_monotonic_increasing
    assert table["lsoa21cd"].str.startswith(settings.ENGLAND_LSOA_PREFIX).all()
    assert "geometry" not in table.columns


def test_columns_asked_for_come_with_the_code_only(data_dir: Path) -> None:
    table = store.load_lsoas(data_dir, columns=["lad24nm"])
    assert table.columns.tolist() == ["lsoa21cd", "lad24nm"]
    assert table["lad24nm"].eq("Blackpool").sum() > 0


def test_polygons_are_wgs84_and_inside_england(data_dir: Path) -> None:
    shapes = store.load_lsoas(data_dir, geometry=True, columns=["lad24cd"])
    assert shapes.crs.to_epsg() == 4326
    west, south, east, north = shapes.total_bounds
    assert -6.5 < west < -5.0
    assert 49.8 < south < 50.1
    assert 1.6 < east < 1.8
    assert 55.7 < north < 55.9
    assert shapely.is_valid(shapes.geometry.values).all()


@pytest.mark.parametrize("level", ["england", "region", "icb", "sicbl", "lad"])
def test_each_area_layer_has_the_published_number_of_areas(data_dir: Path, level: str) -> None:
    layer = store.load_layer(level, data_dir)
    assert len(layer) == PUBLISHED[level]
    assert layer.crs.to_epsg() == 4326
    lsoas = store.load_lsoas(data_dir)
    # every layer adds up to England: the same residents, counted once
    assert layer["population"].sum() == lsoas["population"].sum()


def test_assets_are_of_the_open_layers_and_in_an_lsoa(data_dir: Path) -> None:
    assets = store.load_assets(data_dir)
    assert set(assets["asset_type"]) == set(ASSET_SOURCES)
    assert assets["lsoa21cd"].isin(store.load_lsoas(data_dir, columns=[])["lsoa21cd"]).all()
    manifest = store.load_manifest(data_dir)
    assert len(assets) == manifest["files"][store.ASSETS_FILE]["rows"]
    points = store.load_assets(data_dir, geometry=True)
    assert points.crs.to_epsg() == 4326
    assert len(points) == len(assets)


def test_one_residence_point_per_lsoa_in_british_national_grid(data_dir: Path) -> None:
    residence = store.load_residence(data_dir)
    lsoas = store.load_lsoas(data_dir, columns=[])
    assert residence["lsoa21cd"].tolist() == lsoas["lsoa21cd"].tolist()
    assert residence["res_easting"].between(80_000, 660_000).all()
    assert residence["res_northing"].between(0, 660_000).all()


def test_contiguity_is_symmetric_over_every_lsoa(data_dir: Path) -> None:
    graph = store.load_contiguity(data_dir)
    codes = store.load_lsoas(data_dir, columns=[])["lsoa21cd"]
    assert list(graph.unique_ids) == codes.tolist()
    adjacency = graph.adjacency.reset_index()
    pairs = set(zip(adjacency["focal"], adjacency["neighbor"], strict=True))
    forward = {(a, b) for a, b in pairs if a != b}
    assert forward
    assert all((b, a) in forward for a, b in forward)
    assert np.all(graph.cardinalities.drop(list(graph.isolates)) > 0)


def test_a_folder_with_no_build_names_the_command_that_makes_one(tmp_path: Path) -> None:
    for load in (store.load_lsoas, store.load_assets, store.load_residence, store.load_manifest):
        with pytest.raises(store.NotBuiltError, match="run `assetmap build` first"):
            load(tmp_path)
    with pytest.raises(store.NotBuiltError, match=r"region\.parquet"):
        store.load_layer("region", tmp_path)


def test_the_report_and_placement_check_read_as_text(data_dir: Path) -> None:
    report = store.load_report(data_dir)
    assert {"asset_type", "reason"} <= set(report.columns)
    check = store.load_placement_check(data_dir)
    assert len(check) > 0
    assert all(pd.api.types.is_string_dtype(check[c]) for c in check.columns)  # codes stay text
    lookup = store.load_charity_lookup(data_dir)
    assert lookup["lad19cd"].is_unique
    assert lookup["lad19cd"].str.match(r"^E0[6-9]\d{6}$").all()
