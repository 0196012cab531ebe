"""The pack's data beside the PDF: a zip of Excel-safe CSV tables, the data dictionary and the
area's LSOAs with their measures as a GeoPackage (EPSG:4326), for an analyst's spreadsheet or QGIS.

The tables are the :class:`~assetmap.presentation.report.pack.Pack`'s own (the numbers printed in
the PDF, and every row of them), written by :func:`assetmap.presentation.export.to_csv_bytes`.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Final

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from assetmap import settings
from assetmap.data import dictionary
from assetmap.measures import invest
from assetmap.presentation import export
from assetmap.presentation.report.pack import Pack

#: The GeoPackage's file and layer name inside the zip.
GEOPACKAGE: Final = "lsoas.gpkg"


def _key_figures(pack: Pack) -> pd.DataFrame:
    keys = list(pack.figures)
    return pd.DataFrame(
        {
            "measure": keys,
            "label": [dictionary.label(k) for k in keys],
            "area": [pack.figures[k] for k in keys],
            "england": [pack.england_figures[k] for k in keys],
        }
    )


def _readings(pack: Pack) -> pd.DataFrame:
    rows = [
        {
            "family": section.family,
            "asset_type": label,
            "most_deprived_20pct_per_1k": dep,
            "least_deprived_20pct_per_1k": aff,
            "comparison": words,
        }
        for section in pack.families
        for label, dep, aff, words in section.by_type
    ]
    return pd.DataFrame(rows)


def tables(pack: Pack) -> dict[str, pd.DataFrame]:
    """The pack's tables by CSV file name.

    Parameters
    ----------
    pack
        :func:`assetmap.presentation.report.build_pack`.

    Returns
    -------
    dict
        ``key_figures``, ``deciles`` (the area's and England's, ``where`` saying which),
        ``readings``, ``gaps`` (every LSOA), ``invest`` (every LSOA, spelled-out headings),
        ``hotspots``, ``bivariate``, ``change`` and ``data_dictionary``.
    """
    where = "England" if pack.area.level == "england" else pack.area.name
    deciles = [pack.area_deciles.assign(where=where)]
    if pack.area.level != "england":
        deciles.append(pack.england_deciles.assign(where="England"))
    return {
        "key_figures.csv": _key_figures(pack),
        "deciles.csv": pd.concat(deciles, ignore_index=True),
        "readings.csv": _readings(pack),
        "gaps.csv": pack.gaps,
        "invest.csv": invest.invest_table(pack.ranking.table, pack.ranking.labels),
        "hotspots.csv": pack.spots,
        "bivariate.csv": pack.cells,
        "change.csv": pack.moved,
        "data_dictionary.csv": dictionary.as_frame(),
    }


def _readme(pack: Pack) -> str:
    ref = pack.area.code if pack.area.level == "own" else pack.area.ref
    lines = [
        f"Evidence pack data: {pack.area.label} ({ref})",
        f"Made {pack.made_at:%Y-%m-%d %H:%M} UTC by assetmap.",
        f"Data vintages: {pack.vintages}",
        "",
        "Files:",
        *[f"  {name}" for name in tables(pack)],
        f"  {GEOPACKAGE}: the area's LSOAs (polygons, {settings.CRS_STORE}) with every measure",
        "  data_dictionary.md: what every column means, with its unit and source",
        "CSV files are UTF-8 with a byte-order mark; text that a spreadsheet would run as a",
        "formula starts with an apostrophe.",
        f"Reopen the view: {pack.link}" if pack.link else "",
    ]
    return "\r\n".join(lines) + "\r\n"


def _geopackage(pack: Pack) -> bytes:
    frame = pd.DataFrame(pack.lsoas.drop(columns="geometry"))
    for col in frame.columns:  # a GeoPackage holds numbers, booleans and text
        series = frame[col]
        if not (is_numeric_dtype(series.dtype) or is_bool_dtype(series.dtype)):
            frame[col] = series.astype("string")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / GEOPACKAGE
        export.write_table(frame, path, geometry=pack.lsoas.geometry)
        return path.read_bytes()


def data_zip_bytes(pack: Pack) -> bytes:
    """The pack's data as zip bytes, for a download button.

    Parameters
    ----------
    pack
        :func:`assetmap.presentation.report.build_pack`.

    Returns
    -------
    bytes
        A zip of the :func:`tables` as Excel-safe CSV, ``data_dictionary.md``, ``README.txt``
        and :data:`GEOPACKAGE`.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", _readme(pack))
        for name, frame in tables(pack).items():
            zf.writestr(name, export.to_csv_bytes(frame))
        zf.writestr("data_dictionary.md", dictionary.to_markdown())
        zf.writestr(GEOPACKAGE, _geopackage(pack))
    return buf.getvalue()


def write_data_zip(pack: Pack, path: Path) -> Path:
    """Write :func:`data_zip_bytes` to ``path`` (replaced if it exists).

    Parameters
    ----------
    pack
        :func:`assetmap.presentation.report.build_pack`.
    path
        The zip file.

    Returns
    -------
    Path
        ``path``.
    """
    path.write_bytes(data_zip_bytes(pack))
    return path
