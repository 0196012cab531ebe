"""Tables out of assetmap: Excel-safe CSV, GeoParquet, GeoPackage and GeoJSON.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula ("CSV injection"). Text cells that start that way get a leading apostrophe, the
mark Excel and LibreOffice read as "this is text"; numbers are left alone, so a negative gap score
stays a number. Files are UTF-8 with a byte-order mark so Excel detects the encoding.

:func:`write_table` picks the format from the file's extension, as
``geopandas.GeoDataFrame.to_file`` does (:data:`FORMATS`); features carry the geometry given to it
(:func:`point_geometry` for assets, :func:`area_geometry` for LSOAs and areas), stored in
``settings.CRS_STORE`` (WGS84) like the rest of the build.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final, cast

import geopandas as gpd
import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

from assetmap import settings
from assetmap.data import sources, store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas

_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")

#: File extensions :func:`write_table` writes, with the format each one means.
FORMATS: Final[dict[str, str]] = {
    ".csv": "CSV, Excel-safe (UTF-8 with BOM)",
    ".parquet": "GeoParquet (plain Parquet for a table without geometry)",
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
}

#: The formats that hold features only: a table without geometry cannot be written to them.
GEOMETRY_FORMATS: Final[frozenset[str]] = frozenset({".gpkg", ".geojson"})

_DRIVERS: Final[dict[str, str]] = {".gpkg": "GPKG", ".geojson": "GeoJSON"}


class FormatError(ValueError):
    """The output file's extension is not one of :data:`FORMATS`, or needs geometry."""


#: The sources behind every per-LSOA table: need, residents, the area lookups and the postcodes
#: that place the assets.
BASE_SOURCES: Final[tuple[str, ...]] = (
    "imd2025",
    "population",
    "lookup_ward",
    "lookup_icb",
    "postcodes",
)


