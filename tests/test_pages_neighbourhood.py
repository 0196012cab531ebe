"""Map measures and Gap table filters from the neighbourhood methods, through AppTest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.data import dictionary, store
from assetmap.data.assets import FAMILY_COMMUNITY, family_types
from assetmap.geography import areas
from assetmap.measures import analysis, change
from assetmap.presentation import maps

APP = str(settings.PROJECT_ROOT / "app.py")
QYG = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside ICB")


def _open(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_map_shows_walking_access_and_clusters_for_an_icb(
    data_dir: Path, community_metrics: pd.DataFrame, assets: pd.DataFrame
) -> None:
    at = _open("pages/1_Map.py", area="icb:QYG", measure="walk_assets")
    assert at.selectbox(key="map_measure").value == "walk_assets"
    table = at.dataframe[0].value
    assert len(table) == 1601
    assert table[dictionary.label("walk_assets")].ge(0).all()
    at.selectbox(key="map_measure").set_value("gap_cluster").run()
    assert not at.exception
    shown = at.dataframe[0].value
    bands = shown["Map band"]
    assert set(bands) <= {
        "Under-provided cluster (cold spot of provision)",
        "High-gap outlier",
        "Low-gap outlier",
        "Well-provided cluster",
        "Not significant",
    }
    # Each LSOA's band is its cluster from the library, computed here for the same choice (a new
    # session's community organisations), and Liverpool's cold spots make some significant.
    found = analysis.neighbourhood_metrics(
        community_metrics,
        store.load_residence(data_dir),
        assets,
        store.load_contiguity(data_dir),
        types=list(family_types(FAMILY_COMMUNITY)),
        need="imd",
    )
    band_of = {
        v: label for label, _, values in maps.MEASURES["gap_cluster"].categories for v in values
    }
    expected = found.table.set_index("lsoa21cd")["gap_cluster"].map(band_of)
    codes = shown[dictionary.label("lsoa21cd")]
    assert bands.tolist() == expected.loc[codes].tolist()
    assert "Under-provided cluster (cold spot of provision)" in set(bands)


def test_england_offers_only_measures_with_an_area_roll_up(data_dir: Path) -> None:
    at = _open("pages/1_Map.py", measure="gap_cluster")
    assert "gap_cluster" not in at.selectbox(key="map_measure").options
    assert at.selectbox(key="map_measure").value == "gap_score"
    assert any("shown for neighbourhoods" in i.value for i in at.info)


def test_gap_table_filters_change_and_left_behind(
    data_dir: Path, community_metrics: pd.DataFrame
) -> None:
    at = _open("pages/2_Gap_table.py", area="icb:QYG")
    local = areas.select(change.decile_change(community_metrics), QYG)
    at.checkbox(key="gaps_worse").check().run()
    shown = at.dataframe[0].value
    expected = change.more_deprived_few_assets(local)
    assert len(shown) == int(expected.sum()) > 0
    assert shown[dictionary.label("imd_decile_change")].lt(0).all()
    at.checkbox(key="gaps_worse").uncheck().run()
    at.checkbox(key="gaps_left_behind").check().run()
    assert len(at.dataframe[0].value) == int(local["left_behind"].sum())
