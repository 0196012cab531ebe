"""The combined neighbourhood table and the map measures built on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import dictionary, store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas
from assetmap.measures import access, analysis, bivariate
from assetmap.presentation import maps

QYG = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside ICB")
#: The types ``all_metrics`` counts: every open layer.
ALL_TYPES = list(ASSET_SOURCES)


@pytest.fixture(scope="module")
def found(
    data_dir: Path, all_metrics: pd.DataFrame, assets: pd.DataFrame
) -> analysis.Neighbourhoods:
    return analysis.neighbourhood_metrics(
        all_metrics,
        store.load_residence(data_dir),
        assets,
        store.load_contiguity(data_dir),
        types=ALL_TYPES,
        need="imd",
        permutations=99,  # the test checks the joins, not the inference (see test_hotspots)
    )


@pytest.fixture(scope="module")
def neighbourhoods(found: analysis.Neighbourhoods) -> pd.DataFrame:
    return found.table


def test_keeps_every_lsoa_in_order_and_defines_every_column(
    neighbourhoods: pd.DataFrame, all_metrics: pd.DataFrame
) -> None:
    assert neighbourhoods["lsoa21cd"].tolist() == all_metrics["lsoa21cd"].tolist()
    pd.testing.assert_frame_equal(
        neighbourhoods[list(all_metrics.columns)], all_metrics, check_like=False
    )
    undefined = [c for c in neighbourhoods.columns if c not in dictionary.COLUMNS]
    assert undefined == []
    for key in maps.NEIGHBOURHOOD_MEASURES:
        assert maps.MEASURES[key].lsoa_column in neighbourhoods
        assert not maps.MEASURES[key].area_level


def test_joins_each_method_to_the_right_lsoa(
    found: analysis.Neighbourhoods,
    neighbourhoods: pd.DataFrame,
    all_metrics: pd.DataFrame,
    assets: pd.DataFrame,
    data_dir: Path,
) -> None:
    walk = access.access_metrics(
        store.load_residence(data_dir),
        all_metrics.set_index("lsoa21cd")["population"],
        assets,
        types=ALL_TYPES,
    ).table
    got = neighbourhoods.set_index("lsoa21cd")
    assert (got["walk_assets"] == walk["walk_assets"].loc[got.index]).all()
    thirds = bivariate.classify(all_metrics, need="imd").table
    assert (got["bivariate_class"] == thirds["bivariate_class"].loc[got.index]).all()
    change = got["imd_decile"] - got["imd19_decile"]
    assert (got["imd_decile_change"] == change).all()
    assert got.loc[got["more_deprived_few_assets"], "imd_decile_change"].lt(0).all()
    assert found.clusters.permutations == 99
    assert found.clusters.scope == "england"
    assert found.clusters.alpha == settings.HOTSPOT_ALPHA
    assert found.access.asset_types == tuple(ALL_TYPES)
    assert found.access.distance_m == settings.WALK_DISTANCE_M


def test_categorical_classes_count_each_category(neighbourhoods: pd.DataFrame) -> None:
    local = areas.select(neighbourhoods, QYG)
    for key in ("gap_cluster", "bivariate_class", "imd_decile_change", "left_behind"):
        measure = maps.MEASURES[key]
        classes = maps.classify(local[measure.lsoa_column], measure, "national")
        assert (classes.index >= 0).all(), key  # every LSOA falls in a class
        for i, (_, _, members) in enumerate(measure.categories):
            expected = int(local[measure.lsoa_column].isin(list(members)).sum())
            assert int(np.sum(classes.index == i)) == expected, (key, members)
