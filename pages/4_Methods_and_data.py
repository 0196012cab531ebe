"""Methods & data: every source, every measure, the known limits, and what was not mapped."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assetmap import settings
from assetmap.data import build, charities, dictionary, sources, store
from assetmap.data.assets import ASSET_SOURCES, FAMILIES
from assetmap.measures import access, bivariate, change, hotspots, invest, metrics, near
from assetmap.measures.rates import per_1k
from assetmap.presentation import colour, export, maps, reading
from assetmap.presentation.text import markdown_text
from ui import analysis, data, layout
from ui.areafilter import NEED_LABELS, asset_label

#: Walking speed (km/h) used only to put the walking distance in minutes.
WALK_KMH = 4.8

sel = layout.page("Methods & data")
found = data.selection_neighbourhood_metrics(sel)
national = found.table
# Markdown: an upload's labels are its user's words.
types_text = markdown_text(", ".join(asset_label(t) for t in sel.types))
st.title("Methods & data")
manifest = data.manifest()
counts = manifest["counts"]
assert isinstance(counts, dict)

st.header("Sources and licences")
src = pd.DataFrame(
    [
        {
            "Data": s.title,
            "Publisher": s.publisher,
            "Licence": s.licence,
            "Vintage": s.vintage,
            "Attribution": s.attribution,
        }
        for s in sources.SOURCES.values()
    ]
)
st.dataframe(src, hide_index=True, width="stretch")
st.markdown(
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2021-2025. Contains Royal Mail data © "
    "Royal Mail copyright and database right 2025. Community Needs Index © OCSI / Local Trust "
    "(shown as an optional, attributed layer). Data from the Mapping Museums project, "
    "www.mappingmuseums.org (CC BY 4.0). Food bank data from Give Food, givefood.org.uk "
    "(public domain)."
)
st.caption(
    f"Data built {markdown_text(manifest['built_at'])}; every raw file verified against its "
    "SHA-256."
)

st.header("Measures")
st.markdown(
    f"""
**Neighbourhoods** are England's {counts["lsoas"]:,} Lower layer Super Output Areas (LSOA 2021),
each home on average to {national["population"].mean():,.0f} residents (Census 2021; ONS draws
them for 1,000 to 3,000). Every number rolls up from them to wards, sub-ICB locations,
ICBs, local authorities, regions and England, so the levels add up exactly.

**Assets per 1,000 residents** divides the assets of the chosen types located in an area by its
usual residents (Census 2021) and multiplies by 1,000. For any group of LSOAs it is a ratio of
sums, never an average of LSOA rates, so large and small LSOAs count by their people.
"""
)
st.latex(r"\text{assets per 1k}_A = 1000 \cdot \sum_{i\in A} a_i \Big/ \sum_{i\in A} p_i")
st.markdown(
    """
**Gap score** sets need against provision, both as national percentiles over all LSOAs in England
(so a score means the same wherever you look):
"""
)
st.latex(
    r"\text{need}_i = 100\,\frac{N - r_i}{N-1},\quad "
    r"\text{provision}_i = 100\,\frac{R_i - 1}{N-1},\quad "
    r"\text{gap}_i = \text{need}_i - \text{provision}_i"
)
st.markdown(
    f"""
where *r* is the LSOA's deprivation rank (1 = most deprived; the overall IMD 2025 or the domain
chosen in the sidebar), *R* the rank of its assets per 1,000 residents (ties share their mean
rank, so every LSOA with no asset has the same provision percentile) and *N* = {counts["lsoas"]:,}.
The score runs from -100 to 100; **positive means more deprived than it is provided for**. It
ranks places within an area; it is not a target.

**Core20** is the most deprived 20% of LSOAs nationally (IMD 2025 deciles 1-2), NHS England's
Core20PLUS5 population. **Left-behind neighbourhoods** (OCSI / Local Trust) are described below.

**IMD 2019** (for change over time) reaches 2021 LSOAs through the ONS best-fit lookup: unchanged
and split LSOAs take their 2011 parent's decile; merged and irregular ones a population-weighted
mean rank of their parents (`imd19_match` in the data says which).

