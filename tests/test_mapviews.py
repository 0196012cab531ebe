"""Whole map views (``assetmap.presentation.mapviews``): the right shapes, the table behind the map,
offline."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from assetmap.data import store
from assetmap.geography import areas
from assetmap.presentation import maps, mapviews
from tests.conftest import COMMUNITY_TYPES


@pytest.fixture(scope="module")
def catalogue(lsoas: pd.DataFrame) -> pd.DataFrame:
    return areas.catalogue(lsoas)


@pytest.fixture(scope="module")
def shapes(data_dir: Path) -> gpd.GeoDataFrame:
    return store.load_lsoas(data_dir, geometry=True, columns=[])


@pytest.fixture(scope="module")
def lad_layer(data_dir: Path) -> gpd.GeoDataFrame:
    return store.load_layer("lad", data_dir)


def _remote_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)


def test_an_icb_view_maps_each_of_its_lsoas_once(
    community_metrics: pd.DataFrame,
    lsoas: pd.DataFrame,
    catalogue: pd.DataFrame,
    shapes: gpd.GeoDataFrame,
    lad_layer: gpd.GeoDataFrame,
) -> None:
    area = areas.resolve("icb:QYG", catalogue)
    view = mapviews.lsoa_view(
        community_metrics, area, shapes, lad_layer, "assets_per_1k", "national"
    )
    expected = set(lsoas.loc[lsoas["icb24cdh"] == "QYG", "lsoa21cd"])
    assert view.features == len(expected) == len(view.table)
    assert set(view.table["lsoa21cd"]) == expected
    assert view.level == "lsoa"
    assert view.title == f"{area.label}: {maps.MEASURES['assets_per_1k'].label}"
    assert set(view.table["map_class"]) <= {*view.classes.labels, "no data"}
    # the table is the metrics of those LSOAs, unchanged
    direct = community_metrics.set_index("lsoa21cd").loc[sorted(expected), "assets_per_1k"]
    shown = view.table.set_index("lsoa21cd").loc[sorted(expected), "assets_per_1k"]
    pd.testing.assert_series_equal(shown, direct)
    html = view.map.get_root().render()
    assert _remote_urls(html) == []


def test_england_by_icb_has_every_icb_and_every_resident(
    community_metrics: pd.DataFrame, catalogue: pd.DataFrame, data_dir: Path
) -> None:
    england = areas.resolve("england", catalogue)
    layer = store.load_layer("icb", data_dir)
    view = mapviews.area_view(
        community_metrics, england, "icb", layer, "gap_score", "national", types=COMMUNITY_TYPES
    )
    assert view.features == 42 == len(view.table)
    assert view.table["population"].sum() == community_metrics["population"].sum()
    assert view.level == "icb"
    assert _remote_urls(view.map.get_root().render()) == []


def test_a_measure_not_shown_at_a_level_is_refused(
    community_metrics: pd.DataFrame,
    catalogue: pd.DataFrame,
    shapes: gpd.GeoDataFrame,
    lad_layer: gpd.GeoDataFrame,
    data_dir: Path,
) -> None:
    area = areas.resolve("icb:QYG", catalogue)
    with pytest.raises(ValueError, match="not shown for neighbourhoods"):
        mapviews.lsoa_view(
            community_metrics, area, shapes, lad_layer, "charities_per_1k", "national"
        )
    england = areas.resolve("england", catalogue)
    with pytest.raises(ValueError, match="is not shown by"):
        mapviews.area_view(
            community_metrics,
            england,
            "icb",
            store.load_layer("icb", data_dir),
            "walk_assets",
            "national",
            types=COMMUNITY_TYPES,
        )
