"""GridIndex against its definition, sjoin_lowest, on England's real LSOAs and postcodes.

Every comparison is array equality with geopandas' own answer, on points chosen to be hard:
polygon vertices, points exactly on shared borders (where the lowest position must win),
points one float step off vertices and borders, points on and one step below grid-cell edges,
points outside the grid, NaN and infinities; on the cleaned coverage, on the raw polygons
(which overlap), and on synthetic overlaps built from real LSOAs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import affinity

from assetmap import settings
from assetmap.geography import geocode
from assetmap.geography.gridindex import GridIndex, sjoin_lowest

LSOA_FILE = settings.SOURCE_DIR / "boundaries_lsoa21.parquet"
N_ENGLISH_LSOAS = 33_755
# A London neighbourhood of real LSOAs for the synthetic cases (small enough to build fast).
CENTRE = (530_000.0, 180_000.0)


@pytest.fixture(scope="module")
def raw() -> np.ndarray:
    """England's LSOA 2021 polygons in EPSG:27700, sorted by code, exactly as published."""
    lsoas = gpd.read_parquet(LSOA_FILE)
    lsoas = lsoas[lsoas["lsoa21_code"].str.startswith("E")]
    lsoas = lsoas.sort_values("lsoa21_code").reset_index(drop=True).to_crs(settings.CRS_METRIC)
    return np.asarray(lsoas.geometry.array, dtype=object)


@pytest.fixture(scope="module")
def cleaned(raw: np.ndarray) -> np.ndarray:
    """The same polygons made into a valid coverage, as the project uses them."""
    return np.asarray(shapely.coverage_clean(raw), dtype=object)


@pytest.fixture(scope="module")
def index_cleaned(cleaned: np.ndarray) -> GridIndex:
    return GridIndex.build(cleaned)


@pytest.fixture(scope="module")
def index_raw(raw: np.ndarray) -> GridIndex:
    return GridIndex.build(raw)


@pytest.fixture(scope="module")
def postcodes() -> tuple[np.ndarray, np.ndarray]:
    """Grid references of every English postcode in the ONS Postcode Directory."""
    return geocode.english_grid_refs()


@pytest.fixture(scope="module")
def london(raw: np.ndarray) -> np.ndarray:
    """About 800 raw LSOAs within 6 km of central London."""
    centroids = shapely.centroid(raw)
    distance = np.hypot(shapely.get_x(centroids) - CENTRE[0], shapely.get_y(centroids) - CENTRE[1])
    return raw[distance < 6_000]