**Map bands**: national bands use IMD deciles as published, or the national deciles of the
measure, so a colour means the same everywhere; *quantiles* and *natural breaks* (Fisher-Jenks,
via mapclassify) spread the selected area's own range over the colours. Palettes are
colour-blind-safe (viridis, ColorBrewer YlGnBu and PuOr; asset points in Okabe-Ito colours).
"""
)

st.header("Asset families")
st.markdown(
    "Every asset type belongs to one family, and each family is reported on its own: the Home "
    "page's headline, decile chart and readings are per family, then per type, never one total "
    "across families. Public services are more common in deprived town centres, so mixed into "
    "one total they would hide a lack of community organisations. A new session counts the "
    "community organisations; an uploaded register counts as community organisations unless "
    "its user chooses another family."
)
st.dataframe(
    dictionary.families_frame().rename(
        columns={
            "family": "Key",
            "label": "Family",
            "description": "What it holds",
            "asset_types": "Open layers",
        }
    ),
    hide_index=True,
    width="stretch",
)

st.header("How assets are placed")
st.markdown(
    f"""
Each asset is located by its postcode in the ONS Postcode Directory (November 2025, offline), or
by the publisher's own coordinates, and counted in the LSOA whose polygon contains the point.
Museums are placed by their coordinates (by postcode where those are missing); food banks by
postcode, by Give Food's own coordinates where the postcode is missing or unknown. Where a row has
both and they lie more than {settings.SOURCE_POSTCODE_MISMATCH_M / 1000:g} km apart it is placed
all the same and listed below with a warning to check it. A point on a border shared by two LSOAs
counts once, in the LSOA with the lower code. The published LSOA polygons are clipped to the
coastline, so {counts["postcodes_outside_lsoas"]:,} English postcodes (docks, piers, sea fronts)
lie just outside all of them: such a point is placed in the nearest LSOA when it is within
{settings.NEAREST_LSOA_MAX_M:g} m, and flagged; further out it is reported. In the source
boundaries {counts["lsoa_edges_mismatched"]:,} LSOAs do not share their edges exactly; the build
cleans the coverage (GEOS CoverageCleaner) so no point can fall in two
LSOAs or a sliver between them.

