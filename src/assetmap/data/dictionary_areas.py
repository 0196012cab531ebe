"""Data dictionary entries for places and what is in them.

The columns of the LSOA table (codes and names of the areas an LSOA lies in, deprivation,
Census attributes, asset counts) and of the located assets; joined into
:data:`assetmap.data.dictionary.COLUMNS`.
"""

from __future__ import annotations

from assetmap.data.assets import ASSET_SOURCES
from assetmap.data.dictionary_terms import DOMAIN_LABELS, Column
from assetmap.data.sources import IMD_DOMAINS, IMD_SUBDOMAINS

_SUBDOMAIN_LABELS = {
    "children_young_people": "Children and young people sub-domain",
    "adult_skills": "Adult skills sub-domain",
    "geographical_barriers": "Geographical barriers sub-domain",
    "wider_barriers": "Wider barriers sub-domain",
    "indoors": "Indoors living environment sub-domain",
    "outdoors": "Outdoors living environment sub-domain",
}


def deprivation_columns() -> list[Column]:
    """Score, rank and decile of every IoD 2025 domain and sub-domain."""
    cols = []
    for key, label in [*DOMAIN_LABELS.items(), *_SUBDOMAIN_LABELS.items()]:
        src = "imd2025" if key in IMD_DOMAINS else "imd2025_subdomains"
        cols += [
            Column(
                f"{key}_score",
                f"{label} score (IoD 2025)",
                "score",
                f"{label} score; higher is more deprived.",
                src,
            ),
            Column(
                f"{key}_rank",
                f"{label} rank (IoD 2025)",
                "rank of 33,755",
                f"{label} rank among England's LSOAs; 1 is the most deprived.",
                src,
            ),
            Column(
                f"{key}_decile",
                f"{label} decile (IoD 2025)",
                "decile 1-10",
                f"{label} national decile; 1 is the most deprived 10% of LSOAs.",
                src,
            ),
        ]
    assert set(_SUBDOMAIN_LABELS) == set(IMD_SUBDOMAINS)
    return cols


def asset_columns() -> list[Column]:
    """The count of each asset type in an LSOA or area."""
    return [
        Column(
            f"assets_{key}",
            f"{src.label} (count)",
            "count",
            f"Number of {src.label.lower()} located in the LSOA or area.",
            src.source_key,
        )
        for key, src in ASSET_SOURCES.items()
    ]


def asset_rate_columns() -> list[Column]:
    """Each asset type per 1,000 residents (:func:`assetmap.measures.metrics.type_rates`)."""
    return [
        Column(
            f"{key}_per_1k",
            f"{src.label} per 1,000 residents",
            "per 1,000 residents",
            f"1000 x assets_{key} / usual residents; for areas, a ratio of sums.",
            "derived",
        )
        for key, src in ASSET_SOURCES.items()
    ]


