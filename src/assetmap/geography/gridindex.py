"""Exact point-in-polygon look-ups for many points through a two-level grid.

The question answered is the one ``geopandas.sjoin(points, polygons, predicate="intersects")``
answers, reduced to one polygon per point: the lowest polygon position among the polygons the
point intersects (a point on a border shared by several polygons gets the lowest), or ``-1``
when it intersects none. :func:`sjoin_lowest` is that definition written with geopandas;
:class:`GridIndex` gives identical answers much faster.

Algorithm
---------
Space is cut into half-open square fine cells ``[i*s, (i+1)*s) x [j*s, (j+1)*s)`` (offset by a
grid origin). A fine cell is a *border cell* when any polygon ring (exterior or hole) passes
through it. The rings are walked segment by segment: each segment is cut into pieces no longer
than ``s``, each piece marks the cells of its bounding box padded by a tiny ``pad``, and a cell of
that box is dropped again only when all four of its corners lie more than ``pad`` on the same side
of the segment's line. Every marked (cell, polygon) pair is kept, so each border cell knows the
polygons whose boundary crosses it (its *candidates*).

Non-border cells are grouped into 4-connected regions (labelled within the coarse grid and within
each block, then merged across block edges as a graph's connected components), and each region is
tested once, at one representative point, against every polygon; all its cells get the lowest
polygon found (or ``-1``). A query finds each point's cell with array arithmetic; only points in
border cells are tested exactly, against their own cell's candidates, lowest first, with GEOS's
prepared ``intersects`` (the predicate ``sjoin`` evaluates through its STRtree).

Storing England's extent at 50 m would take 150 million cells, so the grid has two levels: a
coarse grid (``cell_size``, 400 m by default) whose cells hold a final answer, and, for each coarse
cell crossed by a boundary, a ``refine x refine`` block of fine cells (50 m). A block stores one
byte per fine cell: a code into a short per-block table of values (a polygon, ``-1`` or a border
cell). Fine and coarse cells are both derived from one integer fine-cell index, so a coarse cell
is exactly the union of its block's fine cells.

Why the answers are exact
-------------------------
1. *Cells are consistent.* A point's fine column is ``floor((x - x0) / s)`` evaluated in floating
   point. Subtraction, division by a positive constant and ``floor`` are each monotone, so the
   computed column is a non-decreasing function of ``x``: each column is an interval of the real
   line and the intervals tile it. Build and query call the same function, so "the cell of a
   point" means the same thing in both.
2. *Border cells are complete.* Every point of a ring lies on one of its segments, hence on one of
   the segment's pieces. Each piece lies within the bounding box of its computed end points
   widened by floating-point error far below ``pad`` (the module checks the coordinates are
   small enough for that), and by monotonicity the cells meeting that box are the marked
   ranges. The corner test drops a cell only if the segment's whole supporting line misses it
   by more than ``pad``. So every cell containing a boundary point of polygon ``P`` is marked with
   ``P``.
3. *Regions are uniform.* Whether a point intersects a polygon can only change where the point
   crosses one of that polygon's rings (GEOS locates points by exact ray crossings, and a
   crossing count changes only when a ring is crossed). A region of 4-connected non-border
   cells is a connected set that no ring touches, so every point of it intersects the same
   polygons as its representative point; overlapping polygons make that set larger than one,
   and the lowest position is still right for the whole region.
4. *Border cells need only their candidates.* A polygon that is not a candidate of a border cell
   has no ring in it, so the cell lies wholly inside or wholly outside it. Which one is read
   from a non-border 4-neighbour's region (the two cells together form a connected set free of
   that polygon's rings) or, for a cell without such a neighbour, from a point of the cell
   itself. The lowest polygon found that way is the cell's *base* (``-1`` if none; on a valid
   coverage it is always ``-1``). Per point only candidates below the base are tested, lowest
   first, and the answer is the first hit, or else the base.
5. *Outside the grid is outside every polygon.* The grid has a margin of at least one coarse
   cell around all polygon coordinates; by monotonicity a point whose cell falls outside the grid
   lies outside the polygons' bounding box. NaN or infinite coordinates fail the range test and
   get ``-1``; ``sjoin`` matches nothing to them either.

Exactness does not depend on the polygons forming a valid coverage: overlaps, gaps, holes and
multi-part polygons are all handled by the same argument.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from geopandas import GeoSeries

__all__ = ["GridIndex", "QueryStats", "sjoin_lowest"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
GeomArray = npt.NDArray[np.object_]

#: File format written by :meth:`GridIndex.save`; bump when the arrays change meaning.
FORMAT_VERSION: Final = 1

_NONE: Final = -1
# Encoded references: a value v <= -2 in the coarse grid means "block -2 - v"; in a block table it
# means "border cell -2 - v". Values >= -1 are final answers.
_REF: Final = -2
# Boundary pieces processed at once while marking border cells (bounds their temporary arrays).
_PIECES_PER_CHUNK: Final = 500_000
# Largest grid accepted; beyond this the caller has chosen a cell size far too small.
_MAX_COARSE_CELLS: Final = 200_000_000
_POLYGONAL: Final = (3, 6)  # shapely type ids of Polygon and MultiPolygon
# Arrays in a saved index.
_SAVED: Final = (
    "format_version",
    "n_polygons",
    "checksum",
    "origin",
    "cell_size",
    "refine",
    "shape",
    "coarse",
    "codes",
    "table_start",
    "table",
    "base",
    "cand_start",
    "candidates",
)
_FOUR_CONNECTED: Final = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


def _read_saved(path: Path) -> dict[str, np.ndarray]:
    # Every array of a saved index, read in full: zipfile checks each member's CRC-32 as its
    # last byte is read, so a changed byte fails here (as a ValueError naming the file) rather
    # than changing an array.
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files if name in _SAVED}
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, NotImplementedError, RuntimeError...
        raise ValueError(
            f"{path} is damaged: {type(exc).__name__}: {exc}; rebuild the index"
        ) from exc


@dataclass(frozen=True)
class QueryStats:
    """What the last :meth:`GridIndex.query` did.

    Attributes
    ----------
    n_points
        Points queried.
    n_in_grid
        Points with finite coordinates inside the grid.
    n_in_blocks
        Points whose coarse cell is refined into a block of fine cells.
    n_exact
        Points in border cells, i.e. tested exactly.
    n_pairs
        Exact point-polygon tests run.
    seconds
        Wall time of the query.
    """

    n_points: int = 0
    n_in_grid: int = 0
    n_in_blocks: int = 0
    n_exact: int = 0
    n_pairs: int = 0
    seconds: float = 0.0

    @property
    def exact_share(self) -> float:
        """Share of the queried points tested exactly (0 when nothing was queried)."""
        return self.n_exact / self.n_points if self.n_points else 0.0


@dataclass(eq=False)
class GridIndex:
    """Two-level grid over a set of polygons for exact, vectorised point look-ups.

    Build with :meth:`build` (or :meth:`load` a saved one); query with :meth:`query`. The module
    docstring explains the layout and why the answers equal :func:`sjoin_lowest`'s.

    Attributes
    ----------
    polygons
        The indexed polygons, in the order positions refer to (prepared in place for GEOS).
    origin
        ``(x0, y0)``, the lower-left corner of the grid.
    cell_size
        Side of a coarse cell.
    refine
        Fine cells per coarse cell side (a power of two).
    shape
        Coarse grid ``(rows, columns)``.
    coarse
        Coarse cells, row-major: a polygon position, ``-1``, or ``-2 - block``.
    codes
        ``(n_blocks, refine**2)`` uint8 codes of the fine cells, row-major inside a block.
    table_start
        Where each block's value table starts in ``table`` (length ``n_blocks + 1``).
    table
        Block tables: a polygon position, ``-1``, or ``-2 - border cell``.
    base
        Per border cell: lowest polygon containing the whole cell without a ring in it, or -1.
    cand_start
        Where each border cell's candidates start in ``candidates`` (length ``n_border + 1``).
    candidates
        Per border cell, ascending polygon positions whose rings cross it (only those below
        the cell's base are kept).
    checksum
        Digest of the polygons' coordinates, checked by :meth:`load`.
    build_seconds
        Build time (NaN for a loaded index).
    """

    polygons: GeomArray
    origin: tuple[float, float]
    cell_size: float
    refine: int
    shape: tuple[int, int]
    coarse: Int32Array
    codes: npt.NDArray[np.uint8]
    table_start: Int32Array
    table: Int32Array
    base: Int32Array
    cand_start: Int32Array
    candidates: Int32Array
    checksum: str
    build_seconds: float = math.nan
    _last: QueryStats = field(default_factory=QueryStats, repr=False)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        polygons: GeomArray | GeoSeries,
        *,
        cell_size: float = 400.0,
        refine: int = 8,
    ) -> GridIndex:
        """Index polygons.

        Parameters
        ----------
        polygons
            Polygons or multipolygons (missing or empty entries are allowed and never match)
            in a projected CRS; positions in this order are what :meth:`query` returns.
        cell_size
            Side of a coarse cell in CRS units. Each coarse cell a boundary crosses is split into
            ``refine x refine`` fine cells; only points in fine cells crossed by a boundary are
            tested exactly.
        refine
            Fine cells per coarse cell side: 1, 2, 4, 8 or 16.

        Returns
        -------
        GridIndex

        Raises
        ------
        ValueError
            For non-polygonal geometries, a bad ``cell_size`` or ``refine``, or coordinates
            too large for the cell size to keep the index exact.
        """
        start = time.perf_counter()
        geoms = _geometry_array(polygons)
        if refine not in (1, 2, 4, 8, 16):
            raise ValueError(f"refine must be 1, 2, 4, 8 or 16, not {refine}")
        if not (math.isfinite(cell_size) and cell_size > 0):
            raise ValueError(f"cell_size must be a positive number, not {cell_size}")
        shapely.prepare(geoms)
        checksum = _checksum(geoms)
        ax, ay, bx, by, seg_poly = _ring_segments(geoms)
        grid = _Grid.around(np.concatenate([ax, bx]), np.concatenate([ay, by]), cell_size, refine)
        keys = _mark_border_cells(grid, ax, ay, bx, by, seg_poly, len(geoms))
        arrays = _assemble(grid, keys, geoms)
        index = cls(
            polygons=geoms,
            origin=(grid.x0, grid.y0),
            cell_size=float(cell_size),
            refine=refine,
            shape=(grid.ny, grid.nx),
            coarse=arrays.coarse,
            codes=arrays.codes,
            table_start=arrays.table_start,
            table=arrays.table,
            base=arrays.base,
            cand_start=arrays.cand_start,
            candidates=arrays.candidates,
            checksum=checksum,
        )
        index.build_seconds = time.perf_counter() - start
        return index

    # ------------------------------------------------------------------ querying

    def query(self, x: npt.ArrayLike, y: npt.ArrayLike) -> IntArray:
        """Polygon position of each point: the lowest among those it intersects.

        Parameters
        ----------
        x, y
            Point coordinates in the polygons' CRS, same shape. NaN or infinite coordinates
            intersect nothing.

        Returns
        -------
        numpy.ndarray
            int64 array of ``x``'s shape: the lowest position of a polygon the point intersects
            (boundary included), or ``-1``.
        """
        start = time.perf_counter()
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        if xa.shape != ya.shape:
            raise ValueError(f"x and y differ in shape: {xa.shape} vs {ya.shape}")
        shape = xa.shape
        xa, ya = xa.ravel(), ya.ravel()
        out = np.full(xa.size, _NONE, dtype=np.int64)

        grid = self._grid
        fx = grid.fine_x(xa)
        fy = grid.fine_y(ya)
        # Comparisons with NaN are False, so NaN and out-of-grid points stay -1; they are also
        # removed before the cast to int, which would be undefined for them.
        inside = (fx >= 0) & (fx < grid.nfx) & (fy >= 0) & (fy < grid.nfy)
        sub: IntArray | None = None
        if not inside.all():
            sub = np.flatnonzero(inside)
            fx, fy, xa, ya = fx[sub], fy[sub], xa[sub], ya[sub]
        ix = fx.astype(np.int64)
        iy = fy.astype(np.int64)
        sh, mask = grid.shift, grid.refine - 1

        value = self.coarse[(iy >> sh) * grid.nx + (ix >> sh)].astype(np.int64)
        in_block = np.flatnonzero(value <= _REF)
        n_exact = n_pairs = 0
        if in_block.size:
            block = _REF - value[in_block]
            local = ((iy[in_block] & mask) << sh) | (ix[in_block] & mask)
            code = self.codes.ravel()[(block << (2 * sh)) | local]
            fine = self.table[self.table_start[block] + code].astype(np.int64)
            on_border = np.flatnonzero(fine <= _REF)
            if on_border.size:
                pts = in_block[on_border]
                fine[on_border], n_pairs = self._exact(xa[pts], ya[pts], _REF - fine[on_border])
                n_exact = int(on_border.size)
            value[in_block] = fine

        if sub is None:
            out = value
        else:
            out[sub] = value
        self._last = QueryStats(
            n_points=int(out.size),
            n_in_grid=int(ix.size),
            n_in_blocks=int(in_block.size),
            n_exact=n_exact,
            n_pairs=n_pairs,
            seconds=time.perf_counter() - start,
        )
        return out.reshape(shape)

    def _exact(self, x: FloatArray, y: FloatArray, cell: IntArray) -> tuple[IntArray, int]:
        """Lowest candidate each border point intersects, else its cell's base.

        Candidates are ascending, so they are tried in rounds from the lowest up and a point
        leaves as soon as one hits: that first hit is the lowest. Every candidate is below the
        base, so a hit always beats it. On a coverage most points hit their first or second
        candidate, which saves about a quarter of the GEOS calls over testing them all.
        """
        first = self.cand_start[cell].astype(np.int64)
        count = self.cand_start[cell + 1] - first
        result = self.base[cell].astype(np.int64)
        active = np.flatnonzero(count > 0)
        n_pairs = 0
        rank = 0
        while active.size:
            cand = self.candidates[first[active] + rank].astype(np.int64)
            hit = shapely.intersects_xy(self.polygons[cand], x[active], y[active])
            result[active[hit]] = cand[hit]
            n_pairs += active.size
            rank += 1
            active = active[~hit & (count[active] > rank)]
        return result, n_pairs

    # ------------------------------------------------------------------ persistence

    def save(self, path: Path) -> None:
        """Write the grid arrays and metadata to an ``.npz`` file (no pickled objects).

        Parameters
        ----------
        path
            Destination; numpy appends ``.npz`` when missing.
        """
        np.savez_compressed(
            path,
            format_version=np.array(FORMAT_VERSION),
            n_polygons=np.array(len(self.polygons)),
            checksum=np.array(self.checksum),
            origin=np.array(self.origin, dtype=np.float64),
            cell_size=np.array(self.cell_size),
            refine=np.array(self.refine),
            shape=np.array(self.shape, dtype=np.int64),
            coarse=self.coarse,
            codes=self.codes,
            table_start=self.table_start,
            table=self.table,
            base=self.base,
            cand_start=self.cand_start,
            candidates=self.candidates,
        )

    @classmethod
    def load(cls, path: Path, polygons: GeomArray | GeoSeries) -> GridIndex:
        """Read an index written by :meth:`save`.

        Parameters
        ----------
        path
            The ``.npz`` file.
        polygons
            The same polygons, in the same order, as were indexed: exact tests need them and
            they are not stored in the file.

        Returns
        -------
        GridIndex

        Raises
        ------
        ValueError
            If the file is not a saved index, is damaged (a changed byte fails the CRC-32 that
            the ``.npz`` holds for each array) or of another format version, or if ``polygons``
            differ (count or coordinates) from the indexed ones.
        """
        geoms = _geometry_array(polygons)
        # np.load would read a non-zip file as a pickle and fail with a misleading message.
        if not zipfile.is_zipfile(path):
            raise ValueError(f"{path} is not a grid index written by GridIndex.save; rebuild it")
        data = _read_saved(path)
        missing = sorted(set(_SAVED) - set(data))
        if missing:
            raise ValueError(f"{path} is not a grid index (no {', '.join(missing)}); rebuild it")
        version = int(data["format_version"])
        if version != FORMAT_VERSION:
            raise ValueError(
                f"{path}: grid index format {version}, this code reads {FORMAT_VERSION}"
            )
        n_saved = int(data["n_polygons"])
        if n_saved != len(geoms):
            raise ValueError(
                f"{path} indexes {n_saved} polygons but {len(geoms)} were given; "
                "rebuild the index for these polygons"
            )
        checksum = str(data["checksum"])
        if checksum != _checksum(geoms):
            raise ValueError(
                f"{path}: the polygons given differ from the indexed ones (coordinate "
                "checksum mismatch); pass the same polygons in the same order or rebuild"
            )
        x0, y0 = (float(v) for v in data["origin"])
        rows, cols = (int(v) for v in data["shape"])
        shapely.prepare(geoms)
        return cls(
            polygons=geoms,
            origin=(x0, y0),
            cell_size=float(data["cell_size"]),
            refine=int(data["refine"]),
            shape=(rows, cols),
            coarse=data["coarse"],
            codes=data["codes"],
            table_start=data["table_start"],
            table=data["table"],
            base=data["base"],
            cand_start=data["cand_start"],
            candidates=data["candidates"],
            checksum=checksum,
        )

    # ------------------------------------------------------------------ reporting

    @property
    def _grid(self) -> _Grid:
        (x0, y0), (rows, cols) = self.origin, self.shape
        return _Grid(x0, y0, self.cell_size, self.refine, nx=cols, ny=rows)

    @property
    def fine_cell_size(self) -> float:
        """Side of a fine cell."""
        return self.cell_size / self.refine

    @property
    def n_polygons(self) -> int:
        """Number of indexed polygons."""
        return len(self.polygons)

    @property
    def n_blocks(self) -> int:
        """Coarse cells refined into fine blocks (those crossed by a boundary)."""
        return int(self.codes.shape[0])

    @property
    def n_border_cells(self) -> int:
        """Fine cells crossed by a boundary, whose points are tested exactly."""
        return int(self.base.size)

    @property
    def mean_candidates(self) -> float:
        """Mean number of candidate polygons per border cell."""
        return self.candidates.size / self.base.size if self.base.size else 0.0

    @property
    def nbytes(self) -> int:
        """Bytes held by the grid arrays (the polygons themselves not counted)."""
        arrays = (
            self.coarse,
            self.codes,
            self.table_start,
            self.table,
            self.base,
            self.cand_start,
            self.candidates,
        )
        return sum(a.nbytes for a in arrays)

    @property
    def last_query(self) -> QueryStats:
        """Counts and timing of the most recent :meth:`query`."""
        return self._last

    @property
    def exact_share(self) -> float:
        """Share of the points of the most recent :meth:`query` that were tested exactly."""
        return self._last.exact_share


def sjoin_lowest(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    polygons: GeomArray | GeoSeries,
    *,
    timings: dict[str, float] | None = None,
) -> IntArray:
    """The reference answer, written the plain geopandas way.

    Builds a point GeoDataFrame from ``x, y``, runs ``geopandas.sjoin(points, polygons,
    predicate="intersects")`` and keeps, per point, the lowest polygon position matched.

    Parameters
    ----------
    x, y
        Point coordinates in the polygons' CRS (1-D, same length).
    polygons
        Polygons; positions (not index labels) are returned.
    timings
        When given, filled with seconds spent in ``"points"`` (building the points frame),
        ``"sjoin"`` and ``"lowest"`` (the per-point reduction).

    Returns
    -------
    numpy.ndarray
        int64 polygon position per point, ``-1`` where no polygon intersects the point.
    """
    geoms = _geometry_array(polygons)
    crs = polygons.crs if isinstance(polygons, GeoSeries) else None
    t0 = time.perf_counter()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=crs)
    t1 = time.perf_counter()
    right = gpd.GeoDataFrame(geometry=geoms, crs=crs)  # RangeIndex: index_right is the position
    joined = gpd.sjoin(points, right, predicate="intersects", how="inner")
    t2 = time.perf_counter()
    lowest = np.full(len(points), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest, joined.index.to_numpy(), joined["index_right"].to_numpy(np.int64))
    lowest[lowest == np.iinfo(np.int64).max] = _NONE
    if timings is not None:
        timings.update(points=t1 - t0, sjoin=t2 - t1, lowest=time.perf_counter() - t2)
    return lowest


# ---------------------------------------------------------------------- internals


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
        """Fine column as a float (NaN stays NaN). Monotone in ``x``: see the module notes."""
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


def _ring_segments(
    geoms: GeomArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
    """Every ring segment ``(a, b)`` of every polygon, with the polygon's position."""
    parts, part_poly = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = coord_ring[:-1] == coord_ring[1:]
    a, b = coords[:-1][same_ring], coords[1:][same_ring]
    seg_poly = part_poly[ring_part[coord_ring[:-1][same_ring]]].astype(np.int64)
    return a[:, 0].copy(), a[:, 1].copy(), b[:, 0].copy(), b[:, 1].copy(), seg_poly


def _mark_border_cells(
    grid: _Grid,
    ax: FloatArray,
    ay: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    seg_poly: IntArray,
    n_poly: int,
) -> IntArray:
    """Sorted unique keys ``cell_key << _poly_bits(n_poly) | polygon`` of the cells rings touch."""
    if ax.size == 0:
        return np.empty(0, dtype=np.int64)
    bits = _poly_bits(n_poly)
    if grid.nfx * grid.nfy >= 2 ** (62 - bits):
        raise ValueError("grid too fine for this many polygons: cell keys would overflow")
    size = grid.fine_size
    pad = _pad(max(np.abs([ax, ay, bx, by]).max(), size))
    dx, dy = bx - ax, by - ay
    length = np.hypot(dx, dy)
    # Pieces no longer than a fine cell span at most three cells per axis (two plus the pad).
    n_pieces = np.maximum(np.ceil(length / size), 1).astype(np.int64)
    ends = np.cumsum(n_pieces)
    cuts = np.searchsorted(ends, np.arange(_PIECES_PER_CHUNK, ends[-1], _PIECES_PER_CHUNK))
    bounds = np.unique(np.concatenate([[0], cuts + 1, [ax.size]]).clip(0, ax.size))

    chunks: list[IntArray] = []
    for lo, hi in itertools.pairwise(bounds):
        seg, k = _expand(np.zeros(hi - lo, dtype=np.int64), n_pieces[lo:hi])
        seg += lo
        n = n_pieces[seg].astype(np.float64)
        t0, t1 = k / n, (k + 1) / n
        sx, sy, ddx, ddy = ax[seg], ay[seg], dx[seg], dy[seg]
        px0, px1 = sx + ddx * t0, sx + ddx * t1
        py0, py1 = sy + ddy * t0, sy + ddy * t1
        cx0 = grid.fine_x(np.minimum(px0, px1) - pad).astype(np.int64)
        cy0 = grid.fine_y(np.minimum(py0, py1) - pad).astype(np.int64)
        span_x = grid.fine_x(np.maximum(px0, px1) + pad).astype(np.int64) - cx0
        span_y = grid.fine_y(np.maximum(py0, py1) + pad).astype(np.int64) - cy0
        if max(span_x.max(), span_y.max()) > 2:
            raise RuntimeError("a boundary piece spans more than three cells")  # pragma: no cover
        # Signed area (twice the triangle) of the segment's line and a cell corner, in units of
        # |segment| x distance: at the lower-left corner of cell (cx0, cy0) it is ``area``; each
        # step right subtracts ``step_y``, each step up adds ``step_x``.
        area = ddx * (grid.y0 + cy0 * size - sy) - ddy * (grid.x0 + cx0 * size - sx)
        step_x, step_y = ddx * size, ddy * size
        # Over one cell's four corners the area ranges over [corner + low, corner + high].
        low = np.minimum(0, -step_y) + np.minimum(0, step_x)
        high = np.maximum(0, -step_y) + np.maximum(0, step_x)
        tol = pad * length[seg]
        poly = seg_poly[seg]
        # Keys laid out piece by piece (slots of one piece side by side), so the many repeats
        # from consecutive pieces crossing the same cell sit close together and a few shifted
        # comparisons remove most of them before the one big sort.
        keys = np.full((seg.size, 4), -1, dtype=np.int64)
        extra: list[IntArray] = []
        wide = np.flatnonzero((span_x == 2) | (span_y == 2))  # rare: a piece near a cell edge
        for ox in range(3):
            for oy in range(3):
                rows = np.s_[:] if ox < 2 and oy < 2 else wide
                corner = area[rows] + oy * step_x[rows] - ox * step_y[rows]
                # Drop a cell only if all four corners are clearly on one side of the line.
                ok = (
                    (span_x[rows] >= ox)
                    & (span_y[rows] >= oy)
                    & (corner + low[rows] <= tol[rows])
                    & (corner + high[rows] >= -tol[rows])
                )
                cell = grid.cell_key(cx0[rows][ok] + ox, cy0[rows][ok] + oy)
                if ox < 2 and oy < 2:
                    keys[ok, 2 * ox + oy] = (cell << bits) | poly[ok]
                else:
                    extra.append((cell << bits) | poly[rows][ok])
        flat = keys.ravel()
        flat = flat[flat >= 0]
        fresh = np.ones(flat.size, dtype=bool)
        for lag in range(1, 5):
            fresh[lag:] &= flat[lag:] != flat[:-lag]
        chunks.append(flat[fresh])
        chunks.extend(extra)
    return _sorted_unique(np.concatenate(chunks))


def _poly_bits(n_poly: int) -> int:
    """Bits that hold a polygon position in a packed (cell, polygon) key."""
    return max(n_poly - 1, 1).bit_length()


def _run_starts(a: IntArray) -> npt.NDArray[np.bool_]:
    """True where an element differs from the one before it (and at the first element)."""
    starts = np.ones(a.size, dtype=bool)
    starts[1:] = a[1:] != a[:-1]
    return starts


def _sorted_unique(a: IntArray) -> IntArray:
    """``np.unique`` through a plain sort: numpy 2.4's ``unique`` is ~10x slower on 10M int64."""
    a = np.sort(a)
    return a[_run_starts(a)]


def _expand(first: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
    """Flatten ranges ``first[i] : first[i] + count[i]``.

    Returns
    -------
    tuple of numpy.ndarray
        The range number and the value of every element.
    """
    total = int(count.sum())
    owner = np.repeat(np.arange(count.size, dtype=np.int64), count)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return owner, first[owner] + offset


def _lowest_per_group(group: IntArray, value: IntArray, n_groups: int) -> IntArray:
    """Smallest value per group id, ``-1`` for groups without values."""
    big = np.iinfo(np.int64).max
    out = np.full(n_groups, big, dtype=np.int64)
    np.minimum.at(out, group, value)
    out[out == big] = _NONE
    return out


@dataclass(frozen=True)
class _Arrays:
    """The stored arrays of a :class:`GridIndex` (see its attributes)."""

    coarse: Int32Array
    codes: npt.NDArray[np.uint8]
    table_start: Int32Array
    table: Int32Array
    base: Int32Array
    cand_start: Int32Array
    candidates: Int32Array


def _assemble(grid: _Grid, keys: IntArray, geoms: GeomArray) -> _Arrays:
    """Turn the marked (cell, polygon) pairs into the stored arrays."""
    bits = _poly_bits(len(geoms))
    border = _Border.from_keys(grid, keys, bits)
    regions = _Regions.label(grid, border)
    cell_set, rep, poly = _representatives(grid, geoms, border, regions)
    of_comp = rep < regions.n_comp
    comp_value = _lowest_per_group(rep[of_comp], poly[of_comp], regions.n_comp)
    base = _bases(border, cell_set, rep, poly, bits)
    del cell_set, rep, poly, of_comp

    # Candidates at or above the base can never be the answer.
    pair_base = base[border.pair_cell]
    keep = (pair_base < 0) | (border.pair_poly < pair_base)
    del pair_base
    cand_start = np.concatenate(
        [[0], np.cumsum(np.bincount(border.pair_cell[keep], minlength=border.size))]
    )
    candidates = border.pair_poly[keep]
    del keep

    plain = regions.coarse_block < 0
    coarse = _REF - regions.coarse_block
    coarse[plain] = comp_value[regions.comp[regions.lab_c[plain] - 1]]
    codes, table_start, table = _block_tables(border, regions, comp_value)
    return _Arrays(
        coarse=coarse.astype(np.int32),
        codes=codes,
        table_start=table_start.astype(np.int32),
        table=table.astype(np.int32),
        base=base.astype(np.int32),
        cand_start=cand_start.astype(np.int32),
        candidates=candidates.astype(np.int32),
    )


def _representatives(
    grid: _Grid, geoms: GeomArray, border: _Border, regions: _Regions
) -> tuple[IntArray, IntArray, IntArray]:
    """Test one point per component, and one per border cell that has no region next to it.

    Each border cell borrows the region of a non-border 4-neighbour; a "lonely" cell without
    one is represented by its own centre. Representatives are numbered components first
    (``0 .. n_comp - 1``), then lonely cells.

    Returns
    -------
    tuple of numpy.ndarray
        The representative standing for each border cell, and the (representative, polygon)
        pairs of every polygon each representative's point intersects, sorted by
        representative.
    """
    bfx, bfy = grid.key_to_fine(border.key)
    cell_set = np.full(border.size, -1, dtype=np.int64)
    for ox, oy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        todo = np.flatnonzero(cell_set < 0)
        node = regions.node_at(grid, bfx[todo] + ox, bfy[todo] + oy)
        cell_set[todo] = np.where(node >= 0, regions.comp[np.maximum(node, 0)], -1)
    lonely = np.flatnonzero(cell_set < 0)
    cell_set[lonely] = regions.n_comp + np.arange(lonely.size)

    comp_fx, comp_fy = regions.component_cells(grid, border.block_coarse)
    rep_x, rep_y = grid.centres(
        np.concatenate([comp_fx, bfx[lonely]]), np.concatenate([comp_fy, bfy[lonely]])
    )
    tree = shapely.STRtree(geoms)
    rep, poly = tree.query(shapely.points(rep_x, rep_y), predicate="intersects").astype(np.int64)
    order = np.argsort(rep, kind="stable")
    return cell_set, rep[order], poly[order]


def _bases(
    border: _Border, cell_set: IntArray, rep: IntArray, poly: IntArray, bits: int
) -> IntArray:
    """Per border cell, the lowest polygon of its representative's set that is not one of its
    candidates (those are decided per point), or ``-1``."""
    set_start = np.searchsorted(rep, np.arange(cell_set.max(initial=-1) + 2))
    first = set_start[cell_set]
    owner, pos = _expand(first, set_start[cell_set + 1] - first)
    member = poly[pos]
    pairs = (border.pair_cell.astype(np.int64) << bits) | border.pair_poly
    is_cand = _contains_sorted(pairs, (owner << bits) | member)
    return _lowest_per_group(owner[~is_cand], member[~is_cand], border.size)


@dataclass(frozen=True)
class _Border:
    """Border cells, block by block, and their (cell, candidate polygon) pairs."""

    key: IntArray  # fine-cell key of each border cell, ascending
    block: Int32Array  # its block
    local: Int32Array  # its place in the block
    block_coarse: IntArray  # coarse cell of each block
    pair_cell: Int32Array  # border cell of each pair
    pair_poly: Int32Array  # polygon of each pair, ascending within a cell

    @classmethod
    def from_keys(cls, grid: _Grid, keys: IntArray, bits: int) -> _Border:
        cell = keys >> bits
        new_cell = _run_starts(cell)
        key = cell[new_cell]
        del cell
        coarse = key >> (2 * grid.shift)
        new_block = _run_starts(coarse)
        return cls(
            key=key,
            block=(np.cumsum(new_block) - 1).astype(np.int32),
            local=(key & (grid.refine**2 - 1)).astype(np.int32),
            block_coarse=coarse[new_block],
            pair_cell=(np.cumsum(new_cell) - 1).astype(np.int32),
            pair_poly=(keys & ((1 << bits) - 1)).astype(np.int32),
        )

    @property
    def size(self) -> int:
        return int(self.key.size)

    @property
    def n_blocks(self) -> int:
        return int(self.block_coarse.size)


@dataclass(frozen=True)
class _Regions:
    """Connected regions of non-border cells.

    Plain coarse cells are labelled on the coarse grid (label ``L`` is graph node ``L - 1``) and
    non-border fine cells within each block (label ``L`` is node ``n_c + L - 1``); nodes that
    touch across a block's edge are merged into components.
    """

    coarse_block: IntArray  # block of each coarse cell, -1 for a plain coarse cell
    lab_c: Int32Array  # coarse label of each coarse cell, 0 for blocks
    lab_f: Int32Array  # (n_blocks, refine**2) fine labels, 0 for border cells
    n_c: int
    n_f: int
    block_max: IntArray  # highest fine label in each block or any block before it
    comp: IntArray  # component of each node
    n_comp: int

    @classmethod
    def label(cls, grid: _Grid, border: _Border) -> _Regions:
        # scipy is only needed to build an index (not to load or query one): importing it here
        # keeps it out of every dashboard page's start-up.
        from scipy import ndimage
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        r = grid.refine
        coarse_block = np.full(grid.nx * grid.ny, -1, dtype=np.int64)
        coarse_block[border.block_coarse] = np.arange(border.n_blocks)
        lab_c, n_c = ndimage.label((coarse_block < 0).reshape(grid.ny, grid.nx), _FOUR_CONNECTED)
        fine_border = np.zeros((border.n_blocks, r * r), dtype=bool)
        fine_border[border.block, border.local] = True
        in_plane = np.zeros((3, 3, 3), dtype=bool)
        in_plane[1] = _FOUR_CONNECTED  # never join cells of different blocks here
        lab_f, n_f = ndimage.label(~fine_border.reshape(-1, r, r), in_plane)
        lab_f = lab_f.reshape(-1, r * r)
        # ndimage numbers labels in scan order, so each block's labels form one consecutive
        # run; the block tables rely on it, so check it.
        block_max = np.maximum.accumulate(lab_f.max(axis=1, initial=0)).astype(np.int64)
        before = np.concatenate([[0], block_max[:-1]])
        block_min = np.where(fine_border, n_f + 1, lab_f).min(axis=1, initial=n_f + 1)
        if np.any((block_min <= before) & (block_min <= n_f)):
            raise RuntimeError("fine labels are not numbered block by block")  # pragma: no cover
        del fine_border, block_min
        lab_c = lab_c.ravel()
        u, v = _block_edges(grid, border.block_coarse, coarse_block, lab_c, n_c, lab_f)
        n_nodes = n_c + n_f
        graph = coo_matrix((np.ones(u.size, dtype=np.int8), (u, v)), shape=(n_nodes, n_nodes))
        n_comp, comp = connected_components(graph, directed=False)
        return cls(
            coarse_block=coarse_block,
            lab_c=lab_c,
            lab_f=lab_f,
            n_c=n_c,
            n_f=n_f,
            block_max=block_max,
            comp=comp.astype(np.int64),
            n_comp=int(n_comp),
        )

    def node_at(self, grid: _Grid, fx: IntArray, fy: IntArray) -> IntArray:
        """Region node of fine cells ``(fx, fy)``, ``-1`` for border cells."""

        sh, mask = grid.shift, grid.refine - 1
        coarse = (fy >> sh) * grid.nx + (fx >> sh)
        block = self.coarse_block[coarse]
        node = self.lab_c[coarse].astype(np.int64) - 1
        inside = block >= 0
        slot = (block[inside] << (2 * sh)) | ((fy[inside] & mask) << sh) | (fx[inside] & mask)
        node[inside] = _fine_nodes(self.lab_f.ravel()[slot], self.n_c)
        return node

    def component_cells(self, grid: _Grid, block_coarse: IntArray) -> tuple[IntArray, IntArray]:
        """A fine cell ``(fx, fy)`` inside each component."""
        node = np.empty(self.n_comp, dtype=np.int64)
        node[self.comp] = np.arange(self.comp.size)  # any node of a component will do
        fx = np.empty(node.size, dtype=np.int64)
        fy = np.empty(node.size, dtype=np.int64)
        r = grid.refine
        coarse_nodes = node < self.n_c
        if coarse_nodes.any():
            labelled = np.flatnonzero(self.lab_c)
            cell_of_label = np.empty(self.n_c, dtype=np.int64)
            cell_of_label[self.lab_c[labelled] - 1] = labelled  # any cell of the label will do
            cy, cx = np.divmod(cell_of_label[node[coarse_nodes]], grid.nx)
            fx[coarse_nodes] = cx * r + r // 2
            fy[coarse_nodes] = cy * r + r // 2
        fine_nodes = ~coarse_nodes
        if fine_nodes.any():
            label = node[fine_nodes] - self.n_c + 1
            block = np.searchsorted(self.block_max, label)
            local = np.argmax(self.lab_f[block] == label[:, None], axis=1)
            fx[fine_nodes], fy[fine_nodes] = grid.key_to_fine(
                (block_coarse[block] << (2 * grid.shift)) | local
            )
        return fx, fy


def _block_tables(
    border: _Border, regions: _Regions, comp_value: IntArray
) -> tuple[npt.NDArray[np.uint8], IntArray, IntArray]:
    """Codes of the fine cells and the per-block tables they index.

    A block's table lists the values of its fine labels (consecutive numbers, so a label's
    entry is ``label - first label of the block``) followed by references to its border cells.
    A block's labels and border cells are distinct cells of it, so a code fits in a byte for
    ``refine <= 16``. Consumes ``regions.lab_f`` (turned into the codes in place).
    """
    n_blocks = border.n_blocks
    before = np.concatenate([[0], regions.block_max[:-1]])
    n_labels = regions.block_max - before
    n_border_in = np.bincount(border.block, minlength=n_blocks)
    table_start = np.concatenate([[0], np.cumsum(n_labels + n_border_in)])
    rank = np.arange(border.size) - (np.cumsum(n_border_in) - n_border_in)[border.block]

    code = regions.lab_f
    code -= (before + 1).astype(code.dtype)[:, None]  # border cells are overwritten next
    code[border.block, border.local] = n_labels[border.block] + rank

    table = np.empty(int(table_start[-1]), dtype=np.int64)
    label = np.arange(regions.n_f)
    label_block = np.searchsorted(regions.block_max, label + 1)
    table[table_start[label_block] + label - before[label_block]] = comp_value[
        regions.comp[regions.n_c + label]
    ]
    table[table_start[border.block] + n_labels[border.block] + rank] = _REF - np.arange(border.size)
    return code.astype(np.uint8), table_start, table


def _contains_sorted(sorted_keys: IntArray, keys: IntArray) -> npt.NDArray[np.bool_]:
    """Membership of ``keys`` in an ascending array."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    pos = np.searchsorted(sorted_keys, keys).clip(max=sorted_keys.size - 1)
    return sorted_keys[pos] == keys


def _fine_nodes(labels: Int32Array, n_c: int) -> IntArray:
    """Region nodes of fine labels, ``-1`` for border cells (label 0)."""
    return np.where(labels > 0, n_c + labels.astype(np.int64) - 1, -1)


def _block_edges(
    grid: _Grid,
    block_coarse: IntArray,
    coarse_block: IntArray,
    lab_c: Int32Array,
    n_c: int,
    lab_f: Int32Array,
) -> tuple[IntArray, IntArray]:
    """Pairs of region nodes that touch across a block's edge.

    Coarse-coarse contacts are already merged by labelling the coarse grid; this adds
    block-to-block contacts (each once, towards +x and +y) and block-to-coarse contacts.
    """
    r = grid.refine
    fine = lab_f.reshape(-1, r, r)  # [block, row, column]
    edges_u: list[IntArray] = []
    edges_v: list[IntArray] = []
    # (step in x, step in y, this block's edge cells, the facing edge of a +x/+y neighbour)
    sides = (
        (1, 0, fine[:, :, r - 1], fine[:, :, 0]),
        (-1, 0, fine[:, :, 0], None),
        (0, 1, fine[:, r - 1, :], fine[:, 0, :]),
        (0, -1, fine[:, 0, :], None),
    )
    for ox, oy, own, facing in sides:
        neighbour = block_coarse + ox + oy * grid.nx
        other = coarse_block[neighbour]
        # Towards a plain coarse cell: every non-border fine cell on this edge touches it.
        to_coarse = other < 0
        mine = own[to_coarse]
        theirs = np.broadcast_to((lab_c[neighbour[to_coarse]] - 1)[:, None], mine.shape)
        keep = _first_of_runs(mine, theirs)
        edges_u.append(_fine_nodes(mine[keep], n_c))
        edges_v.append(theirs[keep].astype(np.int64))
        # Towards another block: the facing fine cells touch.
        if facing is not None:
            to_block = ~to_coarse
            mine, theirs = own[to_block], facing[other[to_block]]
            keep = _first_of_runs(mine, theirs)
            edges_u.append(_fine_nodes(mine[keep], n_c))
            edges_v.append(_fine_nodes(theirs[keep], n_c))
    u = np.concatenate(edges_u)
    v = np.concatenate(edges_v)
    keep = (u >= 0) & (v >= 0)
    return u[keep], v[keep]


def _first_of_runs(a: Int32Array, b: Int32Array) -> npt.NDArray[np.bool_]:
    """Along each row, True where the pair ``(a, b)`` differs from the one before it.

    The cells along a block's edge mostly share one label, so this drops most repeated edges
    before they reach the graph.
    """
    first = np.ones(a.shape, dtype=bool)
    first[:, 1:] = (a[:, 1:] != a[:, :-1]) | (b[:, 1:] != b[:, :-1])
    return first
