"""Shared fixtures: the real built data (built once if missing) and loaded tables."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES, FAMILY_COMMUNITY, family_types
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import metrics


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The project's data folder, built from the real sources when it has no build yet."""
    try:
        store.load_manifest()
    except store.NotBuiltError:
        from assetmap.data.build import build

        build(progress=False)
    return settings.DATA_DIR


@pytest.fixture(scope="session")
def lsoas(data_dir: Path) -> pd.DataFrame:
    return store.load_lsoas(data_dir)


@pytest.fixture(scope="session")
def lsoa_polygons(data_dir: Path) -> gpd.GeoDataFrame:
    return store.load_lsoas(data_dir, geometry=True, columns=["lsoa21cd"])


@pytest.fixture(scope="session")
def assets(data_dir: Path) -> pd.DataFrame:
    return store.load_assets(data_dir)


@pytest.fixture(scope="session")
def report(data_dir: Path) -> pd.DataFrame:
    return store.load_report(data_dir)


#: The asset types of the ``all_metrics`` fixture (every open layer) and of ``community_metrics``.
ALL_TYPES: tuple[str, ...] = tuple(ASSET_SOURCES)
COMMUNITY_TYPES: tuple[str, ...] = family_types(FAMILY_COMMUNITY)


@pytest.fixture(scope="session")
def all_metrics(lsoas: pd.DataFrame, assets: pd.DataFrame) -> pd.DataFrame:
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    return metrics.lsoa_metrics(lsoas, counts, types=ALL_TYPES)


@pytest.fixture(scope="session")
def community_metrics(lsoas: pd.DataFrame, assets: pd.DataFrame) -> pd.DataFrame:
    """Metrics of what a new dashboard session counts: the community organisations."""
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    return metrics.lsoa_metrics(lsoas, counts, types=COMMUNITY_TYPES)


@pytest.fixture(scope="session")
def postcodes(data_dir: Path) -> PostcodeDirectory:
    return PostcodeDirectory.load(data_dir)


@pytest.fixture(scope="session")
def locator(data_dir: Path) -> LsoaLocator:
    return LsoaLocator.load(data_dir)
