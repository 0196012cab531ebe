"""Points to LSOAs: an exact point-in-polygon join with a stated fallback for the coast.

The LSOA polygons are clipped to the coastline, so a few thousand English postcodes (docks,
piers, sea fronts) lie just outside every LSOA (the build counts them, :func:`outside_every_lsoa`).
A point inside an LSOA gets that LSOA (on a shared border, the LSOA with the lowest code, so each
point lands in exactly one); a point outside every LSOA but within ``settings.NEAREST_LSOA_MAX_M``
metres of one gets the nearest and is flagged; a point further out gets none and the caller
reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap import settings
from assetmap.data import datacheck
from assetmap.geography.gridindex import GridIndex


def outside_every_lsoa(locator: LsoaLocator, postcodes: pd.DataFrame) -> int:
    """English postcodes with a grid reference that lie outside every LSOA polygon.

    Parameters
    ----------
    locator
        The LSOA locator (EPSG:27700).
    postcodes
        The postcode directory: ``easting``, ``northing`` (NaN without a grid reference) and
        ``laua`` (local authority code; English ones start with ``E``).

    Returns
    -------
    int
        Postcodes the exact index places in no LSOA: those the coast-clipped polygons leave out.
    """
    english = postcodes["laua"].astype(str).str.startswith("E") & postcodes["easting"].notna()
    x = postcodes.loc[english, "easting"].to_numpy(dtype="float64")
    y = postcodes.loc[english, "northing"].to_numpy(dtype="float64")
    return int((locator.index.query(x, y) < 0).sum())


#: How a point was assigned to its LSOA (column ``lsoa_method``).
METHOD_WITHIN: Final = "within"
METHOD_NEAREST: Final = "nearest"

LSOA_FILE: Final = "boundaries/lsoa21.parquet"
GRID_FILE: Final = "boundaries/lsoa21_grid.npz"


@dataclass
class LsoaLocator:
    """Assigns points in British National Grid metres to LSOAs.

    Attributes
    ----------
    codes
        LSOA codes in polygon order (sorted, so the lowest position is the lowest code).
    polygons
        LSOA polygons in EPSG:27700, same order.
    index
        Grid index over ``polygons``.
    """

    codes: np.ndarray
    polygons: np.ndarray
    index: GridIndex

    @cached_property
    def _tree(self) -> shapely.STRtree:
        # Only points outside every LSOA need it, so it is built on first use.
        return shapely.STRtree(self.polygons)

    @classmethod
    def from_lsoas(cls, lsoas: gpd.GeoDataFrame, index: GridIndex | None = None) -> LsoaLocator:
        """Make a locator from an LSOA layer (any CRS) sorted by ``lsoa21cd``.

        Parameters
        ----------
        lsoas
            Must have ``lsoa21cd`` and a geometry.
        index
            A prebuilt index over the same polygons; built here when not given.

        Returns
        -------
        LsoaLocator
        """
        if not lsoas["lsoa21cd"].is_monotonic_increasing:
            raise ValueError("LSOAs must be sorted by lsoa21cd so ties go to the lowest code")
        polygons = np.asarray(lsoas.geometry.to_crs(settings.CRS_METRIC).values)
        if index is None:
            index = GridIndex.build(polygons, cell_size=settings.GRID_CELL_M)
        return cls(lsoas["lsoa21cd"].to_numpy(dtype=object), polygons, index)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> LsoaLocator:
        """Load the built LSOA layer and its saved grid index.

        Parameters
        ----------
        data_dir
            The build folder; defaults to ``settings.DATA_DIR``.

        Returns
        -------
        LsoaLocator

        Raises
        ------
        assetmap.data.datacheck.DataCheckError
            The index differs from the build's manifest (its SHA-256 is compared first: about
            15 ms), or the LSOA file fails to read (a changed byte fails a page checksum) and
            differs from it: the message names the file and ``assetmap build``.
        """
        folder = data_dir or settings.DATA_DIR
        lsoa_path, grid_path = folder / LSOA_FILE, folder / GRID_FILE
        # The .npz holds a CRC-32 of each array, which np.load checks; the SHA-256 the build
        # recorded covers the whole file, its zip listing too, for about 15 ms.
        datacheck.verify_file(grid_path, folder)
        with datacheck.reading(lsoa_path, folder):
            lsoas = gpd.read_parquet(
                lsoa_path, columns=["lsoa21cd", "geometry"], page_checksum_verification=True
            )
        polygons = np.asarray(lsoas.geometry.to_crs(settings.CRS_METRIC).values)
        # The index refuses polygons other than those it was built for: when the index is as
        # built, the LSOA file is the one to check.
        with datacheck.reading(lsoa_path, folder), datacheck.reading(grid_path, folder):
            index = GridIndex.load(grid_path, polygons)
        return cls(lsoas["lsoa21cd"].to_numpy(dtype=object), polygons, index)

    def locate(
        self,
        easting: np.ndarray,
        northing: np.ndarray,
        max_nearest_m: float | None = None,
    ) -> pd.DataFrame:
        """Assign each point to one LSOA.

        Parameters
        ----------
        easting, northing
            British National Grid coordinates in metres (NaN allowed: no LSOA).
        max_nearest_m
            Largest distance for the nearest-LSOA fallback; defaults to
            ``settings.NEAREST_LSOA_MAX_M``. ``0`` turns the fallback off.

        Returns
        -------
        pandas.DataFrame
            One row per point, in order: ``lsoa21cd`` (``None`` when unassigned), ``lsoa_method``
            (``"within"``, ``"nearest"`` or ``None``) and ``distance_to_lsoa_m`` (0 within,
            the distance for nearest, NaN when unassigned).
        """
        x = np.asarray(easting, dtype="float64")
        y = np.asarray(northing, dtype="float64")
        limit = settings.NEAREST_LSOA_MAX_M if max_nearest_m is None else max_nearest_m
        pos = self.index.query(x, y)
        distance = np.where(pos >= 0, 0.0, np.nan)
        method = np.full(len(pos), None, dtype=object)
        method[pos >= 0] = METHOD_WITHIN

        outside = np.flatnonzero((pos < 0) & np.isfinite(x) & np.isfinite(y))
        if limit > 0 and outside.size:
            points = shapely.points(x[outside], y[outside])
            (src, dst), dist = self._tree.query_nearest(
                points, max_distance=limit, return_distance=True, all_matches=True
            )
            # all_matches returns every equidistant polygon: keep the lowest position per point,
            # the same tie rule as inside polygons.
            best = pd.DataFrame({"src": src, "dst": dst, "dist": dist}).groupby("src").min()
            hit = outside[best.index.to_numpy()]
            pos[hit] = best["dst"].to_numpy()
            distance[hit] = best["dist"].to_numpy()
            method[hit] = METHOD_NEAREST

        codes = pd.Series(self.codes[np.maximum(pos, 0)]).where(pos >= 0, None)
        return pd.DataFrame(
            {"lsoa21cd": codes, "lsoa_method": method, "distance_to_lsoa_m": distance}
        )
