"""Readers for the built data under ``settings.DATA_DIR`` (see :mod:`assetmap.data.build`).

Parquet files are read with their page checksums verified. A reader that fails on a built file
checks that file against the build's manifest (:func:`assetmap.data.datacheck.check_file`): when it
differs, the reader raises :class:`assetmap.data.datacheck.DataCheckError`, whose message names the
file, what differs and the command that rebuilds it; otherwise the reader's own error stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from assetmap import settings
from assetmap.data import datacheck
from assetmap.geography.spatial import LSOA_FILE

if TYPE_CHECKING:
    from libpysal import graph as lpgraph

ASSETS_FILE = "assets/assets.parquet"
REPORT_FILE = "assets/report.csv"
#: Each mapped row of a layer whose publisher names its ward and district, beside ours
#: (:func:`assetmap.data.assets.placement_agreement`).
PLACEMENT_CHECK_FILE = "assets/placement_check.csv"
MANIFEST_FILE = datacheck.MANIFEST_FILE

#: Keyword of the Parquet readers: verify the page checksums the build writes (a changed byte
#: inside a data page then fails the read instead of changing a value).
_VERIFY: dict[str, Any] = {"page_checksum_verification": True}


class NotBuiltError(FileNotFoundError):
    """The data folder has no build yet."""


def _path(name: str, data_dir: Path | None) -> Path:
    path = (data_dir or settings.DATA_DIR) / name
    if not path.is_file():
        raise NotBuiltError(
            f"{path} does not exist: run `assetmap build` first "
            f"(it reads the source folder {settings.SOURCE_DIR})"
        )
    return path


def load_lsoas(
    data_dir: Path | None = None,
    *,
    geometry: bool = False,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The LSOA table, sorted by ``lsoa21cd``.

    Parameters
    ----------
    data_dir
        The build folder; defaults to ``settings.DATA_DIR``.
    geometry
        Return a GeoDataFrame with polygons (EPSG:4326); otherwise a plain table, which loads
        faster and weighs far less.
    columns
        Only these columns (``lsoa21cd`` is always included).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
    """
    path = _path(LSOA_FILE, data_dir)
    cols = None if columns is None else list(dict.fromkeys(["lsoa21cd", *columns]))
    with datacheck.reading(path, data_dir):
        if geometry:
            return gpd.read_parquet(
                path, columns=None if cols is None else [*cols, "geometry"], **_VERIFY
            )
        if cols is None:
            import pyarrow.parquet as pq

            cols = [c for c in pq.read_schema(path).names if c != "geometry"]
        return pd.read_parquet(path, columns=cols, **_VERIFY)


def load_assets(data_dir: Path | None = None, *, geometry: bool = False) -> pd.DataFrame:
    """Every located asset of the open layers (see :data:`assetmap.data.assets.ASSET_COLUMNS`)."""
    path = _path(ASSETS_FILE, data_dir)
    with datacheck.reading(path, data_dir):
        if geometry:
            return gpd.read_parquet(path, **_VERIFY)
        return pd.read_parquet(path, **_VERIFY).drop(columns="geometry")


def load_residence(data_dir: Path | None = None) -> pd.DataFrame:
    """Each LSOA's residence point (see :func:`assetmap.measures.access.residence_points`).

    Parameters
    ----------
    data_dir
        The build folder; defaults to ``settings.DATA_DIR``.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``lsoa21cd``: ``res_easting``, ``res_northing`` (metres), ``res_postcodes``
        and ``res_method``.
    """
    # assetmap.measures.access imports scipy (a quarter of a second): only pages that use it pay.
    from assetmap.measures.access import RESIDENCE_FILE

    path = _path(RESIDENCE_FILE, data_dir)
    with datacheck.reading(path, data_dir):
        return pd.read_parquet(path, **_VERIFY)


def load_contiguity(data_dir: Path | None = None) -> lpgraph.Graph:
    """Queen contiguity between LSOAs (:func:`assetmap.measures.hotspots.queen_contiguity`).

    Parameters
    ----------
    data_dir
        The build folder; defaults to ``settings.DATA_DIR``.

    Returns
    -------
    libpysal.graph.Graph
        Binary weights with the ``lsoa21cd`` codes as ids, in code order; LSOAs with no
        neighbour are in ``graph.isolates``.
    """
    # libpysal (and esda, through hotspots) take about 1.5 s to import: every page reads this
    # module, so they are imported only by the pages that need them.
    from libpysal import graph as lpgraph

    from assetmap.measures.hotspots import CONTIGUITY_FILE

    path = _path(CONTIGUITY_FILE, data_dir)
    with datacheck.reading(path, data_dir):
        return lpgraph.read_parquet(path, **_VERIFY)


def load_report(data_dir: Path | None = None) -> pd.DataFrame:
    """Every asset-source row that was not mapped, with its reason."""
    path = _path(REPORT_FILE, data_dir)
    with datacheck.reading(path, data_dir):
        return pd.read_csv(path, dtype={"postcode": str, "name": str})


def load_placement_check(data_dir: Path | None = None) -> pd.DataFrame:
    """Mapped food banks (and any layer with the publisher's own area names) beside our ward
    and local authority (:data:`assetmap.data.assets.AGREEMENT_COLUMNS` and ``asset_type``)."""
    path = _path(PLACEMENT_CHECK_FILE, data_dir)
    with datacheck.reading(path, data_dir):
        return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_layer(level: str, data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Polygons and summaries of one area level (``england``, ``region``, ``icb``...)."""
    path = _path(f"boundaries/{level}.parquet", data_dir)
    with datacheck.reading(path, data_dir):
        return gpd.read_parquet(path, **_VERIFY)


def load_manifest(data_dir: Path | None = None) -> dict[str, Any]:
    """The build manifest: checksums, counts, vintages, timings, and every file written
    (:mod:`assetmap.data.datacheck`).

    Raises
    ------
    NotBuiltError
        There is no manifest.
    assetmap.data.datacheck.DataCheckError
        It is not valid JSON or not a manifest.
    """
    _path(MANIFEST_FILE, data_dir)
    return datacheck.read_manifest(data_dir)


def load_charity_lookup(data_dir: Path | None = None) -> pd.DataFrame:
    """England's 2019 local authorities with their charity counts and 2024 authority
    (:data:`assetmap.data.charities.LAD19_COLUMNS`)."""
    from assetmap.data.charities import LOOKUP_FILE

    path = _path(LOOKUP_FILE, data_dir)
    with datacheck.reading(path, data_dir):
        return pd.read_csv(path, dtype={"lad19cd": str, "lad24cd": str})