#: Codes and names of the LSOA and the areas it lies in.
GEOGRAPHY = [
    Column(
        "lsoa21cd",
        "LSOA code (2021)",
        "code",
        "Lower layer Super Output Area, 2021.",
        "boundaries_lsoa21",
    ),
    Column(
        "lsoa21nm",
        "LSOA name (2021)",
        "name",
        "LSOA name: local authority and a number.",
        "boundaries_lsoa21",
    ),
    Column(
        "ward24cd",
        "Electoral ward code (2024)",
        "code",
        "Ward containing the LSOA (best fit).",
        "lookup_ward",
    ),
    Column("ward24nm", "Electoral ward name (2024)", "name", "Ward name.", "lookup_ward"),
    Column(
        "lad24cd",
        "Local authority code (2024)",
        "code",
        "Local authority district (lower tier).",
        "lookup_ward",
    ),
    Column(
        "lad24nm",
        "Local authority name (2024)",
        "name",
        "Local authority district name.",
        "lookup_ward",
    ),
    Column(
        "sicbl24cd",
        "Sub-ICB location code (ONS, 2024)",
        "code",
        "Sub-ICB location, ONS code (E38...).",
        "lookup_icb",
    ),
    Column(
        "sicbl24cdh",
        "Sub-ICB location code (NHS, 2024)",
        "code",
        "Sub-ICB location, NHS ODS code (e.g. 01F).",
        "lookup_icb",
    ),
    Column(
        "sicbl24nm", "Sub-ICB location name (2024)", "name", "Sub-ICB location name.", "lookup_icb"
    ),
    Column(
        "icb24cd",
        "ICB code (ONS, 2024)",
        "code",
        "Integrated Care Board, ONS code (E54...).",
        "lookup_icb",
    ),
    Column(
        "icb24cdh",
        "ICB code (NHS, 2024)",
        "code",
        "Integrated Care Board, NHS ODS code (e.g. QYG).",
        "lookup_icb",
    ),
    Column("icb24nm", "ICB name (2024)", "name", "Integrated Care Board name.", "lookup_icb"),
    Column(
        "rgn24cd",
        "Region code (2024)",
        "code",
        "Region (former Government Office Region).",
        "lookup_region",
    ),
    Column("rgn24nm", "Region name (2024)", "name", "Region name.", "lookup_region"),
    Column("ctry24cd", "Country code", "code", "England (E92000001).", "derived"),
    Column("ctry24nm", "Country name", "name", "England.", "derived"),
]
#: Attributes of an LSOA: deprivation since 2019, Census counts and the like.
LSOA_ATTRIBUTES = [
    Column(
        "population",
        "Usual residents (Census 2021)",
        "people",
        "Usual residents on Census day 2021: the denominator of every per-1,000 rate.",
        "population",
    ),
    Column(
        "households",
        "Households (Census 2021)",
        "households",
        "Households on Census day 2021.",
        "households",
    ),
    Column(
        "ruc21cd",
        "Rural-urban class code (2021)",
        "code",
        "Rural-Urban Classification 2021 code.",
        "ruc21",
    ),
    Column(
        "ruc21nm",
        "Rural-urban class (2021)",
        "text",
        "Rural-Urban Classification 2021, in words.",
        "ruc21",
    ),
    Column("urban_rural", "Urban or rural", "Urban / Rural", "Broad rural-urban class.", "ruc21"),
    Column(
        "imd19_rank",
        "IMD 2019 rank (mapped to LSOA 2021)",
        "rank of 32,844",
        "IMD 2019 rank of the 2011 LSOA(s) this LSOA came from; population-weighted mean for merged or irregular LSOAs.",
        "imd2019",
    ),
    Column(
        "imd19_decile",
        "IMD 2019 decile (mapped to LSOA 2021)",
        "decile 1-10",
        "IMD 2019 national decile through the LSOA 2011 to 2021 lookup (ceil(10 x rank / 32,844)).",
        "imd2019",
    ),
    Column(
        "imd19_match",
        "How IMD 2019 was mapped",
        "text",
        "unchanged, split (child of one 2011 LSOA), merged or irregular (several 2011 parents, weighted).",
        "lookup_lsoa11",
    ),
    Column(
        "cni_score",
        "Community Needs Index score",
        "score",
        "Community Needs Index 2023; higher is greater need.",
        "cni2023",
    ),
    Column("cni_rank", "Community Needs Index rank", "rank", "1 is the highest need.", "cni2023"),
    Column(
        "cni_civic_assets_score",
        "CNI civic assets score",
        "score",
        "Civic Assets domain: presence of community places (meeting spaces, libraries, green space...); higher is greater need.",
        "cni2023",
    ),
    Column(
        "cni_civic_assets_rank",
        "CNI civic assets rank",
        "rank",
        "1 is the highest need (fewest civic assets).",
        "cni2023",
    ),
    Column(
        "cni_connectedness_score",
        "CNI connectedness score",
        "score",
        "Connectedness domain; higher is greater need.",
        "cni2023",
    ),
    Column(
        "cni_connectedness_rank",
        "CNI connectedness rank",
        "rank",
        "1 is the highest need.",
        "cni2023",
    ),
    Column(
        "cni_active_engaged_score",
        "CNI active and engaged community score",
        "score",
        "Active and Engaged Community domain; higher is greater need.",
        "cni2023",
    ),
    Column(
        "cni_active_engaged_rank",
        "CNI active and engaged community rank",
        "rank",
        "1 is the highest need.",
        "cni2023",
    ),
    Column(
        "left_behind",
        "Left-behind neighbourhood",
        "true/false",
        "In the worst 10% on both the Community Needs Index and IMD 2025 (OCSI / Local Trust definition).",
        "cni2023",
    ),
    Column(
        "core20",
        "Core20 (most deprived 20%)",
        "true/false",
        "IMD 2025 decile 1 or 2: NHS England's Core20 population.",
        "derived",
    ),
]
#: Columns of the located assets (one row per asset).
ASSETS = [
    Column(
        "asset_id",
        "Asset id",
        "text",
        "Type and the publisher's id (GP practice code, museum id) or a hash of name and postcode.",
        "derived",
    ),
    Column("name", "Name", "text", "As published (white space tidied).", "derived"),
    Column(
        "subtype",
        "Subtype",
        "text",
        "The publisher's own category where it has one (library type, museum governance).",
        "derived",
    ),
    Column("address", "Address", "text", "Address lines as published, comma-separated.", "derived"),
    Column("postcode", "Postcode", "text", "Formatted postcode (e.g. SW1A 1AA).", "postcodes"),
    Column(
        "easting",
        "Easting (BNG)",
        "metres",
        "British National Grid easting, from the postcode or the source's own coordinates.",
        "postcodes",
    ),
    Column("northing", "Northing (BNG)", "metres", "British National Grid northing.", "postcodes"),
    Column(
        "lsoa_method",
        "How the LSOA was assigned",
        "within / nearest",
        "within: the point lies in the LSOA; nearest: outside every coast-clipped LSOA but within 500 m of this one.",
        "derived",
    ),
    Column(
        "distance_to_lsoa_m",
        "Distance to the LSOA",
        "metres",
        "0 within; the distance for nearest.",
        "derived",
    ),
    Column(
        "source_row",
        "Row in the source file",
        "row number",
        "Row as a spreadsheet shows it (the header is row 1).",
        "derived",
    ),
    Column("source_file", "Source file", "path", "File the row came from.", "derived"),
    Column(
        "detail",
        "Details",
        "text",
        "The reason in full: the value that failed and what was expected.",
        "derived",
    ),
    Column(
        "reason", "Why not mapped", "text", "The first reason the row was not mapped.", "derived"
    ),
    Column(
        "located_by",
        "Located by",
        "postcode / latitude/longitude / easting/northing",
        "Which of the row's locations placed it: the postcode (ONS Postcode Directory) or the "
        "publisher's (or uploader's) own coordinates. Food banks are placed by postcode, by "
        "Give Food's coordinates when the postcode is missing or unknown; museums by their "
        "coordinates, by postcode when those are missing.",
        "derived",
    ),
    Column(
        "warning",
        "Warning",
        "text",
        "Why a mapped row is worth a check, e.g. its postcode point and its own coordinates lie "
        "more than 1 km apart (2 km for uploads); empty when none.",
        "derived",
    ),
    Column(
        "publisher_ward",
        "Ward named by the publisher",
        "name",
        "The electoral ward the publisher (Give Food) gives for the row, as published.",
        "foodbanks",
    ),
    Column(
        "publisher_district",
        "Local authority named by the publisher",
        "name",
        "The local authority district the publisher gives for the row, as published.",
        "foodbanks",
    ),
    Column(
        "ward_agrees",
        "Ward agrees",
        "true / false",
        "The publisher's ward is the 2024 ward of the LSOA the row was placed in (names "
        "compared ignoring case, punctuation and '&' against 'and').",
        "derived",
    ),
    Column(
        "district_agrees",
        "Local authority agrees",
        "true / false",
        "The publisher's district is the 2024 local authority of the LSOA the row was placed in.",
        "derived",
    ),
    Column(
        "lad22nm",
        "Local authority name (2022)",
        "name",
        "The LSOA's 2022 local authority (before the 2023 mergers), from the ONS LSOA 2011 to "
        "2021 lookup.",
        "lookup_lsoa11",
    ),
    Column(
        "district_agrees_2022",
        "Local authority agrees (2024 or 2022 name)",
        "true / false",
        "As district_agrees, also accepting the 2022 name of an authority merged in 2023 "
        "(Allerdale for Cumberland).",
        "derived",
    ),
]
