"""Settings (``assetmap.settings``): paths from the environment, values read at call time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import store
from assetmap.geography import areas


def _settings_in_a_new_process(env: dict[str, str], name: str) -> str:
    code = f"from assetmap import settings; print(settings.{name})"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_folders_come_from_the_environment_and_default_beside_the_project(
    tmp_path: Path,
) -> None:
    base = {"PATH": "/usr/bin:/bin"}
    assert _settings_in_a_new_process(base, "DATA_DIR") == str(settings.PROJECT_ROOT / "data")
    assert _settings_in_a_new_process(base, "SOURCE_DIR") == str(
        (settings.PROJECT_ROOT.parent / "shared" / "data").resolve()
    )
    moved = {**base, "ASSETMAP_DATA_DIR": str(tmp_path / "x" / ".." / "built")}
    assert _settings_in_a_new_process(moved, "DATA_DIR") == str(tmp_path / "built")


def test_the_project_root_is_the_repository() -> None:
    assert (settings.PROJECT_ROOT / "pyproject.toml").is_file()
    assert (settings.PROJECT_ROOT / "app.py").is_file()


def test_every_built_area_layer_has_a_simplification_tolerance(data_dir: Path) -> None:
    built = {p.stem for p in (data_dir / "boundaries").glob("*.parquet")}
    layers = {name for name in built if not name.startswith("lsoa21")}  # LSOAs: as published
    assert set(settings.SIMPLIFY_TOLERANCE_M) == layers


def test_core20_is_the_most_deprived_fifth_of_lsoas(lsoas: pd.DataFrame) -> None:
    core20 = lsoas["imd_decile"] <= settings.CORE20_MAX_DECILE
    assert core20.mean() == pytest.approx(0.20, abs=0.001)


def test_a_setting_changed_at_run_time_is_followed(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in osmnx: read when a function runs, not fixed when the module was imported."""
    catalogue = areas.catalogue(store.load_lsoas(data_dir))
    for n in (1, 3):
        monkeypatch.setattr(settings, "CLOSE_MATCHES", n)
        with pytest.raises(areas.AreaNotFoundError) as found:
            areas.resolve("Manchesterr Xq", catalogue)
        listed = str(found.value).split(":", 1)[1].count(",") + 1
        assert listed == n, str(found.value)
