"""Building a grid index: marking border cells, labelling regions, assembling the arrays.

Internals of :meth:`assetmap.geography.gridindex.GridIndex.build`; the module docstring of
:mod:`assetmap.geography.gridindex` explains each step and why the result is exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely

from assetmap.geography.gridcells import (
    _NONE,
    _REF,
    FloatArray,
    GeomArray,
    Int32Array,
    IntArray,
    _Grid,
    _pad,
)

# Boundary pieces processed at once while marking border cells (bounds their temporary arrays).
_PIECES_PER_CHUNK: Final = 500_000
_FOUR_CONNECTED: Final = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


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
    """The stored arrays of a :class:`~assetmap.geography.gridindex.GridIndex` (its attributes)."""

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
