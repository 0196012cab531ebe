"""The home page, run with Streamlit's AppTest on the real build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from assetmap import dictionary, metrics, settings

APP = str(settings.PROJECT_ROOT / "app.py")


def test_home_shows_the_national_decile_table(data_dir: Path, all_metrics: pd.DataFrame) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    shown = at.dataframe[0].value
    expected = metrics.decile_table(all_metrics).rename(columns=dictionary.label)
    assert len(shown) == 10 * 5  # 4 asset types + all, 10 deciles each
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)


def test_choosing_types_changes_the_table(data_dir: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.multiselect[0].set_value(["sports_club"]).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert set(shown[dictionary.label("asset_type")]) == {"sports_club", "all"}
    at.multiselect[0].set_value([]).run()
    assert at.info[0].value == "Choose at least one asset type."
