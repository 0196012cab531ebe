"""Plain-English readings of the numbers, written from the data each time (never canned text)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from assetmap.geography import areas
from assetmap.measures.metrics import ALL
from assetmap.measures.rates import per_1k
from assetmap.presentation.text import markdown_text


def key_figures(local: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of an area's LSOA metrics.

    Parameters
    ----------
    local
        Rows of :func:`assetmap.measures.metrics.lsoa_metrics` for one area.

    Returns
    -------
    dict
        ``population``, ``lsoa_count``, ``core20_lsoa_count``, ``core20_share``,
        ``core20_zero_asset_lsoa_count``, ``assets``, ``assets_per_1k``.
    """
    population = int(local["population"].sum())
    n = len(local)
    core20 = int(local["core20"].sum())
    assets = int(local["assets"].sum())
    return {
        "population": population,
        "lsoa_count": n,
        "core20_lsoa_count": core20,
        "core20_share": core20 / n if n else math.nan,
        "core20_zero_asset_lsoa_count": int((local["core20"] & local["zero_assets"]).sum()),
        "assets": assets,
        "assets_per_1k": per_1k(assets, population),
    }


def core20_without(local: pd.DataFrame, types: Sequence[str]) -> int:
    """Core20 LSOAs of an area with none of these asset types inside them.

    Parameters
    ----------
    local
        Rows of :func:`assetmap.measures.metrics.lsoa_metrics` for one area, with ``assets_<type>``
        columns for ``types``.
    types
        Asset types (e.g. one family's).

    Returns
    -------
    int
    """
    none = local[[f"assets_{t}" for t in types]].sum(axis=1) == 0
    return int((local["core20"] & none).sum())


def _group_rate(
    table: pd.DataFrame, deciles: range, asset_type: str = ALL, family: str | None = None
) -> tuple[float, int]:
    rows = table[(table["asset_type"] == asset_type) & table["imd_decile"].isin(deciles)]
    if family is not None:
        rows = rows[rows["family"] == family]
    population = int(rows["population"].sum())
    rate = per_1k(rows["assets"].sum(), population)
    return rate, population


def compare_words(deprived: float, affluent: float) -> str:
    """ "2.1 times as common" / "3.6 times rarer" / "about as common" for two rates."""
    if not (math.isfinite(deprived) and math.isfinite(affluent)):
        return "not comparable"
    if deprived == 0 and affluent == 0:
        return "absent from both"
    if affluent == 0:
        return "present only"
    if deprived == 0:
        return "absent"
    ratio = deprived / affluent
    if 0.9 <= ratio <= 1.1:
        return "about as common"
    if ratio > 1:
        return f"{ratio:.1f} times as common"
    return f"{1 / ratio:.1f} times rarer"


def headline(
    area_table: pd.DataFrame,
    england_table: pd.DataFrame,
    area: areas.Area,
    family: str,
    what: str,
) -> str:
    """One or two sentences on one family's provision in the most against the least deprived
    fifth.

    Parameters
    ----------
    area_table, england_table
        :func:`assetmap.measures.metrics.decile_table` of the area and of England.
    area
        The area.
    family
        The family whose total is read (:data:`assetmap.data.assets.FAMILIES`), or
        :data:`assetmap.measures.metrics.ALL` for the total of every chosen type (when asked for).
    what
        The asset types in words ("food banks, community amateur sports clubs"), as plain text:
        it and the area's name are escaped here (:func:`assetmap.presentation.text.markdown_text`),
        so an upload's labels show as written.

    Returns
    -------
    str
        Markdown.
    """
    name, what = markdown_text(area.name), markdown_text(what)
    dep, dep_pop = _group_rate(area_table, range(1, 3), ALL, family)
    aff, aff_pop = _group_rate(area_table, range(9, 11), ALL, family)
    e_dep, _ = _group_rate(england_table, range(1, 3), ALL, family)
    e_aff, _ = _group_rate(england_table, range(9, 11), ALL, family)
    england = (
        f"Across England: {e_dep:.2f} against {e_aff:.2f} per 1,000 "
        f"({compare_words(e_dep, e_aff)})."
    )
    if dep_pop == 0 or aff_pop == 0:
        missing = "most" if dep_pop == 0 else "least"
        return (
            f"{name} has no neighbourhoods in England's {missing} deprived 20%, so the "
            f"two ends cannot be compared here. {england}"
        )
    words = compare_words(dep, aff)
    place = "England" if area.level == "england" else name
    return (
        f"In **{place}**, the most deprived 20% of neighbourhoods have **{dep:.2f}** of these "
        f"assets ({what}) per 1,000 residents, against **{aff:.2f}** in the least deprived 20%: "
        f"**{words}** where need is greatest." + ("" if area.level == "england" else f" {england}")
    )


