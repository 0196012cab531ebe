"""Where to invest first: the area's neighbourhoods (or wards) ranked by weighted reasons."""

from __future__ import annotations

import math
import re
from typing import Any, Literal, cast

import pandas as pd
import streamlit as st

from assetmap import settings
from assetmap.data import dictionary
from assetmap.measures import invest
from assetmap.presentation import export
from assetmap.presentation.text import markdown_text
from ui import analysis, data, downloads, layout, upload
from ui.areafilter import NEED_LABELS, asset_label, link_notice, quoted

sel = layout.page("Where to invest first")
st.title(f"Where to invest first: {markdown_text(sel.area.label)}")
st.caption(
    "A short list of the neighbourhoods to look at first, scored on the reasons you weigh below. "
    "It starts a conversation with local partners; it does not replace one."
)

CRITERIA = invest.DEFAULT_CRITERIA
HELP = {
    "deprivation": "How deprived the neighbourhood is on the measure chosen in the sidebar "
    "(IoD 2025), as a national percentile.",
    "provision": "How few of the chosen assets it has inside its boundary per 1,000 residents, "
    "as a national percentile.",
    "access": "How few assets its residents can reach on foot (2SFCA within "
    f"{settings.WALK_DISTANCE_M:,.0f} m of where they live, shared with everyone else in reach).",
    "cold_spot": "Whether it lies in a significant under-provided cluster: a high gap score "
    "surrounded by high gap scores (local Moran's I).",
}
BY_LABELS = {"lsoa": "Neighbourhoods (LSOAs)", "ward": "Electoral wards"}
#: Columns shown first, in this order (the rest of the ranking follows).
FRONT = {
    "lsoa": ["invest_rank", "lsoa21cd", "lsoa21nm"],
    "ward": ["invest_rank", "ward24cd", "ward24nm", "lad24nm"],
}
#: Then the score, the reasons in words and how stable the rank is.
MIDDLE = [
    "invest_score",
    "invest_reasons",
    "invest_top_share",
    "invest_rank_low",
    "invest_rank_high",
]
MAX_WEIGHT = 5.0
#: A place "stays" on the short list when it is in the top N in at least this share of draws.
STEADY = 0.9


def url_weights() -> list[float]:
    """Weights from ``?weights=2,1,1,0`` (criteria order); 1 each when absent or unusable (said
    in a notice)."""
    default = [1.0] * len(CRITERIA)
    raw = st.query_params.get("weights", "")
    if not raw:
        return default
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) == len(CRITERIA) and all(0 <= v <= MAX_WEIGHT for v in values):
        return values
    link_notice(
        f"weights {quoted(raw)} are not {len(CRITERIA)} numbers from 0 to {MAX_WEIGHT:g}, "
        "so every reason counts once"
    )
    return default


st.subheader("How much each reason counts")
start = url_weights()
weights = {
    crit.key: float(
        col.slider(
            crit.label,
            0.0,
            MAX_WEIGHT,
            value=start[i],
            step=0.5,
            format="%.1f",
            key=f"invest_w_{crit.key}",
            help=HELP.get(crit.key),
        )
    )
    for i, (crit, col) in enumerate(zip(CRITERIA, st.columns(len(CRITERIA)), strict=True))
}
c1, c2 = st.columns(2)
url_by = st.query_params.get("by", "lsoa")
if url_by not in BY_LABELS:
    link_notice(f"{quoted(url_by)} is not a way to rank (lsoa or ward)")
by = cast(
    Literal["lsoa", "ward"],
    c1.radio(
        "Rank",
        list(BY_LABELS),
        index=list(BY_LABELS).index(url_by) if url_by in BY_LABELS else 0,
        format_func=BY_LABELS.__getitem__,
        horizontal=True,
        key="invest_by",
        help="Wards score the population-weighted mean of their LSOAs' criteria: the average "
        "resident's neighbourhood.",
    ),
)
url_top = st.query_params.get("top", "")
default_top = settings.INVEST_TOP_N
# At most three ASCII digits: int() of a longer string of digits is slow or refused.
url_top_ok = re.fullmatch(r"[0-9]{1,3}", url_top) is not None and 1 <= int(url_top) <= 200
if url_top and not url_top_ok:
    link_notice(f"{quoted(url_top)} is not a short-list length from 1 to 200")
top_n = int(
    c2.number_input(
        "Length of the short list (top N)",
        min_value=1,
        max_value=200,
        value=int(url_top) if url_top_ok else default_top,
        step=5,
        key="invest_top",
        help="Also the N of the stability column: how often each place stays in the top N.",
    )
)
st.query_params.update(
    {"weights": ",".join(f"{weights[c.key]:g}" for c in CRITERIA), "by": by, "top": str(top_n)}
)

run = True
if sel.area.level == "england":
    st.info(
        "Choose an area in the sidebar (a region, ICB, sub-ICB location or local authority) to "
        "rank its neighbourhoods. Ranking all of England at once is possible but slower."
    )
    run = st.toggle("Rank all of England anyway", key="invest_england")
