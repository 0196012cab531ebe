"""The assetmap command on the real build."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from assetmap import cli, settings
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator


def test_gaps_for_an_icb_to_csv(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    assert cli.main(["gaps", "--area", "icb:QYG", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len(table) == 1601
    assert table["gap_rank"].iloc[0] == 1
    assert (table["icb24cdh"] == "QYG").all()


def test_deciles_prints_the_table(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["deciles", "--types", "sports_club"]) == 0
    out = capsys.readouterr().out
    assert "sports_club" in out
    assert "ratio_to_least_deprived" in out


def test_summary_by_icb(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "icb.csv"
    assert cli.main(["summary", "--by", "icb", "--out", str(out)]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 42
    out2 = tmp_path / "lad_in_qyg.csv"
    assert (
        cli.main(
            ["summary", "--by", "lad", "--area", "Cheshire and Merseyside", "--out", str(out2)]
        )
        == 0
    )
    assert len(pd.read_csv(out2, encoding="utf-8-sig")) == 9


def test_unknown_area_is_a_clear_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gaps", "--area", "lad:Birmingam"]) == 2
    err = capsys.readouterr().err
    assert "no area matches 'lad:Birmingam'" in err
    assert "Birmingham" in err
    assert "Traceback" not in err


def test_missing_build_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--data-dir", str(tmp_path), "deciles"]) == 1
    assert "run `assetmap build` first" in capsys.readouterr().err


def test_gaps_filters_left_behind_and_more_deprived(
    data_dir: Path, tmp_path: Path, community_metrics: pd.DataFrame
) -> None:
    # With no --types or --family the CLI counts the community organisations, as the dashboard.
    out = tmp_path / "left.csv"
    assert cli.main(["gaps", "--area", "icb:QYG", "--left-behind", "--out", str(out)]) == 0
    left = pd.read_csv(out)
    qyg = community_metrics[community_metrics["icb24cdh"] == "QYG"]
    assert len(left) == int(qyg["left_behind"].sum()) > 0
    out = tmp_path / "worse.csv"
    args = ["gaps", "--area", "icb:QYG", "--more-deprived-few-assets", "--out", str(out)]
    assert cli.main(args) == 0
    worse = pd.read_csv(out)
    few = (qyg["assets"] == 0) | (qyg["provision_percentile"] <= 100 / 3)  # least-provided third
    expected = qyg[(qyg["imd_decile"] < qyg["imd19_decile"]) & few]
    assert sorted(worse["lsoa21cd"]) == sorted(expected["lsoa21cd"])


# --- python -m assetmap, plain-text help -------------------------------------------------------


def test_python_dash_m_assetmap(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "assetmap", *args]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)

    shown = run("--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: assetmap")
    assert "examples:" in shown.stdout
    assert "assetmap gaps --area" in shown.stdout
    # The exit status comes through: a bad file name is 2, before the (missing) data is read.
    bad = run("--data-dir", str(tmp_path), "gaps", "--out", str(tmp_path / "gaps.xlsx"))
    assert bad.returncode == 2
    assert "'.xlsx'" in bad.stderr
    assert "Traceback" not in bad.stderr


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    p = cli.parser()
    action = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


#: reStructuredText that must not reach --help: ``literals``, :roles:`x`, `x`, "::" blocks.
_RST = re.compile(r"`|:[a-z]+:|::")


@pytest.mark.parametrize("command", [None, *_subcommands()])
def test_help_is_plain_text(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"] if command is None else [command, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: assetmap")
    found = _RST.search(text.replace("tcp://", ""))  # a URL's colon-slashes are plain text
    assert found is None, f"reStructuredText in --help: {found.group()!r}"
    if command is None:
        assert "England's deprivation and community assets" in text
        assert all(ext in text for ext in (".csv", ".parquet", ".gpkg", ".geojson"))


@pytest.mark.parametrize(
    "command", sorted(set(_subcommands()) - {"build", "dictionary", "join", "check-data", "report"})
)
def test_every_table_option_lists_the_formats(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ".csv, .parquet" in text
    assert ".gpkg" in text or command == "ingest"  # ingest: --out lists it, --report cannot


# --- Output format from the file extension -----------------------------------------------------

EXTENSIONS = [".csv", ".parquet", ".gpkg", ".geojson"]


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path)


def _same_polygons(got: gpd.GeoSeries, expected: gpd.GeoSeries) -> bool:
    """Equal part by part to 1e-9 degrees (GeoPackage stores polygons as multipolygons)."""
    got_parts, got_rows = shapely.get_parts(got.to_numpy(), return_index=True)
    exp_parts, exp_rows = shapely.get_parts(expected.to_numpy(), return_index=True)
    return (
        len(got) == len(expected)
        and np.array_equal(got_rows, exp_rows)
        and bool(shapely.equals_exact(got_parts, exp_parts, tolerance=1e-9).all())
    )


def _check_geo_file(path: Path, back: pd.DataFrame) -> None:
    assert isinstance(back, gpd.GeoDataFrame)
    assert back.crs == settings.CRS_STORE
    if path.suffix == ".parquet":
        assert b"geo" in pq.read_schema(path).metadata  # GeoParquet, not plain Parquet


@pytest.fixture(scope="module")
def blackpool_gaps_csv(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("gaps") / "gaps.csv"
    assert cli.main(["gaps", "--area", "lad:Blackpool", "--out", str(out)]) == 0
    return pd.read_csv(out, encoding="utf-8-sig")


@pytest.mark.parametrize("suffix", EXTENSIONS)
def test_gaps_in_every_format(
    suffix: str,
    tmp_path: Path,
    lsoas: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
    blackpool_gaps_csv: pd.DataFrame,
) -> None:
    out = tmp_path / f"gaps{suffix}"
    assert cli.main(["gaps", "--area", "lad:Blackpool", "--out", str(out)]) == 0
    back = _read(out)
    blackpool = lsoas.loc[lsoas["lad24nm"] == "Blackpool", "lsoa21cd"]
    assert len(back) == len(blackpool) == 94
    assert sorted(back["lsoa21cd"]) == sorted(blackpool)
    assert back["gap_rank"].tolist() == list(range(1, 95))
    if suffix == ".csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel-safe CSV, as before
        assert "geometry" not in back.columns
        return
    _check_geo_file(out, back)
    expected = lsoa_polygons.set_index("lsoa21cd").geometry.loc[back["lsoa21cd"]]
    assert _same_polygons(back.geometry, expected)
    # The same table as the CSV, with the polygons added.
    table = pd.DataFrame(back.drop(columns="geometry"))
    assert list(table.columns) == list(blackpool_gaps_csv.columns)
    pd.testing.assert_frame_equal(table, blackpool_gaps_csv, check_dtype=False, check_exact=False)


@pytest.fixture
def register(assets: pd.DataFrame, tmp_path: Path) -> pd.DataFrame:
    """Six real libraries and GP practices, located (like an upload) by their postcodes."""
    by_postcode = assets[assets["asset_type"].isin(["library", "gp_practice"])]
    some = (
        by_postcode[by_postcode["lsoa_method"] == "within"]
        .sort_values("asset_id")
        .drop_duplicates("postcode")
        .sample(6, random_state=15)
    )
    some[["name", "postcode"]].to_csv(tmp_path / "register.csv", index=False)
    return some


@pytest.mark.parametrize("suffix", EXTENSIONS)
def test_ingest_in_every_format(
    suffix: str,
    register: pd.DataFrame,
    tmp_path: Path,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    lsoa_polygons: gpd.GeoDataFrame,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The session's copies of the real directory and locator: the same data, loaded once.
    monkeypatch.setattr(PostcodeDirectory, "load", lambda data_dir=None: postcodes)
    monkeypatch.setattr(LsoaLocator, "load", lambda data_dir=None: locator)
    out, report = tmp_path / f"mapped{suffix}", tmp_path / "report.parquet"
    args = ["ingest", str(tmp_path / "register.csv"), "--out", str(out), "--report", str(report)]
    assert cli.main(args) == 0
    back = _read(out)
    assert len(back) == len(register) == 6
    assert back["postcode"].tolist() == register["postcode"].tolist()
    assert back["lsoa21cd"].tolist() == register["lsoa21cd"].tolist()
    assert back["easting"].tolist() == register["easting"].tolist()
    assert len(pd.read_parquet(report)) == 0  # plain Parquet: the report has no geometry
    assert b"geo" not in pq.read_schema(report).metadata
    if suffix == ".csv":
        return
    _check_geo_file(out, back)
    assert set(back.geom_type) == {"Point"}
    built = store.load_assets(geometry=True).set_index("asset_id").geometry
    expected = built.loc[register["asset_id"]]
    assert back.geometry.geom_equals_exact(expected, tolerance=1e-9, align=False).all()
    polygons = lsoa_polygons.set_index("lsoa21cd").geometry.loc[back["lsoa21cd"]]
    assert polygons.contains(back.geometry.set_axis(polygons.index)).all()


@pytest.mark.parametrize("suffix", EXTENSIONS)
def test_summary_by_lad_in_every_format(suffix: str, tmp_path: Path, lsoas: pd.DataFrame) -> None:
    out = tmp_path / f"lads{suffix}"
    assert cli.main(["summary", "--by", "lad", "--area", "icb:QYG", "--out", str(out)]) == 0
    back = _read(out)
    qyg = lsoas.loc[lsoas["icb24cdh"] == "QYG", "lad24cd"].unique()
    assert len(back) == len(qyg) == 9
    assert sorted(back["lad24cd"]) == sorted(qyg)
    if suffix == ".csv":
        return
    _check_geo_file(out, back)
    layer = store.load_layer("lad").set_index("lad24cd").geometry
    assert _same_polygons(back.geometry, layer.loc[back["lad24cd"]])


def test_summary_by_ward_gets_wards_dissolved_from_lsoas(
    tmp_path: Path, lsoas: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame
) -> None:
    out = tmp_path / "wards.gpkg"
    assert cli.main(["summary", "--by", "ward", "--area", "lad:Blackpool", "--out", str(out)]) == 0
    back = gpd.read_file(out)
    blackpool = lsoas[lsoas["lad24nm"] == "Blackpool"]
    assert sorted(back["ward24cd"]) == sorted(blackpool["ward24cd"].unique())
    merged = lsoa_polygons.merge(blackpool[["lsoa21cd", "ward24cd"]]).dissolve("ward24cd")
    assert (
        back.set_index("ward24cd").geometry.geom_equals(merged.geometry.loc[back["ward24cd"]]).all()
    )


def test_table_without_geometry_to_parquet(tmp_path: Path) -> None:
    out = tmp_path / "deciles.parquet"
    assert cli.main(["deciles", "--area", "lad:Blackpool", "--out", str(out)]) == 0
    assert b"geo" not in pq.read_schema(out).metadata
    back = pd.read_parquet(out)
    assert set(back["imd_decile"]) <= set(range(1, 11))
    assert back["lsoa_count"].sum() > 0


_ALL_TABLE_COMMANDS = [
    ["deciles"],
    ["gaps"],
    ["summary", "--by", "lad"],
    ["access"],
    ["change", "--what", "lsoas"],
    ["invest"],
    ["hotspots"],
    ["bivariate"],
    ["ingest", "register.csv"],
]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        *[([*c, "--out", "t.xlsx"], "'.xlsx'") for c in _ALL_TABLE_COMMANDS],
        (["gaps", "--out", "t.shp"], "'.shp'"),
        (["gaps", "--out", "t.SHP"], "'.SHP'"),
        (["gaps", "--out", "gaps"], "no file extension"),
        (["ingest", "register.csv", "--report", "t.shp"], "'.shp'"),
        (["join", "--points", "p.parquet", "--out", "j.parquet", "--counts", "t.xlsx"], "'.xlsx'"),
    ],
)
def test_unknown_extension_fails_before_any_work(
    argv: list[str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    # No build in that folder: reading anything would exit 1 ("run `assetmap build` first").
    assert cli.main(["--data-dir", str(tmp_path / "none"), *argv]) == 2
    err = capsys.readouterr().err
    assert named in err
    assert "accepted: .csv, .parquet, .gpkg, .geojson" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["deciles", "--out", "t.gpkg"],
        ["change", "--out", "t.geojson"],
        ["change", "--what", "distribution", "--out", "t.gpkg"],
        ["bivariate", "--cells", "--out", "t.gpkg"],
        ["access", "--compare", "--out", "t.geojson"],
        ["ingest", "register.csv", "--report", "t.gpkg"],
    ],
)
def test_features_format_of_a_table_without_geometry(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--data-dir", str(tmp_path / "none"), *argv]) == 2
    err = capsys.readouterr().err
    assert "this table has no geometry: write .csv or .parquet" in err
    assert argv[-1] in err
    assert list(tmp_path.iterdir()) == []


# --- asset families and the findings -----------------------------------------------------------


def test_family_chooses_the_types_counted(
    data_dir: Path, tmp_path: Path, all_metrics: pd.DataFrame
) -> None:
    out = tmp_path / "deciles.csv"
    args = ["deciles", "--family", "public_services", "--types", "museum", "--out", str(out)]
    assert cli.main(args) == 0
    table = pd.read_csv(out)
    assert list(dict.fromkeys(table["asset_type"])) == ["library", "gp_practice", "all", "museum"]
    assert list(dict.fromkeys(table["family"])) == ["public_services", "culture"]
    totals = table[table["asset_type"] == "all"].groupby("family")["assets"].sum()
    assert totals["public_services"] == (
        all_metrics["assets_library"].sum() + all_metrics["assets_gp_practice"].sum()
    )
    # No total mixes the two families.
    assert "all" not in set(table["family"])


def test_findings_are_computed_from_the_data(
    data_dir: Path, tmp_path: Path, all_metrics: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "findings.csv"
    assert cli.main(["findings", "--out", str(out)]) == 0
    table = pd.read_csv(out).set_index(["family", "asset_type"])
    # Recomputed here: the rate among the most and least deprived tenth's residents.
    for kind in ("sports_club", "foodbank", "library"):
        rates = []
        for decile in (1, 10):
            rows = all_metrics[all_metrics["imd_decile"] == decile]
            rates.append(1000 * rows[f"assets_{kind}"].sum() / rows["population"].sum())
        family = ASSET_SOURCES[kind].family
        assert table.loc[(family, kind), "decile1_per_1k"] == pytest.approx(rates[0])
        assert table.loc[(family, kind), "decile10_per_1k"] == pytest.approx(rates[1])
    words = table["comparison"].astype(str)
    assert words.loc[("community", "sports_club")].endswith("times rarer")
    assert words.loc[("community", "foodbank")].endswith("times as common")
    assert "Spearman's rho" in capsys.readouterr().err
