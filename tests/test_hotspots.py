"""Queen contiguity and local Moran's I of the gap score, checked with shapely and by hand."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal import graph as lpgraph

from assetmap import settings
from assetmap.data import store
from assetmap.measures import hotspots

# Few permutations keep the tests fast; the statistic itself does not depend on them.
PERMUTATIONS = 99


@pytest.fixture(scope="module")
def graph(data_dir: Path) -> lpgraph.Graph:
    return store.load_contiguity(data_dir)


@pytest.fixture(scope="module")
def england_pairs(lsoa_polygons: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """Every ordered pair of distinct LSOAs whose polygons intersect, from shapely alone."""
    geoms = lsoa_polygons.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    codes = lsoa_polygons["lsoa21cd"].to_numpy()
    keep = left != right
    return set(zip(codes[left[keep]], codes[right[keep]], strict=True))


@pytest.fixture(scope="module")
def qyg(all_metrics: pd.DataFrame) -> pd.DataFrame:
    return all_metrics[all_metrics["icb24cdh"] == "QYG"]


@pytest.fixture(scope="module")
def qyg_clusters(qyg: pd.DataFrame, graph: lpgraph.Graph) -> pd.DataFrame:
    """The area tested on its own graph."""
    return hotspots.local_gap_clusters(qyg, graph, permutations=PERMUTATIONS, seed=7).table


@pytest.fixture(scope="module")
def england_result(all_metrics: pd.DataFrame, graph: lpgraph.Graph) -> hotspots.Clusters:
    """What the dashboard shows: England's graph, the default permutations and FDR."""
    return hotspots.local_gap_clusters(all_metrics, graph)


@pytest.fixture(scope="module")
def england_clusters(england_result: hotspots.Clusters) -> pd.DataFrame:
    return england_result.table


def _pairs(g: lpgraph.Graph) -> set[tuple[str, str]]:
    adj = g.adjacency
    adj = adj[adj > 0]
    focal = adj.index.get_level_values("focal")
    neighbor = adj.index.get_level_values("neighbor")
    return set(zip(focal.astype(str), neighbor.astype(str), strict=True))


def test_england_weights_are_complete(
    graph: lpgraph.Graph, lsoas: pd.DataFrame, england_pairs: set[tuple[str, str]]
) -> None:
    assert graph.n == len(lsoas) == 33_755
    assert list(graph.unique_ids) == lsoas["lsoa21cd"].tolist()
    # Queen contiguity on a clean coverage: neighbours are exactly the intersecting polygons.
    assert _pairs(graph) == england_pairs
    touching = {code for code, _ in england_pairs}
    expected_islands = sorted(set(lsoas["lsoa21cd"]) - touching)
    assert expected_islands, "England has at least one LSOA touching no other (Scilly)"
    assert hotspots.islands(graph) == expected_islands
    names = lsoas.set_index("lsoa21cd").loc[expected_islands, "lsoa21nm"]
    assert names.str.contains("Isles of Scilly").all()


