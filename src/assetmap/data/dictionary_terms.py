"""The words of the data dictionary: what a column's entry holds, and the IoD domains' names.

The entries themselves are in :mod:`assetmap.data.dictionary_areas` and
:mod:`assetmap.data.dictionary_measures`; :mod:`assetmap.data.dictionary` joins them into
:data:`assetmap.data.dictionary.COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A column's definition.

    Attributes
    ----------
    name
        The column name (``assets_per_1k``).
    label
        Spelled-out heading for people (``Assets per 1,000 residents``).
    unit
        Unit or type (``count``, ``per 1,000 residents``, ``code``...).
    description
        What it means and how it is derived.
    source
        Key of :data:`assetmap.data.sources.SOURCES`, or ``derived``.
    """

    name: str
    label: str
    unit: str
    description: str
    source: str


@dataclass(frozen=True)
class Domain:
    """The words for one IoD 2025 domain (or the overall IMD), by where they are used.

    Attributes
    ----------
    key
        Our key (:data:`assetmap.data.sources.IMD_DOMAINS`; the column prefix, ``income_decile``).
    name
        As a choice of need measure (the dashboard's picker, the Gap table's header).
    deprivation
        As the quantity a map shows (its legend and measure picker).
    column
        As the data dictionary names its columns (``Income domain decile``).
    """

    key: str
    name: str
    deprivation: str
    column: str


#: The eight domains and the overall IMD, in the publisher's order: the one place their names
#: are spelled (the dashboard's need picker, the map measures and this dictionary read them).
DOMAINS: dict[str, Domain] = {
    d.key: d
    for d in (
        Domain(
            "imd",
            "Index of Multiple Deprivation (overall)",
            "IMD 2025",
            "Index of Multiple Deprivation",
        ),
        Domain("income", "Income", "Income deprivation", "Income domain"),
        Domain("employment", "Employment", "Employment deprivation", "Employment domain"),
        Domain(
            "education",
            "Education, skills and training",
            "Education, skills and training deprivation",
            "Education, skills and training domain",
        ),
        Domain(
            "health",
            "Health deprivation and disability",
            "Health deprivation and disability",
            "Health deprivation and disability domain",
        ),
        Domain("crime", "Crime", "Crime", "Crime domain"),
        Domain(
            "housing_services",
            "Barriers to housing and services",
            "Barriers to housing and services",
            "Barriers to housing and services domain",
        ),
        Domain(
            "environment",
            "Living environment",
            "Living environment deprivation",
            "Living environment domain",
        ),
    )
}
#: Each domain's name as its columns' labels begin (``Income domain``).
DOMAIN_LABELS = {key: d.column for key, d in DOMAINS.items()}
