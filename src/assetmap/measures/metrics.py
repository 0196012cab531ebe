r"""Per-LSOA provision metrics, the decile table, the gap score, the gap table and roll-ups.

Provision is always a rate per 1,000 usual residents (Census 2021), and every aggregate rate is a
ratio of sums, never a mean of LSOA rates:

.. math::

    \text{assets\_per\_1k}_A = 1000 \cdot \frac{\sum_{i \in A} a_i}{\sum_{i \in A} p_i}

where :math:`a_i` is the number of assets of the chosen types in LSOA :math:`i` and :math:`p_i` its
usual residents.

The **gap score** sets need against provision, both as national percentiles over England's
:math:`N = 33{,}755` LSOAs:

.. math::

    \text{need\_percentile}_i = 100 \cdot \frac{N - r_i}{N - 1}, \qquad
    \text{provision\_percentile}_i = 100 \cdot \frac{R_i - 1}{N - 1}, \qquad
    \text{gap\_score}_i = \text{need\_percentile}_i - \text{provision\_percentile}_i

with :math:`r_i` the LSOA's deprivation rank (1 = most deprived; the IMD or a chosen domain) and
:math:`R_i` the average rank of its ``assets_per_1k`` in ascending order (ties share the mean rank,
so every LSOA with no asset has the same provision percentile). The score runs from -100 to 100:
**positive means more deprived than it is provided for**; 100 would be the most deprived LSOA
with the least provision. Percentiles are national even when an area is selected, so a score
means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from assetmap.data.assets import ASSET_SOURCES, FAMILIES, family_of
from assetmap.data.charities import LSOA_COLUMN as LSOA_CHARITY_RATE
from assetmap.data.sources import IMD_DOMAINS
from assetmap.geography import areas
from assetmap.measures.rates import per_1k

#: Deprivation measures that can define need: the IMD and its seven domains.
NEED_MEASURES: tuple[str, ...] = tuple(IMD_DOMAINS)


def asset_columns(
    types: Sequence[str] | None = None, available: Sequence[str] | None = None
) -> list[str]:
    """The ``assets_<type>`` count columns for the given asset types.

    Parameters
    ----------
    types
        Asset types; all of ``available`` when ``None``.
    available
        Types that can be chosen: the open layers by default, or every type a counts table or
        metrics table holds (uploaded registers add their own).

    Returns
    -------
    list of str
    """
    known = list(ASSET_SOURCES) if available is None else list(available)
    chosen = known if types is None else list(types)
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise ValueError(f"unknown asset types {unknown}; known: {', '.join(known)}")
    return [f"assets_{t}" for t in chosen]


def _types_in(frame: pd.DataFrame) -> list[str]:
    # Count columns are "assets_<type>"; the rate column shares the prefix.
    return [
        c.removeprefix("assets_")
        for c in frame.columns
        if c.startswith("assets_") and c != "assets_per_1k"
    ]


def count_assets(assets: pd.DataFrame, lsoa_codes: pd.Series) -> pd.DataFrame:
    """Number of assets of each type in each LSOA.

    Parameters
    ----------
    assets
        Located assets with ``lsoa21cd`` and ``asset_type``.
    lsoa_codes
        The LSOAs to count for (every one gets a row, zeros included).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lsoa21cd``; one ``assets_<type>`` column per known type plus any other type
        present in ``assets`` (e.g. an uploaded one).
    """
    types = list(ASSET_SOURCES) + sorted(set(assets["asset_type"]) - set(ASSET_SOURCES))
    # A grouped size, not pd.crosstab: the same table in a fifth of the time (crosstab goes
    # through pivot_table), and this runs on the first visit and on every upload.
    counts = assets.groupby(["lsoa21cd", "asset_type"], sort=False).size().unstack(fill_value=0)
    counts = counts.reindex(
        index=pd.Index(lsoa_codes, name="lsoa21cd"), columns=types, fill_value=0
    )
    return counts.astype("int64").add_prefix("assets_").rename_axis(columns=None)


def lsoa_metrics(
    lsoas: pd.DataFrame,
    counts: pd.DataFrame,
    types: Sequence[str] | None = None,
    need: str = "imd",
) -> pd.DataFrame:
    """Provision and gap metrics for every LSOA in England.

    Compute this on all of England and filter afterwards: the percentiles are national.

    Parameters
    ----------
    lsoas
        The LSOA table (all 33,755 rows).
    counts
        Output of :func:`count_assets`.
    types
        Asset types that make up ``assets``; all open layers when ``None``.
    need
        Deprivation measure for the gap score: one of :data:`NEED_MEASURES`.

    Returns
    -------
    pandas.DataFrame
        ``lsoas`` (without geometry) plus the ``assets_<type>`` counts, ``assets``,
        ``assets_per_1k``, ``zero_assets``, ``need_percentile``, ``provision_percentile`` and
        ``gap_score``. Pass the same ``types`` and ``need`` to :func:`decile_table`,
        :func:`gap_table` and :func:`rollup`: the table does not carry them.
    """
    if need not in NEED_MEASURES:
        raise ValueError(f"need must be one of {', '.join(NEED_MEASURES)}, not {need!r}")
    cols = asset_columns(types, _types_in(counts))
    frame = pd.DataFrame(lsoas.drop(columns="geometry", errors="ignore"))
    frame = frame.join(counts, on="lsoa21cd")
    n = len(frame)
    frame["assets"] = frame[cols].sum(axis=1)
    frame["assets_per_1k"] = per_1k(frame["assets"], frame["population"])
    frame["zero_assets"] = frame["assets"] == 0
    frame["need_percentile"] = 100 * (n - frame[f"{need}_rank"]) / (n - 1)
    provision_rank = frame["assets_per_1k"].rank(method="average")
    frame["provision_percentile"] = 100 * (provision_rank - 1) / (n - 1)
    frame["gap_score"] = frame["need_percentile"] - frame["provision_percentile"]
    return frame


#: ``asset_type`` of a family's total rows in :func:`decile_table`, and ``family`` and
#: ``asset_type`` of the total of every chosen type when one is asked for.
ALL: Final = "all"


def decile_table(
    metrics: pd.DataFrame,
    types: Sequence[str],
    families: Mapping[str, str] | None = None,
    *,
    combined: bool = False,
) -> pd.DataFrame:
    """Assets per 1,000 residents by IMD 2025 decile: the "invest where needed most" evidence.

    Types are reported one by one and summed within their family, never across families (a
    public service common in deprived town centres would hide a lack of community
    organisations), unless ``combined`` asks for that total too.

    Parameters
    ----------
    metrics
        Output of :func:`lsoa_metrics`, optionally filtered to an area.
    types
        Asset types, one block of rows each: the types ``metrics`` was computed with, or some
        of them.
    families
        Family of types that are not open layers (an upload's); see
        :func:`assetmap.data.assets.family_of`.
    combined
        Add a block for every chosen type together (``family`` and ``asset_type`` :data:`ALL`).

    Returns
    -------
    pandas.DataFrame
        One row per (``family``, ``asset_type``, ``imd_decile``) with ``lsoa_count``,
        ``population``, ``assets``, ``assets_per_1k`` and ``ratio_to_least_deprived`` (this
        decile's rate over decile 10's; below 1 means scarcer than in the least deprived tenth).
        A family's total has ``asset_type`` :data:`ALL`; families in
        :data:`assetmap.data.assets.FAMILIES` order, each family's types first, then its total.
    """
    chosen = list(types)
    cols = asset_columns(chosen, _types_in(metrics))
    family = {t: family_of(t, dict(families or {})) for t in chosen}
    grouped = metrics.groupby("imd_decile")
    base = pd.DataFrame(
        {
            "lsoa_count": grouped.size(),
            "population": grouped["population"].sum(),
        }
    ).reindex(range(1, 11), fill_value=0)
    sums = grouped[cols].sum().reindex(range(1, 11), fill_value=0)
    parts: list[tuple[str, str, pd.Series]] = []
    for fam in [*FAMILIES, *sorted(set(family.values()) - set(FAMILIES))]:
        members = [t for t in chosen if family[t] == fam]
        if members:
            parts += [(fam, t, sums[f"assets_{t}"]) for t in members]
            parts.append((fam, ALL, sums[[f"assets_{t}" for t in members]].sum(axis=1)))
    if combined:
        parts.append((ALL, ALL, sums.sum(axis=1)))
    blocks = []
    for fam, label, assets in parts:
        block = base.copy()
        block["assets"] = assets.astype("int64")
        block["assets_per_1k"] = per_1k(block["assets"], block["population"])
        least = block["assets_per_1k"].iloc[-1]
        block["ratio_to_least_deprived"] = block["assets_per_1k"] / least if least else np.nan
        block.insert(0, "asset_type", label)
        block.insert(0, "family", fam)
        blocks.append(block.rename_axis("imd_decile").reset_index())
    return pd.concat(blocks, ignore_index=True)[
        [
            "family",
            "asset_type",
            "imd_decile",
            "lsoa_count",
            "population",
            "assets",
            "assets_per_1k",
            "ratio_to_least_deprived",
        ]
    ]


#: Columns of the gap table, in order; ``{need}`` is filled with the need measure.
GAP_TABLE_COLUMNS: tuple[str, ...] = (
    "gap_rank",
    "lsoa21cd",
    "lsoa21nm",
    "ward24cd",
    "ward24nm",
    "lad24cd",
    "lad24nm",
    "sicbl24cd",
    "sicbl24cdh",
    "sicbl24nm",
    "icb24cd",
    "icb24cdh",
    "icb24nm",
    "rgn24nm",
    "imd_decile",
    "imd_rank",
    "{need}_decile",
    "population",
    "assets",
    "assets_per_1k",
    "zero_assets",
    "core20",
    "left_behind",
    "need_percentile",
    "provision_percentile",
    "gap_score",
)


def gap_table(
    metrics: pd.DataFrame,
    area: areas.Area | None = None,
    *,
    types: Sequence[str],
    need: str,
) -> pd.DataFrame:
    """LSOAs of an area ranked by gap score, most under-provided for their need first.

    Parameters
    ----------
    metrics
        Output of :func:`lsoa_metrics` for all of England.
    area
        The area; England when ``None``.
    types
        The asset types ``metrics`` was computed with: their counts follow ``assets``.
    need
        The need measure ``metrics`` was computed with: it names the ``{need}_decile`` column
        and breaks ties (``{need}_rank``, then code).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GAP_TABLE_COLUMNS` with the asset-type counts after ``assets``;
        ``gap_rank`` 1 is the largest gap (ties broken by the need measure's rank, then code).
    """
    if need not in NEED_MEASURES:
        raise ValueError(f"need must be one of {', '.join(NEED_MEASURES)}, not {need!r}")
    subset = areas.select(metrics, area or areas.ENGLAND)
    ranked = subset.sort_values(
        ["gap_score", f"{need}_rank", "lsoa21cd"], ascending=[False, True, True]
    ).reset_index(drop=True)
    ranked.insert(0, "gap_rank", np.arange(1, len(ranked) + 1))
    columns = list(dict.fromkeys(c.format(need=need) for c in GAP_TABLE_COLUMNS))
    at = columns.index("assets")
    columns[at + 1 : at + 1] = asset_columns(types, _types_in(metrics))
    return ranked[columns].copy()


def rollup(
    metrics: pd.DataFrame,
    level: str,
    area: areas.Area | None = None,
    *,
    types: Sequence[str],
) -> pd.DataFrame:
    """Sum the LSOA metrics to every area of a level, optionally inside one area.

    Parameters
    ----------
    metrics
        Output of :func:`lsoa_metrics`.
    level
        A key of :data:`assetmap.geography.areas.LEVELS`, or ``"own"`` for an own ``area``
        (one row for it, as for any area at its own level).
    area
        Restrict to the areas of ``level`` inside this area (e.g. the local authorities of an
        ICB); all of England when ``None``.
    types
        The asset types ``metrics`` was computed with: each one's count is summed.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``level``, code, name (and NHS code), ``lsoa_count``, ``population``,
        the asset counts, ``assets``, ``assets_per_1k``, ``zero_asset_lsoa_count``,
        ``zero_asset_share``,
        ``core20_lsoa_count``, ``core20_share``, ``core20_zero_asset_lsoa_count``,
        ``decile1_lsoa_count``, ``decile1_share``, ``left_behind_lsoa_count``, the
        population-weighted mean score of the IMD and each domain (``<domain>_score_popweighted``)
        and of the CNI civic assets domain, ``gap_score_mean`` (population-weighted),
        ``charities`` and ``charities_per_1k``.

    Notes
    -----
    Charities are counted per local authority (:mod:`assetmap.data.charities`) and each LSOA carries
    its authority's rate ``lad_charities_per_1k``. An area's ``charities`` is the sum over its
    LSOAs of residents x that rate / 1000 (each authority's charities shared among its LSOAs by
    residents) and ``charities_per_1k`` is 1000 x charities / residents, a ratio of sums (the
    population-weighted mean of the LSOAs' rates). For an area made of whole local authorities
    (England, a region, a local authority, many ICBs) these are exact (to floating point); for
    an area that cuts across authorities (some ICBs and sub-ICB locations, wards) they are a
    population share: the rate of the authorities its residents live in, not a count of
    charities inside it.
    """
    lv = areas.level(level)
    subset = areas.with_area_columns(metrics, area or areas.ENGLAND)
    keys = [lv.code, lv.name] + ([lv.nhs_code] if lv.nhs_code else [])
    cols = asset_columns(types, _types_in(metrics))
    weighted = [f"{d}_score" for d in NEED_MEASURES] + ["cni_civic_assets_score", "gap_score"]
    work = subset.assign(
        core20_zero=subset["core20"] & subset["zero_assets"],
        decile1=subset["imd_decile"] == 1,
        charities=subset[LSOA_CHARITY_RATE] * subset["population"] / 1000,
        **{f"w_{c}": subset[c] * subset["population"] for c in weighted},
    )
    out = work.groupby(keys, sort=True).agg(
        lsoa_count=("lsoa21cd", "size"),
        population=("population", "sum"),
        **{c: (c, "sum") for c in cols},
        assets=("assets", "sum"),
        zero_asset_lsoa_count=("zero_assets", "sum"),
        core20_lsoa_count=("core20", "sum"),
        core20_zero_asset_lsoa_count=("core20_zero", "sum"),
        decile1_lsoa_count=("decile1", "sum"),
        left_behind_lsoa_count=("left_behind", "sum"),
        charities=("charities", "sum"),
        **{f"w_{c}": (f"w_{c}", "sum") for c in weighted},
    )
    out["assets_per_1k"] = per_1k(out["assets"], out["population"])
    out["core20_share"] = out["core20_lsoa_count"] / out["lsoa_count"]
    out["decile1_share"] = out["decile1_lsoa_count"] / out["lsoa_count"]
    out["zero_asset_share"] = out["zero_asset_lsoa_count"] / out["lsoa_count"]
    for c in weighted:
        name = "gap_score_mean" if c == "gap_score" else f"{c}_popweighted"
        out[name] = out.pop(f"w_{c}") / out["population"]
    out["charities_per_1k"] = per_1k(out["charities"], out["population"])
    out = out.reset_index()
    out.insert(0, "level", level)
    return out


def type_rates(rolled: pd.DataFrame, types: Sequence[str]) -> pd.DataFrame:
    """``rolled`` with each type's assets per 1,000 residents, ``<type>_per_1k``.

    Parameters
    ----------
    rolled
        Output of :func:`rollup` (or any table with ``population`` and ``assets_<type>``).
    types
        The asset types to rate: :func:`assetmap.measures.rates.per_1k` of ``assets_<type>``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``rolled`` with one ``<type>_per_1k`` column per type, in ``types`` order.
    """
    rates = {f"{t}_per_1k": per_1k(rolled[f"assets_{t}"], rolled["population"]) for t in types}
    return rolled.assign(**rates)


def select_gaps(
    table: pd.DataFrame,
    *,
    core20: bool = False,
    zero_assets: bool = False,
    more_deprived_few_assets: bool = False,
    left_behind: bool = False,
) -> pd.DataFrame:
    """The rows of a gap table that every filter asked for keeps (all rows with none).

    Parameters
    ----------
    table
        :func:`gap_table` (with :func:`assetmap.measures.change.with_change_flags` for
        ``more_deprived_few_assets``).
    core20, zero_assets, more_deprived_few_assets, left_behind
        Keep only the LSOAs whose column of that name is true.
    """
    asked = {
        "core20": core20,
        "zero_assets": zero_assets,
        "more_deprived_few_assets": more_deprived_few_assets,
        "left_behind": left_behind,
    }
    keep = pd.Series(True, index=table.index)
    for column, on in asked.items():
        if on:
            keep &= table[column].astype(bool)
    return table[keep]
