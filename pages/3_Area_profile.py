"""Area profile: the area against its parent and England, and up to 8 areas side by side."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assetmap.data import charities, dictionary
from assetmap.geography import areas
from assetmap.measures import bivariate, change, hotspots, metrics
from assetmap.presentation import export
from assetmap.presentation.text import markdown_text
from ui import analysis, data, evidence, layout
from ui.areafilter import FILTER_LEVELS, asset_label, column_label

sel = layout.page("Area profile")
national = data.selection_metrics(sel)
st.title(f"Area profile: {markdown_text(sel.area.label)}")
evidence.section(sel)

#: The profile's rows (columns of :func:`assetmap.measures.metrics.rollup`) and their formats;
#: each row is named by the data dictionary, as the CSV columns are.
ROWS = [
    ("population", "{:,.0f}"),
    ("lsoa_count", "{:,.0f}"),
    ("core20_share", "{:.1%}"),
    ("decile1_share", "{:.1%}"),
    ("imd_score_popweighted", "{:.1f}"),
    ("assets", "{:,.0f}"),
    ("assets_per_1k", "{:.3f}"),
    ("zero_asset_share", "{:.1%}"),
    ("core20_zero_asset_lsoa_count", "{:,.0f}"),
    ("gap_score_mean", "{:+.1f}"),
    ("cni_civic_assets_score_popweighted", "{:.1f}"),
    ("left_behind_lsoa_count", "{:,.0f}"),
    ("charities_per_1k", "{:.2f}"),
]


def profile(area: areas.Area) -> pd.Series:
    """One column of the profile: the area's roll-up with per-type rates."""
    level = "england" if area.level == "england" else area.level
    rolled = metrics.rollup(national, level, area, types=sel.types)
    return metrics.type_rates(rolled, sel.types).iloc[0]


chain = [sel.area]
parent = areas.parent_of(sel.area, national)
while parent is not None:
    chain.append(parent)
    parent = areas.parent_of(parent, national) if parent.level != "england" else None
columns_areas = list(dict.fromkeys(chain))
columns = {a.label: profile(a) for a in columns_areas}

rows = [
    *[(key, dictionary.label(key), fmt) for key, fmt in ROWS],
    # In the dictionary's words for the open layers (as asset_label gives them) and the user's for
    # an upload's own types.
    *[(f"{t}_per_1k", f"{asset_label(t)} per 1,000 residents", "{:.3f}") for t in sel.types],
]
raw = pd.DataFrame(
    {label: [col[key] for key, _, _ in rows] for label, col in columns.items()},
    index=[name for _, name, _ in rows],
)
formatted = pd.DataFrame(
    {label: [fmt.format(col[key]) for key, _, fmt in rows] for label, col in columns.items()},
    index=[name for _, name, _ in rows],
)
st.header("Against its parent and England")
st.dataframe(formatted, width="stretch")
# Plain text with the areas' names in it.
st.caption(
    markdown_text(
        charities.profile_note([charities.la_coverage(national, a) for a in columns_areas])
    )
)
st.download_button(
    "Download the profile (CSV)",
    data=export.to_csv_bytes(raw.rename_axis("Measure").reset_index()),
    file_name=f"assetmap_profile_{sel.slug}.csv",
    mime="text/csv",
)

found = data.selection_neighbourhood_metrics(sel)
neighbourhoods = found.table
local = areas.select(neighbourhoods, sel.area)

st.header("Change since 2019")
moved = change.change_summary(neighbourhoods, sel.area)
lsoa_counts = moved.set_index(["imd19_match", "change_direction"])["lsoa_count"].to_dict()
people = moved.set_index(["imd19_match", "change_direction"])["population"].to_dict()
worse, better = change.DIRECTIONS[0], change.DIRECTIONS[2]
fell, rose = int(lsoa_counts[("all", worse)]), int(lsoa_counts[("all", better)])
fell_people = int(people[("all", worse)])
like_for_like = int(local["imd19_comparable"].sum())
fell_like_for_like = int(lsoa_counts[("unchanged", worse)])
st.markdown(
    f"**{fell:,}** of the {len(local):,} neighbourhoods here ({fell_people:,} residents) are in a "
    f"more deprived IMD decile in 2025 than in 2019, and {rose:,} in a less deprived one. Of the "
    f"{like_for_like:,} whose boundary did not change (the like-for-like comparison), "
    f"{fell_like_for_like:,} moved to a more deprived decile. "
    f"**{int(local['more_deprived_few_assets'].sum()):,}** neighbourhoods became more deprived "
    "and have few assets (none of the chosen types, or England's least-provided third)."
)
st.dataframe(analysis.change_overview(moved), width="stretch")
st.caption(
    "IMD deciles are relative positions among England's LSOAs: a fall means others improved "
    "faster or this place fell behind. Only LSOAs with the same boundary in both years compare "
    "like with like; see Methods & data."
)