Every row of every asset file is either mapped or listed below with its row number and reason.
"""
)
layers = pd.DataFrame(
    [
        {
            "Asset type": a.label,
            "Family": FAMILIES[a.family].label,
            "Mapped": counts.get(f"assets_{k}", 0),
            "Mapped with a warning": counts.get(f"warned_{k}", 0),
            "Reported, not mapped": counts.get(f"reported_{k}", 0),
        }
        for k, a in ASSET_SOURCES.items()
    ]
)
layers["Rows read"] = layers["Mapped"] + layers["Reported, not mapped"]
st.dataframe(layers, hide_index=True, width="stretch")
report = store.load_report()
summary = (
    report.groupby(["asset_type", "reason"])
    .size()
    .rename("rows")
    .reset_index()
    .assign(asset_type=lambda t: t["asset_type"].map(lambda k: ASSET_SOURCES[k].label))
    .rename(columns={"asset_type": "Asset type", "reason": "Reason", "rows": "Rows"})
)
st.dataframe(summary, hide_index=True, width="stretch")
st.download_button(
    "Download every unmapped row with its reason (CSV)",
    data=lambda: export.to_csv_bytes(report),
    file_name="assetmap_asset-report.csv",
    mime="text/csv",
)
points = data.asset_points()
warned = pd.DataFrame(points[points["warning"].notna()].drop(columns="geometry"))
st.markdown(f"**Mapped with a warning** ({len(warned):,} rows): worth a check at the source.")
st.dataframe(
    warned[["asset_type", "name", "postcode", "lsoa21cd", "located_by", "warning", "source_row"]]
    .assign(asset_type=lambda t: t["asset_type"].map(asset_label))
    .rename(columns=dictionary.label),
    hide_index=True,
    width="stretch",
)

st.subheader("Checked against the publisher's own places")
checked = [k for k, a in ASSET_SOURCES.items() if a.publisher_areas is not None]
check = store.load_placement_check()
for kind in checked:
    st.markdown(
        f"{markdown_text(ASSET_SOURCES[kind].label)}: the publisher names each row's ward and "
        "local authority, an independent check of where we place it (names compared ignoring "
        "case, punctuation and '&' against 'and'). "
        f"{build.agreement_words(kind, counts).capitalize()}. Ward "
        "boundaries and names changed in many places in 2023 and 2024, after much of the "
        "publisher's data was gathered, so wards agree less often than authorities."
    )
    off = check[(check["asset_type"] == kind) & (check["district_agrees_2022"] != "True")]
    if len(off):
        st.dataframe(off.rename(columns=dictionary.label), hide_index=True, width="stretch")

st.header("What the data says")
every_type = data.lsoa_metrics(data.Counting(tuple(ASSET_SOURCES), "imd"))
contrast = reading.decile_contrast(metrics.decile_table(every_type, tuple(ASSET_SOURCES)))
st.markdown(
    "Assets per 1,000 residents in England's most deprived tenth of neighbourhoods against its "
    "least deprived tenth (IMD 2025 deciles 1 and 10), for every open layer and family, "
    "whatever the sidebar counts. Computed from the data on every build."
)
st.dataframe(
    contrast.assign(
        family=contrast["family"].map(lambda f: FAMILIES[f].label),
        asset_type=[
            f"All {FAMILIES[f].label.lower()}" if t == metrics.ALL else asset_label(t)
            for f, t in zip(contrast["family"], contrast["asset_type"], strict=True)
        ],
    ).rename(columns=dictionary.label),
    hide_index=True,
    width="stretch",
)

st.header("Beyond counting")
st.caption(
    f"Figures below are for England, counting {types_text}, with need measured by IoD 2025: "
    f"{markdown_text(NEED_LABELS[sel.need])} (the choice in the sidebar)."
)

st.subheader("Walking-distance access and 2SFCA")
walk = found.access
d, d0 = walk.distance_m, walk.fca_distance_m
residence = data.residence()
polygon_points = int((residence["res_method"] == access.RES_POLYGON_POINT).sum())
st.markdown(
    f"""
Counting assets inside an LSOA's boundary ignores the library just across the street in the next
LSOA. We therefore also measure access from where people live. Each LSOA's **residence point** is
the mean British National Grid location of the ONS Postcode Directory postcodes inside it.
Postcodes stand in for addresses: the directory has no residential flag or address counts, so
each postcode with a grid reference counts once. LSOAs with no postcode ({polygon_points:,} in
England) use a point inside their polygon instead. From that point, `walk_assets` counts the
assets of the chosen types within $d$ = {d:,.0f} m (about a {d / (WALK_KMH * 1000 / 60):.0f}-minute
walk at {WALK_KMH:g} km/h) and `walk_nearest_m` is the distance to the nearest one. Distances are
straight lines, not street routes, so rivers, railways and main roads make real walks longer.
`fca_per_1k` is the two-step floating catchment area ratio (Luo & Wang 2003) with catchment
$d_0$ = {d0:,.0f} m:
"""
)
st.latex(
    r"R_j = \frac{S_j}{\sum_{k:\, d_{kj} \le d_0} P_k}, \qquad "
    r"A_i = 1000 \sum_{j:\, d_{ij} \le d_0} R_j"
)
st.markdown(
    f"""