if run and sum(weights.values()) <= 0:
    st.warning("Give at least one reason a weight above 0.")
    run = False

if run:
    ranking = analysis.selection_invest_ranking(sel, weights, by, top_n)
    ranked = ranking.table
    top = int(ranking.top_n)
    unit = "neighbourhoods" if by == "lsoa" else "wards"
    labels = ranking.labels
    front = [c for c in FRONT[by] if c in ranked]
    tail = [c for c in ranked.columns if c not in front and c not in MIDDLE]
    ordered = ranked[[*front, *MIDDLE, *tail]]

    vintages = data.manifest()
    found = upload.current()
    shares = ranking.weights
    context = {
        "Ranked": "LSOA 2021"
        if by == "lsoa"
        else "Electoral ward 2024 (population-weighted mean of its LSOAs' criteria)",
        "Area": f"{sel.area.label} ({sel.area.code})",
        "Asset types counted": "; ".join(asset_label(t) for t in sel.types),
        "Need measured by": f"IoD 2025: {NEED_LABELS[sel.need]}",
        "Weights": "; ".join(
            f"{labels[k]} {weights[k]:g} ({shares[k]:.0%} of the score)" for k in shares
        ),
        "Stability": f"{ranking.draws:,} weight draws from Dirichlet({ranking.concentration:g} "
        f"x your weights), seed {ranking.seed}; top N = {top}; rank range = "
        f"{settings.INVEST_RANK_RANGE[0]:g}th-{settings.INVEST_RANK_RANGE[1]:g}th percentile",
        "Data vintages": export.data_vintages(
            sel.types,
            upload=found.filename if found else None,
            built_at=str(vintages["built_at"]),
        ),
        "Method": "invest_score = sum of weight x criterion percentile / sum of weights; national "
        "criterion percentiles, 100 = most reason to invest (see Methods & data)",
    }

    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        """Spelled-out headings plus the context columns, so a forwarded CSV explains itself."""
        out = invest.invest_table(frame, labels)
        for name, value in context.items():
            out[name] = value
        return out

    shown_raw = ordered.head(top)
    view = labelled(shown_raw)

    st.subheader(f"The first {top:,} of {len(ranked):,} {unit}")
    steady = int((shown_raw["invest_top_share"] >= STEADY).sum())
    st.markdown(
        f"{shown_raw['population'].sum():,.0f} residents live in these {unit}. "
        f"**{steady:,} of the {top:,}** stay in the top {top:,} in at least {STEADY:.0%} of "
        f"{ranking.draws:,} re-rankings with weights shuffled around yours."
    )
    formats: dict[str, Any] = {
        dictionary.label("invest_score"): st.column_config.NumberColumn(format="%.1f"),
        dictionary.label("invest_reasons"): st.column_config.TextColumn(width="large"),
    }
    formats[dictionary.label("invest_top_share")] = st.column_config.NumberColumn(format="percent")
    for key in ranking.criteria:
        formats[dictionary.label(f"invest_{key}")] = st.column_config.NumberColumn(format="%.0f")
    st.dataframe(view, hide_index=True, width="stretch", height=420, column_config=formats)
    for note in ranking.skipped:
        st.caption(f"Not used: {markdown_text(note)}.")

    downloads.shown_and_full(
        view,
        lambda: labelled(ordered),
        f"assetmap_invest_{sel.slug}_{by}_{sel.need}_imd2025",
        shown_suffix=f"_top{top}",
        full_label="Download the full ranking (CSV)",
    )

st.header("How to read this")
equal = 1 / len(CRITERIA)
spread = math.sqrt(equal * (1 - equal) / (settings.INVEST_STABILITY_CONCENTRATION + 1))
low, high = settings.INVEST_RANK_RANGE
st.markdown(
    f"""
- **Score** (0-100): each reason becomes a national percentile where 100 means the most reason
  to invest in England (the most deprived, the least provided, the worst walking access, or
  inside an under-provided cluster). The score is their weighted mean, so only how the weights
  compare matters: 2, 2, 2, 2 ranks exactly like 1, 1, 1, 1. A weight of 0 leaves a reason out.
- **Why invest here** names, strongest first, each weighted reason on which the place is worse
  than England's middle (the median).
- **Share of weight draws in the top N**: weights are a judgement, so the area is re-ranked
  {settings.INVEST_STABILITY_DRAWS:,} times with weights drawn at random around yours (with
  {len(CRITERIA)} equal weights each moves by about ±{spread:.2f} of the total). 100% means
  the place is on the short list whatever the exact weights; around 50% means it is on the edge.
- **Rank range**: the best and worst rank the place took in the middle {high - low:g}% of those
  re-rankings ({low:g}th to {high:g}th percentile). A narrow range is a firm position.
- Wards score the population-weighted mean of their neighbourhoods, so a ward ranks high when
  many of its residents live in neighbourhoods that score badly.
- Percentiles are national, so a score means the same in every area; ranks are within the area.
"""
)
st.page_link(
    "pages/4_Methods_and_data.py",
    label="Methods & data: the criteria, the score formula and the stability draws",
)
