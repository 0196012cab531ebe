r"""Walking-distance access: assets near where people live, not only inside their LSOA's boundary.

Counting assets inside an LSOA's polygon (:func:`assetmap.measures.metrics.lsoa_metrics`) misses the
library 50 m over the border and credits a town-centre LSOA with a cluster its neighbours use too.
This module measures access from each LSOA's **residence point** instead:

- ``walk_assets``: assets of the chosen types within :math:`d` metres of the residence point
  (``settings.WALK_DISTANCE_M``, 800 m, about a 10-minute walk at 4.8 km/h);
- ``walk_nearest_m``: distance to the nearest one;
- ``fca_per_1k``: the two-step floating catchment area (2SFCA) provision ratio per 1,000
  residents (Luo & Wang 2003), which also counts how many other people share each asset.

Distances are **straight lines ("as the crow flies") in British National Grid metres**, not a
street network: a river, railway or motorway without a crossing makes the real walk longer, so
these figures are an upper bound on what is reachable on foot.

The residence point of an LSOA is the mean location of the postcodes inside it
(:func:`residence_points`); the build saves it as ``boundaries/lsoa21_residence.parquet``
(:data:`RESIDENCE_FILE`, read with :func:`assetmap.data.store.load_residence`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from assetmap import settings
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures.rates import per_1k

RESIDENCE_FILE: Final = "boundaries/lsoa21_residence.parquet"

#: How an LSOA's residence point was found (column ``res_method``).
RES_POSTCODE_MEAN: Final = "postcode mean"
RES_POLYGON_POINT: Final = "polygon point"

#: Columns of :func:`access_metrics`, in order.
ACCESS_COLUMNS: tuple[str, ...] = ("walk_assets", "walk_nearest_m", "fca_per_1k")

#: Columns of :func:`access_table`, in order.
ACCESS_TABLE_COLUMNS: tuple[str, ...] = (
    "lsoa21cd",
    "lsoa21nm",
    "lad24cd",
    "lad24nm",
    "icb24nm",
    "imd_decile",
    "imd_rank",
    "population",
    "assets",
    "assets_per_1k",
    "res_method",
    "res_postcodes",
    "walk_assets",
    "walk_nearest_m",
    "fca_per_1k",
)

# ONS Postcode Directory local-authority prefixes whose grid references are British National
# Grid metres; Northern Ireland's (N) are on the Irish Grid and would land in English LSOAs.
_BNG_COUNTRIES: Final = ("E", "W", "S")


def residence_points(locator: LsoaLocator, postcodes: pd.DataFrame) -> pd.DataFrame:
    r"""Where people live in each LSOA: the mean location of its postcodes.

    .. math::

        (\bar x_i, \bar y_i) = \frac{1}{n_i} \sum_{k \in i} (x_k, y_k)

    over the :math:`n_i` postcodes :math:`k` whose grid reference lies inside LSOA :math:`i`.

    Assumptions: postcodes stand in for addresses. The directory this package ships has no
    residential / large-user flag, no address counts and no termination dates, so every postcode
    with a grid reference counts once, whether it holds one flat or forty, a business or a
    terminated code (terminated codes still mark streets where people live or lived). A postcode
    counts in the LSOA whose polygon contains its grid reference (the same tie rule as
    :class:`assetmap.geography.spatial.LsoaLocator`); postcodes just outside the coast-clipped
    polygons are not pulled in. Postcodes of England, Wales and Scotland are used (a few Welsh and
    Scottish postcodes lie inside English LSOAs on the border); Northern Ireland's grid references
    are on the Irish Grid and are skipped. The mean of a concave LSOA's postcodes can lie outside
    the polygon; it is still the centre of where its residents are. An LSOA with no postcode inside
    (a new estate the directory has not caught up with) falls back to a point guaranteed inside
    its polygon (``shapely.point_on_surface``) and is flagged ``"polygon point"``.

    Parameters
    ----------
    locator
        The LSOA locator (its polygons and grid index, EPSG:27700).
    postcodes
        The postcode directory: ``easting``, ``northing`` (metres, NaN without a grid reference)
        and ``laua`` (local authority code), as :func:`assetmap.geography.geocode.load_onspd`
        returns.

    Returns
    -------
    pandas.DataFrame
        One row per LSOA in the locator's order: ``lsoa21cd``, ``res_easting``,
        ``res_northing``, ``res_postcodes`` (postcodes averaged; 0 for the fallback) and
        ``res_method`` (:data:`RES_POSTCODE_MEAN` or :data:`RES_POLYGON_POINT`).
    """
    laua = postcodes["laua"].astype(str)
    keep = laua.str.startswith(_BNG_COUNTRIES).to_numpy() & postcodes["easting"].notna().to_numpy()
    x = postcodes["easting"].to_numpy(dtype="float64")[keep]
    y = postcodes["northing"].to_numpy(dtype="float64")[keep]
    pos = locator.index.query(x, y)
    inside = pos >= 0
    n = len(locator.codes)
    count = np.bincount(pos[inside], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x = np.bincount(pos[inside], weights=x[inside], minlength=n) / count
        mean_y = np.bincount(pos[inside], weights=y[inside], minlength=n) / count
    empty = count == 0
    if empty.any():
        fallback = shapely.point_on_surface(locator.polygons[empty])
        mean_x[empty] = shapely.get_x(fallback)
        mean_y[empty] = shapely.get_y(fallback)
    return pd.DataFrame(
        {
            "lsoa21cd": locator.codes.astype(str),
            "res_easting": mean_x,
            "res_northing": mean_y,
            "res_postcodes": count.astype("int64"),
            "res_method": np.where(empty, RES_POLYGON_POINT, RES_POSTCODE_MEAN),
        }
    )


def _xy(frame: pd.DataFrame, x: str, y: str) -> np.ndarray:
    return np.column_stack([frame[x].to_numpy(dtype="float64"), frame[y].to_numpy(dtype="float64")])


def _pairs(a: cKDTree, b: cKDTree, r: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Every (a, b) pair at most r apart, with its distance; the ndarray output keeps pairs at
    # distance 0, which sparse-matrix outputs would drop as implicit zeros.
    m = a.sparse_distance_matrix(b, r, output_type="ndarray")
    return m["i"].astype(np.intp), m["j"].astype(np.intp), m["v"]


@dataclass(frozen=True)
class AccessRun:
    """How walking access was measured: what was counted and the distances used.

    Attributes
    ----------
    asset_types
        The asset types counted; ``None`` when every asset was.
    distance_m
        Walking distance :math:`d` in metres.
    fca_distance_m
        2SFCA catchment :math:`d_0` in metres.
    """

    asset_types: tuple[str, ...] | None
    distance_m: float
    fca_distance_m: float


@dataclass(frozen=True)
class Access:
    """Output of :func:`access_metrics`: the per-LSOA table and how it was measured.

    Attributes
    ----------
    table
        Indexed by ``lsoa21cd``, columns :data:`ACCESS_COLUMNS`.
    run
        The asset types and distances (:class:`AccessRun`).
    """

    table: pd.DataFrame
    run: AccessRun


def access_metrics(
    residence: pd.DataFrame,
    population: pd.Series,
    assets: pd.DataFrame,
    types: Sequence[str] | None = None,
    distance_m: float | None = None,
    *,
    fca_distance_m: float | None = None,
    codes: Sequence[str] | pd.Series | None = None,
) -> Access:
    r"""Walking-distance access to assets from each LSOA's residence point.

    With :math:`d_{ij}` the straight-line distance in British National Grid metres between the
    residence point of LSOA :math:`i` and asset :math:`j`, :math:`d` the walking distance and
    :math:`P_i` the LSOA's usual residents:

    .. math::

        \text{walk\_assets}_i = \#\{j : d_{ij} \le d\}, \qquad
        \text{walk\_nearest\_m}_i = \min_j d_{ij}

    The two-step floating catchment area ratio (Luo & Wang 2003), with catchment :math:`d_0`
    and every asset a supply of :math:`S_j = 1`: step 1 shares each asset among the residents
    of every LSOA whose residence point lies within :math:`d_0` of it, step 2 adds up the shares
    within :math:`d_0` of each LSOA:

    .. math::

        R_j = \frac{S_j}{\sum_{k : d_{kj} \le d_0} P_k}, \qquad
        \text{fca\_per\_1k}_i = 1000 \sum_{j : d_{ij} \le d_0} R_j

    It conserves supply: :math:`\sum_i \text{fca\_per\_1k}_i P_i / 1000` equals the number of
    assets within :math:`d_0` of at least one residence point. Unlike ``walk_assets`` it falls
    where many people share few assets (dense town centres) and rises where few people share
    them; unlike ``assets_per_1k`` it does not stop at the LSOA's boundary.

    Assumptions: distances are as the crow flies, not along streets; all of an LSOA's residents
    are placed at its residence point (:func:`residence_points`); an asset serves anyone within
    the catchment equally (no distance decay) and no one beyond it; every asset counts once,
    whatever its size.

    Parameters
    ----------
    residence
        Residence points of **every** LSOA that can share an asset (England: the output of
        :func:`assetmap.data.store.load_residence`): ``lsoa21cd``, ``res_easting``,
        ``res_northing``. Step 1 needs all the people near an asset, so pass England and pick LSOAs
        with ``codes``, not a pre-filtered area.
    population
        Usual residents, indexed by ``lsoa21cd`` (the LSOA table's ``population``); every LSOA
        of ``residence`` needs one.
    assets
        Any frame with ``easting`` and ``northing`` (metres; rows without them are skipped) and,
        when ``types`` is given, ``asset_type``: the open layers or an uploaded register.
    types
        Asset types to count; every row of ``assets`` when ``None``.
    distance_m
        Walking distance :math:`d`; defaults to ``settings.WALK_DISTANCE_M``.
    fca_distance_m
        2SFCA catchment :math:`d_0`; defaults to ``settings.FCA_DISTANCE_M`` or, when that is
        ``None``, to the walking distance.
    codes
        Only return these LSOAs (e.g. one ICB's; each must be in ``residence``). The result is
        the same as for England filtered afterwards, including the sharing of assets with
        neighbours outside the selection.

    Returns
    -------
    Access
        ``table`` indexed by ``lsoa21cd`` (in ``residence`` order): ``walk_assets`` (int),
        ``walk_nearest_m`` (NaN when there is no asset at all) and ``fca_per_1k``; with the
        ``asset_types``, ``distance_m`` and ``fca_distance_m`` used.
    """
    walk = float(settings.WALK_DISTANCE_M if distance_m is None else distance_m)
    if fca_distance_m is not None:
        catchment = float(fca_distance_m)
    elif settings.FCA_DISTANCE_M is not None:
        catchment = float(settings.FCA_DISTANCE_M)
    else:
        catchment = walk
    if walk < 0 or catchment < 0:
        raise ValueError("distances must be at least 0 metres")

    chosen = assets
    if types is not None:
        known = set(assets["asset_type"])
        unknown = [t for t in types if t not in known]
        if unknown:
            raise ValueError(f"no assets of type {unknown}; present: {', '.join(sorted(known))}")
        chosen = assets[assets["asset_type"].isin(list(types))]
    where = _xy(chosen, "easting", "northing")
    where = where[np.isfinite(where).all(axis=1)]

    lsoa = residence["lsoa21cd"].astype(str).to_numpy()
    people = population.reindex(lsoa).to_numpy(dtype="float64")
    if np.isnan(people).any():
        missing = lsoa[np.isnan(people)][:5].tolist()
        raise ValueError(f"no population for LSOAs {missing}")
    homes = _xy(residence, "res_easting", "res_northing")
    if codes is None:
        target = np.arange(len(lsoa))
    else:
        wanted = pd.Index(list(codes))
        target = np.flatnonzero(pd.Index(lsoa).isin(wanted))
        unknown_codes = wanted.difference(pd.Index(lsoa))
        if len(unknown_codes):
            raise ValueError(f"no residence point for LSOAs {unknown_codes[:5].tolist()}")

    n = len(target)
    walk_assets: np.ndarray = np.zeros(n, dtype="int64")
    nearest: np.ndarray = np.full(n, np.nan)
    fca: np.ndarray = np.zeros(n)
    if len(where) and n:
        asset_tree = cKDTree(where)
        home_tree = cKDTree(homes)
        target_tree = home_tree if codes is None else cKDTree(homes[target])
        nearest = asset_tree.query(homes[target], k=1)[0]
        ti, j, dist = _pairs(target_tree, asset_tree, max(walk, catchment))
        walk_assets = np.bincount(ti[dist <= walk], minlength=n).astype("int64")

        near = dist <= catchment
        ti, j = ti[near], j[near]
        demand: np.ndarray
        if codes is None:
            demand = np.bincount(j, weights=people[ti], minlength=len(where))
        else:
            # Step 1 for the assets the selection reaches, against every LSOA in England.
            used = np.unique(j)
            jj, k, _ = _pairs(cKDTree(where[used]), home_tree, catchment)
            demand = np.zeros(len(where))
            demand[used] = np.bincount(jj, weights=people[k], minlength=len(used))
        ratio = np.divide(1.0, demand, out=np.zeros_like(demand), where=demand > 0)
        fca = 1000 * np.bincount(ti, weights=ratio[j], minlength=n)

    out = pd.DataFrame(
        {"walk_assets": walk_assets, "walk_nearest_m": nearest, "fca_per_1k": fca},
        index=pd.Index(lsoa[target], name="lsoa21cd"),
    )
    run = AccessRun(
        asset_types=None if types is None else tuple(types),
        distance_m=walk,
        fca_distance_m=catchment,
    )
    return Access(table=out, run=run)


def access_table(
    metrics: pd.DataFrame, access: pd.DataFrame, residence: pd.DataFrame
) -> pd.DataFrame:
    """Per-LSOA access beside the in-boundary counts, for export.

    Parameters
    ----------
    metrics
        Output of :func:`assetmap.measures.metrics.lsoa_metrics` (filter it to an area first or
        after).
    access
        ``table`` of :func:`access_metrics` for the same asset types.
    residence
        Output of :func:`assetmap.data.store.load_residence`.

    Returns
    -------
    pandas.DataFrame
        The rows of ``metrics`` that ``access`` covers, columns :data:`ACCESS_TABLE_COLUMNS`.
    """
    frame = metrics.merge(
        residence[["lsoa21cd", "res_method", "res_postcodes"]], on="lsoa21cd", how="left"
    )
    frame = frame.join(access[list(ACCESS_COLUMNS)], on="lsoa21cd", how="inner")
    return frame[list(ACCESS_TABLE_COLUMNS)].reset_index(drop=True)


#: Columns of :func:`compare_with_counts`, in order.
COMPARE_COLUMNS: tuple[str, ...] = (
    "imd_decile",
    "lsoa_count",
    "population",
    "assets",
    "assets_per_1k",
    "walk_assets_mean",
    "fca_per_1k",
    "none_inside_walkable_share",
    "inside_not_walkable_share",
    "spearman_walk",
    "spearman_fca",
)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    # Pearson correlation of average ranks (ties share their mean rank); NaN when either side
    # is constant.
    ra, rb = a.rank(method="average"), b.rank(method="average")
    if ra.nunique() < 2 or rb.nunique() < 2:
        return float("nan")
    return float(np.corrcoef(ra.to_numpy(), rb.to_numpy())[0, 1])


def compare_with_counts(frame: pd.DataFrame) -> pd.DataFrame:
    r"""In-boundary counts against walking-distance access, by IMD decile and overall.

    For each IMD 2025 decile (and ``"all"``): the in-boundary rate
    :math:`1000 \sum a_i / \sum P_i`, the mean ``walk_assets`` per LSOA, the population-weighted
    mean 2SFCA ratio :math:`\sum_i \text{fca\_per\_1k}_i P_i / \sum_i P_i`, the share of LSOAs
    with no asset inside but at least one within walking distance (and the reverse), and the
    Spearman rank correlation across the group's LSOAs of ``assets_per_1k`` with ``walk_assets``
    and with ``fca_per_1k``.

    Where they disagree, and why:

    - **Boundary effects.** An asset just over the border counts for the neighbour, not for the
      LSOA whose residents live next to it: ``assets == 0`` but ``walk_assets >= 1``
      (``none_inside_walkable_share``).
    - **Large LSOAs.** In a large (rural or edge-of-town) LSOA an asset inside the boundary can
      be further than the walking distance from where its residents live
      (``inside_not_walkable_share``), so ``walk_assets`` can be *smaller* than the in-boundary
      count.
    - **Dense town centres.** Assets cluster in centres, so a central LSOA's walking radius takes
      in many of them while its neighbours' boundaries hold none: the in-boundary rate is
      spiky, walking counts are smooth.
    - **2SFCA competition.** ``fca_per_1k`` divides each asset among everyone within its
      catchment, so a cluster shared by many residents scores lower per head than the same
      cluster in a sparsely populated place.

    Parameters
    ----------
    frame
        One row per LSOA with ``imd_decile``, ``population``, ``assets``, ``assets_per_1k``
        (:func:`assetmap.measures.metrics.lsoa_metrics`), ``walk_assets`` and ``fca_per_1k``
        (:func:`access_metrics`), for England or one area.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS`; ``imd_decile`` holds ``"1"`` ... ``"10"`` and ``"all"``.
    """
    work = frame.assign(
        none_inside_walkable=(frame["assets"] == 0) & (frame["walk_assets"] >= 1),
        inside_not_walkable=(frame["assets"] >= 1) & (frame["walk_assets"] == 0),
        weighted_fca=frame["fca_per_1k"] * frame["population"],
    )
    groups = [(str(d), g) for d, g in work.groupby("imd_decile", sort=True)]
    rows = []
    for label, g in [*groups, ("all", work)]:
        population = g["population"].sum()
        rows.append(
            {
                "imd_decile": label,
                "lsoa_count": len(g),
                "population": population,
                "assets": g["assets"].sum(),
                "assets_per_1k": per_1k(g["assets"].sum(), population),
                "walk_assets_mean": g["walk_assets"].mean(),
                "fca_per_1k": g["weighted_fca"].sum() / population,
                "none_inside_walkable_share": g["none_inside_walkable"].mean(),
                "inside_not_walkable_share": g["inside_not_walkable"].mean(),
                "spearman_walk": _spearman(g["assets_per_1k"], g["walk_assets"]),
                "spearman_fca": _spearman(g["assets_per_1k"], g["fca_per_1k"]),
            }
        )
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))


def explain_comparison(table: pd.DataFrame, distance_m: float | None = None) -> str:
    """A short Markdown reading of :func:`compare_with_counts`, with its numbers.

    Parameters
    ----------
    table
        Output of :func:`compare_with_counts`.
    distance_m
        The walking distance used; defaults to ``settings.WALK_DISTANCE_M``.

    Returns
    -------
    str
    """
    d = settings.WALK_DISTANCE_M if distance_m is None else distance_m
    rows = table.set_index("imd_decile")
    every = table[table["imd_decile"] == "all"].iloc[0]
    lines = [
        f"Across {int(every['lsoa_count']):,} LSOAs, "
        f"{every['none_inside_walkable_share']:.1%} have none of these assets inside their "
        f"boundary but at least one within {d:,.0f} m of where their residents live "
        "(an asset just over the border), and "
        f"{every['inside_not_walkable_share']:.1%} have one inside but none within "
        f"{d:,.0f} m (a large LSOA whose asset is far from its homes).",
        f"The rank correlation of assets per 1,000 with assets within walking distance is "
        f"{every['spearman_walk']:.2f}, and with the 2SFCA ratio {every['spearman_fca']:.2f}: "
        "the lower it is, the more the boundary decides the answer.",
    ]
    if {"1", "10"} <= set(rows.index):
        most, least = rows.loc["1"], rows.loc["10"]

        def times(column: str) -> str:
            base = least[column]
            return f"{most[column] / base:.2f}x" if base else "n/a"

        lines.append(
            "Against the least deprived decile, the most deprived has "
            f"{times('assets_per_1k')} the assets per 1,000 inside the boundary, "
            f"{times('walk_assets_mean')} the assets within walking distance and "
            f"{times('fca_per_1k')} the 2SFCA ratio. A walking count ignores how many people "
            "share an asset; the 2SFCA ratio divides each asset among everyone within its "
            "catchment, so where many people live close together it is lower than the count "
            "alone suggests."
        )
    return "\n\n".join(lines)
