"""The data dictionary: every column name used in code, pages and CSV files, defined once.

``docs/DATA_DICTIONARY.md`` is generated from :data:`COLUMNS` (``assetmap dictionary``), the
Methods page shows the same table, and a test checks that every column the library exports is
defined here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assetmap.data.assets import ASSET_SOURCES, FAMILIES, family_types
from assetmap.data.sources import IMD_DOMAINS, IMD_SUBDOMAINS


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
_DOMAIN_LABELS = {key: d.column for key, d in DOMAINS.items()}
_SUBDOMAIN_LABELS = {
    "children_young_people": "Children and young people sub-domain",
    "adult_skills": "Adult skills sub-domain",
    "geographical_barriers": "Geographical barriers sub-domain",
    "wider_barriers": "Wider barriers sub-domain",
    "indoors": "Indoors living environment sub-domain",
    "outdoors": "Outdoors living environment sub-domain",
}


def _deprivation_columns() -> list[Column]:
    cols = []
    for key, label in [*_DOMAIN_LABELS.items(), *_SUBDOMAIN_LABELS.items()]:
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


def _asset_columns() -> list[Column]:
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


_GEOGRAPHY = [
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

_LSOA_ATTRIBUTES = [
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

_METRICS = [
    Column(
        "assets",
        "Assets (count, chosen types)",
        "count",
        "Assets of the chosen types in the LSOA or area.",
        "derived",
    ),
    Column(
        "assets_per_1k",
        "Assets per 1,000 residents",
        "per 1,000 residents",
        "1000 x assets / usual residents; for areas, a ratio of sums.",
        "derived",
    ),
    Column(
        "zero_assets",
        "No assets",
        "true/false",
        "The LSOA has none of the chosen assets.",
        "derived",
    ),
    Column(
        "need_percentile",
        "Need percentile",
        "0-100",
        "100 x (N - rank) / (N - 1) on the chosen deprivation measure; 100 is the most deprived LSOA in England.",
        "derived",
    ),
    Column(
        "provision_percentile",
        "Provision percentile",
        "0-100",
        "100 x (rank of assets_per_1k - 1) / (N - 1), ties sharing the mean rank; 0 is the least provision in England.",
        "derived",
    ),
    Column(
        "gap_score",
        "Gap score (need minus provision)",
        "-100 to 100",
        "need_percentile - provision_percentile; positive means more deprived than provided for.",
        "derived",
    ),
    Column(
        "gap_rank",
        "Gap rank in the area",
        "rank",
        "1 is the largest gap score in the selected area (ties by deprivation rank).",
        "derived",
    ),
    Column(
        "asset_type",
        "Asset type",
        "text",
        "One of the asset layers (or an uploaded type); in a decile table 'all' is the total of "
        "the family's chosen types.",
        "derived",
    ),
    Column(
        "family",
        "Asset family",
        "text",
        "The asset type's family (community, public_services, culture: see Asset families); "
        "'all' only where the chosen types of every family were asked for together.",
        "derived",
    ),
    Column("lsoa_count", "LSOAs (count)", "count", "Number of LSOAs.", "derived"),
    Column(
        "decile1_per_1k",
        "Per 1,000 residents, most deprived 10%",
        "per 1,000 residents",
        "Assets per 1,000 residents of the LSOAs in IMD 2025 decile 1 (ratio of sums).",
        "derived",
    ),
    Column(
        "decile10_per_1k",
        "Per 1,000 residents, least deprived 10%",
        "per 1,000 residents",
        "Assets per 1,000 residents of the LSOAs in IMD 2025 decile 10 (ratio of sums).",
        "derived",
    ),
    Column(
        "comparison",
        "Most against least deprived 10%",
        "text",
        "decile1_per_1k against decile10_per_1k in words: 'N times rarer', 'N times as "
        "common' or 'about as common' (within 10%).",
        "derived",
    ),
    Column(
        "ratio_to_least_deprived",
        "Rate relative to the least deprived decile",
        "ratio",
        "This decile's assets per 1,000 over decile 10's; below 1 means scarcer than in the least deprived tenth.",
        "derived",
    ),
    Column(
        "level",
        "Geography level",
        "text",
        "england, region, icb, sicbl, lad, ward or lsoa.",
        "derived",
    ),
    Column(
        "zero_asset_lsoa_count",
        "LSOAs with no assets",
        "count",
        "LSOAs in the area with none of the chosen assets.",
        "derived",
    ),
    Column(
        "core20_lsoa_count", "Core20 LSOAs", "count", "LSOAs in IMD 2025 deciles 1-2.", "derived"
    ),
    Column(
        "core20_share",
        "Share of LSOAs in Core20",
        "0-1",
        "core20_lsoa_count / lsoa_count.",
        "derived",
    ),
    Column(
        "core20_zero_asset_lsoa_count",
        "Core20 LSOAs with no assets",
        "count",
        "Most deprived 20% LSOAs with none of the chosen assets.",
        "derived",
    ),
    Column(
        "decile1_lsoa_count",
        "LSOAs in the most deprived 10%",
        "count",
        "LSOAs in IMD 2025 decile 1.",
        "derived",
    ),
    Column(
        "decile1_share",
        "Share of LSOAs in the most deprived 10%",
        "0-1",
        "decile1_lsoa_count / lsoa_count.",
        "derived",
    ),
    Column(
        "imd_score_popweighted",
        "IMD score, population-weighted",
        "score",
        "Sum of IMD score x residents over residents.",
        "derived",
    ),
    *[
        Column(
            f"{key}_score_popweighted",
            f"{label} score, population-weighted",
            "score",
            f"Sum of {key}_score x residents over residents, for an area.",
            "derived",
        )
        for key, label in _DOMAIN_LABELS.items()
        if key != "imd"
    ],
    Column(
        "cni_civic_assets_score_popweighted",
        "CNI civic assets score, population-weighted",
        "score",
        "Sum of cni_civic_assets_score x residents over residents, for an area.",
        "cni2023",
    ),
    Column(
        "zero_asset_share",
        "Share of LSOAs with no assets",
        "0-1",
        "zero_asset_lsoa_count / lsoa_count.",
        "derived",
    ),
    Column(
        "left_behind_lsoa_count",
        "Left-behind LSOAs",
        "count",
        "LSOAs flagged left-behind by OCSI / Local Trust (worst 10% on both CNI and IMD).",
        "cni2023",
    ),
    Column(
        "gap_score_mean",
        "Gap score, population-weighted mean",
        "-100 to 100",
        "Sum of gap_score x residents over residents.",
        "derived",
    ),
]

_ACCESS = [
    Column(
        "res_easting",
        "Residence point easting (BNG)",
        "metres",
        "Mean easting of the postcodes inside the LSOA (every postcode with a grid reference counts once: a proxy for where residents live); a point inside the polygon when it has none.",
        "postcodes",
    ),
    Column(
        "res_northing",
        "Residence point northing (BNG)",
        "metres",
        "Mean northing of the postcodes inside the LSOA; see res_easting.",
        "postcodes",
    ),
    Column(
        "res_postcodes",
        "Postcodes averaged for the residence point",
        "count",
        "Postcodes (England, Wales, Scotland; live or terminated) whose grid reference lies inside the LSOA; 0 when the polygon point is used.",
        "postcodes",
    ),
    Column(
        "res_method",
        "How the residence point was found",
        "postcode mean / polygon point",
        "postcode mean: mean of the LSOA's postcodes; polygon point: the LSOA has no postcode inside, so a point on its polygon (shapely point_on_surface) is used.",
        "derived",
    ),
    Column(
        "walk_assets",
        "Assets within walking distance",
        "count",
        "Assets of the chosen types within the walking distance (800 m by default, about 10 minutes) of the LSOA's residence point, straight line in BNG metres, not along streets; assets over the LSOA's border count.",
        "derived",
    ),
    Column(
        "walk_nearest_m",
        "Distance to the nearest asset",
        "metres",
        "Straight-line distance from the residence point to the nearest asset of the chosen types, wherever it is.",
        "derived",
    ),
    Column(
        "fca_per_1k",
        "Walking-distance provision per 1,000 (2SFCA)",
        "per 1,000 residents",
        "Two-step floating catchment area ratio (Luo & Wang 2003): each asset is shared among the residents of every LSOA whose residence point is within the catchment (800 m by default); the LSOA's shares within the catchment are summed, x 1000. For an area, the population-weighted mean.",
        "derived",
    ),
    Column(
        "walk_assets_mean",
        "Assets within walking distance, mean per LSOA",
        "count",
        "Mean of walk_assets over the group's LSOAs.",
        "derived",
    ),
    Column(
        "none_inside_walkable_share",
        "Share of LSOAs with no asset inside but one within walking distance",
        "0-1",
        "LSOAs with assets = 0 and walk_assets >= 1, over lsoa_count: the boundary hides an asset next door.",
        "derived",
    ),
    Column(
        "inside_not_walkable_share",
        "Share of LSOAs with an asset inside but none within walking distance",
        "0-1",
        "LSOAs with assets >= 1 and walk_assets = 0, over lsoa_count: a large LSOA whose asset is far from its homes.",
        "derived",
    ),
    Column(
        "spearman_walk",
        "Rank correlation: per-1,000 count vs walking count",
        "-1 to 1",
        "Spearman correlation of assets_per_1k with walk_assets across the group's LSOAs (ties share the mean rank).",
        "derived",
    ),
    Column(
        "spearman_fca",
        "Rank correlation: per-1,000 count vs 2SFCA",
        "-1 to 1",
        "Spearman correlation of assets_per_1k with fca_per_1k across the group's LSOAs.",
        "derived",
    ),
]

_CHANGE_INVEST = [
    Column(
        "imd_decile_change",
        "Change in IMD decile since 2019",
        "deciles, -9 to 9",
        "IMD 2025 decile minus IMD 2019 decile (mapped to LSOA 2021); negative means a more deprived decile than in 2019. Deciles are relative positions, not absolute levels.",
        "derived",
    ),
    Column(
        "became_more_deprived",
        "Moved to a more deprived decile since 2019",
        "true/false",
        "imd_decile_change < 0.",
        "derived",
    ),
    Column(
        "imd19_comparable",
        "Same boundary as in 2019",
        "true/false",
        "imd19_match is unchanged: the IMD 2019 decile was published for exactly this area, so the change compares like with like (split, merged and irregular LSOAs are estimates).",
        "lookup_lsoa11",
    ),
    Column(
        "few_assets",
        "Few assets",
        "true/false",
        "No assets of the chosen types, or provision_percentile at or below 33.3 (the least-provided third of England).",
        "derived",
    ),
    Column(
        "more_deprived_few_assets",
        "More deprived since 2019 and few assets",
        "true/false",
        "became_more_deprived and few_assets.",
        "derived",
    ),
    Column(
        "change_direction",
        "Direction of change since 2019",
        "more deprived / same decile / less deprived",
        "Whether the LSOA's IMD decile fell (more deprived), stayed or rose since 2019.",
        "derived",
    ),
    Column("lsoa_share", "Share of LSOAs", "0-1", "lsoa_count over the group's LSOAs.", "derived"),
    Column(
        "population_share",
        "Share of residents",
        "0-1",
        "population over the group's usual residents.",
        "derived",
    ),
    Column(
        "invest_rank",
        "Invest-first rank in the area",
        "rank",
        "1 is the LSOA (or ward) to invest in first: the highest invest_score in the selected area (ties by deprivation, then code).",
        "derived",
    ),
    Column(
        "invest_score",
        "Invest-first score",
        "0-100",
        "Weighted mean of the criterion percentiles (invest_deprivation, invest_provision, ...) with the user's weights; higher means more reason to invest.",
        "derived",
    ),
    Column(
        "invest_deprivation",
        "Deprivation (criterion percentile)",
        "0-100",
        "need_percentile: 100 is the most deprived LSOA in England. For a ward, the population-weighted mean of its LSOAs'.",
        "derived",
    ),
    Column(
        "invest_provision",
        "Under-provision (criterion percentile)",
        "0-100",
        "100 - provision_percentile: 100 is the least provided LSOA in England. For a ward, the population-weighted mean.",
        "derived",
    ),
    Column(
        "invest_access",
        "Poor walking access (criterion percentile)",
        "0-100",
        "100 - the national percentile of fca_per_1k (ties share the mean rank): 100 is the worst walking access in England. For a ward, the population-weighted mean.",
        "derived",
    ),
    Column(
        "invest_cold_spot",
        "Cold spot (criterion percentile)",
        "0 or 100",
        "100 when the LSOA is in a significant under-provided cluster (gap_cluster), else 0. For a ward, 100 x the share of its residents in such LSOAs.",
        "derived",
    ),
    Column(
        "invest_top_share",
        "Share of weight draws in the top N",
        "0-1",
        "Share of the stability draws (weights drawn from a Dirichlet centred on the user's) in which the LSOA or ward ranks in the area's top N (20 by default).",
        "derived",
    ),
    Column(
        "invest_rank_low",
        "Rank range, best (5th percentile)",
        "rank",
        "5th percentile of the invest rank over the stability draws.",
        "derived",
    ),
    Column(
        "invest_rank_high",
        "Rank range, worst (95th percentile)",
        "rank",
        "95th percentile of the invest rank over the stability draws.",
        "derived",
    ),
    Column(
        "invest_reasons",
        "Why invest here",
        "text",
        "The criteria on which the LSOA or ward is worse than England's median and that carry weight, strongest contribution first, in words built from its values.",
        "derived",
    ),
]

_HOTSPOTS = [
    Column(
        "gap_spatial_lag",
        "Neighbours' mean gap score",
        "-100 to 100",
        "Mean gap_score of the LSOAs sharing a boundary point with this one (Queen contiguity, row-standardised); empty for an LSOA with no neighbour.",
        "derived",
    ),
    Column(
        "gap_local_i",
        "Local Moran's I of the gap score",
        "statistic",
        "(n - 1) z_i (mean z of the neighbours) / sum of z^2, z the standardised gap score (esda's convention); positive when the LSOA is like its neighbours.",
        "derived",
    ),
    Column(
        "gap_cluster_p",
        "Cluster pseudo p-value",
        "0-1",
        "Two-sided conditional-permutation p-value of gap_local_i: 2 x (min(L, P - L) + 1) / (P + 1), at most 1, with L of P permutations at least the observed value.",
        "derived",
    ),
    Column(
        "gap_cluster",
        "Gap cluster (hot and cold spots)",
        "category",
        "under-provided cluster (high gap amid high gap), well-provided cluster (low amid low), high-gap outlier, low-gap outlier, or not significant at the false discovery rate (Benjamini-Hochberg, 5%).",
        "derived",
    ),
    Column(
        "deprivation_tertile",
        "Deprivation third",
        "1-3",
        "ceil(3 x rank / n) on the need measure's rank, nationally or within the area; 1 is the most deprived third.",
        "derived",
    ),
    Column(
        "provision_tertile",
        "Provision third",
        "1-3",
        "ceil(3 x R / n), R the minimum rank of assets_per_1k (ties share the lower third); 1 is the least provided third and holds every LSOA with no asset.",
        "derived",
    ),
    Column(
        "bivariate_class",
        "Deprivation-provision class",
        "d-p",
        "deprivation_tertile-provision_tertile, e.g. 1-1: most deprived third and least provided third.",
        "derived",
    ),
    Column(
        "bivariate_colour",
        "Bivariate map colour",
        "hex colour",
        "Colour of bivariate_class in Joshua Stevens' 3 x 3 blue-red bivariate palette.",
        "derived",
    ),
]

_CHARITIES = [
    Column(
        "lad_charities_per_1k",
        "Charities per 1,000 residents in the LSOA's local authority",
        "per 1,000 residents",
        "The charities_per_1k of the local authority (2024) the LSOA lies in, the same for all its LSOAs: it describes the authority, not the neighbourhood. Carried by each LSOA so that any area can roll it up (see charities).",
        "charity_density",
    ),
    Column(
        "charities",
        "Registered charities (NCVO 2020)",
        "count",
        "Registered charities counted per local authority by the NCVO UK Civil Society Almanac 2020; a 2024 authority sums the 2019 authorities it was formed from. For another area, the sum over its LSOAs of residents x lad_charities_per_1k / 1000: exact for areas made of whole local authorities, a population share of each authority's charities for areas that cut across them (some ICBs and sub-ICB locations).",
        "charity_density",
    ),
    Column(
        "charities_per_1k",
        "Charities per 1,000 residents (local authority, NCVO 2020)",
        "per 1,000 residents",
        "1000 x charities / usual residents (Census 2021, our denominator rather than the publisher's); for areas, a ratio of sums. Credit: NCVO Almanac 2020 via British Red Cross.",
        "charity_density",
    ),
    Column(
        "charities_per_1k_published",
        "Charity density as published (per 1,000 people)",
        "per 1,000 people",
        "The publisher's density for the 2019 authority; for a 2024 authority merged from several, 1000 x their charities over the sum of the populations their densities imply (1000 x count / density).",
        "charity_density",
    ),
    Column(
        "charities_lad19",
        "2019 local authorities counted",
        "codes",
        "The 2019 local authority codes whose charities were summed, joined by ';' (one code for an authority that did not change).",
        "charity_density",
    ),
    Column(
        "charities_lad19_count",
        "Number of 2019 local authorities counted",
        "count",
        "How many 2019 local authorities were summed; above 1 for the authorities merged in 2020-2023.",
        "charity_density",
    ),
    Column(
        "lad19cd",
        "Local authority code (2019)",
        "code",
        "Local authority district as in 2019, the geography of the charity counts.",
        "charity_density",
    ),
    Column(
        "lad19nm",
        "Local authority name (2019)",
        "name",
        "The 2022 name from the ONS LSOA 2011 to 2021 lookup; for the 11 districts merged in 2020-21 (Buckinghamshire, Northamptonshire) the name in the ONS Code History Database.",
        "lookup_lsoa11",
    ),
    Column(
        "lad19_mapped_by",
        "How the 2019 local authority was mapped to 2024",
        "text",
        "same code; merged in 2023 (the 2024 authority holding the 2022 authority's LSOAs in the ONS lookups, at least 99% of them); or merged in 2020-21 (structural changes orders for Buckinghamshire and Northamptonshire).",
        "derived",
    ),
]

_ASSETS = [
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

#: Every column, keyed by name.
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        _GEOGRAPHY
        + _deprivation_columns()
        + _LSOA_ATTRIBUTES
        + _asset_columns()
        + _METRICS
        + _ACCESS
        + _CHANGE_INVEST
        + _HOTSPOTS
        + _CHARITIES
        + _ASSETS
    )
}


def label(name: str) -> str:
    """Spelled-out heading for a column (the name itself if undefined)."""
    col = COLUMNS.get(name)
    return col.label if col else name


def as_frame() -> pd.DataFrame:
    """The dictionary as a table (for the Methods page and CSV)."""
    return pd.DataFrame([c.__dict__ for c in COLUMNS.values()])


def families_frame() -> pd.DataFrame:
    """Every asset family with its label, definition and the open layers in it."""
    return pd.DataFrame(
        [
            {
                "family": f.key,
                "label": f.label,
                "description": f.description,
                "asset_types": ", ".join(family_types(f.key)),
            }
            for f in FAMILIES.values()
        ]
    )


def to_markdown() -> str:
    """The dictionary as the Markdown of ``docs/DATA_DICTIONARY.md``."""
    lines = [
        "# Data dictionary",
        "",
        "Generated by `assetmap dictionary` from `src/assetmap/data/dictionary.py`; do not edit by hand.",
        "The same names are used in the library, the dashboard and every CSV export.",
        "",
        "| column | label | unit | description | source |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{c.name}` | {c.label} | {c.unit} | {c.description} | {c.source} |"
        for c in COLUMNS.values()
    ]
    lines += [
        "",
        "## Asset families",
        "",
        "Every asset type belongs to one family; each family is reported on its own.",
        "",
        "| family | label | description | asset types |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{r.family}` | {r.label} | {r.description} | {r.asset_types} |"
        for r in families_frame().itertuples()
    ]
    return "\n".join(lines) + "\n"