where $S_j = 1$ for every asset, $P_k$ the usual residents of LSOA $k$ (Census 2021) and $d_{{ij}}$
the distance from residence point $i$ to asset $j$. All of an LSOA's residents are placed at its
residence point; an asset serves everyone inside its catchment equally and no one beyond it, and
the ratio conserves supply (summed over residents, each asset within reach of anyone is handed out
exactly once). The measures disagree because of **boundary effects** (an asset just over the border
counts only for the neighbouring LSOA), **large LSOAs** (an asset inside can be more than {d:,.0f}
m from the homes), **town centres** (a cluster of assets inside one LSOA is within reach of many)
and **sharing** (2SFCA lowers provision where many people share few assets).
"""
)
comparison = analysis.selection_access_comparison(sel)
st.markdown(access.explain_comparison(comparison, d))
st.dataframe(
    comparison.rename(columns=dictionary.label),
    hide_index=True,
    width="stretch",
    column_config={
        dictionary.label(c): st.column_config.NumberColumn(format="percent")
        for c in ("none_inside_walkable_share", "inside_not_walkable_share")
    },
)

st.subheader("Hot and cold spots")
clusters = found.clusters
permutations, alpha = clusters.permutations, clusters.alpha
names = national.set_index("lsoa21cd")["lsoa21nm"]
islands = [f"{markdown_text(names.get(code, code))}, {code}" for code in clusters.islands]
island_text = (
    f"{len(islands):,} LSOA{'s' if len(islands) != 1 else ''} ({', '.join(islands)}) "
    f"{'have' if len(islands) != 1 else 'has'} no neighbour and "
    f"{'are' if len(islands) != 1 else 'is'} listed, not tested."
    if islands
    else "Every LSOA has at least one neighbour."
)
threshold = clusters.fdr_threshold
threshold_text = (
    f"for the asset types chosen the threshold this gives is p < {threshold:.4f} (shown with the "
    "map too)"
    if threshold > 0
    else "for the asset types chosen no LSOA passes it"
)
st.markdown(
    f"""
Neighbouring LSOAs are those whose boundaries share at least one point (Queen contiguity),
worked out once for all {counts["lsoas"]:,} LSOAs in England. {island_text} For each LSOA we
compute the local Moran's I of the gap score (Anselin 1995) with row-standardised weights:
"""
)
st.latex(r"I_i = (n - 1)\, \frac{z_i\, \bar z_{N(i)}}{\sum_k z_k^2}")
st.markdown(
    f"""
where $z$ is the standardised gap score and $\\bar z_{{N(i)}}$ the mean of LSOA $i$'s neighbours. A
positive value means the LSOA is like its neighbours. Significance comes from
{permutations:,} conditional permutations (the LSOA's own value held, its neighbours' values
drawn from the other LSOAs). We report the {clusters.alternative} pseudo p-value: twice the
nearer tail's (count + 1)/(P + 1), capped at 1. Because {clusters.tests:,} LSOAs are tested at
once, we control the false discovery rate at {alpha:.0%} with Benjamini-Hochberg;
{threshold_text}. A significant LSOA is an **under-provided cluster** (high gap among high-gap
neighbours: a cold spot of provision in deprived places), a **well-provided cluster**, a
**high-gap outlier** or a **low-gap outlier**; every other LSOA is *not significant*. Clusters
are always computed on England's full map, so an area's edge never cuts an LSOA off from its
neighbours. With {permutations:,} permutations the smallest possible p-value is
{clusters.p_floor:.3f},
which limits how many LSOAs can pass the FDR test: none can unless at least
{clusters.fdr_floor_count:,} reach that floor, so for some asset-type choices
none may. Neighbouring results are correlated, which Benjamini-Hochberg only approximately allows
for.
"""
)
by_code = national.set_index("lsoa21cd")
st.dataframe(
    hotspots.cluster_summary(by_code, by_code["population"]).rename(columns=dictionary.label),
    hide_index=True,
    width="stretch",
)

st.subheader("Deprivation and provision in one map (bivariate)")
deprivation_thirds = national["deprivation_tertile"].value_counts().reindex([1, 2, 3], fill_value=0)
provision_thirds = national["provision_tertile"].value_counts().reindex([1, 2, 3], fill_value=0)
st.markdown(
    """
Each LSOA is placed in a third for deprivation (1 = most deprived, ranked on the chosen
deprivation measure) and a third for provision (1 = fewest assets per 1,000 residents). The pair
gives one of nine classes, such as "1-1", most deprived and least provided. By default the thirds
are national; they can be drawn within the selected area. The rule, with $R_i$ the LSOA's rank
among $n$ (ties share the lowest rank), is
"""
)
st.latex(r"t_i = \left\lceil 3 R_i / n \right\rceil \in \{1, 2, 3\}")
st.markdown(
    f"""
