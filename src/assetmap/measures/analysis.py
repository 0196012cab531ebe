"""Beyond counting: one national table with access, hot spots, change since 2019 and the 3x3 class.

:func:`neighbourhood_metrics` adds to :func:`assetmap.measures.metrics.lsoa_metrics` every per-LSOA
result of the methods that turn "few assets here" into an investment case, each defined in its
own module:

* walking-distance access and the 2SFCA ratio (:mod:`assetmap.measures.access`);
* local Moran's I clusters of the gap score (:mod:`assetmap.measures.hotspots`);
* the change in IMD decile since 2019 (:mod:`assetmap.measures.change`);
* the deprivation x provision tertile class (:mod:`assetmap.measures.bivariate`).

Everything is computed for all of England, like the percentiles it builds on, so a value means
the same wherever one looks; select an area afterwards (:func:`assetmap.geography.areas.select`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libpysal.graph as lpgraph
import pandas as pd

from assetmap.measures import access, bivariate, change, hotspots

#: What the cluster test adds to a metrics table (its ``gap_score`` is the table's own).
_CLUSTER_RESULTS = tuple(c for c in hotspots.CLUSTER_COLUMNS if c != "gap_score")


@dataclass(frozen=True)
class Neighbourhoods:
    """Output of :func:`neighbourhood_metrics`: the national table and how it was computed.

    Picklable, so the dashboard can cache it.

    Attributes
    ----------
    table
        One row per LSOA (see :func:`neighbourhood_metrics`).
    access
        The walking distances used (:func:`with_access`).
    clusters
        The cluster test's settings and FDR threshold (:func:`with_clusters`).
    """

    table: pd.DataFrame
    access: access.AccessRun
    clusters: hotspots.ClusterTest


@dataclass(frozen=True)
class WithAccess:
    """Output of :func:`with_access`.

    Attributes
    ----------
    table
        The metrics with the access columns joined on.
    access
        The walking distances used.
    """

    table: pd.DataFrame
    access: access.AccessRun


@dataclass(frozen=True)
class WithClusters:
    """Output of :func:`with_clusters`.

    Attributes
    ----------
    table
        The metrics with the cluster columns joined on.
    clusters
        The cluster test's settings and FDR threshold.
    """

    table: pd.DataFrame
    clusters: hotspots.ClusterTest


def neighbourhood_metrics(
    metrics: pd.DataFrame,
    residence: pd.DataFrame,
    assets: pd.DataFrame,
    contiguity: lpgraph.Graph,
    *,
    types: Sequence[str],
    need: str,
    permutations: int | None = None,
) -> Neighbourhoods:
    """Per-LSOA metrics plus access, clusters, change since 2019 and the bivariate class.

    Parameters
    ----------
    metrics
        :func:`assetmap.measures.metrics.lsoa_metrics` for all of England.
    residence
        Residence points (:func:`assetmap.data.store.load_residence`).
    assets
        Located assets with ``asset_type``, ``easting`` and ``northing``: the open layers and
        any uploaded register.
    contiguity
        Queen contiguity (:func:`assetmap.data.store.load_contiguity`).
    types
        Asset types counted: those ``metrics`` was computed with, so that access counts the
        same assets as ``assets_per_1k``.
    need
        The need measure ``metrics`` was computed with (for the bivariate class).
    permutations
        Permutations for the cluster test; ``settings.HOTSPOT_PERMUTATIONS`` when ``None``.

    Returns
    -------
    Neighbourhoods
        ``table``: ``metrics`` (same rows and order) plus ``walk_assets``, ``walk_nearest_m``,
        ``fca_per_1k`` (:func:`assetmap.measures.access.access_metrics`), ``gap_spatial_lag``,
        ``gap_local_i``, ``gap_cluster_p``, ``gap_cluster``
        (:func:`assetmap.measures.hotspots.local_gap_clusters`), ``imd_decile_change``,
        ``became_more_deprived``, ``imd19_comparable``
        (:func:`assetmap.measures.change.decile_change`), ``more_deprived_few_assets``
        (:func:`assetmap.measures.change.more_deprived_few_assets`), ``deprivation_tertile``,
        ``provision_tertile``, ``bivariate_class`` and ``bivariate_colour``
        (:func:`assetmap.measures.bivariate.classify`, national thirds); ``access`` (the distances)
        and ``clusters`` (the cluster test's settings and FDR threshold).
    """
    tertiles = bivariate.classify(metrics, need=need).table.drop(columns="population")
    out = change.decile_change(metrics)
    out["more_deprived_few_assets"] = change.more_deprived_few_assets(out).to_numpy()
    walked = with_access(out, residence, assets, types=types)
    clustered = with_clusters(walked.table, contiguity, permutations=permutations)
    table = clustered.table.join(tertiles, on="lsoa21cd")
    return Neighbourhoods(table=table, access=walked.access, clusters=clustered.clusters)


def with_access(
    metrics: pd.DataFrame,
    residence: pd.DataFrame,
    assets: pd.DataFrame,
    *,
    types: Sequence[str],
) -> WithAccess:
    """``metrics`` with walking access joined on (``walk_assets``, ``walk_nearest_m``,
    ``fca_per_1k``).

    Parameters
    ----------
    metrics
        :func:`assetmap.measures.metrics.lsoa_metrics` for all of England (2SFCA needs every LSOA).
    residence, assets
        As for :func:`neighbourhood_metrics`.
    types
        Asset types counted: those ``metrics`` was computed with.

    Returns
    -------
    WithAccess
        ``table``: the same rows with the access columns; ``access``: its distances.
    """
    chosen = list(types)
    population = metrics.set_index("lsoa21cd")["population"]
    walk = access.access_metrics(residence, population, assets, types=chosen)
    out = metrics.join(walk.table[list(access.ACCESS_COLUMNS)], on="lsoa21cd")
    return WithAccess(table=out, access=walk.run)


def with_clusters(
    metrics: pd.DataFrame, contiguity: lpgraph.Graph, *, permutations: int | None = None
) -> WithClusters:
    """``metrics`` with the national gap-score clusters joined on (``gap_spatial_lag``,
    ``gap_local_i``, ``gap_cluster_p``, ``gap_cluster``).

    Parameters
    ----------
    metrics
        :func:`assetmap.measures.metrics.lsoa_metrics` for all of England.
    contiguity
        Queen contiguity (:func:`assetmap.data.store.load_contiguity`).
    permutations
        Permutations for the cluster test; ``settings.HOTSPOT_PERMUTATIONS`` when ``None``.

    Returns
    -------
    WithClusters
        ``table``: the same rows with the cluster columns; ``clusters``: the test's settings
        and FDR threshold.
    """
    found = hotspots.local_gap_clusters(metrics, contiguity, permutations=permutations)
    out = metrics.join(found.table[list(_CLUSTER_RESULTS)], on="lsoa21cd")
    return WithClusters(table=out, clusters=found.test)
