"""Cached "beyond counting" results for the pages: the invest-first ranking and the access table.

Each loader is keyed by plain values (what is counted, :class:`ui.data.Counting`; the area
reference, weights...). The national neighbourhood table they read is passed with a leading
underscore, so Streamlit never hashes it: the key already says which table it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd
import streamlit as st

from assetmap.data import dictionary
from assetmap.geography import areas
from assetmap.measures import access, change, invest
from assetmap.presentation.colour import text_on
from ui import data

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from ui.areafilter import Selection


@st.cache_data(show_spinner="Ranking where to invest first…", max_entries=32)
def invest_ranking(
    key: data.Counting,
    area_ref: str,
    weights: tuple[tuple[str, float], ...],
    by: Literal["lsoa", "ward"],
    top_n: int,
    _national: pd.DataFrame,
    _area: areas.Area,
) -> invest.Ranking:
    """:func:`assetmap.measures.invest.rank` for one choice, cached by the plain values before
    ``_national``.

    ``_national`` must be the neighbourhood table of what ``key`` counts and ``_area`` the area
    ``area_ref`` names. The :class:`~assetmap.measures.invest.Ranking` is a
    frozen dataclass of a table and plain values, so it pickles into the cache.
    """
    return invest.rank(_national, _area, dict(weights), need=key.need, by=by, top_n=top_n)


def selection_invest_ranking(
    selection: Selection,
    weights: dict[str, float],
    by: Literal["lsoa", "ward"],
    top_n: int,
) -> invest.Ranking:
    """The invest-first ranking of the selected area (England's table computed first if need be)."""
    national = data.selection_neighbourhood_metrics(selection)
    return invest_ranking(
        data.counting(selection),
        selection.area.ref,
        tuple(sorted(weights.items())),
        by,
        top_n,
        national.table,
        selection.area,
    )


@st.cache_data(max_entries=16)
def access_comparison(key: data.Counting, _national: pd.DataFrame) -> pd.DataFrame:
    """:func:`assetmap.measures.access.compare_with_counts` for England, cached per ``key``
    (``_national`` is the neighbourhood table of what it counts)."""
    return access.compare_with_counts(_national)


def selection_access_comparison(selection: Selection) -> pd.DataFrame:
    """In-boundary counts against walking access for England, for the selection's asset types."""
    national = data.selection_neighbourhood_metrics(selection)
    return access_comparison(data.counting(selection), national.table)


def change_overview(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`assetmap.measures.change.change_summary` as one row per way 2019 was mapped.

    Columns: LSOAs and residents for each direction of change; index labelled in words.
    """
    out = change.change_by_match(summary)
    out.columns = [
        f"{direction.capitalize()}: {what}"
        for direction in change.DIRECTIONS
        for what in ("LSOAs", "residents")
    ]
    out.index = out.index.map(change.MATCH_LABELS).rename("How 2019 was mapped")
    return out


def class_table(cells: pd.DataFrame) -> Styler:
    """:func:`assetmap.measures.bivariate.cell_counts` with headings in words and each class's
    colour.

    Third 1 is the most deprived, or the fewest assets per 1,000 residents; say so beside it.
    """
    table = pd.DataFrame(
        {
            "Colour": cells["bivariate_colour"],
            dictionary.label("bivariate_class"): cells["bivariate_class"],
            dictionary.label("deprivation_tertile"): cells["deprivation_tertile"],
            dictionary.label("provision_tertile"): cells["provision_tertile"],
            "LSOAs": cells["lsoa_count"],
            "Residents": cells["population"],
        }
    )
    return table.style.map(
        lambda colour: f"background-color: {colour}; color: {text_on(colour)}",
        subset=["Colour"],
    )