Deprivation thirds are balanced ({", ".join(f"{v:,}" for v in deprivation_thirds)} LSOAs).
Provision has many ties: every LSOA with none of the chosen assets scores 0, and tied LSOAs share
a class in the lower third. When more than a third of LSOAs have no asset the first provision
third is exactly those LSOAs, and when two thirds or more have none the middle third is empty.
For the asset types chosen {national["zero_assets"].mean():.1%} of LSOAs have none, so the
provision thirds hold {", ".join(f"{v:,}" for v in provision_thirds)} LSOAs.

Colours: Joshua Stevens' 3 x 3 blue-red bivariate palette (Stevens, J. (2015) *Bivariate
Choropleth Maps: A How-to Guide*,
https://www.joshuastevens.net/cartography/make-a-bivariate-choropleth-map/; hex values as in the
R package biscale, "GrPink"). Under simulated protanopia, deuteranopia and tritanopia (Machado,
Oliveira & Fernandes 2009) no two of its colours come closer than
{colour.closest_pair_under_cvd(list(bivariate.PALETTE.values())):.1f} CIELAB units (computed
here; `tests/test_bivariate.py` checks it independently); the class label and counts are also
in the legend and tooltips, so colour is never the only cue. England's nine classes (third 1 =
most deprived, or fewest assets per 1,000 residents):
"""
)
st.dataframe(
    analysis.class_table(bivariate.cell_counts(bivariate.classify(national, need=sel.need).table)),
    hide_index=True,
    width="stretch",
)

st.subheader("Change since 2019")
moved = change.change_summary(national)
by_match = moved.groupby("imd19_match")["lsoa_count"].sum()
by_change = moved.set_index(["imd19_match", "change_direction"])
worse = change.DIRECTIONS[0]
fell = int(by_change["lsoa_count"].to_dict()[("all", worse)])
fell_share = float(by_change["lsoa_share"].to_dict()[("all", worse)])
fell_like_for_like = int(by_change["lsoa_count"].to_dict()[("unchanged", worse)])
st.markdown(
    f"""
IoD 2019 was published for the {build.IMD2019_LSOAS:,} LSOAs of 2011, the 2025 indices for the
{counts["lsoas"]:,} of 2021. IMD 2019 is carried to 2021 LSOAs with the ONS best-fit lookup.
Unchanged LSOAs ({by_match["unchanged"]:,}) keep their published 2019 decile; parts of a split
2011 LSOA ({by_match["split"]:,}) take the parent's decile; merged ({by_match["merged"]:,}) and
irregular ({by_match["irregular"]:,}) ones take the parents' population-weighted mean rank
$r$ ({sources.SOURCES["population20_lsoa11"].vintage} residents) banded with the 2019 cut-offs,
and the change is the difference of deciles:
"""
)
cut = f"{build.IMD2019_LSOAS:,}".replace(",", "{,}")
st.latex(
    rf"d^{{2019}} = \left\lceil 10\, r / {cut} \right\rceil, \qquad "
    r"\Delta_i = d^{2025}_i - d^{2019}_i"
)
st.markdown(
    f"""
Negative means now in a more deprived decile. Deciles are relative positions; only unchanged
LSOAs compare like with like, so tables split counts by how 2019 was mapped. Across England
{fell:,} LSOAs ({fell_share:.1%}) moved to a more deprived decile, {fell_like_for_like:,} of them
among the
{by_match["unchanged"]:,} unchanged. "Became more deprived and has few assets" is a fall plus no
assets of the chosen types or the least-provided third nationally (provision percentile at most
{settings.FEW_ASSETS_MAX_PROVISION_PERCENTILE:.1f}, which is provision third 1 whenever at least
a third of LSOAs have no asset): {int(national["more_deprived_few_assets"].sum()):,} LSOAs for
the types chosen.
"""
)
st.dataframe(analysis.change_overview(moved), width="stretch")

st.subheader("Left-behind neighbourhoods")
left = national[national["left_behind"].astype(bool)]
st.markdown(
    f"""