st.header("Deprivation and provision together")
classes = bivariate.classify(neighbourhoods, sel.area, need=sel.need)
cells = bivariate.cell_counts(classes.table)
st.dataframe(analysis.class_table(cells), hide_index=True, width="stretch")
st.caption(
    "Deprivation third 1 is the most deprived, provision third 1 the fewest assets per 1,000 "
    "residents. Thirds of England's LSOAs, so a class means the same everywhere. Every LSOA "
    "without one of "
    f"the chosen assets is in provision third 1 ({classes.zero_asset_share:.0%} of "
    "England for these types), so the provision thirds are not equal in size."
)

st.header("Hot and cold spots")
clusters = found.clusters
by_code = local.set_index("lsoa21cd")
spots = hotspots.cluster_summary(by_code, by_code["population"]).rename(
    columns={
        "gap_cluster": dictionary.label("gap_cluster"),
        "lsoa_count": "Neighbourhoods (LSOAs)",
        "population": "Residents",
    }
)
st.dataframe(spots, hide_index=True, width="stretch")
threshold = clusters.fdr_threshold
passed = (
    f"an LSOA is significant when its {markdown_text(clusters.alternative)} pseudo p-value "
    "is below "
    f"{threshold:.4f}, the "
    "Benjamini-Hochberg threshold"
    if threshold > 0
    else "no LSOA passes the Benjamini-Hochberg test"
)
st.caption(
    f"Local Moran's I of the gap score on England's whole map with {clusters.permutations:,} "
    f"permutations; {passed} for a {clusters.alpha:.0%} false discovery rate over "
    f"{clusters.tests:,} LSOAs tested. An under-provided cluster is a cold spot of provision: "
    "a high gap among neighbours with high gaps."
)

st.header("Compare areas side by side")
cat = data.area_catalogue()
level = st.selectbox(
    "Level",
    [lv for lv in FILTER_LEVELS if lv != "england"],
    index=max(0, [lv for lv in FILTER_LEVELS if lv != "england"].index(sel.area.level))
    if sel.area.level in FILTER_LEVELS[1:]
    else 1,
    format_func=lambda k: areas.LEVELS[k].label,
    key="compare_level",
)
options = cat[cat["level"] == level].sort_values("name")
names = dict(zip(options["code"], options["name"], strict=True))
default = [sel.area.code] if sel.area.level == level else []
chosen = st.multiselect(
    "Areas (up to 8)",
    list(names),
    default=default,
    format_func=lambda c: f"{names[c]} ({c})",
    max_selections=8,
    key=f"compare_{level}",
)
if chosen:
    roll = metrics.rollup(national, level, types=sel.types)
    lv = areas.LEVELS[level]
    picked = roll[roll[lv.code].isin(chosen)].copy()
    keep = [lv.code, lv.name, *[k for k, _ in ROWS if k in picked.columns]]
    compare = picked[keep]
    st.dataframe(compare.rename(columns=column_label), hide_index=True, width="stretch")
    chart = (
        alt.Chart(picked)
        .mark_bar()
        .encode(
            y=alt.Y(f"{lv.name}:N", sort="-x", title=""),
            x=alt.X("assets_per_1k:Q", title=dictionary.label("assets_per_1k")),
            color=alt.Color(
                "core20_share:Q",
                title="Core20 share",
                scale=alt.Scale(scheme="viridis", reverse=True),
            ),
            tooltip=[
                alt.Tooltip(f"{lv.name}:N", title="Area"),
                alt.Tooltip("assets_per_1k:Q", format=".3f", title="Per 1,000"),
                alt.Tooltip("core20_share:Q", format=".0%", title="Core20 share"),
            ],
        )
        .properties(height=40 * len(picked) + 40)
    )
    st.altair_chart(chart, width="stretch")
    st.download_button(
        "Download the comparison (CSV)",
        data=export.to_csv_bytes(compare.rename(columns=column_label)),
        file_name=f"assetmap_compare_{level}.csv",
        mime="text/csv",
    )
else:
    st.info("Choose up to 8 areas to compare.")