def by_type(
    area_table: pd.DataFrame, labels: dict[str, str], family: str | None = None
) -> list[tuple[str, float, float, str]]:
    """Per asset type: label, rate in the most and least deprived 20%, and the comparison.

    Parameters
    ----------
    area_table
        :func:`assetmap.measures.metrics.decile_table` of an area.
    labels
        Asset type -> label.
    family
        Only the types of this family; every type when ``None``.

    Returns
    -------
    list
        ``(label, deprived_rate, affluent_rate, words)``, scarcest in deprived places first.
    """
    rows = []
    table = area_table if family is None else area_table[area_table["family"] == family]
    for kind in table["asset_type"].unique():
        if kind == ALL:
            continue
        dep, _ = _group_rate(area_table, range(1, 3), kind)
        aff, _ = _group_rate(area_table, range(9, 11), kind)
        rows.append((labels.get(kind, kind), dep, aff, compare_words(dep, aff)))
    return sorted(rows, key=lambda r: (r[1] / r[2]) if r[2] else math.inf)


def thin_places(gaps: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The Core20 neighbourhoods with no assets and the largest gaps: where to look first.

    Parameters
    ----------
    gaps
        :func:`assetmap.measures.metrics.gap_table` of an area.
    n
        How many.

    Returns
    -------
    pandas.DataFrame
        Up to ``n`` rows of ``gaps``.
    """
    return gaps[gaps["core20"] & gaps["zero_assets"]].head(n)


#: Columns of :func:`decile_contrast`.
CONTRAST_COLUMNS: tuple[str, ...] = (
    "family",
    "asset_type",
    "assets",
    "decile1_per_1k",
    "decile10_per_1k",
    "ratio_to_least_deprived",
    "comparison",
)


def decile_contrast(table: pd.DataFrame) -> pd.DataFrame:
    """What the data says: each type's and family's rate in the most against the least deprived
    tenth.

    Parameters
    ----------
    table
        :func:`assetmap.measures.metrics.decile_table` (of England, for the headline findings).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONTRAST_COLUMNS`, one row per block of ``table`` in its order:
        ``decile1_per_1k`` and ``decile10_per_1k`` are the assets per 1,000 residents in IMD
        2025 deciles 1 and 10, ``ratio_to_least_deprived`` their ratio (decile 1 over decile 10)
        and ``comparison`` it in words (:func:`compare_words`).
    """
    rows = []
    for (family, kind), block in table.groupby(["family", "asset_type"], sort=False):
        rate = block.set_index("imd_decile")["assets_per_1k"]
        dep, aff = float(rate.get(1, math.nan)), float(rate.get(10, math.nan))
        rows.append(
            {
                "family": family,
                "asset_type": kind,
                "assets": int(block["assets"].sum()),
                "decile1_per_1k": dep,
                "decile10_per_1k": aff,
                "ratio_to_least_deprived": dep / aff if aff else math.nan,
                "comparison": compare_words(dep, aff),
            }
        )
    return pd.DataFrame(rows, columns=list(CONTRAST_COLUMNS))
