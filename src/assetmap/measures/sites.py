r"""Best sites: where k new sites of a type would bring the most deprived residents within reach.

The maximal covering location problem (Church, R. and ReVelle, C. (1974) "The maximal covering
location problem", *Papers of the Regional Science Association* 32, 101-118): choose :math:`k`
sites :math:`S` among candidates :math:`J` to maximise the demand covered,

.. math::

    \max_{S \subseteq J,\ |S| = k} \; \sum_i w_i \, [\exists j \in S : d_{ij} \le d]

with :math:`d_{ij}` the straight-line distance from candidate :math:`j` to LSOA :math:`i`'s
residence point, :math:`d` the walking distance, and demand :math:`w_i` the residents of the
area's Core20 LSOAs (IMD 2025 deciles 1-2) that have no asset of the type within :math:`d`
today: the people a new site would newly bring within walking distance.

It is solved by greedy selection: each step adds the candidate that covers the most demand not
yet covered. Coverage is monotone and submodular, so the greedy choice covers at least
:math:`(1 - 1/e) \approx 63\%` of the optimum (Nemhauser, Wolsey and Fisher 1978); on small
instances the tests compare it with exhaustive search. Candidates are the residence points of
the area's LSOAs (somewhere people live), or the user's own list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from assetmap import settings


@dataclass(frozen=True)
class Coverage:
    """Which candidates reach which demand LSOAs.

    Attributes
    ----------
    candidates
        One row per candidate: ``candidate`` (its name), ``easting``, ``northing``.
    demand
        One row per demand LSOA: ``lsoa21cd`` and ``weight`` (its residents).
    reach
        Sparse boolean matrix, candidates x demand: true where within the distance.
    distance_m
        The walking distance.
    """

    candidates: pd.DataFrame
    demand: pd.DataFrame
    reach: sparse.csr_matrix
    distance_m: float


def coverage(
    candidates: pd.DataFrame,
    demand: pd.DataFrame,
    residence: pd.DataFrame,
    distance_m: float | None = None,
) -> Coverage:
    """The candidates x demand reach matrix.

    Parameters
    ----------
    candidates
        ``candidate``, ``easting``, ``northing`` (BNG metres).
    demand
        ``lsoa21cd`` and ``weight``.
    residence
        Every LSOA's residence point (``lsoa21cd``, ``res_easting``, ``res_northing``).
    distance_m
        Walking distance; ``settings.WALK_DISTANCE_M`` when ``None``.
    """
    d = settings.WALK_DISTANCE_M if distance_m is None else float(distance_m)
    homes = demand[["lsoa21cd", "weight"]].merge(residence, on="lsoa21cd", validate="one_to_one")
    cand = candidates[["candidate", "easting", "northing"]].reset_index(drop=True)
    tree = cKDTree(homes[["res_easting", "res_northing"]].to_numpy(dtype="float64"))
    lists = tree.query_ball_point(cand[["easting", "northing"]].to_numpy(dtype="float64"), r=d)
    rows = np.repeat(np.arange(len(cand)), [len(x) for x in lists])
    cols = np.fromiter((c for x in lists for c in x), dtype=np.int64, count=len(rows))
    reach = sparse.csr_matrix(
        (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(cand), len(homes))
    )
    return Coverage(cand, homes[["lsoa21cd", "weight"]], reach, d)


def covered(cover: Coverage, chosen: Sequence[int]) -> float:
    """Demand covered by the candidates at positions ``chosen``."""
    if not len(chosen):
        return 0.0
    hit = np.asarray(cover.reach[list(chosen)].sum(axis=0)).ravel() > 0
    return float(cover.demand["weight"].to_numpy(dtype="float64")[hit].sum())


def greedy(cover: Coverage, k: int) -> pd.DataFrame:
    """Choose ``k`` candidates by greedy selection.

    Returns
    -------
    pandas.DataFrame
        One row per chosen site in the order chosen: ``pick`` (1 first), ``candidate``,
        ``easting``, ``northing``, ``gain`` (demand it newly covers, given the sites before it)
        and ``covered`` (the running total). Stops early when no candidate adds any demand.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    left = cover.demand["weight"].to_numpy(dtype="float64").copy()
    reach = cover.reach.astype(np.float64)
    picks: list[tuple[int, float]] = []
    for _ in range(min(k, reach.shape[0])):
        gains = reach @ left
        best = int(np.argmax(gains))  # ties: the first candidate
        if gains[best] <= 0:
            break
        picks.append((best, float(gains[best])))
        left[cover.reach[best].indices] = 0.0
    at = [p for p, _ in picks]
    out = cover.candidates.iloc[at].reset_index(drop=True)
    out.insert(0, "pick", np.arange(1, len(at) + 1))
    out["gain"] = [g for _, g in picks]
    out["covered"] = out["gain"].cumsum()
    return out


def core20_demand(
    lsoas: pd.DataFrame, walk_assets: pd.Series, codes: Sequence[str] | pd.Series
) -> pd.DataFrame:
    """The area's Core20 LSOAs with no asset within walking distance, weighted by residents.

    Parameters
    ----------
    lsoas
        The LSOA table (``lsoa21cd``, ``core20``, ``population``).
    walk_assets
        Assets within walking distance per LSOA (``access_metrics(...).table["walk_assets"]``).
    codes
        The area's LSOA codes.
    """
    rows = lsoas[lsoas["lsoa21cd"].isin(list(codes)) & lsoas["core20"]]
    rows = rows[rows["lsoa21cd"].map(walk_assets).fillna(0).to_numpy() == 0]
    return pd.DataFrame(
        {"lsoa21cd": rows["lsoa21cd"].to_numpy(), "weight": rows["population"].to_numpy()}
    )


def residence_candidates(residence: pd.DataFrame, codes: Sequence[str] | pd.Series) -> pd.DataFrame:
    """Candidates at the residence points of the area's LSOAs (named by their code)."""
    rows = residence[residence["lsoa21cd"].isin(list(codes))]
    return pd.DataFrame(
        {
            "candidate": rows["lsoa21cd"].to_numpy(),
            "easting": rows["res_easting"].to_numpy(),
            "northing": rows["res_northing"].to_numpy(),
        }
    )


def naive_rule(cover: Coverage, lsoas: pd.DataFrame, k: int) -> list[int]:
    """The sites a simple rule picks: the ``k`` most deprived demand LSOAs (lowest IMD rank),
    each at its own residence point. Positions among ``cover.candidates`` (candidates named by
    LSOA code, as :func:`residence_candidates` makes them)."""
    ranks = lsoas.set_index("lsoa21cd")["imd_rank"]
    worst = cover.demand.assign(rank=cover.demand["lsoa21cd"].map(ranks)).nsmallest(k, "rank")
    where = pd.Index(cover.candidates["candidate"]).get_indexer(worst["lsoa21cd"])
    return [int(i) for i in where if i >= 0]