The left-behind flag comes from the Community Needs Index 2023 by OCSI for Local Trust
(Community Needs Index © OCSI / Local Trust): it marks LSOAs in the worst 10% on both the CNI and
the IMD, {len(left):,} of England's {counts["lsoas"]:,} ({int(left["population"].sum()):,}
residents). The CNI's civic-assets domain (`cni_civic_assets_score`) measures the presence of
community places (meeting spaces, libraries, green space...) that no open register lists, so it
is shown as an area-level measure beside the asset counts. Both are shown only as an optional,
attributed layer.
"""
)

st.subheader("Charities per 1,000 residents (local authority)")
charity_source = sources.SOURCES[charities.SOURCE_KEY]
lad_layer = data.layer("lad")
lad19 = store.load_charity_lookup()
joined = charities.merged(lad19)
flagged = charities.outliers(lad_layer)
relation = charities.deprivation_relation(lad_layer)
england_rate = per_1k(counts["charities_england"], lad_layer["population"].sum())
st.markdown(
    f"""
No open register places England's charities at addresses, so registered charities are counted
per local authority, from the {charity_source.publisher} ({charity_source.licence}; credit
"{charity_source.attribution}"). The counts are on 2019
local authority codes ({len(lad19):,} in England, {counts["charities_england"]:,} charities). A
2024 authority gets the sum of the 2019 authorities it was formed from:
{counts["charities_lad24_merged"]:,} of the {len(lad_layer):,} were formed by merging (below).
The 2023 mergers come from the data: the ONS LSOA 2011 to 2021 lookup gives each LSOA its 2022
authority and the 2024 lookup its 2024 one, so each 2022 authority goes to the 2024 authority
holding its LSOAs (at least {charities.MIN_LSOA_SHARE:.0%} of them). The Buckinghamshire (2020)
and Northamptonshire (2021) districts predate that lookup and are listed from the Structural
Changes Orders and the ONS Code History Database. A 2019 code that maps nowhere stops the
build. The rate divides by the authority's Census 2021 usual residents $P_L$ (our denominator,
the same as for every other rate here, not the publisher's own population estimate):
"""
)
st.latex(
    r"\text{charities per 1k}_L = 1000 \cdot \sum_{d \in L} c_d \Big/ P_L, \qquad "
    r"\text{charities per 1k}_A = 1000 \cdot \frac{\sum_{i \in A} p_i\, r_{L(i)} / 1000}"
    r"{\sum_{i \in A} p_i}"
)
st.markdown(
    f"""
