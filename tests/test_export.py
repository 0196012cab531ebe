"""Exports: CSV is UTF-8 and safe to open in a spreadsheet; features by file extension."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from assetmap import settings
from assetmap.data import sources, store
from assetmap.presentation import export


@pytest.mark.parametrize("danger", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(danger: str) -> None:
    frame = pd.DataFrame({"name": [danger, "Library"], "gap_score": [-12.5, 3.0]})
    text = export.to_csv_bytes(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert export.neutralise(frame)["name"].iloc[0] == "'" + danger
    assert back["name"].iloc[0].startswith("'")
    assert back["name"].iloc[1] == "Library"
    # Numbers stay numbers, negative ones included.
    assert back["gap_score"].tolist() == [-12.5, 3.0]


def test_utf8_with_bom_and_unicode() -> None:
    frame = pd.DataFrame({"name": ["Ynys Môn café"]})
    raw = export.to_csv_bytes(frame)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Ynys Môn café" in raw.decode("utf-8-sig")


def test_source_frame_is_not_changed() -> None:
    frame = pd.DataFrame({"name": ['=HYPERLINK("x")']})
    export.neutralise(frame)
    assert frame["name"].iloc[0] == '=HYPERLINK("x")'


# --- Tables by file extension: CSV, GeoParquet, GeoPackage, GeoJSON ------------------------------


def _same_polygons(got: gpd.GeoSeries, expected: gpd.GeoSeries) -> bool:
    """Equal part by part to 1e-9 degrees (GeoPackage stores polygons as multipolygons)."""
    got_parts, got_rows = shapely.get_parts(got.to_numpy(), return_index=True)
    exp_parts, exp_rows = shapely.get_parts(expected.to_numpy(), return_index=True)
    return (
        len(got) == len(expected)
        and np.array_equal(got_rows, exp_rows)
        and bool(shapely.equals_exact(got_parts, exp_parts, tolerance=1e-9).all())
    )


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path)


@pytest.mark.parametrize("name", ["t.csv", "t.parquet", "t.gpkg", "t.geojson", "T.GeoJSON"])
def test_formats_by_extension(name: str) -> None:
    assert export.table_format(Path(name)) == Path(name).suffix.lower()
    assert set(export.FORMATS) == {".csv", ".parquet", ".gpkg", ".geojson"}


@pytest.mark.parametrize(
    ("name", "named"),
    [("t.xlsx", "'.xlsx'"), ("t.shp", "'.shp'"), ("t", "no file extension"), ("t.csv.gz", "'.gz'")],
)
def test_unknown_extension_is_a_clear_error(name: str, named: str) -> None:
    with pytest.raises(export.FormatError) as caught:
        export.table_format(Path(name))
    message = str(caught.value)
    assert named in message
    assert ".csv, .parquet, .gpkg, .geojson" in message


@pytest.mark.parametrize("name", ["t.gpkg", "t.geojson"])
def test_features_only_formats_need_geometry(name: str, tmp_path: Path) -> None:
    with pytest.raises(
        export.FormatError, match=r"this table has no geometry: write \.csv or \.parquet"
    ):
        export.table_format(Path(name), geometry=False)
    with pytest.raises(export.FormatError, match="has no geometry"):
        export.write_table(pd.DataFrame({"a": [1]}), tmp_path / name)
    assert not (tmp_path / name).exists()
    assert export.table_format(Path("t.parquet"), geometry=False) == ".parquet"


def test_csv_is_the_excel_safe_csv_with_or_without_geometry(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["=1+1", "Library"], "easting": [530000.0, 531000.0]})
    frame["northing"] = [180000.0, 181000.0]
    plain = export.write_table(frame, tmp_path / "plain.csv")
    with_points = export.write_table(
        frame, tmp_path / "points.csv", geometry=export.point_geometry(frame)
    )
    assert plain.read_bytes() == with_points.read_bytes() == export.to_csv_bytes(frame)


def test_table_without_geometry_is_plain_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"imd_decile": [1, 2], "assets_per_1k": [0.5, 0.25]})
    frame.attrs["not json"] = object()
    path = export.write_table(frame, tmp_path / "t.parquet")
    assert b"geo" not in pq.read_schema(path).metadata
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)


def test_points_are_the_builds_asset_points(assets: pd.DataFrame, data_dir: Path) -> None:
    built = store.load_assets(data_dir, geometry=True)
    points = export.point_geometry(assets)
    assert points.crs == settings.CRS_STORE
    assert points.index.equals(assets.index)
    assert points.geom_equals_exact(built.geometry, tolerance=1e-9).all()
    missing = export.point_geometry(pd.DataFrame({"easting": [np.nan], "northing": [1.0]}))
    assert missing.isna().all()


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg", ".geojson"])
def test_points_round_trip(suffix: str, assets: pd.DataFrame, tmp_path: Path) -> None:
    some = assets.sort_values("asset_id").head(7)
    path = export.write_table(some, tmp_path / f"a{suffix}", geometry=export.point_geometry(some))
    back = _read(path)
    assert back.crs == settings.CRS_STORE
    assert back["asset_id"].tolist() == some["asset_id"].tolist()
    expected = gpd.GeoSeries(
        gpd.points_from_xy(some["easting"], some["northing"]), crs=settings.CRS_METRIC
    ).to_crs(settings.CRS_STORE)
    assert back.geometry.geom_equals_exact(expected, tolerance=1e-9).all()


def test_lsoa_and_area_polygons_are_the_builds(
    lsoas: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame, data_dir: Path
) -> None:
    blackpool = lsoas[lsoas["lad24nm"] == "Blackpool"]
    codes = blackpool["lsoa21cd"].iloc[::-1]  # any order, any index
    found = export.area_geometry(codes, "lsoa", data_dir)
    assert found.index.equals(codes.index)
    assert found.crs == settings.CRS_STORE
    expected = lsoa_polygons.set_index("lsoa21cd").geometry.loc[codes]
    assert found.geom_equals_exact(expected.set_axis(codes.index), tolerance=0).all()
    lad = export.area_geometry(["E06000009", "E99999999"], "lad", data_dir)
    layer = store.load_layer("lad", data_dir).set_index("lad24cd")
    assert lad.iloc[0].equals_exact(layer.geometry.loc["E06000009"], tolerance=0)
    assert lad.iloc[1] is None
    # Wards have no layer in the build: dissolved from their LSOAs.
    ward = blackpool["ward24cd"].iloc[0]
    dissolved = export.area_geometry([ward], "ward", data_dir).iloc[0]
    parts = lsoa_polygons[
        lsoa_polygons["lsoa21cd"].isin(lsoas.loc[lsoas["ward24cd"] == ward, "lsoa21cd"])
    ]
    assert dissolved.equals(shapely.union_all(parts.geometry.to_numpy()))


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg", ".geojson"])
def test_polygons_round_trip(
    suffix: str,
    lsoas: pd.DataFrame,
    lsoa_polygons: gpd.GeoDataFrame,
    tmp_path: Path,
    data_dir: Path,
) -> None:
    table = lsoas.loc[lsoas["lad24nm"] == "Blackpool", ["lsoa21cd", "lsoa21nm", "population"]]
    geometry = export.area_geometry(table["lsoa21cd"], "lsoa", data_dir)
    path = tmp_path / f"b{suffix}"
    export.write_table(table.iloc[:3], path, geometry=geometry.iloc[:3])  # replaced below
    export.write_table(table, path, geometry=geometry)
    back = _read(path)
    assert back.crs == settings.CRS_STORE
    assert back["lsoa21cd"].tolist() == table["lsoa21cd"].tolist()
    assert back["population"].tolist() == table["population"].tolist()
    expected = lsoa_polygons.set_index("lsoa21cd").geometry.loc[table["lsoa21cd"]]
    assert _same_polygons(back.geometry, expected)
    if suffix == ".parquet":
        assert b"geo" in pq.read_schema(path).metadata  # GeoParquet
    if suffix == ".gpkg":
        assert len(pyogrio.list_layers(path)) == 1


def test_geometry_must_match_the_rows(tmp_path: Path) -> None:
    frame = pd.DataFrame({"easting": [530000.0, 531000.0], "northing": [180000.0, 181000.0]})
    with pytest.raises(ValueError, match="1 geometries for 2 rows"):
        export.write_table(
            frame, tmp_path / "t.gpkg", geometry=export.point_geometry(frame.head(1))
        )
    with pytest.raises(ValueError, match="no CRS"):
        export.write_table(frame, tmp_path / "t.gpkg", geometry=gpd.GeoSeries([None, None]))


def test_data_vintages_name_every_source_counted() -> None:

    text = export.data_vintages(["foodbank", "sports_club", "my_register"], upload="a.csv")
    parts = text.split("; ")
    giver = sources.SOURCES["foodbanks"]
    assert f"{giver.title} ({giver.vintage})" in parts
    assert (
        f"{sources.SOURCES['sports_clubs'].title} ({sources.SOURCES['sports_clubs'].vintage})"
        in (parts)
    )
    assert not any("librar" in p.lower() for p in parts)  # not counted, not listed
    assert parts[-1] == "your upload (a.csv)"
    assert parts[0].startswith(sources.SOURCES["imd2025"].title)
    with_change = export.data_vintages([], extra=["imd2019"], built_at="2026-12-04")
    assert sources.SOURCES["imd2019"].title in with_change
    assert with_change.endswith("; built 2026-12-04")