def test_neighbours_of_a_few_lsoas_are_the_touching_polygons(
    graph: lpgraph.Graph, lsoa_polygons: gpd.GeoDataFrame, qyg: pd.DataFrame
) -> None:
    polygons = lsoa_polygons.set_index("lsoa21cd").geometry
    for code in qyg["lsoa21cd"].iloc[:: len(qyg) // 5][:5]:
        touches = polygons.index[polygons.touches(polygons[code]).to_numpy()]
        assert sorted(graph[code].index) == sorted(touches), code


def _hand_lisa(
    metrics: pd.DataFrame, neighbours: dict[str, list[str]], code: str
) -> tuple[float, float]:
    y = metrics.set_index("lsoa21cd")["gap_score"]
    z = (y - y.mean()) / y.std(ddof=0)
    n = len(y)
    lag_z = z[neighbours[code]].mean()
    return (n - 1) * z[code] * lag_z / (z**2).sum(), y[neighbours[code]].mean()


def test_local_i_follows_the_formula_in_an_area(
    qyg: pd.DataFrame, qyg_clusters: pd.DataFrame, lsoa_polygons: gpd.GeoDataFrame
) -> None:
    # The area's own graph: neighbours are the touching polygons inside the area.
    polygons = lsoa_polygons.set_index("lsoa21cd").geometry[qyg["lsoa21cd"]]
    codes = qyg["lsoa21cd"].iloc[:: len(qyg) // 7][:7]
    neighbours = {c: list(polygons.index[polygons.touches(polygons[c]).to_numpy()]) for c in codes}
    for code in codes:
        local_i, lag = _hand_lisa(qyg, neighbours, code)
        assert qyg_clusters.at[code, "gap_local_i"] == pytest.approx(local_i, rel=1e-9)
        assert qyg_clusters.at[code, "gap_spatial_lag"] == pytest.approx(lag, rel=1e-9)


def test_local_i_follows_the_formula_nationally(
    all_metrics: pd.DataFrame,
    england_result: hotspots.Clusters,
    england_clusters: pd.DataFrame,
    england_pairs: set[tuple[str, str]],
) -> None:
    neighbours: dict[str, list[str]] = {}
    for a, b in england_pairs:
        neighbours.setdefault(a, []).append(b)
    # One LSOA in each of four regions.
    for code in all_metrics.groupby("rgn24cd")["lsoa21cd"].first().iloc[:4]:
        local_i, lag = _hand_lisa(all_metrics, neighbours, code)
        assert england_clusters.at[code, "gap_local_i"] == pytest.approx(local_i, rel=1e-9)
        assert england_clusters.at[code, "gap_spatial_lag"] == pytest.approx(lag, rel=1e-9)
    test = england_result.test
    assert test.scope == "england"
    assert test.tests == len(all_metrics) - len(test.islands)
    assert test.permutations == settings.HOTSPOT_PERMUTATIONS
    assert test.seed == settings.HOTSPOT_SEED
    assert test.alternative == "two-sided"


def test_islands_are_reported_not_tested(
    england_result: hotspots.Clusters, england_clusters: pd.DataFrame, graph: lpgraph.Graph
) -> None:
    islands = list(england_result.test.islands)
    assert islands == hotspots.islands(graph)
    rows = england_clusters.loc[islands]
    assert rows["gap_cluster_p"].isna().all()
    assert rows["gap_local_i"].isna().all()
    assert (rows["gap_cluster"] == hotspots.NOT_SIGNIFICANT).all()
    others = england_clusters.drop(index=islands)
    assert others["gap_cluster_p"].notna().all()


def test_p_values_are_permutation_p_values(qyg: pd.DataFrame, graph: lpgraph.Graph) -> None:
    p_count = PERMUTATIONS
    found = hotspots.local_gap_clusters(qyg, graph, permutations=p_count, seed=11)
    assert (found.test.scope, found.test.seed, found.test.permutations) == ("subset", 11, p_count)
    two = found.table
    directed = hotspots.local_gap_clusters(
        qyg, graph, permutations=p_count, seed=11, alternative="directed"
    ).table
    p = two["gap_cluster_p"]
    assert p.between(1 / (p_count + 1), 1).all()
    # Every p-value is (count + 1) / (P + 1) doubled: a multiple of 1 / (P + 1).
    steps = directed["gap_cluster_p"] * (p_count + 1)
    assert np.allclose(steps, steps.round())
    assert directed["gap_cluster_p"].max() <= 0.5 + 1 / (p_count + 1)
    assert np.allclose(p, np.minimum(1.0, 2 * directed["gap_cluster_p"]))
    # The same seed gives the same answer.
    again = hotspots.local_gap_clusters(qyg, graph, permutations=p_count, seed=11)
    pd.testing.assert_frame_equal(two, again.table)
    assert again.test == found.test


def test_fdr_is_benjamini_hochberg_and_never_adds(
    england_result: hotspots.Clusters, england_clusters: pd.DataFrame
) -> None:
    p = england_clusters["gap_cluster_p"].dropna()
    alpha = england_result.test.alpha
    assert alpha == settings.HOTSPOT_ALPHA
    m = len(p)
    ordered = np.sort(p.to_numpy())
    passing = np.nonzero(ordered <= alpha * np.arange(1, m + 1) / m)[0]
    bh = set(p.index[p <= ordered[passing[-1]]]) if len(passing) else set()
    labels = england_clusters["gap_cluster"]
    significant = set(england_clusters.index[labels != hotspots.NOT_SIGNIFICANT])
    assert significant == bh
    assert significant, "England has significant clusters at the default settings"
    assert england_result.test.fdr_threshold <= alpha
    assert significant < set(p.index[p < alpha])


def test_labels_follow_the_quadrants(england_clusters: pd.DataFrame) -> None:
    mean = england_clusters["gap_score"].mean()
    high = england_clusters["gap_score"] > mean
    high_lag = england_clusters["gap_spatial_lag"] > mean
    expected = {
        hotspots.UNDER_PROVIDED: high & high_lag,
        hotspots.WELL_PROVIDED: ~high & ~high_lag,
        hotspots.HIGH_OUTLIER: high & ~high_lag,
        hotspots.LOW_OUTLIER: ~high & high_lag,
    }
    labels = england_clusters["gap_cluster"]
    assert set(labels.cat.categories) == set(hotspots.CLUSTER_LABELS)
    for label, quadrant in expected.items():
        assert (labels == label).any(), label
        assert quadrant[labels == label].all(), label


def test_global_random_state_is_left_alone(qyg: pd.DataFrame, graph: lpgraph.Graph) -> None:
    np.random.seed(123)  # noqa: NPY002
    expected = np.random.random(3)  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    hotspots.local_gap_clusters(qyg.iloc[:200], graph, permutations=9)
    assert np.array_equal(np.random.random(3), expected)  # noqa: NPY002


def test_settings_are_read_when_called(
    qyg: pd.DataFrame, graph: lpgraph.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "HOTSPOT_PERMUTATIONS", 19)
    monkeypatch.setattr(settings, "HOTSPOT_ALPHA", 0.1)
    monkeypatch.setattr(settings, "HOTSPOT_SEED", 3)
    test = hotspots.local_gap_clusters(qyg.iloc[:200], graph).test
    assert (test.permutations, test.alpha, test.seed) == (19, 0.1, 3)
    explicit = hotspots.local_gap_clusters(
        qyg.iloc[:200], graph, permutations=9, alpha=0.05, seed=1
    ).test
    assert (explicit.permutations, explicit.alpha, explicit.seed) == (9, 0.05, 1)


def test_unknown_lsoas_are_refused(qyg: pd.DataFrame, graph: lpgraph.Graph) -> None:
    bad = qyg.iloc[:20].assign(lsoa21cd=["W01000001", *qyg["lsoa21cd"].iloc[1:20]])
    with pytest.raises(ValueError, match="not in the weights"):
        hotspots.local_gap_clusters(bad, graph, permutations=9)


def test_summary_counts_every_label(qyg_clusters: pd.DataFrame, qyg: pd.DataFrame) -> None:
    population = qyg.set_index("lsoa21cd")["population"]
    summary = hotspots.cluster_summary(qyg_clusters, population)
    assert summary["gap_cluster"].tolist() == list(hotspots.CLUSTER_LABELS)
    assert summary["lsoa_count"].sum() == len(qyg)
    assert summary["population"].sum() == qyg["population"].sum()


def test_every_column_is_in_the_dictionary(qyg_clusters: pd.DataFrame, qyg: pd.DataFrame) -> None:
    from assetmap.data import dictionary

    summary = hotspots.cluster_summary(qyg_clusters, qyg.set_index("lsoa21cd")["population"])
    columns = [qyg_clusters.index.name, *qyg_clusters.columns, *summary.columns]
    assert [c for c in columns if c not in dictionary.COLUMNS] == []


def test_cli_writes_the_areas_clusters(tmp_path: Path, qyg: pd.DataFrame) -> None:
    from assetmap import cli

    out = tmp_path / "clusters.csv"
    args = ["hotspots", "--area", "icb:QYG", "--scope", "area", "--permutations", "19"]
    assert cli.main([*args, "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert sorted(table["lsoa21cd"]) == sorted(qyg["lsoa21cd"])
    assert set(table["gap_cluster"]) <= set(hotspots.CLUSTER_LABELS)


def _bh_passes(p: np.ndarray, alpha: float) -> int:
    """How many p-values Benjamini-Hochberg passes, written out: the largest k with
    p_(k) <= k alpha / m."""
    ranked = np.sort(p)
    ok = np.nonzero(ranked <= np.arange(1, len(p) + 1) * alpha / len(p))[0]
    return int(ok[-1] + 1) if len(ok) else 0


@pytest.mark.parametrize(
    ("alternative", "floor"), [("two-sided", 2 / 1000), ("directed", 1 / 1000)]
)
def test_fdr_floor_is_where_benjamini_hochberg_starts_passing(
    alternative: str, floor: float
) -> None:
    test = hotspots.ClusterTest(
        fdr_threshold=0.0,
        alpha=0.05,
        permutations=999,
        alternative=alternative,
        seed=0,
        tests=33_754,
        islands=(),
        scope="england",
    )
    assert test.p_floor == pytest.approx(floor)
    k = test.fdr_floor_count
    # k LSOAs at the floor and the rest at 1: BH passes them all; one fewer and it passes none.
    at_floor = np.r_[np.full(k, test.p_floor), np.ones(test.tests - k)]
    assert _bh_passes(at_floor, test.alpha) == k
    one_fewer = np.r_[np.full(k - 1, test.p_floor), np.ones(test.tests - k + 1)]
    assert _bh_passes(one_fewer, test.alpha) == 0