with $c_d$ the charities of 2019 authority $d$. England has {england_rate:.2f} charities per
1,000 residents. Any other area $A$ shares each authority's charities among its LSOAs $i$ by
residents $p_i$ ($r_{{L(i)}}$ is the rate of LSOA $i$'s authority): exact for areas made of whole
local authorities (regions, England), a population share for areas that cut across them (some
ICBs, sub-ICB locations, wards). The map shows it by local authority only.
"""
)
st.dataframe(
    joined.rename(columns=dictionary.label).rename(
        columns={
            dictionary.label("lad19nm"): "Formed from (2019)",
            dictionary.label("lad19cd"): "2019 codes",
        }
    ),
    hide_index=True,
    width="stretch",
)
city_residents = int(lad_layer.loc[lad_layer["lad24cd"] == "E09000001", "population"].sum())
outlier_names = ", ".join(
    f"{markdown_text(r.lad24nm)} ({r.charities_per_1k:.1f})" for r in flagged.table.itertuples()
)
st.markdown(
    f"""
**Outliers.** Authorities above Tukey's far-out fence, the upper quartile plus
{charities.OUTLIER_IQR_MULTIPLE:g} times the interquartile range of the authorities' rates
({flagged.q3:.2f} + {charities.OUTLIER_IQR_MULTIPLE:g} x ({flagged.q3:.2f} - {flagged.q1:.2f}) =
{flagged.fence:.2f} per 1,000), are flagged, not dropped: {outlier_names or "none"}. Charities
register at their head offices, which crowd into central London, and the City of London has
{city_residents:,} residents, so its rate says little about provision for the people living
there.

**Charities and deprivation.** Across the {relation.n:,} local authorities, Spearman's rank
correlation between charities per 1,000 residents and the IMD 2025 rank of average score (rank
1 = the most deprived authority, by its population-weighted mean LSOA score) is
$\\rho$ = {relation.rho:.2f} (p = {relation.p_value:.1g}). A positive $\\rho$ means that the less
deprived an authority, the more charities it has per head. The median is
{relation.median_most_deprived_fifth:.2f} per 1,000 in the most deprived fifth of authorities
({relation.most_deprived_fifth_n} authorities) against {relation.median_least_deprived_fifth:.2f}
in the least deprived fifth ({relation.least_deprived_fifth_n}), {relation.ratio:.1f} times as
many. Rank correlation and medians are little moved by the outliers above.
"""
)

st.subheader("Where to invest first")
labels = {c.key: c.label for c in invest.DEFAULT_CRITERIA}
low, high = settings.INVEST_RANK_RANGE
st.markdown(
    f"""
Each criterion $k$ becomes a national percentile $c_{{ik}} \\in [0, 100]$ where higher means more
reason to invest: **{labels["deprivation"]}** (the need percentile), **{labels["provision"]}**
(100 - provision percentile), **{labels["access"]}** (100 - the national percentile of
`fca_per_1k`, ties sharing their mean rank) and **{labels["cold_spot"]}** (100 inside a
significant under-provided cluster, else 0). With the weights $w_k \\ge 0$ chosen on the page, the
score is
"""
)
st.latex(r"s_i = \frac{\sum_k w_k\, c_{ik}}{\sum_k w_k}")
st.markdown(
    f"""
so only the ratios of the weights matter. LSOAs are ranked within the area, ties going to the
more deprived LSOA, then the lower code. The reasons list, strongest contribution first, each
weighted criterion on which the LSOA is worse than England's median (criterion percentile at
least {settings.INVEST_REASON_MIN_PERCENTILE:g}). Wards score the population-weighted mean of
their LSOAs' percentiles.

**Stability.** The ranking is recomputed for D = {settings.INVEST_STABILITY_DRAWS:,} weight
vectors drawn around the user's normalised weights $\\bar w$,
$w \\sim \\mathrm{{Dirichlet}}(\\kappa \\bar w)$ with
$\\kappa$ = {settings.INVEST_STABILITY_CONCENTRATION:g} and a fixed seed
({settings.INVEST_STABILITY_SEED}); criteria weighted 0 stay at 0. For each LSOA the page shows
the share of draws in which it is in the top N ({settings.INVEST_TOP_N} by default) and its
rank range, the {low:g}th to {high:g}th percentile of its rank over the draws.
"""
)

st.header("Planning: near a place, what-if, best sites, your own area")
st.subheader("Near a postcode or a point")
st.markdown(
    f"""
A search takes a postcode (its ONS Postcode Directory grid reference) or a point and a distance
$r$ of at most {near.MAX_DISTANCE_M:,.0f} m. It lists the assets $a_j$ with
$\\lVert a_j - p \\rVert \\le r$ and the LSOAs whose **residence point** $c_i$ (the same point as
walking access) has $\\lVert c_i - p \\rVert \\le r$: an LSOA's residents are all in or all out,
never split by its polygon touching the circle. Their residents are summed by IMD 2025 decile,
and those in deciles 1-{settings.CORE20_MAX_DECILE} are the Core20 residents. Distances are
straight lines, as everywhere here.
"""
)
st.subheader("What if a site opened, or an asset closed")
st.markdown(
    """
A scenario adds sites (a postcode, a point clicked on the map, or a list uploaded) and closes
existing assets, for one asset type or a family. Walking access and 2SFCA are recomputed with the
assets after the change (a new site counts in the LSOA whose polygon holds it), and each LSOA
compares its `walk_assets` before, $w_i$, and after, $w'_i$:
"""
)
st.latex(
    r"\text{gains}_i = [w_i = 0 \wedge w'_i \ge 1], \qquad "
    r"\text{loses}_i = [w_i \ge 1 \wedge w'_i = 0]"
)
st.markdown(
    """