def hard_points(
    index: GridIndex, polygons: np.ndarray, rng: np.random.Generator, n: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Points that stress every shortcut the index takes."""
    coords = shapely.get_coordinates(polygons)
    mids = (coords[:-1] + coords[1:]) / 2  # exactly on (mostly shared) borders, or very near
    vx, vy = coords[:, 0], coords[:, 1]
    mx, my = mids[:, 0], mids[:, 1]
    some_v = rng.choice(len(coords), size=min(n, len(coords)), replace=False)
    some_m = rng.choice(len(mids), size=min(n, len(mids)), replace=False)
    up, down = np.inf, -np.inf
    # Fine-cell edges of this very grid, and one float step below them.
    size, (x0, y0) = index.fine_cell_size, index.origin
    rows, cols = index.shape
    ex = x0 + rng.integers(0, cols * index.refine, n) * size
    ey = y0 + rng.integers(0, rows * index.refine, n) * size
    width, height = cols * index.cell_size, rows * index.cell_size
    xs = [
        vx,
        mx,
        np.nextafter(vx[some_v], up),
        np.nextafter(mx[some_m], down),
        ex,
        np.nextafter(ex, down),
        ex + rng.uniform(0, size, n),
        rng.uniform(x0 - size, x0 + width + size, n),  # the whole grid and a bit beyond
        np.array([np.nan, 1.0, np.inf, -np.inf, 4e5, np.nan, -1e300, 1e300, x0 - 1.0]),
    ]
    ys = [
        vy,
        my,
        vy[some_v],
        np.nextafter(my[some_m], up),
        ey + rng.uniform(0, size, n),
        np.nextafter(ey, down),
        ey,
        rng.uniform(y0 - size, y0 + height + size, n),
        np.array([np.nan, np.nan, 3e5, 3e5, np.nan, 2e5, 0.0, 1e300, y0 - 1.0]),
    ]
    return np.concatenate(xs), np.concatenate(ys)


def shared_border_points(polygons: np.ndarray) -> int:
    """How many segment midpoints lie in two or more polygons (ties the lowest must win)."""
    coords = shapely.get_coordinates(polygons)
    mids = shapely.points((coords[:-1] + coords[1:]) / 2)
    hits, _ = shapely.STRtree(polygons).query(mids, predicate="intersects")
    return int((np.bincount(hits, minlength=len(mids)) >= 2).sum())


# ---------------------------------------------------------------------- the real data


def test_polygons_are_the_expected_set(raw: np.ndarray, cleaned: np.ndarray) -> None:
    assert len(raw) == len(cleaned) == N_ENGLISH_LSOAS
    # The raw set is not a valid coverage (a few neighbours overlap), so the raw tests below
    # exercise overlaps; the cleaned set is one.
    assert not shapely.coverage_is_valid(raw)
    assert shapely.coverage_is_valid(cleaned)


@pytest.mark.slow
def test_all_english_postcodes_match_sjoin(
    index_cleaned: GridIndex, cleaned: np.ndarray, postcodes: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = postcodes
    assert len(x) == 2_264_892
    expected = sjoin_lowest(x, y, cleaned)
    got = index_cleaned.query(x, y)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    # Coast, docks and piers: outside every LSOA.
    assert (got == -1).sum() == 3_686
    stats = index_cleaned.last_query
    assert stats.n_points == len(x)
    # Only border-cell points are tested exactly: about a fifth at 50 m cells.
    assert 0.05 < index_cleaned.exact_share < 0.30
    assert 0 < stats.n_exact <= stats.n_pairs <= 3 * stats.n_exact


@pytest.mark.parametrize("which", ["cleaned", "raw"])
def test_hard_points_match_sjoin(which: str, request: pytest.FixtureRequest) -> None:
    polygons: np.ndarray = request.getfixturevalue(which)
    index: GridIndex = request.getfixturevalue(f"index_{which}")
    x, y = hard_points(index, polygons, np.random.default_rng(20260101))
    expected = sjoin_lowest(x, y, polygons)
    np.testing.assert_array_equal(index.query(x, y), expected)
    # The points really are hard: many exact tests, many misses, NaN handled.
    assert index.exact_share > 0.4
    assert (expected == -1).sum() > 10_000
    assert (expected >= 0).sum() > 500_000


def test_shared_borders_are_exercised(cleaned: np.ndarray) -> None:
    # Midpoints of boundary segments lie exactly on borders shared by two LSOAs in the
    # thousands, so the hard-points test checks the lowest-position rule on real ties.
    assert shared_border_points(cleaned) > 10_000


# ---------------------------------------------------------------------- synthetic overlaps


def _big(london: np.ndarray) -> np.ndarray:
    return np.concatenate([[shapely.Point(CENTRE).buffer(2_500)], london])


def _big_last(london: np.ndarray) -> np.ndarray:
    return np.concatenate([london, [shapely.Point(CENTRE).buffer(2_500)]])


def _shifted(london: np.ndarray) -> np.ndarray:
    moved = affinity.translate(london[5], 37.3, -12.1)  # overlaps its neighbours
    return np.concatenate([london[10:], [moved], london[:10]])


def _duplicates(london: np.ndarray) -> np.ndarray:
    return np.concatenate([london[:50], london[:50], london[50:]])


def _hole_and_island(london: np.ndarray) -> np.ndarray:
    centre = shapely.Point(531_000, 181_000)
    ring = centre.buffer(1_500).difference(centre.buffer(700))
    return np.concatenate([[ring, centre.buffer(700)], london[::3]])


def _tiny_and_gaps(london: np.ndarray) -> np.ndarray:
    tiny = shapely.box(529_990.2, 179_990.2, 530_010.7, 180_003.1)  # inside one 50 m cell
    return np.concatenate([london[::2], [tiny, None, shapely.Polygon()]])


CASES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "big polygon first": _big,
    "big polygon last": _big_last,
    "shifted copy": _shifted,
    "duplicates": _duplicates,
    "hole with island": _hole_and_island,
    "tiny polygon, gaps, missing": _tiny_and_gaps,
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("cell_size", "refine"), [(400.0, 8), (100.0, 1), (800.0, 16)])
def test_synthetic_overlaps_match_sjoin(
    london: np.ndarray, case: str, cell_size: float, refine: int
) -> None:
    polygons = CASES[case](london)
    index = GridIndex.build(polygons, cell_size=cell_size, refine=refine)
    present = polygons[~shapely.is_missing(polygons)]
    x, y = hard_points(index, present, np.random.default_rng(7), n=20_000)
    np.testing.assert_array_equal(index.query(x, y), sjoin_lowest(x, y, polygons))


def test_cells_inside_an_overlapping_polygon_take_it_without_tests(london: np.ndarray) -> None:
    # Polygon 0 covers every LSOA border within 2.5 km: those border cells need no GEOS call.
    polygons = _big(london)
    index = GridIndex.build(polygons)
    assert (index.base == 0).sum() > 1_000
    rng = np.random.default_rng(3)
    angle, radius = rng.uniform(0, 2 * np.pi, 50_000), 2_400 * np.sqrt(rng.uniform(0, 1, 50_000))
    x, y = CENTRE[0] + radius * np.cos(angle), CENTRE[1] + radius * np.sin(angle)
    got = index.query(x, y)
    assert (got == 0).all()
    assert index.last_query.n_pairs < 0.05 * len(x)


# ---------------------------------------------------------------------- persistence


def test_save_load_round_trip(london: np.ndarray, tmp_path: Path) -> None:
    index = GridIndex.build(london)
    path = tmp_path / "grid.npz"
    index.save(path)
    loaded = GridIndex.load(path, london)
    for name in ("coarse", "codes", "table_start", "table", "base", "cand_start", "candidates"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(index, name))
    assert (loaded.origin, loaded.shape, loaded.cell_size, loaded.refine) == (
        index.origin,
        index.shape,
        index.cell_size,
        index.refine,
    )
    x, y = hard_points(index, london, np.random.default_rng(11), n=20_000)
    np.testing.assert_array_equal(loaded.query(x, y), index.query(x, y))
    # A GeoSeries of the same polygons is accepted too.
    GridIndex.load(path, gpd.GeoSeries(london, crs=settings.CRS_METRIC))


def test_save_writes_no_pickles(london: np.ndarray, tmp_path: Path) -> None:
    path = tmp_path / "grid.npz"
    GridIndex.build(london).save(path)
    with np.load(path, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p[:-1], r"indexes \d+ polygons but \d+ were given"),
        (lambda p: p[::-1], "differ from the indexed ones"),
        (lambda p: np.concatenate([[affinity.translate(p[0], 0.001)], p[1:]]), "differ"),
        (lambda p: np.concatenate([[shapely.segmentize(p[0], 10.0)], p[1:]]), "differ"),
    ],
    ids=["one fewer", "reordered", "moved 1 mm", "extra vertices"],
)
def test_load_refuses_other_polygons(
    london: np.ndarray,
    tmp_path: Path,
    change: Callable[[np.ndarray], np.ndarray],
    message: str,
) -> None:
    path = tmp_path / "grid.npz"
    GridIndex.build(london).save(path)
    with pytest.raises(ValueError, match=message):
        GridIndex.load(path, change(london))


def test_load_refuses_other_files(london: np.ndarray, tmp_path: Path) -> None:
    stub = tmp_path / "stub.npz"
    stub.write_bytes(b"stub")
    with pytest.raises(ValueError, match=r"not a grid index written by GridIndex\.save"):
        GridIndex.load(stub, london)
    other = tmp_path / "other.npz"
    np.savez(other, coarse=np.zeros(3))
    with pytest.raises(ValueError, match=r"not a grid index \(no base, cand_start, candidates"):
        GridIndex.load(other, london)


# ---------------------------------------------------------------------- edges of the API


def test_nan_infinite_and_outside_points() -> None:
    square = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    index = GridIndex.build(square, cell_size=8.0, refine=4)
    x = np.array([[5.0, 10.0, 15.0, np.nan], [np.inf, -np.inf, 20.0, 1e308]])
    y = np.array([[5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 10.0, 1e308]])
    got = index.query(x, y)
    assert got.shape == x.shape
    np.testing.assert_array_equal(got, [[0, 0, 1, -1], [-1, -1, 1, -1]])
    np.testing.assert_array_equal(got.ravel(), sjoin_lowest(x.ravel(), y.ravel(), square))
    assert index.query([], []).shape == (0,)
    assert index.query([1.0], [1.0]).tolist() == [0]


def test_nothing_to_index() -> None:
    for polygons in ([], [None], [shapely.Polygon()]):
        index = GridIndex.build(np.array(polygons, dtype=object))
        assert index.query([0.0, 1e5], [0.0, np.nan]).tolist() == [-1, -1]


def test_rejects_bad_input() -> None:
    square = np.array([shapely.box(0, 0, 10, 10)])
    with pytest.raises(ValueError, match="only Polygon and MultiPolygon"):
        GridIndex.build(np.array([shapely.LineString([(0, 0), (1, 1)])]))
    with pytest.raises(ValueError, match="refine"):
        GridIndex.build(square, refine=3)
    with pytest.raises(ValueError, match="cell_size"):
        GridIndex.build(square, cell_size=-1.0)
    with pytest.raises(ValueError, match="too small"):
        GridIndex.build(np.array([shapely.box(4e5, 0, 4e5 + 10, 10)]), cell_size=1e-6)
    with pytest.raises(ValueError, match="differ in shape"):
        GridIndex.build(square).query(np.zeros(3), np.zeros(2))


def test_reporting(index_cleaned: GridIndex) -> None:
    assert index_cleaned.cell_size == 400.0
    assert index_cleaned.fine_cell_size == 50.0
    assert index_cleaned.n_polygons == N_ENGLISH_LSOAS
    assert 0 < index_cleaned.n_blocks < index_cleaned.shape[0] * index_cleaned.shape[1]
    assert index_cleaned.n_border_cells > index_cleaned.n_blocks
    assert 1.5 < index_cleaned.mean_candidates < 3
    assert index_cleaned.nbytes < 150e6
    assert 0 < index_cleaned.build_seconds < 60
