r"""Where to invest first: a ranked short list of an area's LSOAs (or wards), with reasons.

Each **criterion** :math:`k` turns one column into a national 0-100 percentile :math:`c_{ik}`
where higher always means *more reason to invest* in LSOA :math:`i` (more deprived, less
provided for, worse walking access, inside an under-provided cluster). The score is the
weighted mean of the criteria the LSOA has values for,

.. math::

    s_i = \frac{\sum_k w_k\, c_{ik}}{\sum_k w_k}, \qquad w_k \ge 0,

so :math:`s_i \in [0, 100]` and only the ratios of the weights matter (doubling every weight
changes nothing). LSOAs are ranked by :math:`s_i` within the selected area (rank 1 first), ties
broken by deprivation, then code. Percentiles are national, computed on all of England before
the area is selected, so a score means the same everywhere.

**Stability.** The weights are a judgement, so the ranking is recomputed for :math:`D` weight
vectors drawn around the user's normalised weights :math:`\bar w`,

.. math::

    w^{(d)} \sim \operatorname{Dirichlet}(\kappa \bar w), \qquad
    \mathbb{E}[w^{(d)}] = \bar w, \qquad
    \operatorname{Var}[w^{(d)}_k] = \frac{\bar w_k (1 - \bar w_k)}{\kappa + 1},

(criteria with weight 0 stay at 0), all at once as a :math:`D \times n` matrix of scores
:math:`S = W C^\top`. Each LSOA gets ``invest_top_share``, the share of draws in which it ranks
in the top :math:`N`, and ``invest_rank_low`` / ``invest_rank_high``, the 5th and 95th
percentiles of its rank over the draws. :math:`D`, :math:`\kappa`, :math:`N`, the seed and the
percentiles are in :mod:`assetmap.settings`.

**Wards.** With ``by="ward"`` each ward's criterion value is the population-weighted mean of its
LSOAs' criterion percentiles, :math:`c_{Wk} = \sum_{i \in W} p_i c_{ik} / \sum_{i \in W} p_i`:
the percentile of the average resident, so a ward ranks high when many of its residents live in
LSOAs that score badly, not when one small LSOA does. For a yes/no criterion (the cold spot) it
is 100 times the share of the ward's residents in qualifying LSOAs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.data import dictionary
from assetmap.geography import areas

#: Builds an LSOA's reason text from the area's rows, the criterion's 0-100 percentile and the
#: need measure the table was computed with.
ReasonFn = Callable[[pd.DataFrame, pd.Series, str], pd.Series]


@dataclass(frozen=True)
class Criterion:
    """One reason to invest, and how to read it from a column.

    Attributes
    ----------
    key
        Short name used for weights and in ``invest_<key>`` (``deprivation``).
    column
        The column read (``need_percentile``); a criterion whose column is missing is skipped.
    direction
        ``"higher"`` when a higher value means more reason to invest, else ``"lower"``.
    label
        Name shown to people (``Deprivation``).
    reason
        Vectorised reason text for LSOA rows (see :data:`ReasonFn`).
    ward_reason
        Reason text for a ward, a ``str.format`` template of ``c``, the ward's criterion value.
    scale
        ``"percentile"``: the column is already a national 0-100 percentile; ``"value"``: turn
        it into one by its national rank; ``"flag"``: 100 where the column equals
        ``flag_value``, else 0.
    flag_value
        The qualifying value for ``scale="flag"``.
    """

    key: str
    column: str
    direction: Literal["higher", "lower"]
    label: str
    reason: ReasonFn
    ward_reason: str
    scale: Literal["percentile", "value", "flag"] = "value"
    flag_value: str | None = None


def _worst_share(pct: pd.Series) -> pd.Series:
    # "in England's worst X%": X is 100 - percentile rounded up, at least 1 (never "worst 0%").
    # Rounding first stops 9.9999999 (float noise at a decile edge) becoming 10 -> 11.
    share = np.ceil(np.round(100.0 - pct.to_numpy(dtype=float), 6))
    return pd.Series(np.clip(share, 1, 100), index=pct.index).astype("int64").astype(str)


def _fmt(values: pd.Series, spec: str) -> pd.Series:
    return values.map(lambda v: format(v, spec))


def _deprivation_reason(frame: pd.DataFrame, pct: pd.Series, need: str) -> pd.Series:
    on = "" if need == "imd" else f" on the {need.replace('_', ' ')} domain"
    return "in England's most deprived " + _worst_share(pct) + "%" + on


def _provision_reason(frame: pd.DataFrame, pct: pd.Series, need: str) -> pd.Series:
    some = (
        _fmt(frame["assets"], ",.0f")
        + np.where(frame["assets"] == 1, " asset (", " assets (")
        + _fmt(frame["assets_per_1k"], ".1f")
        + " per 1,000 residents): England's least provided "
        + _worst_share(pct)
        + "%"
    )
    none = pd.Series("no assets of the chosen types in the LSOA", index=frame.index)
    return none.where(frame["assets"] == 0, some)


def _access_reason(frame: pd.DataFrame, pct: pd.Series, need: str) -> pd.Series:
    text = (
        _fmt(frame["fca_per_1k"], ".2f")
        + " assets per 1,000 residents within walking distance (2SFCA): England's worst-served "
        + _worst_share(pct)
        + "%"
    )
    if "walk_nearest_m" not in frame:
        return text
    nearest = "nearest asset " + _fmt(frame["walk_nearest_m"] / 1000, ".1f") + " km away"
    known = frame["walk_nearest_m"].notna()
    if "walk_assets" not in frame:
        return nearest.where(known, text)
    walk = getattr(settings, "WALK_DISTANCE_M", None)
    within = f"within {walk:,.0f} m" if walk else "within walking distance"
    return (f"no asset {within}, " + nearest).where(known & (frame["walk_assets"] == 0), text)


def _cold_spot_reason(frame: pd.DataFrame, pct: pd.Series, need: str) -> pd.Series:
    text = pd.Series("part of a significant under-provided cluster", index=frame.index)
    if "gap_cluster_p" in frame:
        p = " (p = " + _fmt(frame["gap_cluster_p"], ".2g") + ")"
        text = text + p.where(frame["gap_cluster_p"].notna(), "")
    return text


#: The default criteria, in the order reasons and columns list them.
DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "deprivation",
        "need_percentile",
        "higher",
        "Deprivation",
        _deprivation_reason,
        "average resident's LSOA more deprived than {c:.0f}% of England's",
        scale="percentile",
    ),
    Criterion(
        "provision",
        "provision_percentile",
        "lower",
        "Under-provision",
        _provision_reason,
        "average resident's LSOA less provided for than {c:.0f}% of England's",
        scale="percentile",
    ),
    Criterion(
        "access",
        "fca_per_1k",
        "lower",
        "Poor walking access",
        _access_reason,
        "average resident's LSOA has worse walking access than {c:.0f}% of England's",
        scale="value",
    ),
    Criterion(
        "cold_spot",
        "gap_cluster",
        "higher",
        "Cold spot",
        _cold_spot_reason,
        "{c:.0f}% of residents in a significant under-provided cluster",
        scale="flag",
        flag_value="under-provided cluster",
    ),
)

#: The stability columns, in order.
_STABILITY = ("invest_top_share", "invest_rank_low", "invest_rank_high")

#: Ward-level columns carried into the ward ranking.
_WARD_KEYS = ("ward24cd", "ward24nm", "lad24cd", "lad24nm")

#: Descriptive LSOA columns shown beside the ranking (those present).
_LSOA_COLUMNS = (
    "lsoa21cd",
    "lsoa21nm",
    "ward24cd",
    "ward24nm",
    "lad24cd",
    "lad24nm",
    "population",
    "imd_decile",
    "need_percentile",
    "assets",
    "assets_per_1k",
    "zero_assets",
    "provision_percentile",
    "walk_assets",
    "walk_nearest_m",
    "fca_per_1k",
    "gap_cluster",
    "gap_cluster_p",
    "left_behind",
    "core20",
)


def parse_weights(items: Sequence[str]) -> dict[str, float]:
    """Read ``key=value`` weights, as typed on the command line.

    Parameters
    ----------
    items
        e.g. ``["deprivation=2", "provision=1"]``.

    Returns
    -------
    dict of str to float

    Raises
    ------
    ValueError
        An item is not ``key=number``.
    """
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f"weight {item!r} is not key=number, e.g. deprivation=2") from None
    return out


def criterion_percentiles(
    metrics: pd.DataFrame, criteria: Sequence[Criterion] = DEFAULT_CRITERIA
) -> tuple[pd.DataFrame, list[str]]:
    r"""Each available criterion as a national 0-100 percentile, higher = more reason to invest.

    For ``scale="value"`` the percentile is :math:`100 (R_i - 1) / (n - 1)` with :math:`R_i`
    the average rank (ties share it) among the :math:`n` LSOAs that have a value, ascending
    for ``direction="higher"``; for ``"lower"`` it is 100 minus that. Missing values stay
    missing. ``scale="percentile"`` columns are used as they are (or 100 minus them).

    Parameters
    ----------
    metrics
        All of England's LSOAs (the percentiles are national).
    criteria
        The criteria.

    Returns
    -------
    (pandas.DataFrame, list of str)
        ``invest_<key>`` for each criterion whose column is present, aligned with ``metrics``;
        and a note for each criterion skipped because its column is missing.
    """
    cols: dict[str, pd.Series] = {}
    notes = []
    for crit in criteria:
        if crit.column not in metrics:
            notes.append(f"{crit.key}: skipped, column {crit.column!r} is not in the table")
            continue
        values = metrics[crit.column]
        if crit.scale == "flag":
            pct = 100.0 * values.isin([crit.flag_value]).astype(float)
        elif crit.scale == "percentile":
            pct = values.astype(float)
        else:
            ranks = values.astype(float).rank(method="average")
            pct = 100.0 * (ranks - 1) / max(int(ranks.notna().sum()) - 1, 1)
        if crit.direction == "lower" and crit.scale != "flag":
            pct = 100.0 - pct
        cols[f"invest_{crit.key}"] = pct
    return pd.DataFrame(cols, index=metrics.index), notes


def _weights(
    criteria: Sequence[Criterion], weights: Mapping[str, float] | None, all_keys: set[str]
) -> np.ndarray:
    given = dict(weights or {})
    unknown = sorted(set(given) - all_keys)
    if unknown:
        raise ValueError(f"unknown criteria {unknown}; known: {', '.join(sorted(all_keys))}")
    w = np.array([float(given.get(c.key, 1.0)) for c in criteria])
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and not negative")
    if w.sum() <= 0:
        raise ValueError("at least one available criterion needs a positive weight")
    return w / w.sum()


#: Scores are compared on a grid of 1e-9 so that sums taken in a different criterion order (equal
#: up to rounding) rank identically.
_SCORE_GRID = 1e9


def _score(weights: np.ndarray, values: np.ndarray, present: np.ndarray) -> np.ndarray:
    # weights (D, K); values (n, K) with missing as 0; present (n, K) as 0/1. An LSOA missing a
    # criterion is scored on the others, their weights rescaled to sum to 1; with none, NaN.
    num = weights @ values.T
    if present.all():
        return num / weights.sum(axis=1, keepdims=True)
    den = weights @ present.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _ranks(scores: np.ndarray) -> np.ndarray:
    # Columns are already in tie-break order. Scores in [0, 100] on the 1e-9 grid times n plus
    # the column position give unique int64 keys (100e9 x n < 2**63 for n < 9e7), so a plain
    # (fast, unstable) argsort ranks by score and settles ties by column order.
    n = scores.shape[1]
    grid = np.rint(np.nan_to_num(scores, nan=-1.0) * _SCORE_GRID).astype(np.int64)
    keys = -grid * n + np.arange(n, dtype=np.int64)
    order = np.argsort(keys, axis=1)
    ranks = np.empty(order.shape, dtype=np.int32)
    positions = np.arange(1, n + 1, dtype=np.int32)
    np.put_along_axis(ranks, order, np.broadcast_to(positions, order.shape), axis=1)
    return ranks


def _draw_weights(w: np.ndarray, draws: int, concentration: float, seed: int) -> np.ndarray:
    out = np.zeros((draws, len(w)))
    positive = w > 0
    if math.isinf(concentration) or positive.sum() == 1:
        out[:, positive] = w[positive]
    else:
        rng = np.random.default_rng(seed)
        out[:, positive] = rng.dirichlet(concentration * w[positive], size=draws)
    return out


def _stability(
    w: np.ndarray,
    values: np.ndarray,
    present: np.ndarray,
    top_n: int,
    draws: int,
    concentration: float,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    weights = _draw_weights(w, draws, concentration, seed)
    n = values.shape[0]
    # Blocks of draws keep the float score matrix small for all of England; ranks are int32.
    block = max(1, min(draws, 4_000_000 // max(n, 1)))
    ranks = np.empty((draws, n), dtype=np.int32)
    for start in range(0, draws, block):
        stop = min(start + block, draws)
        ranks[start:stop] = _ranks(_score(weights[start:stop], values, present))
    top_share = (ranks <= top_n).mean(axis=0)
    low, high = np.percentile(
        ranks, list(settings.INVEST_RANK_RANGE), axis=0, method="inverted_cdf"
    )
    return top_share, low.astype("int64"), high.astype("int64")


def _ward_frame(frame: pd.DataFrame, pct_cols: list[str]) -> pd.DataFrame:
    pop = frame["population"].astype(float)
    weighted = frame[pct_cols].mul(pop, axis=0)
    # A missing criterion value carries no weight (the mean is over LSOAs that have one).
    has = frame[pct_cols].notna().mul(pop, axis=0)
    keys = [k for k in _WARD_KEYS if k in frame]
    work = pd.concat(
        [
            frame[keys],
            frame[["lsoa21cd", "population"]],
            weighted.add_prefix("w_"),
            has.add_prefix("p_"),
        ],
        axis=1,
    )
    agg = work.groupby(keys, sort=True).agg(
        lsoa_count=("lsoa21cd", "size"),
        population=("population", "sum"),
        **{f"w_{c}": (f"w_{c}", "sum") for c in pct_cols},
        **{f"p_{c}": (f"p_{c}", "sum") for c in pct_cols},
    )
    for c in pct_cols:
        agg[c] = agg.pop(f"w_{c}") / agg.pop(f"p_{c}").replace(0, np.nan)
    return agg.reset_index()


def _reasons(
    frame: pd.DataFrame,
    criteria: Sequence[Criterion],
    w: np.ndarray,
    by: str,
    need: str,
) -> pd.Series:
    n, k = len(frame), len(criteria)
    texts = np.empty((n, k), dtype=object)
    contrib = np.full((n, k), -np.inf)
    for j, crit in enumerate(criteria):
        pct = frame[f"invest_{crit.key}"]
        if by == "ward":
            texts[:, j] = [crit.ward_reason.format(c=c) for c in pct.fillna(0).to_numpy()]
        else:
            texts[:, j] = crit.reason(frame, pct, need).to_numpy(dtype=object)
        named = (pct >= settings.INVEST_REASON_MIN_PERCENTILE).to_numpy() & (w[j] > 0)
        contrib[:, j] = np.where(named, w[j] * pct.fillna(0).to_numpy(), -np.inf)
    # Strongest contribution first.
    order = np.argsort(-contrib, axis=1, kind="stable")
    texts = np.take_along_axis(texts, order, axis=1)
    named = np.isfinite(np.take_along_axis(contrib, order, axis=1))
    out = np.full(n, "", dtype=object)
    for j in range(k):
        joined = np.where(out == "", texts[:, j], out + "; " + texts[:, j])
        out = np.where(named[:, j], joined, out)
    out = np.where(out == "", "no criterion worse than England's median", out)
    return pd.Series(out, index=frame.index, dtype="string")


@dataclass(frozen=True)
class Ranking:
    """Output of :func:`rank`: the ranked table and how it was ranked.

    Attributes
    ----------
    table
        The ranked LSOAs or wards (see :func:`rank`).
    by
        ``"lsoa"`` or ``"ward"``.
    area
        The area ranked (``level:code``).
    criteria
        Keys of the criteria used, in order.
    labels
        Criterion key -> label, for the criteria used.
    weights
        Criterion key -> normalised weight (summing to 1).
    skipped
        One note per criterion skipped because its column is missing (``"<key>: <why>"``).
    top_n
        The N of ``invest_top_share``.
    draws, concentration, seed
        The stability draws.
    need
        The need measure of the deprivation criterion.
    """

    table: pd.DataFrame
    by: str
    area: str
    criteria: tuple[str, ...]
    labels: dict[str, str]
    weights: dict[str, float]
    skipped: tuple[str, ...]
    top_n: int
    draws: int
    concentration: float
    seed: int
    need: str


def rank(
    metrics: pd.DataFrame,
    area: areas.Area | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    need: str,
    by: Literal["lsoa", "ward"] = "lsoa",
    criteria: Sequence[Criterion] = DEFAULT_CRITERIA,
    top_n: int | None = None,
    draws: int | None = None,
    concentration: float | None = None,
    seed: int | None = None,
) -> Ranking:
    """Rank an area's LSOAs (or wards) by where to invest first.

    Parameters
    ----------
    metrics
        :func:`assetmap.measures.metrics.lsoa_metrics` for **all of England**, plus any criterion
        columns available (``fca_per_1k`` etc. from :mod:`assetmap.measures.access`, ``gap_cluster``
        and ``gap_cluster_p`` from :mod:`assetmap.measures.hotspots`).
    area
        The area; England when ``None``.
    weights
        Weight per criterion key, not negative; criteria left out weigh 1. Only ratios matter.
    need
        The need measure ``metrics`` was computed with (named in the deprivation reason).
    by
        ``"lsoa"`` or ``"ward"`` (population-weighted criteria per ``ward24cd``).
    criteria
        The criteria; those whose column is missing are skipped (noted in ``Ranking.skipped``).
    top_n
        The N of ``invest_top_share``; :data:`~assetmap.settings.INVEST_TOP_N` when ``None``.
    draws, concentration, seed
        The stability draws; the ``INVEST_STABILITY_*`` settings when ``None``.
        ``concentration=math.inf`` puts every draw at the user's weights.

    Returns
    -------
    Ranking
        ``table``: every LSOA (or ward) of the area, sorted by ``invest_rank`` (1 = invest
        first): descriptive columns, ``invest_rank``, ``invest_score`` (0-100), ``invest_<key>``
        per criterion used, ``invest_top_share``, ``invest_rank_low``, ``invest_rank_high`` and
        ``invest_reasons``; with ``by``, ``area``, ``criteria`` (keys used), ``labels``,
        ``weights`` (normalised), ``skipped``, ``top_n``, ``draws``, ``concentration``,
        ``seed`` and ``need``.

    Raises
    ------
    ValueError
        Unknown criterion in ``weights``, a negative weight, no usable criterion, or ``by``
        not ``lsoa``/``ward``.
    """
    if by not in ("lsoa", "ward"):
        raise ValueError(f"by must be 'lsoa' or 'ward', not {by!r}")
    pct, skipped = criterion_percentiles(metrics, criteria)
    used = [c for c in criteria if f"invest_{c.key}" in pct]
    if not used:
        raise ValueError("none of the criteria's columns is in the table: " + "; ".join(skipped))
    w = _weights(used, weights, {c.key for c in criteria})
    pct_cols = [f"invest_{c.key}" for c in used]

    base_cols = [c for c in _LSOA_COLUMNS if c in metrics and c not in pct]
    rows = areas.select(metrics, area or areas.ENGLAND).index
    subset = pd.concat([metrics.loc[rows, base_cols], pct.loc[rows]], axis=1)
    if by == "ward":
        frame = _ward_frame(subset, pct_cols)
        code = "ward24cd"
    else:
        frame = subset.copy()
        code = "lsoa21cd"
    # Tie-break order: more deprived first, then code; every ranking below keeps to it.
    tie = frame[pct_cols[0]] if "invest_deprivation" not in frame else frame["invest_deprivation"]
    frame = (
        frame.assign(_tie=tie.fillna(-np.inf))
        .sort_values(["_tie", code], ascending=[False, True], kind="stable")
        .drop(columns="_tie")
    )
    values = frame[pct_cols].to_numpy(dtype=float)
    present = np.isfinite(values).astype(float)
    values = np.nan_to_num(values, nan=0.0)

    score = _score(w[None, :], values, present)
    user_rank = _ranks(score)[0]
    n_top = min(settings.INVEST_TOP_N if top_n is None else top_n, len(frame))
    top_share, low, high = _stability(
        w,
        values,
        present,
        n_top,
        settings.INVEST_STABILITY_DRAWS if draws is None else draws,
        settings.INVEST_STABILITY_CONCENTRATION if concentration is None else concentration,
        settings.INVEST_STABILITY_SEED if seed is None else seed,
    )
    frame["invest_score"] = np.round(score[0], 9)
    frame["invest_top_share"] = top_share
    frame["invest_rank_low"] = low
    frame["invest_rank_high"] = high
    frame["invest_reasons"] = _reasons(frame, used, w, by, need)
    frame.insert(0, "invest_rank", user_rank.astype("int64"))
    described = [c for c in frame.columns if not c.startswith("invest_")]
    ordered = ["invest_rank", *described, "invest_score", *pct_cols, *_STABILITY, "invest_reasons"]
    out = frame[ordered].sort_values("invest_rank").reset_index(drop=True)
    draws_used = settings.INVEST_STABILITY_DRAWS if draws is None else draws
    concentration_used = (
        settings.INVEST_STABILITY_CONCENTRATION if concentration is None else concentration
    )
    return Ranking(
        table=out,
        by=by,
        area=(area or areas.ENGLAND).ref,
        criteria=tuple(c.key for c in used),
        labels={c.key: c.label for c in used},
        weights=dict(zip([c.key for c in used], w.tolist(), strict=True)),
        skipped=tuple(skipped),
        top_n=n_top,
        draws=draws_used,
        concentration=concentration_used,
        seed=settings.INVEST_STABILITY_SEED if seed is None else seed,
        need=need,
    )


def invest_table(
    ranked: pd.DataFrame, labels: Mapping[str, str], top: int | None = None
) -> pd.DataFrame:
    """The ranking as a CSV-ready table with spelled-out headings.

    Parameters
    ----------
    ranked
        ``table`` of :func:`rank` (its rows and columns may be reordered or cut).
    labels
        Criterion key -> label, :attr:`Ranking.labels`.
    top
        Keep only the first ``top`` rows; all when ``None``.

    Returns
    -------
    pandas.DataFrame
        The same rows with columns renamed to their data-dictionary labels; a criterion
        without a dictionary entry is headed "<label> (criterion percentile, 0-100)". Write it
        with :func:`assetmap.presentation.export.write_csv`.
    """
    out = ranked if top is None else ranked.head(top)
    names = {}
    for col in out.columns:
        key = col.removeprefix("invest_")
        if col not in dictionary.COLUMNS and key in labels:
            names[col] = f"{labels[key]} (criterion percentile, 0-100)"
        else:
            names[col] = dictionary.label(col)
    return out.rename(columns=names).reset_index(drop=True)
