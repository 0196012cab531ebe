"""Beyond counting: one national table with access, hot spots, change since 2019 and the 3x3 class.

:func:`neighbourhood_metrics` adds to :func:`assetmap.metrics.lsoa_metrics` every per-LSOA
result of the methods that turn "few assets here" into an investment case, each defined in its
own module:

* walking-distance access and the 2SFCA ratio (:mod:`assetmap.access`);
* local Moran's I clusters of the gap score (:mod:`assetmap.hotspots`);
* the change in IMD decile since 2019 (:mod:`assetmap.change`);
* the deprivation x provision tertile class (:mod:`assetmap.bivariate`).

Everything is computed for all of England, like the percentiles it builds on, so a value means
the same wherever one looks; select an area afterwards (:func:`assetmap.areas.select`).
"""

from __future__ import annotations

from collections.abc import Sequence

import libpysal.graph as lpgraph
import pandas as pd

from assetmap import access, bivariate, change, hotspots, settings

#: What the cluster test adds to a metrics table (its ``gap_score`` is the table's own).
_CLUSTER_RESULTS = tuple(c for c in hotspots.CLUSTER_COLUMNS if c != "gap_score")


def neighbourhood_metrics(
    metrics: pd.DataFrame,
    residence: pd.DataFrame,
    assets: pd.DataFrame,
    contiguity: lpgraph.Graph,
    *,
    types: Sequence[str] | None = None,
    permutations: int | None = None,
) -> pd.DataFrame:
    """Per-LSOA metrics plus access, clusters, change since 2019 and the bivariate class.

    Parameters
    ----------
    metrics
        :func:`assetmap.metrics.lsoa_metrics` for all of England.
    residence
        Residence points (:func:`assetmap.store.load_residence`).
    assets
        Located assets with ``asset_type``, ``easting`` and ``northing``: the open layers and
        any uploaded register.
    contiguity
        Queen contiguity (:func:`assetmap.store.load_contiguity`).
    types
        Asset types counted; ``metrics.attrs["asset_types"]`` when ``None``, so that access
        counts the same assets as ``assets_per_1k``.
    permutations
        Permutations for the cluster test; ``settings.HOTSPOT_PERMUTATIONS`` when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``metrics`` (same rows and order) plus ``walk_assets``, ``walk_nearest_m``,
        ``fca_per_1k`` (:func:`assetmap.access.access_metrics`), ``gap_spatial_lag``,
        ``gap_local_i``, ``gap_cluster_p``, ``gap_cluster``
        (:func:`assetmap.hotspots.local_gap_clusters`), ``imd_decile_change``,
        ``became_more_deprived``, ``imd19_comparable`` (:func:`assetmap.change.decile_change`),
        ``more_deprived_few_assets`` (:func:`assetmap.change.more_deprived_few_assets`),
        ``deprivation_tertile``, ``provision_tertile``, ``bivariate_class`` and
        ``bivariate_colour`` (:func:`assetmap.bivariate.classify`, national thirds). ``attrs``
        keeps those of ``metrics`` and adds ``clusters`` (the cluster test's settings and FDR
        threshold) and ``access`` (its distances).
    """
    tertiles = bivariate.classify(metrics).drop(columns="population")
    out = change.decile_change(metrics)
    out["more_deprived_few_assets"] = change.more_deprived_few_assets(out).to_numpy()
    out.attrs = dict(metrics.attrs)
    out = with_access(out, residence, assets, types=types)
    out = with_clusters(out, contiguity, permutations=permutations)
    found = out.attrs
    out = out.join(tertiles, on="lsoa21cd")
    out.attrs = dict(metrics.attrs) | {"clusters": found["clusters"], "access": found["access"]}
    return out


def with_access(
    metrics: pd.DataFrame,
    residence: pd.DataFrame,
    assets: pd.DataFrame,
    *,
    types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``metrics`` with walking access joined on (``walk_assets``, ``walk_nearest_m``,
    ``fca_per_1k``).

    Parameters
    ----------
    metrics
        :func:`assetmap.metrics.lsoa_metrics` for all of England (2SFCA needs every LSOA).
    residence, assets
        As for :func:`neighbourhood_metrics`.
    types
        Asset types counted; ``metrics.attrs["asset_types"]`` when ``None``.

    Returns
    -------
    pandas.DataFrame
        The same rows; ``attrs`` keeps those of ``metrics`` and adds ``access`` (its distances).
    """
    chosen = list(metrics.attrs.get("asset_types", [])) if types is None else list(types)
    population = metrics.set_index("lsoa21cd")["population"]
    walk = access.access_metrics(residence, population, assets, types=chosen)
    out = metrics.join(walk[list(access.ACCESS_COLUMNS)], on="lsoa21cd")
    out.attrs = dict(metrics.attrs) | {"access": dict(walk.attrs)}
    return out


def with_clusters(
    metrics: pd.DataFrame, contiguity: lpgraph.Graph, *, permutations: int | None = None
) -> pd.DataFrame:
    """``metrics`` with the national gap-score clusters joined on (``gap_spatial_lag``,
    ``gap_local_i``, ``gap_cluster_p``, ``gap_cluster``).

    Parameters
    ----------
    metrics
        :func:`assetmap.metrics.lsoa_metrics` for all of England.
    contiguity
        Queen contiguity (:func:`assetmap.store.load_contiguity`).
    permutations
        Permutations for the cluster test; ``settings.HOTSPOT_PERMUTATIONS`` when ``None``.

    Returns
    -------
    pandas.DataFrame
        The same rows; ``attrs`` keeps those of ``metrics`` and adds ``clusters`` (the test's
        settings and FDR threshold).
    """
    clusters = hotspots.local_gap_clusters(
        metrics,
        contiguity,
        permutations=settings.HOTSPOT_PERMUTATIONS if permutations is None else permutations,
    )
    out = metrics.join(clusters[list(_CLUSTER_RESULTS)], on="lsoa21cd")
    out.attrs = dict(metrics.attrs) | {"clusters": dict(clusters.attrs)}
    return out
