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
   widened by floating-point error far below ``pad`` (the build checks the coordinates are
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

This module holds the index, its queries and its files; building it (border cells, regions, the
stored arrays) is in :mod:`assetmap.geography.gridbuild`, and the cell arithmetic that build and
query share (point 1) in :mod:`assetmap.geography.gridcells`.
"""

from __future__ import annotations

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

from assetmap.geography.gridbuild import _assemble, _mark_border_cells, _ring_segments
from assetmap.geography.gridcells import (
    _NONE,
    _REF,
    FloatArray,
    GeomArray,
    Int32Array,
    IntArray,
    _checksum,
    _geometry_array,
    _Grid,
)

__all__ = ["GridIndex", "QueryStats", "sjoin_lowest"]

#: File format written by :meth:`GridIndex.save`; bump when the arrays change meaning.
FORMAT_VERSION: Final = 1

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
