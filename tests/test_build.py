"""The built LSOA table and area layers, checked against published facts."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap import settings
from assetmap.data import build, sources, store
from assetmap.geography import areas

ENGLAND_LSOAS = 33_755
ENGLAND_POPULATION = 56_490_108  # Census 2021 usual residents, England


def test_one_row_per_english_lsoa(lsoas: pd.DataFrame) -> None:
    assert len(lsoas) == ENGLAND_LSOAS
    assert lsoas["lsoa21cd"].is_unique
    assert lsoas["lsoa21cd"].str.startswith("E01").all()
    assert lsoas["lsoa21cd"].is_monotonic_increasing
    assert not lsoas.isna().any().any()


def test_imd_deciles_hold_a_tenth_each(lsoas: pd.DataFrame) -> None:
    counts = lsoas["imd_decile"].value_counts()
    assert sorted(counts.index) == list(range(1, 11))
    assert set(counts) <= {3375, 3376}
    assert lsoas["core20"].sum() == counts[1] + counts[2]


def test_population_matches_census(lsoas: pd.DataFrame) -> None:
    assert lsoas["population"].sum() == ENGLAND_POPULATION


@pytest.mark.parametrize(
    ("code", "expected"),
    [("icb24cd", 42), ("sicbl24cd", 106), ("lad24cd", 296), ("rgn24cd", 9)],
)
def test_area_counts(lsoas: pd.DataFrame, code: str, expected: int) -> None:
    assert lsoas[code].nunique() == expected


def test_levels_nest(lsoas: pd.DataFrame) -> None:
    # Every sub-ICB lies in one ICB, every LA in one region, every ward in one LA.
    assert (lsoas.groupby("sicbl24cd")["icb24cd"].nunique() == 1).all()
    assert (lsoas.groupby("lad24cd")["rgn24cd"].nunique() == 1).all()
    assert (lsoas.groupby("ward24cd")["lad24cd"].nunique() == 1).all()


def test_nhs_codes_pair_with_ons_codes(lsoas: pd.DataFrame) -> None:
    pairs = lsoas[["icb24cd", "icb24cdh"]].drop_duplicates()
    assert len(pairs) == 42
    qyg = pairs.set_index("icb24cdh").loc["QYG", "icb24cd"]
    assert qyg == "E54000008"  # NHS Cheshire and Merseyside ICB


def test_values_equal_the_raw_files(lsoas: pd.DataFrame) -> None:
    raw = pd.read_csv(settings.SOURCE_DIR / "imd2025_lsoa21.csv").set_index("lsoa21_code")
    ours = lsoas.set_index("lsoa21cd")
    assert (ours["imd_rank"] == raw.loc[ours.index, "IMD_rank"]).all()
    assert (ours["health_decile"] == raw.loc[ours.index, "Health_decile"]).all()
    cni = pd.read_csv(settings.SOURCE_DIR / "cni2023_lsoa21.csv").set_index("lsoa21_code")
    assert ours["left_behind"].sum() == cni["Left Behind Area?"].sum() == 1262


def test_imd2019_mapping(lsoas: pd.DataFrame) -> None:
    raw = pd.read_csv(settings.SOURCE_DIR / "imd2019_lsoa11.csv").set_index("lsoa11_code")
    same = lsoas[lsoas["imd19_match"] == "unchanged"].set_index("lsoa21cd")
    # An unchanged LSOA keeps its 2011 code, so its 2019 decile is the published one.
    assert (same["imd19_decile"] == raw.loc[same.index, "IMD_decile"]).all()
    assert set(lsoas["imd19_match"]) == {"unchanged", "split", "merged", "irregular"}
    assert lsoas["imd19_decile"].between(1, 10).all()
    # Deprivation is persistent: 2019 and 2025 ranks agree closely.
    rho = lsoas["imd19_rank"].rank().corr(lsoas["imd_rank"].rank())
    assert rho > 0.9


def _holes(geom: shapely.Geometry) -> int:
    return sum(len(p.interiors) for p in shapely.get_parts(geom))


@pytest.fixture(scope="module")
def england_lsoa_union(lsoa_polygons: gpd.GeoDataFrame) -> shapely.Geometry:
    return shapely.coverage_union_all(lsoa_polygons.to_crs(settings.CRS_METRIC).geometry.values)


@pytest.mark.parametrize("level", areas.AREA_LAYERS)
def test_area_layers_have_no_gaps_or_overlaps(
    level: str, lsoas: pd.DataFrame, england_lsoa_union: shapely.Geometry
) -> None:
    layer = store.load_layer(level).to_crs(settings.CRS_METRIC)
    code = areas.LEVELS[level].code
    assert layer[code].is_unique
    assert set(layer[code]) == set(lsoas[code])
    geoms = layer.geometry.values
    assert shapely.is_valid(geoms).all()
    # A valid coverage has no overlaps; a gap between two areas would be a hole in their union
    # that England's own outline does not have.
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    assert union.area == pytest.approx(geoms.area.sum(), rel=1e-9)
    assert union.area == pytest.approx(england_lsoa_union.area, rel=2e-3)
    assert _holes(union) <= _holes(england_lsoa_union)


def test_area_summaries_add_up(lsoas: pd.DataFrame) -> None:
    for level in ("icb", "lad", "region"):
        layer = store.load_layer(level)
        assert layer["population"].sum() == ENGLAND_POPULATION
        assert layer["lsoa_count"].sum() == ENGLAND_LSOAS
        assert layer["decile1_lsoa_count"].sum() == (lsoas["imd_decile"] == 1).sum()
        assert layer["core20_share"].between(0, 1).all()
    eng = store.load_layer("england").iloc[0]
    expected = (lsoas["imd_score"] * lsoas["population"]).sum() / ENGLAND_POPULATION
    assert eng["imd_score_popweighted"] == pytest.approx(expected, abs=1e-3)
    assert eng["decile1_share"] == pytest.approx(0.1, abs=1e-4)


def test_lsoa_polygons_form_a_clean_coverage(lsoa_polygons: gpd.GeoDataFrame) -> None:
    geoms = lsoa_polygons.to_crs(settings.CRS_METRIC).geometry.values
    assert shapely.coverage_is_valid(geoms)


def test_manifest_records_checksums_and_counts(data_dir: Path) -> None:
    manifest = store.load_manifest(data_dir)
    assert manifest["counts"]["lsoas"] == ENGLAND_LSOAS
    assert manifest["checksums"] == sources.verify_checksums()
    assert manifest["code_digest"] == build.code_digest()


def test_failed_build_leaves_data_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data"
    (out / "boundaries").mkdir(parents=True)
    sentinel = out / "boundaries" / "lsoa21.parquet"
    sentinel.write_bytes(b"previous build")

    def fail() -> pd.DataFrame:
        raise RuntimeError("postcode directory unavailable")

    # Fails after the LSOA and area layers were written to the temporary folder.
    monkeypatch.setattr(build, "load_onspd", fail)
    with pytest.raises(RuntimeError, match="postcode directory unavailable"):
        build.build(data_dir=out, progress=False)
    assert sentinel.read_bytes() == b"previous build"
    assert sorted(p.name for p in out.iterdir()) == ["boundaries"]
    assert [p.name for p in (out / "boundaries").iterdir()] == ["lsoa21.parquet"]


def test_altered_source_stops_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(settings.SOURCE_DIR, folder)
    target = folder / "lookup_ltla24_region24.csv"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes() + b"\n")
    out = tmp_path / "data"
    with pytest.raises(sources.SourceError, match=r"lookup_ltla24_region24\.csv"):
        build.build(source_dir=folder, data_dir=out, progress=False)
    assert not any(out.iterdir())


def test_layers_are_stored_in_wgs84(data_dir: Path) -> None:
    for level in areas.AREA_LAYERS:
        assert store.load_layer(level, data_dir).crs.to_epsg() == 4326
    bounds = store.load_layer("england", data_dir).total_bounds
    assert np.allclose(bounds, [-6.4, 49.9, 1.8, 55.8], atol=0.2)
