"""Grid geometry and geometry checks shared by building and querying a grid index.

Internals of :mod:`assetmap.geography.gridindex`, whose module docstring describes the grid and
proves its answers exact; :class:`_Grid` holds the one cell-index function both sides use.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely
from geopandas import GeoSeries

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
GeomArray = npt.NDArray[np.object_]

_NONE: Final = -1
# Encoded references: a value v <= -2 in the coarse grid means "block -2 - v"; in a block table it
# means "border cell -2 - v". Values >= -1 are final answers.
_REF: Final = -2
# Largest grid accepted; beyond this the caller has chosen a cell size far too small.
_MAX_COARSE_CELLS: Final = 200_000_000
_POLYGONAL: Final = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True)
class _Grid:
    """Grid geometry and the one cell-index function shared by build and query."""

    x0: float
    y0: float
    cell_size: float
    refine: int
    nx: int
    ny: int

    @classmethod
    def around(cls, xs: FloatArray, ys: FloatArray, cell_size: float, refine: int) -> _Grid:
        """A grid leaving at least one whole coarse cell free around the coordinates given."""
        if xs.size == 0:
            # Nothing to index: one coarse cell answering -1 to every query.
            return cls(0.0, 0.0, cell_size, refine, 1, 1)
        xmin, xmax, ymin, ymax = xs.min(), xs.max(), ys.min(), ys.max()
        if not np.isfinite([xmin, xmax, ymin, ymax]).all():
            raise ValueError("polygon coordinates must be finite")
        magnitude = max(abs(xmin), abs(ymin), abs(xmax), abs(ymax), cell_size / refine)
        if _pad(magnitude) * 1000 > cell_size / refine:
            raise ValueError(
                f"fine cells of {cell_size / refine} are too small for coordinates of "
                f"magnitude {magnitude:g}: rounding could misplace boundaries"
            )
        x0 = (math.floor(xmin / cell_size) - 2) * cell_size
        y0 = (math.floor(ymin / cell_size) - 2) * cell_size
        probe = cls(x0, y0, cell_size, refine, 1, 1)
        nx = int(probe.fine_x(np.array([xmax + cell_size]))[0]) // refine + 2
        ny = int(probe.fine_y(np.array([ymax + cell_size]))[0]) // refine + 2
        if nx * ny > _MAX_COARSE_CELLS:
            raise ValueError(
                f"a {cell_size} grid over these polygons needs {nx * ny:,} coarse cells; "
                "use a larger cell_size"
            )
        return cls(x0, y0, cell_size, refine, nx, ny)

    @property
    def fine_size(self) -> float:
        return self.cell_size / self.refine

    @property
    def shift(self) -> int:
        return self.refine.bit_length() - 1

    @property
    def nfx(self) -> int:
        return self.nx * self.refine

    @property
    def nfy(self) -> int:
        return self.ny * self.refine

    def fine_x(self, x: FloatArray) -> FloatArray:
        """Fine column as a float (NaN stays NaN).

        Monotone in ``x``: see the notes of :mod:`assetmap.geography.gridindex`.
        """
        return np.floor((x - self.x0) / self.fine_size)

    def fine_y(self, y: FloatArray) -> FloatArray:
        """Fine row as a float, like :meth:`fine_x`."""
        return np.floor((y - self.y0) / self.fine_size)

    def cell_key(self, fx: IntArray, fy: IntArray) -> IntArray:
        """Block-major key of fine cells: coarse cell * refine**2 + position in the block."""
        sh, mask = self.shift, self.refine - 1
        coarse = (fy >> sh) * self.nx + (fx >> sh)
        return (coarse << (2 * sh)) | ((fy & mask) << sh) | (fx & mask)

    def key_to_fine(self, key: IntArray) -> tuple[IntArray, IntArray]:
        """Inverse of :meth:`cell_key`."""
        sh, mask = self.shift, self.refine - 1
        row, col = np.divmod(key >> (2 * sh), self.nx)
        return (col << sh) | (key & mask), (row << sh) | ((key >> sh) & mask)

    def centres(self, fx: IntArray, fy: IntArray) -> tuple[FloatArray, FloatArray]:
        """Centres of fine cells, checked to fall in those very cells."""
        cx = np.asarray(self.x0 + (fx + 0.5) * self.fine_size, dtype=np.float64)
        cy = np.asarray(self.y0 + (fy + 0.5) * self.fine_size, dtype=np.float64)
        if not (np.array_equal(self.fine_x(cx), fx) and np.array_equal(self.fine_y(cy), fy)):
            raise RuntimeError("a cell centre rounds into a neighbouring cell")  # pragma: no cover
        return cx, cy


def _pad(magnitude: float) -> float:
    """Margin around computed boundary pieces, far above their rounding error.

    ``magnitude`` bounds the absolute coordinates and the fine cell size. Each operation on
    them rounds by at most 2**-53 relative, so the computed piece ends, cell edges and corner
    distances are off by less than ``64 * 2**-53 * magnitude``; ``2**-32 * magnitude`` (0.16 mm
    at 700 km) leaves a factor of ~30,000 to spare while marking almost no extra cells.
    """
    return magnitude * 2.0**-32


def _geometry_array(polygons: GeomArray | GeoSeries) -> GeomArray:
    """Polygons as a 1-D object array of shapely geometries, rejecting other geometry types."""
    if isinstance(polygons, GeoSeries):
        geoms = np.asarray(polygons.array, dtype=object)
    else:
        geoms = np.asarray(polygons, dtype=object)
    if geoms.ndim != 1:
        raise ValueError(f"polygons must be one-dimensional, got shape {geoms.shape}")
    types = shapely.get_type_id(geoms)
    bad = ~np.isin(types, _POLYGONAL) & ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"only Polygon and MultiPolygon geometries can be indexed; position {first} is a "
            f"{geoms[first].geom_type}"
        )
    return geoms


def _checksum(geoms: GeomArray) -> str:
    """Digest of every coordinate and each geometry's coordinate count."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(shapely.get_num_coordinates(geoms), np.int64).tobytes())
    digest.update(np.ascontiguousarray(shapely.get_coordinates(geoms), np.float64).tobytes())
    return digest.hexdigest()
