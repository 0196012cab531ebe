r"""Change since 2019: which LSOAs moved to a more (or less) deprived IMD decile.

The IMD 2019 was published for the 32,844 LSOAs of 2011; the IMD 2025 for the 33,755 LSOAs of
2021. The build carries IMD 2019 to the 2021 LSOAs through the ONS best-fit lookup
(:func:`assetmap.data.build.imd2019_for_lsoa21`), and ``imd19_match`` records how:

* ``unchanged``: the same area in both years; its 2019 decile is the published one.
* ``split``: one of several children of a 2011 LSOA; it takes its parent's 2019 decile, which
  described the whole parent.
* ``merged`` / ``irregular``: several 2011 parents; the 2019 decile comes from their
  population-weighted mean rank.

The change is a difference of national deciles,

.. math::

    \Delta_i = d^{2025}_i - d^{2019}_i \in \{-9, \dots, 9\}

so :math:`\Delta_i < 0` means LSOA :math:`i` sits in a **more deprived** decile than in 2019.
Deciles are relative positions among England's LSOAs, not absolute levels: a fall means other
places improved faster or this one fell behind, and a move of one decile may be a small shift in
rank across a decile boundary. Only ``unchanged`` LSOAs compare like with like
(``imd19_comparable``); the others are shown but flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.geography import areas

#: Values of ``imd19_match``, in the order tables show them.
MATCHES: tuple[str, ...] = ("unchanged", "split", "merged", "irregular")
#: How 2019 was mapped onto each LSOA 2021 (``imd19_match``), in words; ``all`` for the total.
MATCH_LABELS: dict[str, str] = {
    "unchanged": "Same boundary",
    "split": "Split (parent's decile)",
    "merged": "Merged (weighted rank)",
    "irregular": "Redrawn (weighted rank)",
    "all": "All",
}

#: Values of ``change_direction``, in the order tables show them.
DIRECTIONS: tuple[str, ...] = ("more deprived", "same decile", "less deprived")

#: Columns of the per-LSOA change table (:func:`change_table`), in order.
CHANGE_TABLE_COLUMNS: tuple[str, ...] = (
    "lsoa21cd",
    "lsoa21nm",
    "ward24cd",
    "ward24nm",
    "lad24nm",
    "population",
    "imd19_decile",
    "imd_decile",
    "imd_decile_change",
    "became_more_deprived",
    "imd19_match",
    "imd19_comparable",
    "left_behind",
    "core20",
    "assets",
    "provision_percentile",
    "few_assets",
    "more_deprived_few_assets",
)


def decile_change(frame: pd.DataFrame) -> pd.DataFrame:
    r"""Add the change in IMD decile since 2019 to an LSOA table.

    Parameters
    ----------
    frame
        LSOA rows with ``imd_decile`` (2025), ``imd19_decile`` and ``imd19_match``: the LSOA
        table, a :func:`assetmap.measures.metrics.lsoa_metrics` table or any selection of their
        rows.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (``lsoa21cd`` and every other column kept) plus

        * ``imd_decile_change``: :math:`d^{2025} - d^{2019}`; negative means a more deprived
          decile than in 2019;
        * ``became_more_deprived``: ``imd_decile_change < 0``;
        * ``imd19_comparable``: ``imd19_match == "unchanged"``, the LSOAs whose 2019 decile
          was published for exactly the same area.
    """
    out = frame.copy()
    change = out["imd_decile"].astype("int64") - out["imd19_decile"].astype("int64")
    out["imd_decile_change"] = change
    out["became_more_deprived"] = change < 0
    out["imd19_comparable"] = out["imd19_match"].eq("unchanged").astype(bool)
    return out


def few_assets(metrics: pd.DataFrame, max_provision_percentile: float | None = None) -> pd.Series:
    r"""Whether each LSOA has "few assets": none of the chosen types, or the least-provided third.

    .. math::

        \text{few}_i = (a_i = 0) \lor (\text{provision\_percentile}_i \le q)

    with :math:`q` = :data:`assetmap.settings.FEW_ASSETS_MAX_PROVISION_PERCENTILE` (100/3): the
    national least-provided third. Provision is heavily tied at zero (about two thirds of LSOAs
    have none of the four open layers, over 90% no library), and tied LSOAs share their mean
    rank, so the zero-asset LSOAs' shared percentile can lie above the cut (46 for libraries
    alone). Saying "or no assets" keeps every LSOA without an asset in the least-provided group
    whatever the types, as :func:`assetmap.measures.bivariate.tertiles` does (ties go to the lower
    class). Whenever at least a third of England's LSOAs have no asset (every open layer and
    every combination of them) both give exactly the zero-asset LSOAs, so "few assets" is
    provision tertile 1 of the national bivariate map. Only for a register that reaches more
    than two thirds of LSOAs could the two differ, by the tie group at the cut.

    The percentile is national, so this works on any selection of a national metrics table.

    Parameters
    ----------
    metrics
        Output of :func:`assetmap.measures.metrics.lsoa_metrics` (all of England or a selection).
    max_provision_percentile
        :math:`q`; the setting when ``None``.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``metrics``.
    """
    q = (
        settings.FEW_ASSETS_MAX_PROVISION_PERCENTILE
        if max_provision_percentile is None
        else max_provision_percentile
    )
    few = metrics["zero_assets"].astype(bool) | (metrics["provision_percentile"] <= q)
    return few.rename("few_assets")


def more_deprived_few_assets(
    metrics: pd.DataFrame, max_provision_percentile: float | None = None
) -> pd.Series:
    """LSOAs that moved to a more deprived decile since 2019 and have few assets.

    Parameters
    ----------
    metrics
        Output of :func:`assetmap.measures.metrics.lsoa_metrics`, with or without
        :func:`decile_change`.
    max_provision_percentile
        Passed to :func:`few_assets`.

    Returns
    -------
    pandas.Series of bool
        ``became_more_deprived & few_assets``, aligned with ``metrics``; named
        ``more_deprived_few_assets``.
    """
    worse = (
        metrics["became_more_deprived"].astype(bool)
        if "became_more_deprived" in metrics
        else metrics["imd_decile"] < metrics["imd19_decile"]
    )
    both = worse & few_assets(metrics, max_provision_percentile)
    return both.rename("more_deprived_few_assets")


def _with_change(frame: pd.DataFrame, area: areas.Area | None) -> pd.DataFrame:
    subset = areas.select(frame, area) if area is not None else frame
    return subset if "imd_decile_change" in subset else decile_change(subset)


def _with_all(groups: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # The "all" rows sum the match groups, so every table carries its own check of the total.
    total = groups.groupby(keys[1:], sort=False)[["lsoa_count", "population"]].sum().reset_index()
    total.insert(0, "imd19_match", "all")
    return pd.concat([groups, total], ignore_index=True)


def change_summary(frame: pd.DataFrame, area: areas.Area | None = None) -> pd.DataFrame:
    """LSOAs and residents that moved to a more or less deprived decile, by how 2019 was mapped.

    Parameters
    ----------
    frame
        LSOA rows (see :func:`decile_change`) with ``population``; all of England or a selection.
    area
        Restrict to this area first; ``frame`` as given when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per (``imd19_match``, ``change_direction``): the four :data:`MATCHES` then
        ``all``, each with the three :data:`DIRECTIONS`; ``lsoa_count``, ``population``,
        ``lsoa_share`` and ``population_share`` (shares of that ``imd19_match`` group, 0-1).
    """
    work = _with_change(frame, area)
    direction = np.select(
        [work["imd_decile_change"] < 0, work["imd_decile_change"] > 0],
        [DIRECTIONS[0], DIRECTIONS[2]],
        default=DIRECTIONS[1],
    )
    keys = ["imd19_match", "change_direction"]
    full = pd.MultiIndex.from_product([MATCHES, DIRECTIONS], names=keys)
    groups = (
        work.assign(change_direction=direction)
        .groupby(keys)
        .agg(lsoa_count=("lsoa21cd", "size"), population=("population", "sum"))
        .reindex(full, fill_value=0)
        .reset_index()
    )
    out = _with_all(groups, keys)
    totals = out.groupby("imd19_match")[["lsoa_count", "population"]].transform("sum")
    out["lsoa_share"] = out["lsoa_count"] / totals["lsoa_count"].replace(0, np.nan)
    out["population_share"] = out["population"] / totals["population"].replace(0, np.nan)
    return out


def change_by_match(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`change_summary` as one row per way 2019 was mapped.

    Parameters
    ----------
    summary
        Output of :func:`change_summary`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``imd19_match`` (the four :data:`MATCHES`, then ``all``); for each of the
        :data:`DIRECTIONS` in order, ``<direction>_lsoa_count`` and ``<direction>_population``
        (integers).
    """
    wide = summary.pivot(
        index="imd19_match", columns="change_direction", values=["lsoa_count", "population"]
    ).reindex([*MATCHES, "all"])
    return pd.DataFrame(
        {
            f"{direction}_{column}": wide[(column, direction)].astype("int64")
            for direction in DIRECTIONS
            for column in ("lsoa_count", "population")
        }
    )


