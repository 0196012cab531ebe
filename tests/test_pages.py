"""Every page through Streamlit's AppTest on the real build: widgets, URL state, numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assetmap import areas, dictionary, metrics, settings

APP = str(settings.PROJECT_ROOT / "app.py")


def _open(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_home_for_england_shows_the_library_numbers(
    data_dir: Path, all_metrics: pd.DataFrame
) -> None:
    at = _open()
    expected = metrics.decile_table(all_metrics)
    shown = at.dataframe[0].value
    assert len(shown) == len(expected) == 50  # 4 asset types + all, 10 deciles each
    assert shown[dictionary.label("assets_per_1k")].round(6).tolist() == (
        expected["assets_per_1k"].round(6).tolist()
    )
    assert at.metric[0].value == f"{all_metrics['population'].sum():,}"
    assert at.metric[1].value == "33,755"
    assert at.metric[2].value == "20%"
    assert "times rarer" in at.markdown[0].value or "as common" in at.markdown[0].value


def test_url_restores_the_filter(data_dir: Path, all_metrics: pd.DataFrame) -> None:
    at = _open(area="icb:QYG", types="sports_club", need="health")
    assert at.selectbox(key="filter_level").value == "icb"
    assert at.selectbox(key="filter_area_icb").value == "E54000008"
    assert at.multiselect(key="filter_types").value == ["sports_club"]
    assert at.selectbox(key="filter_need").value == "health"
    local = areas.select(all_metrics, areas.Area("icb", "E54000008", "x"))
    assert at.metric[1].value == f"{len(local):,}"
    assert at.query_params["area"] == "icb:E54000008"


def test_unknown_area_in_url_is_explained(data_dir: Path) -> None:
    at = _open(area="icb:NOPE")
    assert any("no area matches 'icb:NOPE'" in w.value for w in at.warning)
    assert at.selectbox(key="filter_level").value == "england"


def test_changing_the_filter_updates_the_url(data_dir: Path) -> None:
    at = _open()
    at.selectbox(key="filter_level").set_value("lad").run()
    at.selectbox(key="filter_area_lad").set_value("E08000003").run()
    assert not at.exception
    assert at.query_params["area"] == "lad:E08000003"
    assert "Manchester" in at.title[0].value


def test_gap_table_page(data_dir: Path, all_metrics: pd.DataFrame) -> None:
    at = _open("pages/2_Gap_table.py", area="icb:QYG")
    shown = at.dataframe[0].value
    assert len(shown) == 1601
    expected = metrics.gap_table(all_metrics, areas.Area("icb", "E54000008", "x"))
    assert shown[dictionary.label("lsoa21cd")].tolist() == expected["lsoa21cd"].tolist()
    assert shown["Area"].iloc[0].endswith("(E54000008)")
    at.checkbox(key="gaps_core20").check().run()
    core20 = at.dataframe[0].value
    assert len(core20) == int(expected["core20"].sum())
    assert core20[dictionary.label("core20")].all()


@pytest.mark.parametrize("area", ["england", "icb:QYG"])
def test_map_page(data_dir: Path, area: str) -> None:
    at = _open("pages/1_Map.py", area=area)
    assert at.title[0].value.startswith("Map")
    table = at.dataframe[0].value
    assert len(table) == (42 if area == "england" else 1601)
    at.selectbox(key="map_measure").set_value("imd_decile").run()
    assert not at.exception
    assert at.query_params["measure"] == "imd_decile"


def test_profile_page(data_dir: Path) -> None:
    at = _open("pages/3_Area_profile.py", area="sicbl:01F")
    profile = at.dataframe[0].value
    assert list(profile.columns)[-1] == "England"
    assert len(profile.columns) == 4  # sub-ICB, its ICB, the ICB's region, England
    assert profile.loc["Neighbourhoods (LSOAs)", "England"] == "33,755"


def test_methods_page_lists_every_source(data_dir: Path) -> None:
    at = _open("pages/4_Methods_and_data.py")
    sources_shown = at.dataframe[0].value
    assert "Community Needs Index 2023" in " ".join(sources_shown["Data"])
    assert any("OCSI" in m.value for m in at.markdown)