def data_vintages(
    asset_types: Sequence[str],
    *,
    extra: Sequence[str] = (),
    upload: str | None = None,
    built_at: str | None = None,
) -> str:
    """The data behind a table, for its "Data vintages" context column: each source's title
    and vintage from :data:`assetmap.data.sources.SOURCES`, joined by ``"; "``.

    Parameters
    ----------
    asset_types
        The asset types counted: each open layer's source is listed; an upload's own types
        are not sources (name the upload with ``upload``).
    extra
        Further :data:`~assetmap.data.sources.SOURCES` keys the table uses (e.g. ``imd2019``
        for the change since 2019), after :data:`BASE_SOURCES`.
    upload
        The uploaded file's name, listed as "your upload (name)".
    built_at
        The build time (``built_at`` of the manifest), listed last.
    """
    keys = [*BASE_SOURCES, *extra]
    keys += [ASSET_SOURCES[t].source_key for t in asset_types if t in ASSET_SOURCES]
    parts = [f"{sources.SOURCES[k].title} ({sources.SOURCES[k].vintage})" for k in keys]
    if upload is not None:
        parts.append(f"your upload ({upload})")
    if built_at is not None:
        parts.append(f"built {built_at}")
    return "; ".join(parts)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    pandas.DataFrame
        A copy; only text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR change.
        Column names are treated the same way.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if is_object_dtype(series.dtype) or is_string_dtype(series.dtype):
            text = series.astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
            if risky.any():
                out[col] = series.astype(object).where(~risky, "'" + text)
    out.columns = ["'" + str(c) if str(c).startswith(_FORMULA_START) else c for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as Excel-safe CSV bytes (UTF-8 with BOM, no index).

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    bytes
    """
    text: str = neutralise(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write :func:`to_csv_bytes` to a file.

    Parameters
    ----------
    frame
        Any table.
    path
        Destination file.

    Returns
    -------
    Path
        ``path``.
    """
    path.write_bytes(to_csv_bytes(frame))
    return path


def table_format(path: Path, *, geometry: bool = True) -> str:
    """The format :func:`write_table` would write ``path`` in, or a clear error.

    Cheap: call it before any slow work so that a wrong file name fails at once.

    Parameters
    ----------
    path
        Destination file; its extension (any case) names the format.
    geometry
        Whether the table will have geometry; without it only ``.csv`` and ``.parquet`` work.

    Returns
    -------
    str
        The lower-case extension, a key of :data:`FORMATS`.

    Raises
    ------
    FormatError
        The extension is missing or unknown (the message names it and the accepted ones), or
        it is a features-only format (:data:`GEOMETRY_FORMATS`) and ``geometry`` is false.
    """
    suffix = path.suffix.lower()
    accepted = ", ".join(FORMATS)
    if suffix not in FORMATS:
        what = f"unknown file extension '{path.suffix}'" if suffix else "no file extension"
        raise FormatError(f"cannot write {path}: {what} (accepted: {accepted})")
    if suffix in GEOMETRY_FORMATS and not geometry:
        raise FormatError(
            f"cannot write {path}: this table has no geometry: write .csv or .parquet"
        )
    return suffix


def point_geometry(
    frame: pd.DataFrame, *, easting: str = "easting", northing: str = "northing"
) -> gpd.GeoSeries:
    """Points from British National Grid coordinates, in ``settings.CRS_STORE``.

    Parameters
    ----------
    frame
        A table with easting and northing columns in metres (EPSG:27700), e.g. located assets.
    easting, northing
        The coordinate columns.

    Returns
    -------
    geopandas.GeoSeries
        One point per row, on ``frame``'s index; a row without both coordinates gets no geometry.
    """
    x = pd.to_numeric(frame[easting], errors="coerce")
    y = pd.to_numeric(frame[northing], errors="coerce")
    points = gpd.GeoSeries(
        gpd.points_from_xy(x, y), index=frame.index, crs=settings.CRS_METRIC
    ).where(x.notna() & y.notna(), None)
    return points.to_crs(settings.CRS_STORE)


def area_geometry(
    codes: Sequence[str] | pd.Series, level: str, data_dir: Path | None = None
) -> gpd.GeoSeries:
    """The built polygons of areas of one level, in the order of ``codes``.

    LSOAs come from the LSOA layer, the levels of :data:`assetmap.geography.areas.AREA_LAYERS` from
    their boundary layers; wards, which have no layer in the build, are dissolved from their LSOAs.

    Parameters
    ----------
    codes
        Area codes of ``level`` (e.g. ``lsoa21cd`` or ``lad24cd`` values); a series keeps its
        index.
    level
        A key of :data:`assetmap.geography.areas.LEVELS`.
    data_dir
        The build folder; defaults to ``settings.DATA_DIR``.

    Returns
    -------
    geopandas.GeoSeries
        One polygon per code, in ``settings.CRS_STORE``; an unknown code gets no geometry.
    """
    code = areas.LEVELS[level].code
    wanted = pd.Series(codes, dtype=object)
    layer: gpd.GeoDataFrame
    if level == "lsoa":
        layer = cast(gpd.GeoDataFrame, store.load_lsoas(data_dir, geometry=True, columns=[code]))
    elif level in areas.AREA_LAYERS:
        layer = store.load_layer(level, data_dir)
    else:
        lsoas = cast(gpd.GeoDataFrame, store.load_lsoas(data_dir, geometry=True, columns=[code]))
        used = lsoas[lsoas[code].isin(wanted)]
        layer = used[[code, "geometry"]].dissolve(by=code, method="coverage", as_index=False)
    polygons = gpd.GeoSeries(layer.geometry.to_numpy(), index=layer[code].to_numpy(), crs=layer.crs)
    found = gpd.GeoSeries(polygons.reindex(wanted.to_numpy()).to_numpy(), crs=layer.crs)
    return found.set_axis(wanted.index).to_crs(settings.CRS_STORE)


def write_table(frame: pd.DataFrame, path: Path, *, geometry: gpd.GeoSeries | None = None) -> Path:
    """Write a table in the format of the file's extension (see :data:`FORMATS`).

    ``.csv`` is :func:`write_csv` (the geometry is left out: the table's own columns say where);
    ``.parquet`` is GeoParquet with geometry and plain Parquet without; ``.gpkg`` and
    ``.geojson`` need geometry. Features are stored in ``settings.CRS_STORE``; a GeoPackage
    layer that mixes polygons and multipolygons stores them all as multipolygons. An existing
    file is replaced.

    Parameters
    ----------
    frame
        Any table.
    path
        Destination file.
    geometry
        One geometry per row of ``frame``, in row order, with its CRS (e.g. from
        :func:`point_geometry` or :func:`area_geometry`); ``None`` for a table without geometry.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FormatError
        See :func:`table_format`.
    ValueError
        ``geometry`` does not have one entry per row, or has no CRS.
    """
    suffix = table_format(path, geometry=geometry is not None)
    if suffix == ".csv":
        return write_csv(frame, path)
    table = frame.reset_index(drop=True)
    table.attrs = {}  # run details are not file metadata (and need not be JSON)
    if geometry is None:
        table.to_parquet(path, index=False)
        return path
    if len(geometry) != len(table):
        raise ValueError(f"{len(geometry)} geometries for {len(table)} rows")
    if geometry.crs is None:
        raise ValueError("the geometry has no CRS")
    features = gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=geometry.crs)
    features = features.to_crs(settings.CRS_STORE)
    if suffix == ".parquet":
        features.to_parquet(path, index=False)
        return path
    path.unlink(missing_ok=True)  # a GeoPackage would otherwise keep its other layers
    features.to_file(path, driver=_DRIVERS[suffix], index=False)
    return path
