"""What the "Plan a site" page reports, derived from a what-if and a best-sites run.

:func:`local` cuts a what-if (:func:`assetmap.measures.whatif.run`, which is national) to an
area's LSOAs; :func:`core20_gaining` lists the Core20 LSOAs with no asset within walking distance
that a scenario would give one; :func:`walk_after` is every LSOA's ``walk_assets`` after it;
:func:`walk_class` bands those counts for a map; :func:`nearest_asset` finds the asset a click
means; :func:`best_sites` runs the greedy maximal covering (:mod:`assetmap.measures.sites`) for an
area and sets it beside the naive rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from assetmap.measures import sites, whatif
from assetmap.measures.near import Place

#: Bands of ``walk_assets`` on the map: label and the lowest count in the band.
WALK_BANDS: Final[tuple[tuple[str, int], ...]] = (
    ("none within reach", 0),
    ("1", 1),
    ("2-3", 2),
    ("4 or more", 4),
)


def local(found: whatif.WhatIf, codes: Sequence[str] | pd.Series) -> whatif.WhatIf:
    """The what-if's rows of these LSOAs only."""
    table = found.table[found.table["lsoa21cd"].isin(list(codes))].reset_index(drop=True)
    return whatif.WhatIf(table, found.distance_m)


def core20_gaining(found: whatif.WhatIf) -> pd.DataFrame:
    """Core20 LSOAs with no asset within walking distance today that the scenario gives one.

    Returns
    -------
    pandas.DataFrame
        Rows of ``found.table``, the most deprived first (lowest IMD decile, then most
        residents).
    """
    t = found.table
    rows = t[t["core20"].astype(bool) & t["gains_access"].astype(bool)]
    return rows.sort_values(["imd_decile", "population"], ascending=[True, False]).reset_index(
        drop=True
    )


def walk_after(walk_before: pd.Series, found: whatif.WhatIf) -> pd.Series:
    """Every LSOA's ``walk_assets`` after the scenario (``walk_before`` indexed by code)."""
    after = walk_before.copy()
    changed = found.table.set_index("lsoa21cd")["walk_assets_after"]
    changed = changed[changed.index.isin(after.index)]
    after.loc[changed.index] = changed.to_numpy()
    return after


def walk_class(walk_assets: pd.Series | np.ndarray) -> np.ndarray:
    """The band of :data:`WALK_BANDS` of each count (``-1`` where missing)."""
    values = np.asarray(walk_assets, dtype="float64")
    lows = np.array([low for _, low in WALK_BANDS], dtype="float64")
    out = np.searchsorted(lows, values, side="right") - 1
    return np.where(np.isnan(values), -1, out).astype(np.int64)


def nearest_asset(assets: pd.DataFrame, place: Place, max_m: float) -> int | None:
    """Position in ``assets`` (``easting``, ``northing``) of the one nearest ``place``, when it
    is within ``max_m`` metres; else ``None``."""
    if not len(assets):
        return None
    d = np.hypot(
        assets["easting"].to_numpy(dtype="float64") - place.easting,
        assets["northing"].to_numpy(dtype="float64") - place.northing,
    )
    best = int(np.argmin(d))
    return best if d[best] <= max_m else None


@dataclass(frozen=True)
class BestSites:
    """Output of :func:`best_sites`.

    Attributes
    ----------
    chosen
        :func:`assetmap.measures.sites.greedy`'s table: ``pick``, ``candidate``, ``easting``,
        ``northing``, ``gain`` and ``covered``.
    naive
        The naive rule's sites (the ``k`` most deprived demand LSOAs, each at its residence
        point): ``candidate``, ``easting``, ``northing``.
    naive_covered
        Residents the naive sites would bring within reach.
    demand
        Residents of the area's Core20 LSOAs with no asset within reach today.
    distance_m
        The walking distance.
    """

    chosen: pd.DataFrame
    naive: pd.DataFrame
    naive_covered: float
    demand: float
    distance_m: float

    @property
    def covered(self) -> float:
        """Residents the chosen sites bring within reach."""
        return float(self.chosen["covered"].iloc[-1]) if len(self.chosen) else 0.0


def best_sites(
    lsoas: pd.DataFrame,
    residence: pd.DataFrame,
    walk_assets: pd.Series,
    codes: Sequence[str] | pd.Series,
    k: int,
    *,
    candidates: pd.DataFrame | None = None,
    distance_m: float | None = None,
) -> BestSites:
    """Greedy maximal covering for ``k`` sites in an area, beside the naive rule.

    Parameters
    ----------
    lsoas
        The LSOA table (``lsoa21cd``, ``core20``, ``population``, ``imd_rank``).
    residence
        Every LSOA's residence point.
    walk_assets
        Assets of the type within walking distance of each LSOA today, indexed by code.
    codes
        The area's LSOA codes.
    k
        Sites to choose.
    candidates
        ``candidate``, ``easting``, ``northing``; the residence points of the area's LSOAs when
        ``None``.
    distance_m
        Walking distance; ``settings.WALK_DISTANCE_M`` when ``None``.
    """
    demand = sites.core20_demand(lsoas, walk_assets, codes)
    homes = sites.residence_candidates(residence, codes)
    at_homes = sites.coverage(homes, demand, residence, distance_m)
    cover = (
        at_homes
        if candidates is None
        else sites.coverage(candidates, demand, residence, distance_m)
    )
    chosen = sites.greedy(cover, k)
    naive_at = sites.naive_rule(at_homes, lsoas, k)
    naive = at_homes.candidates.iloc[naive_at].reset_index(drop=True)
    return BestSites(
        chosen,
        naive,
        sites.covered(at_homes, naive_at),
        float(demand["weight"].sum()),
        at_homes.distance_m,
    )