Residents gaining and losing are summed by IMD decile; the Core20 LSOAs with no asset today that
would gain one are listed, and every LSOA whose gap score moves is shown with its change. The
before and after are computed for all of England, because 2SFCA shares each asset among everyone
within its catchment and provision percentiles are national: a site can move LSOAs beyond the
area. Nothing is stored on the server: the scenario is downloaded as a file (and carried in
the link while it is small) and read back with every value checked.
"""
)
st.subheader("Best sites (maximal covering)")
st.markdown(
    """
Given $k$ new sites of a type, the page chooses them to bring the most Core20 residents who have
no asset within walking distance today within reach: the **maximal covering location problem**
(Church & ReVelle 1974),
"""
)
st.latex(r"\max_{S \subseteq J,\ |S| = k} \; \sum_i w_i \, [\exists j \in S : d_{ij} \le d]")
st.markdown(
    """
with candidates $J$ the residence points of the area's LSOAs (somewhere people live) or the user's
own list, and demand $w_i$ the residents of the area's Core20 LSOAs with no asset of the type
within $d$. It is solved by **greedy selection**: each step adds the candidate covering the most
demand not yet covered, and its marginal gain is shown. Coverage is monotone and submodular, so the
greedy choice is guaranteed at least $(1 - 1/e) \\approx 63\\%$ of the optimum (Nemhauser, Wolsey
& Fisher 1978); the tests check it against exhaustive search on small real instances. The page
sets it beside a **naive rule**: the $k$ most deprived LSOAs with no asset, each a site at its
residence point.
"""
)
st.subheader("Your own area")
st.markdown(
    f"""
An own area is a set of LSOAs: picked on the map, pasted as codes, or the LSOAs whose
**residence point lies inside** a shape drawn on the map or a boundary uploaded (GeoJSON or
GeoPackage, reprojected from the coordinate reference system it names). Counting by residence
point keeps each LSOA's residents whole; the LSOAs the shape cuts (its boundary crosses their
polygon) are counted and shown, so you can see how much the rule decides. A self-crossing drawn
shape is refused (a file's is repaired, and said so). Every figure of an own area is the roll-up
of its LSOAs, the same sums as for an ICB or a local authority; the tests check that an own area of
an ICB's LSOAs gives that ICB's figures exactly. Its link carries the LSOA codes while they fit
({settings.OWN_AREA_URL_MAX_CHARS:,} characters); a larger area is shared as its GeoJSON file.
"""
)

st.header("Known limits")
st.markdown(
    """
- **What the asset layers cover.** Public libraries (2023; open static libraries: mobile
  libraries report a depot and prison libraries are not open to the public), GP practices (NHS
  ODS, January 2024; active practices with prescribing setting 4 - sites, not list sizes or
  opening hours), community amateur sports clubs registered with HMRC (October 2023; the address
  HMRC holds is sometimes a secretary's home, not the ground) and museums (Mapping Museums, open
  in 2021).
- **Food banks** (Give Food, a snapshot from before July 2024) are one point per organisation
  at its main address: a food bank's separate distribution centres are not listed, so a large
  food bank with many centres counts once.
- **What they do not cover.** No open England-wide register of charities' own locations,
  community centres, faith groups or social prescribing partners exists to mirror. Charities are
  counted per local authority only; the Community Needs Index civic-assets domain is shown as an
  area-level measure of such places, and planners can upload their own registers.
- **Counting inside a boundary** ignores assets just over it; a neighbourhood next to a library
  can still show none. Walking-distance access (above) is the remedy.
- **Rates in small populations** move a lot with one asset: read LSOA values with their counts.
- **Vintages differ**: deprivation 2025, population 2021, assets 2021-2024.
"""
)

st.header("Colours on the map")
st.dataframe(
    pd.DataFrame(
        [
            {"Measure": m.label, "Area version": m.area_label, "Unit": m.unit}
            for m in maps.MEASURES.values()
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.header("Data dictionary")
st.caption("The same column names are used in the library, on every page and in every CSV.")
dd = dictionary.as_frame()
st.dataframe(dd, hide_index=True, width="stretch")
st.download_button(
    "Download the data dictionary (CSV)",
    data=export.to_csv_bytes(dd),
    file_name="assetmap_data-dictionary.csv",
    mime="text/csv",
)