def change_distribution(frame: pd.DataFrame, area: areas.Area | None = None) -> pd.DataFrame:
    """How many LSOAs and residents moved by each number of deciles, by how 2019 was mapped.

    Parameters
    ----------
    frame
        As for :func:`change_summary`.
    area
        As for :func:`change_summary`.

    Returns
    -------
    pandas.DataFrame
        One row per (``imd19_match``, ``imd_decile_change``) for every change from -9 to 9
        (zeros included), the four :data:`MATCHES` then ``all``; ``lsoa_count`` and
        ``population``.
    """
    work = _with_change(frame, area)
    keys = ["imd19_match", "imd_decile_change"]
    full = pd.MultiIndex.from_product([MATCHES, range(-9, 10)], names=keys)
    groups = (
        work.groupby(keys)
        .agg(lsoa_count=("lsoa21cd", "size"), population=("population", "sum"))
        .reindex(full, fill_value=0)
        .reset_index()
    )
    return _with_all(groups, keys)


def change_table(metrics: pd.DataFrame, area: areas.Area | None = None) -> pd.DataFrame:
    """Per-LSOA change since 2019 beside provision, most deprived change first.

    Parameters
    ----------
    metrics
        Output of :func:`assetmap.measures.metrics.lsoa_metrics` for all of England.
    area
        The area; England when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_TABLE_COLUMNS`, sorted by ``imd_decile_change`` (largest fall
        first), then IMD 2025 rank.
    """
    work = _with_change(metrics, area or areas.ENGLAND)
    work = work.assign(
        few_assets=few_assets(work), more_deprived_few_assets=more_deprived_few_assets(work)
    )
    ordered = work.sort_values(["imd_decile_change", "imd_rank", "lsoa21cd"], kind="stable")
    return ordered[list(CHANGE_TABLE_COLUMNS)].reset_index(drop=True)


#: Columns :func:`with_change_flags` adds, in order.
CHANGE_FLAG_COLUMNS: tuple[str, ...] = (
    "imd19_decile",
    "imd_decile_change",
    "more_deprived_few_assets",
)


def with_change_flags(table: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """``table`` (LSOA rows, e.g. a gap table) with each LSOA's change since 2019 joined on.

    Parameters
    ----------
    table
        Rows with ``lsoa21cd``, e.g. :func:`assetmap.measures.metrics.gap_table`.
    metrics
        :func:`assetmap.measures.metrics.lsoa_metrics` the table was made from (its national
        provision percentiles decide "few assets").

    Returns
    -------
    pandas.DataFrame
        ``table`` plus :data:`CHANGE_FLAG_COLUMNS` (:func:`decile_change`,
        :func:`more_deprived_few_assets`), rows and order unchanged.
    """
    flags = decile_change(metrics)
    flags["more_deprived_few_assets"] = more_deprived_few_assets(flags).to_numpy()
    return table.join(flags.set_index("lsoa21cd")[list(CHANGE_FLAG_COLUMNS)], on="lsoa21cd")
