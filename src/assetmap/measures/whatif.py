r"""What if a site opened here, or an asset closed: who gains and who loses walking access.

A scenario adds candidate sites and closes existing assets of some asset types. Walking access
(:func:`assetmap.measures.access.access_metrics`: assets within the straight-line distance
:math:`d` of each LSOA's residence point, and the 2SFCA ratio) is computed for the assets before
and after, and each LSOA is compared:

.. math::

    \text{gains}_i = [w_i = 0 \wedge w'_i \ge 1], \qquad
    \text{loses}_i = [w_i \ge 1 \wedge w'_i = 0]

with :math:`w_i` and :math:`w'_i` its ``walk_assets`` before and after. A new site counts in the
LSOA whose polygon holds it (:class:`assetmap.geography.spatial.LsoaLocator`), so its per-1,000
count, its national provision percentile and every gap score move with it
(:func:`assetmap.measures.metrics.lsoa_metrics` before and after).

Nothing is stored: a scenario is plain values, and the caller keeps or shares it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import access, metrics
from assetmap.measures.near import Place


class ScenarioError(ValueError):
    """A scenario that cannot be run; the message names the site or asset and the reason."""


@dataclass(frozen=True)
class Scenario:
    """Sites to add and assets to close, for some asset types.

    Attributes
    ----------
    asset_type
        The type a new site is (one of the types counted).
    add
        New sites.
    close
        ``asset_id`` of existing assets to close.
    """

    asset_type: str
    add: tuple[Place, ...] = ()
    close: tuple[str, ...] = ()


def site_lsoas(sites: Sequence[Place], locator: LsoaLocator) -> np.ndarray:
    """The LSOA each new site lies in (codes, in order).

    Raises
    ------
    ScenarioError
        A site outside every English LSOA (at sea, or beyond the border), named.
    """
    x = np.array([p.easting for p in sites], dtype="float64")
    y = np.array([p.northing for p in sites], dtype="float64")
    codes = locator.locate(x, y)["lsoa21cd"]
    missing = codes.isna().to_numpy()
    outside = [p.label for p, out in zip(sites, missing, strict=True) if out]
    if outside:
        raise ScenarioError(f"the new site {outside[0]} is not in an English neighbourhood (LSOA)")
    return codes.to_numpy(dtype=object)


def apply(assets: pd.DataFrame, scenario: Scenario, locator: LsoaLocator) -> pd.DataFrame:
    """The assets after the scenario: closed ones removed, new sites placed in their LSOAs.

    Raises
    ------
    ScenarioError
        An ``asset_id`` to close that is not among ``assets``, or a new site outside every
        English LSOA (at sea, or beyond the border).
    """
    unknown = sorted(set(scenario.close) - set(assets["asset_id"]))
    if unknown:
        raise ScenarioError(f"no asset to close has the id {', '.join(unknown[:5])}")
    kept = assets[~assets["asset_id"].isin(scenario.close)]
    if not scenario.add:
        return kept.reset_index(drop=True)
    codes = site_lsoas(scenario.add, locator)
    new = pd.DataFrame(
        {
            "asset_id": [f"new:{i + 1}" for i in range(len(scenario.add))],
            "asset_type": scenario.asset_type,
            "name": [f"New site {i + 1} ({p.label})" for i, p in enumerate(scenario.add)],
            "easting": [p.easting for p in scenario.add],
            "northing": [p.northing for p in scenario.add],
            "lsoa21cd": codes,
        }
    )
    return pd.concat([kept, new], ignore_index=True)


#: Per-LSOA columns of :attr:`WhatIf.table`.
CHANGE_COLUMNS: tuple[str, ...] = (
    "assets_before",
    "assets_after",
    "walk_assets_before",
    "walk_assets_after",
    "fca_per_1k_before",
    "fca_per_1k_after",
    "gap_score_before",
    "gap_score_after",
    "gap_score_change",
    "gains_access",
    "loses_access",
)


@dataclass(frozen=True)
class WhatIf:
    """Output of :func:`run`.

    Attributes
    ----------
    table
        One row per LSOA whose assets inside, walking access or 2SFCA ratio change:
        ``lsoa21cd``, ``lsoa21nm``, ``lad24nm``, ``imd_decile``, ``core20``, ``population`` and
        :data:`CHANGE_COLUMNS`. (A site that opens or closes moves the national provision
        percentiles a little for every LSOA; only these rows' gap scores move because of
        their own provision.)
    distance_m
        The walking distance used.
    """

    table: pd.DataFrame
    distance_m: float


def run(
    scenario: Scenario,
    *,
    lsoas: pd.DataFrame,
    assets: pd.DataFrame,
    residence: pd.DataFrame,
    locator: LsoaLocator,
    types: Sequence[str],
    need: str = "imd",
    distance_m: float | None = None,
) -> WhatIf:
    """Walking access and gap scores before and after ``scenario``, for all of England.

    Parameters
    ----------
    scenario
        What opens and what closes.
    lsoas
        The LSOA table (all of England: percentiles and 2SFCA are national).
    assets
        Every located asset (``asset_id``, ``asset_type``, ``easting``, ``northing``,
        ``lsoa21cd``), the upload's included.
    residence
        Every LSOA's residence point.
    locator
        Places new sites in their LSOA.
    types
        The asset types counted; ``scenario.asset_type`` must be one of them.
    need
        The need measure of the gap score.
    distance_m
        Walking distance; ``settings.WALK_DISTANCE_M`` when ``None``.
    """
    if scenario.asset_type not in types:
        raise ScenarioError(f"a new site is a {scenario.asset_type}, which is not counted here")
    counted = assets[assets["asset_type"].isin(list(types))]
    after = apply(counted, scenario, locator)
    base = lsoas.set_index("lsoa21cd")[
        ["lsoa21nm", "lad24nm", "imd_decile", "core20", "population"]
    ]
    walk0, walk1 = (
        access.access_metrics(residence, base["population"], points, distance_m=distance_m)
        for points in (counted, after)
    )
    codes = lsoas["lsoa21cd"]
    gap0, gap1 = (
        metrics.lsoa_metrics(lsoas, metrics.count_assets(points, codes), types, need).set_index(
            "lsoa21cd"
        )
        for points in (counted, after)
    )
    table = base.assign(
        assets_before=gap0["assets"],
        assets_after=gap1["assets"],
        walk_assets_before=walk0.table["walk_assets"],
        walk_assets_after=walk1.table["walk_assets"],
        fca_per_1k_before=walk0.table["fca_per_1k"],
        fca_per_1k_after=walk1.table["fca_per_1k"],
        gap_score_before=gap0["gap_score"],
        gap_score_after=gap1["gap_score"],
    )
    table["gap_score_change"] = table["gap_score_after"] - table["gap_score_before"]
    table["gains_access"] = (table["walk_assets_before"] == 0) & (table["walk_assets_after"] >= 1)
    table["loses_access"] = (table["walk_assets_before"] >= 1) & (table["walk_assets_after"] == 0)
    changed = (
        (table["assets_before"] != table["assets_after"])
        | (table["walk_assets_before"] != table["walk_assets_after"])
        | ~np.isclose(table["fca_per_1k_before"], table["fca_per_1k_after"])
    )
    return WhatIf(table[changed].reset_index(), walk1.run.distance_m)


def by_decile(found: WhatIf) -> pd.DataFrame:
    """Residents gaining and losing an asset within the walking distance, by IMD decile.

    Returns
    -------
    pandas.DataFrame
        Ten rows, ``imd_decile`` 1-10 (1 and 2 are the most deprived 20%, Core20):
        ``lsoas_gaining``, ``residents_gaining``, ``lsoas_losing``, ``residents_losing``.
    """
    t = found.table
    rows = {}
    for what, flag in (("gaining", "gains_access"), ("losing", "loses_access")):
        hit = t[t[flag]].groupby("imd_decile")
        rows[f"lsoas_{what}"] = hit.size()
        rows[f"residents_{what}"] = hit["population"].sum()
    return (
        pd.DataFrame(rows)
        .reindex(range(1, 11), fill_value=0)
        .fillna(0)
        .astype("int64")
        .rename_axis("imd_decile")
        .reset_index()
    )
