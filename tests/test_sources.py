"""The build refuses missing or altered inputs, naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assetmap import settings
from assetmap.data import sources


def _copy_sources(tmp_path: Path) -> Path:
    dest = tmp_path / "src"
    shutil.copytree(settings.SOURCE_DIR, dest)
    for path in dest.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def test_real_sources_verify() -> None:
    verified = sources.verify_checksums()
    files = {s.path for s in sources.SOURCES.values() if s.path}
    assert set(verified) == files
    assert all(len(digest) == 64 for digest in verified.values())


def test_altered_file_is_named(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path)
    target = folder / "census21_population_lsoa21.csv"
    text = target.read_text()
    target.write_text(text.replace("E01000001,1474", "E01000001,1475"))
    with pytest.raises(sources.SourceError, match=r"census21_population_lsoa21\.csv: checksum"):
        sources.verify_checksums(folder)


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path)
    (folder / "assets" / "museums_mapping_museums_2021.csv").unlink()
    with pytest.raises(sources.SourceError, match=r"museums_mapping_museums_2021\.csv: missing"):
        sources.verify_checksums(folder)


def test_missing_folder_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(sources.SourceError, match="ASSETMAP_SOURCE_DIR"):
        sources.verify_checksums(tmp_path / "nowhere")


def test_every_source_has_licence_and_attribution() -> None:
    for src in sources.SOURCES.values():
        assert src.licence
        assert src.attribution
        assert src.vintage
