"""The measure catalogue: every quantity a map can show, and how it is drawn.

Each :class:`Measure` says once what a map, its legend and its tooltips need: its columns, its
words, its palette, its classes of categories, and (:class:`Kind`) whether its view needs more
than its column (the bivariate thirds, the cluster test's threshold).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from assetmap import settings
from assetmap.data.dictionary import DOMAINS
from assetmap.measures import bivariate

#: Each domain as the quantity a map shows (defined once, in the data dictionary).
_DOMAIN_WORDS = {key: d.deprivation for key, d in DOMAINS.items()}


class Kind(enum.Enum):
    """What a view of a measure needs beyond its column and its classes."""

    #: Nothing more: the column, classified, is the map.
    PLAIN = "plain"
    #: Thirds of need and of provision, recomputed for the view (of England, or of the area for
    #: a within-area banding) and shown with a 3 x 3 legend of its own.
    BIVARIATE = "bivariate"
    #: Clusters of a significance test, whose legend states the test's threshold.
    CLUSTERS = "clusters"


@dataclass(frozen=True)
class Measure:
    """A quantity a map can show.

    Attributes
    ----------
    key
        Identifier used in URLs and code (``imd_decile``).
    label
        Words for the legend and the picker.
    lsoa_column
        Column of the LSOA metrics table.
    area_column
        Column of an area roll-up (see :func:`assetmap.measures.metrics.rollup`).
    area_label
        Legend words for the area version, which is a different quantity (e.g. a share).
    unit
        Unit in words for the legend.
    palette
        Name of a branca linear colormap.
    reverse
        Reverse the palette so that the end that matters most is the darkest.
    is_decile
        Values are national deciles 1-10 (national banding uses them as they are).
    categories
        For a measure of categories rather than amounts: ``(label, colour, values)`` per
        class, in legend order; a value in ``values`` falls in that class. Bandings do not
        apply to them.
    note
        Extra words for the legend's small print (e.g. a significance threshold's meaning, or an
        attribution).
    levels
        Area levels the area version is offered at (e.g. ``("lad",)`` for a quantity counted
        per local authority); empty for every level.
    tooltip
        Name of the measure's row in a neighbourhood's tooltip (shorter than the label).
    area_tooltip
        Name of the area version's row in an area's tooltip (the start of ``area_label``); empty
        without an area version.
    kind
        What a view of it needs beyond its column (:class:`Kind`).
    """

    key: str
    label: str
    lsoa_column: str
    area_column: str
    area_label: str
    unit: str
    palette: str
    reverse: bool = False
    is_decile: bool = False
    categories: tuple[tuple[str, str, tuple[object, ...]], ...] = ()
    note: str = ""
    levels: tuple[str, ...] = ()
    tooltip: str = ""
    area_tooltip: str = ""
    kind: Kind = Kind.PLAIN

    @property
    def area_level(self) -> bool:
        """Whether an area roll-up exists, so England can be coloured by ICB or LA."""
        return bool(self.area_column)

    def offered_at(self, level: str) -> bool:
        """Whether a map of ``level`` (``lsoa``, or an area level such as ``lad``) can show it."""
        if level == "lsoa":
            return bool(self.lsoa_column)
        return self.area_level and (not self.levels or level in self.levels)


def _domain_measures() -> dict[str, Measure]:
    """Each IoD 2025 domain (and the overall IMD) as national deciles of LSOAs."""
    out = {}
    for key, words in _DOMAIN_WORDS.items():
        out[f"{key}_decile"] = Measure(
            key=f"{key}_decile",
            label=f"{words}: decile (1 = most deprived 10%)",
            lsoa_column=f"{key}_decile",
            area_column=f"{key}_score_popweighted",
            area_label=f"{words}: average score, population-weighted (higher = more deprived)",
            unit="decile",
            palette="viridis",
            is_decile=True,
            tooltip=words,
            area_tooltip=words,
        )
    return out


def _provision_measures() -> dict[str, Measure]:
    """Assets, the gap between need and provision, civic assets need and charities."""
    measures = [
        Measure(
            key="assets_per_1k",
            label="Assets per 1,000 residents",
            lsoa_column="assets_per_1k",
            area_column="assets_per_1k",
            area_label="Assets per 1,000 residents",
            unit="per 1,000 residents",
            palette="YlGnBu_09",
            tooltip="Assets per 1,000 residents",
            area_tooltip="Assets per 1,000 residents",
        ),
        Measure(
            key="gap_score",
            label="Gap score: need minus provision (positive = under-provided)",
            lsoa_column="gap_score",
            area_column="gap_score_mean",
            area_label="Gap score, population-weighted mean (positive = under-provided)",
            unit="points, -100 to 100",
            palette="PuOr_11",
            reverse=True,
            tooltip="Gap score",
            area_tooltip="Gap score",
        ),
        Measure(
            key="cni_civic_assets",
            label="Community Needs Index: civic assets need (higher = fewer civic assets)",
            lsoa_column="cni_civic_assets_score",
            area_column="cni_civic_assets_score_popweighted",
            area_label="CNI civic assets need, population-weighted (© OCSI / Local Trust)",
            unit="CNI score",
            palette="viridis",
            reverse=True,
            tooltip="Community Needs Index",
            area_tooltip="CNI civic assets need",
        ),
        # Counted per local authority: a map of smaller areas would show each its authority's
        # rate, and one of ICBs a population share of it, so it is offered by local authority
        # only.
        Measure(
            key="charities_per_1k",
            label="Charities per 1,000 residents (local authority, NCVO 2020)",
            lsoa_column="",
            area_column="charities_per_1k",
            area_label="Charities per 1,000 residents (local authority, NCVO 2020)",
            unit="per 1,000 residents",
            palette="YlGnBu_09",
            note="Charities: NCVO Almanac 2020 via British Red Cross (OGL v3), per 1,000 Census "
            "2021 residents; the City of London's rate reflects head offices",
            levels=("lad",),
            tooltip="Charities per 1,000 residents",
            area_tooltip="Charities per 1,000 residents",
        ),
    ]
    return {m.key: m for m in measures}


def _lsoa_only(key: str, label: str, **kwargs: Any) -> Measure:
    """A measure of neighbourhoods with no area roll-up (its column is named as its key)."""
    kwargs.setdefault("unit", "")
    kwargs.setdefault("palette", "")
    return Measure(key=key, label=label, lsoa_column=key, area_column="", area_label="", **kwargs)


def _neighbourhood_measures() -> dict[str, Measure]:
    """Measures of :func:`assetmap.measures.analysis.neighbourhood_metrics`: LSOA level only."""
    return {**_access_measures(), **_pattern_measures()}


def _access_measures() -> dict[str, Measure]:
    """Assets within walking distance: a count and a two-step floating catchment."""
    walk = f"{settings.WALK_DISTANCE_M:,.0f} m"
    measures = [
        _lsoa_only(
            "walk_assets",
            f"Assets within {walk} of where people live (straight line)",
            tooltip=f"Assets within {walk} of where people live (straight line)",
            unit="assets",
            palette="YlGnBu_09",
        ),
        _lsoa_only(
            "fca_per_1k",
            f"Walking-distance provision per 1,000 residents (2SFCA, {walk})",
            tooltip=f"Walking-distance provision per 1,000 residents (2SFCA, {walk})",
            unit="per 1,000 residents",
            palette="YlGnBu_09",
        ),
    ]
    return {m.key: m for m in measures}


def _pattern_measures() -> dict[str, Measure]:
    """Categories of neighbourhoods: clusters, thirds of need and provision, change since 2019."""
    thirds = {1: ("most", "fewest"), 2: ("middle", "middle"), 3: ("least", "most")}
    measures = [
        # ColorBrewer RdBu (colour-blind safe): red for the clusters that matter (deprived,
        # under-provided), blue for their opposite, lighter tints for outliers; none is an
        # asset point's colour.
        _lsoa_only(
            "gap_cluster",
            "Hot and cold spots of the gap score (local Moran's I)",
            tooltip="Hot and cold spots of the gap score",
            categories=(
                (
                    "Under-provided cluster (cold spot of provision)",
                    "#B2182B",
                    ("under-provided cluster",),
                ),
                ("High-gap outlier", "#EF8A62", ("high-gap outlier",)),
                ("Low-gap outlier", "#67A9CF", ("low-gap outlier",)),
                ("Well-provided cluster", "#2166AC", ("well-provided cluster",)),
                ("Not significant", "#EEEEEE", ("not significant",)),
            ),
            kind=Kind.CLUSTERS,
        ),
        _lsoa_only(
            "bivariate_class",
            "Deprivation and provision together (thirds)",
            tooltip="Deprivation and provision together",
            categories=tuple(
                (
                    f"{d}-{p}: {thirds[d][0]} deprived third, {thirds[p][1]} assets third",
                    bivariate.PALETTE[f"{d}-{p}"],
                    (f"{d}-{p}",),
                )
                for d in (1, 2, 3)
                for p in (1, 2, 3)
            ),
            kind=Kind.BIVARIATE,
        ),
        _lsoa_only(
            "imd_decile_change",
            "Change in IMD decile since 2019 (negative = more deprived)",
            tooltip="Change in IMD decile since 2019",
            categories=(
                ("2 or more deciles more deprived", "#E66101", tuple(range(-9, -1))),
                ("1 decile more deprived", "#FDB863", (-1,)),
                ("Same decile", "#F7F7F7", (0,)),
                ("1 decile less deprived", "#B2ABD2", (1,)),
                ("2 or more deciles less deprived", "#5E3C99", tuple(range(2, 10))),
            ),
        ),
        _lsoa_only(
            "more_deprived_few_assets",
            "Became more deprived since 2019 and has few assets",
            tooltip="Became more deprived since 2019 and has few assets",
            categories=(
                ("More deprived than in 2019, and few assets", "#B2182B", (True,)),
                ("Other neighbourhoods", "#EEEEEE", (False,)),
            ),
        ),
    ]
    return {m.key: m for m in measures}


def _left_behind() -> Measure:
    """Left-behind neighbourhoods (Community Needs Index), a column of
    :func:`assetmap.measures.metrics.lsoa_metrics`: LSOA level only.
    """
    return _lsoa_only(
        "left_behind",
        "Left-behind neighbourhoods (© OCSI / Local Trust)",
        tooltip="Left-behind neighbourhoods",
        categories=(
            ("Left-behind neighbourhood", "#762A83", (True,)),
            ("Other neighbourhoods", "#EEEEEE", (False,)),
        ),
        note="Community Needs Index © OCSI / Local Trust",
    )


def _measures() -> dict[str, Measure]:
    """Every measure, in the order the picker offers them."""
    left_behind = _left_behind()
    return {
        **_domain_measures(),
        **_provision_measures(),
        **_neighbourhood_measures(),
        left_behind.key: left_behind,
    }


#: Every measure, keyed by :attr:`Measure.key`.
MEASURES: dict[str, Measure] = _measures()

#: Measures whose column comes from :func:`assetmap.measures.analysis.neighbourhood_metrics`
#: (access, clusters, change, thirds) rather than :func:`assetmap.measures.metrics.lsoa_metrics`.
NEIGHBOURHOOD_MEASURES: frozenset[str] = frozenset(_neighbourhood_measures())
