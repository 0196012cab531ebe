r"""Hot and cold spots of the gap score: Queen contiguity and local Moran's I.

Where the gap score (need percentile minus provision percentile, :mod:`assetmap.measures.metrics`)
is high, an LSOA is more deprived than it is provided for. One such LSOA may be chance; a *cluster*
of them, each surrounded by others like it, is a place to look at. The local Moran's I of
Anselin (1995) finds them.

Neighbours
----------
Two LSOAs are neighbours when their boundaries share at least one point (*Queen* contiguity).
The build computes this once for England from the stored LSOA layer (file
:data:`CONTIGUITY_FILE`; read it with :func:`assetmap.data.store.load_contiguity`). libpysal matches
shared *vertices*; the layer is a cleaned coverage (``shapely.coverage_clean``), so shared borders
have identical vertices, and on England this gives exactly the pairs a geometric
``intersects`` test gives. An LSOA with no neighbour (an *island*: the Isles of Scilly, whose
LSOA touches no other) cannot be tested and is reported, never dropped silently.

Local Moran's I
---------------
With :math:`y_i` the gap score of LSOA :math:`i` among the :math:`n` LSOAs analysed,
:math:`z_i = (y_i - \bar y) / s` (:math:`s` the population standard deviation, so
:math:`\sum_i z_i^2 = n`) and row-standardised weights :math:`w_{ij} = 1 / k_i` for each of the
:math:`k_i` neighbours of :math:`i`, esda's convention is

.. math::

    I_i = (n - 1)\, \frac{z_i \sum_j w_{ij} z_j}{\sum_k z_k^2}
        = \frac{n - 1}{n}\, z_i \, \bar z_{N(i)}

so :math:`I_i > 0` when an LSOA is like its neighbours (high among high, low among low) and
:math:`I_i < 0` when it is unlike them. The quadrant of :math:`(z_i, \bar z_{N(i)})` names it:

=================  ===========================  ==============================================
quadrant           ``gap_cluster``              reading
=================  ===========================  ==============================================
HH                 ``under-provided cluster``   high gap amid high gap: a cold spot of
                                                provision in deprived places
LL                 ``well-provided cluster``    low gap amid low gap
HL                 ``high-gap outlier``         a high gap among low-gap neighbours
LH                 ``low-gap outlier``          a low gap among high-gap neighbours
=================  ===========================  ==============================================

Inference
---------
*Conditional permutation* (Anselin 1995): :math:`z_i` is held fixed and its :math:`k_i` neighbour
values are replaced by :math:`k_i` values drawn without replacement from the other
:math:`n - 1` LSOAs, :math:`P` times. With :math:`L` the number of draws whose statistic is at
least the observed one, esda's directed pseudo p-value takes the nearer tail,
:math:`p^{\text{dir}} = (\min(L, P - L) + 1) / (P + 1)`. The direction is picked after seeing the
data, so by default the two-sided value is reported,
:math:`p = \min(1,\, 2 p^{\text{dir}})` (``alternative="directed"`` gives GeoDa's value). So
:math:`p \in [1/(P+1), 1]`; with :math:`P = 999` the smallest two-sided value is 0.002.

Over England 33,754 tests are made at once, so the *false discovery rate* is controlled with the
Benjamini-Hochberg step-up rule (``esda.fdr``): with the tested p-values sorted,
:math:`p_{(1)} \le \dots \le p_{(m)}`, and :math:`k` the largest rank with
:math:`p_{(k)} < k \alpha / m`, an LSOA is significant when :math:`p < k\alpha/m` (the
threshold, recorded in ``ClusterTest.fdr_threshold``); when no rank qualifies, nothing is. The
threshold never exceeds :math:`\alpha`, so FDR control never marks more LSOAs than the
unadjusted test. A non-significant LSOA is ``not significant`` whatever its quadrant.

Permutations bound what FDR can find: the smallest two-sided p-value is :math:`2/(P+1)`, so
nothing is significant unless at least :math:`2m / ((P+1)\alpha)` LSOAs reach it (1,351 of
England's tests at :math:`P = 999`; 65 for an ICB of 1,600 LSOAs tested alone). More
permutations resolve smaller p-values and find more clusters, at a proportional cost.

Assumptions: the gap score is exchangeable across LSOAs under the null (no spatial pattern);
LSOAs are the units (not people); the permutation p-values carry Monte-Carlo error of order
:math:`\sqrt{p(1-p)/P}`; Benjamini-Hochberg assumes independent or positively dependent tests,
which neighbouring local statistics only approximate. Clusters are computed on England's whole
graph by default, so, like the national percentiles, a cluster means the same wherever one looks
and an area's edge does not cut its LSOAs off from their neighbours.

References: Anselin, L. (1995) Local indicators of spatial association - LISA. *Geographical
Analysis* 27(2), 93-115. Benjamini, Y. and Hochberg, Y. (1995) Controlling the false discovery
rate. *JRSS B* 57(1), 289-300. Rey, S. J. and Anselin, L. (2007) PySAL (esda).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal import graph as lpgraph

from assetmap import settings

#: The saved Queen contiguity of England's LSOAs (a libpysal ``Graph`` as Parquet of
#: ``focal, neighbor, weight`` in ``lsoa21cd`` order; an island is one row linking it to itself
#: with weight 0).
CONTIGUITY_FILE: Final = "boundaries/lsoa21_queen.parquet"

#: ``gap_cluster`` labels, in the order they are listed.
UNDER_PROVIDED: Final = "under-provided cluster"
WELL_PROVIDED: Final = "well-provided cluster"
HIGH_OUTLIER: Final = "high-gap outlier"
LOW_OUTLIER: Final = "low-gap outlier"
NOT_SIGNIFICANT: Final = "not significant"
CLUSTER_LABELS: Final = (UNDER_PROVIDED, WELL_PROVIDED, HIGH_OUTLIER, LOW_OUTLIER, NOT_SIGNIFICANT)

# esda's quadrant codes (its default, non-GeoDa scheme): 1 HH, 2 LH, 3 LL, 4 HL.
_QUADRANT_LABELS: Final = {1: UNDER_PROVIDED, 2: LOW_OUTLIER, 3: WELL_PROVIDED, 4: HIGH_OUTLIER}

#: Columns of :func:`local_gap_clusters`, in order (index ``lsoa21cd``).
CLUSTER_COLUMNS: Final = (
    "gap_score",
    "gap_spatial_lag",
    "gap_local_i",
    "gap_cluster_p",
    "gap_cluster",
)


def queen_contiguity(polygons: gpd.GeoDataFrame) -> lpgraph.Graph:
    """Queen contiguity between LSOAs: neighbours share at least one boundary point.

    Parameters
    ----------
    polygons
        LSOA layer (any CRS) with ``lsoa21cd``, sorted by it, forming a clean coverage.

    Returns
    -------
    libpysal.graph.Graph
        Binary weights (1 per neighbour pair, both directions) whose ids are the ``lsoa21cd``
        codes in the layer's order; islands appear in ``graph.isolates``.
    """
    return lpgraph.Graph.build_contiguity(polygons.set_index("lsoa21cd").geometry, rook=False)


def save_contiguity(graph: lpgraph.Graph, path: Path) -> None:
    """Write a contiguity graph as Parquet, with page checksums (read it back with
    :func:`assetmap.data.store.load_contiguity`, which verifies them, or
    ``libpysal.graph.read_parquet``)."""
    graph.to_parquet(path, write_page_checksum=True)


def islands(graph: lpgraph.Graph) -> list[str]:
    """Codes of the LSOAs with no neighbour."""
    return [str(code) for code in graph.isolates]


@dataclass(frozen=True)
class ClusterTest:
    """How a :func:`local_gap_clusters` test was run, and its FDR threshold.

    Attributes
    ----------
    fdr_threshold
        Benjamini-Hochberg threshold: an LSOA is significant when its p-value is below it
        (0 when nothing was tested).
    alpha
        False discovery rate.
    permutations
        Conditional permutations per LSOA.
    alternative
        ``"two-sided"`` or ``"directed"``.
    seed
        Seed of the permutations.
    tests
        LSOAs tested (those with a neighbour and a p-value).
    islands
        Codes of the LSOAs with no neighbour, which are listed but not tested.
    scope
        ``"england"`` (every LSOA of the graph) or ``"subset"`` (the graph cut to the rows).
    """

    fdr_threshold: float
    alpha: float
    permutations: int
    alternative: str
    seed: int
    tests: int
    islands: tuple[str, ...]
    scope: str

    @property
    def p_floor(self) -> float:
        r"""The smallest pseudo p-value the test can give.

        :math:`1 / (P + 1)` for a directed test and :math:`2 / (P + 1)` for a two-sided one,
        with :math:`P` the permutations (the observed value counts as one draw).
        """
        return (1 if self.alternative == "directed" else 2) / (self.permutations + 1)

    @property
    def fdr_floor_count(self) -> int:
        r"""How many LSOAs must reach :attr:`p_floor` before Benjamini-Hochberg can pass any.

        BH passes the :math:`k` smallest p-values when :math:`p_{(k)} \le k \alpha / m` for
        :math:`m` tests; with every :math:`p \ge p_{\min}` that needs
        :math:`k \ge \lceil m\, p_{\min} / \alpha \rceil` (Benjamini & Hochberg 1995).
        """
        return math.ceil(self.tests * self.p_floor / self.alpha)


@dataclass(frozen=True)
class Clusters:
    """Output of :func:`local_gap_clusters`: the per-LSOA table and how it was tested.

    Attributes
    ----------
    table
        Indexed by ``lsoa21cd``, columns :data:`CLUSTER_COLUMNS`.
    test
        The test's settings and FDR threshold.
    """

    table: pd.DataFrame
    test: ClusterTest


def local_gap_clusters(
    metrics: pd.DataFrame,
    weights: lpgraph.Graph,
    *,
    permutations: int | None = None,
    alpha: float | None = None,
    seed: int | None = None,
    alternative: Literal["two-sided", "directed"] = "two-sided",
    n_jobs: int = 1,
) -> Clusters:
    r"""Local Moran's I of the gap score with permutation inference and FDR control.

    The maths and assumptions are in the module docstring.

    Parameters
    ----------
    metrics
        Output of :func:`assetmap.measures.metrics.lsoa_metrics` with ``lsoa21cd`` and
        ``gap_score``. Pass all of England for national clusters (recommended: compute once per
        asset types and need, then filter to an area). Pass an area's rows to test that area on its
        own: the graph is cut to them, so LSOAs on the area's edge lose their outside neighbours,
        and the FDR counts only the area's tests.
    weights
        Queen contiguity over (at least) these LSOAs, e.g.
        :func:`assetmap.data.store.load_contiguity`; row-standardised here.
    permutations
        Conditional permutations :math:`P` per LSOA; ``settings.HOTSPOT_PERMUTATIONS`` (read
        at call time) when ``None``.
    alpha
        False discovery rate; ``settings.HOTSPOT_ALPHA`` when ``None``.
    seed
        Seed of the permutations, so the same input always gives the same map;
        ``settings.HOTSPOT_SEED`` when ``None``.
    alternative
        ``"two-sided"`` (:math:`p = \min(1, 2 p^{\text{dir}})`) or ``"directed"`` (esda's and
        GeoDa's :math:`p^{\text{dir}}`).
    n_jobs
        Processes for esda's permutation loop (1: none).

    Returns
    -------
    Clusters
        ``table`` indexed by ``lsoa21cd`` in the order of ``weights``, columns
        :data:`CLUSTER_COLUMNS`: ``gap_spatial_lag`` (mean gap score of the neighbours),
        ``gap_local_i`` (:math:`I_i`), ``gap_cluster_p`` (pseudo p-value) and ``gap_cluster``
        (one of :data:`CLUSTER_LABELS`). Islands get ``NaN`` lag, statistic and p-value and
        ``not significant``. ``test`` (:class:`ClusterTest`) records the FDR threshold, the
        settings used, the LSOAs tested, the islands and the scope.

    Raises
    ------
    ValueError
        An LSOA of ``metrics`` is not in ``weights``, or a gap score is missing.
    """
    # esda takes over a second to import: only pay for it when clusters are computed.
    import esda

    permutations = settings.HOTSPOT_PERMUTATIONS if permutations is None else permutations
    alpha = settings.HOTSPOT_ALPHA if alpha is None else alpha
    seed = settings.HOTSPOT_SEED if seed is None else seed
    if alternative not in ("two-sided", "directed"):
        raise ValueError(f"alternative must be 'two-sided' or 'directed', not {alternative!r}")
    codes = pd.Index(metrics["lsoa21cd"], name="lsoa21cd")
    ids = pd.Index(weights.unique_ids)
    missing = codes.difference(ids)
    if len(missing):
        raise ValueError(f"{len(missing):,} LSOAs are not in the weights, e.g. {missing[0]}")
    if metrics["gap_score"].isna().any():
        raise ValueError("gap_score has missing values")
    scope = "england" if len(codes) == len(ids) else "subset"
    graph = weights if scope == "england" else weights.subgraph(codes.to_numpy())
    order = pd.Index(graph.unique_ids, name="lsoa21cd")
    y = metrics.set_index("lsoa21cd")["gap_score"].reindex(order).to_numpy(dtype=float)

    cardinality = graph.cardinalities.reindex(order).to_numpy()
    island = cardinality == 0
    lag = np.full(len(y), np.nan)
    local_i = np.full(len(y), np.nan)
    p = np.full(len(y), np.nan)
    quadrant = np.zeros(len(y), dtype=int)
    tested = ~island
    if tested.sum() >= 3 and np.ptp(y) > 0:
        row = graph.transform("r")
        lag[tested] = (row.sparse @ y)[tested]
        lisa = _moran_local(y, graph, permutations=permutations, seed=seed, n_jobs=n_jobs)
        local_i[tested] = lisa.Is[tested]
        # esda returns float32; (count + 1) / (P + 1) exactly, so ties at the floor stay ties.
        p_directed = np.round(np.asarray(lisa.p_sim, dtype=float) * (permutations + 1))
        p_directed /= permutations + 1
        p_all = p_directed if alternative == "directed" else np.minimum(1.0, 2.0 * p_directed)
        # An island's "neighbours" are a zero-weight stand-in, so esda reports its statistic as
        # 0 and its p-value as the smallest possible: it was never tested.
        p[tested] = p_all[tested]
        quadrant = np.asarray(lisa.q, dtype=int)

    n_tests = int(np.isfinite(p).sum())
    threshold = float(esda.fdr(p[np.isfinite(p)], alpha)) if n_tests else 0.0
    significant = np.isfinite(p) & (p < threshold)
    labels = np.full(len(y), NOT_SIGNIFICANT, dtype=object)
    for code, label in _QUADRANT_LABELS.items():
        labels[significant & (quadrant == code)] = label

    out = pd.DataFrame(
        {
            "gap_score": y,
            "gap_spatial_lag": lag,
            "gap_local_i": local_i,
            "gap_cluster_p": p,
            "gap_cluster": pd.Categorical(labels, categories=list(CLUSTER_LABELS)),
        },
        index=order,
    )
    test = ClusterTest(
        fdr_threshold=threshold,
        alpha=alpha,
        permutations=permutations,
        alternative=alternative,
        seed=seed,
        tests=n_tests,
        islands=tuple(str(c) for c in order[island]),
        scope=scope,
    )
    return Clusters(table=out, test=test)


def _moran_local(
    y: np.ndarray, graph: lpgraph.Graph, *, permutations: int, seed: int, n_jobs: int
) -> Any:
    """esda's ``Moran_Local`` of ``y`` on ``graph`` (row-standardised), directed p-values.

    NumPy's global random state is left as it was, and esda's warning about its default
    alternative is silenced (:func:`local_gap_clusters` converts the p-values itself).
    """
    import esda

    # Without numba, esda seeds NumPy's global generator: keep the caller's stream intact.
    state = np.random.get_state()  # noqa: NPY002 (the legacy global state esda seeds)
    try:
        with warnings.catch_warnings():
            # esda warns that its default alternative will change; the directed value is
            # taken on purpose and converted by the caller.
            warnings.simplefilter("ignore", DeprecationWarning)
            lisa = esda.Moran_Local(
                y,
                graph,
                transformation="r",
                permutations=permutations,
                keep_simulations=False,
                seed=seed,
                n_jobs=n_jobs,
            )
    finally:
        np.random.set_state(state)  # noqa: NPY002
    return lisa


def cluster_summary(clusters: pd.DataFrame, population: pd.Series | None = None) -> pd.DataFrame:
    """LSOAs (and people) per ``gap_cluster`` label.

    Parameters
    ----------
    clusters
        ``table`` of :func:`local_gap_clusters` (or a table with its ``gap_cluster``),
        optionally filtered to an area.
    population
        Residents by ``lsoa21cd``; adds a ``population`` column when given.

    Returns
    -------
    pandas.DataFrame
        One row per label of :data:`CLUSTER_LABELS` (zeros included): ``gap_cluster``,
        ``lsoa_count`` and optionally ``population``.
    """
    labels = pd.Index(CLUSTER_LABELS, name="gap_cluster")
    counts = clusters["gap_cluster"].astype(str).value_counts().reindex(labels, fill_value=0)
    out = pd.DataFrame({"lsoa_count": counts.astype("int64")})
    if population is not None:
        people = population.reindex(clusters.index).groupby(clusters["gap_cluster"].astype(str))
        out["population"] = people.sum().reindex(labels, fill_value=0).astype("int64")
    return out.reset_index()
