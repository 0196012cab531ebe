"""Gap table: the area's neighbourhoods ranked by need against provision, ready to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assetmap.measures import change, metrics
from assetmap.presentation import export
from assetmap.presentation.text import markdown_text
from ui import data, downloads, evidence, layout, upload
from ui.areafilter import NEED_LABELS, asset_label, column_label

sel = layout.page("Gap table")
st.title(f"Gap table: {markdown_text(sel.area.label)}")
st.caption(
    "Neighbourhoods (LSOAs) ranked by gap score: need (IoD 2025 rank, as a national percentile) "
    "minus provision (assets per 1,000 residents, as a national percentile). Positive means more "
    "deprived than provided for. See Methods & data for the formula."
)
evidence.section(sel)

national = data.selection_metrics(sel)
table = metrics.gap_table(national, sel.area, types=sel.types, need=sel.need)
# Change since 2019, for the filters and the CSV.
table = change.with_change_flags(table, national)

c1, c2, c3, c4, c5, c6 = st.columns([1, 1, 1.3, 1.1, 2, 1])
core20_only = c1.checkbox("Core20 only", key="gaps_core20", help="IMD 2025 deciles 1-2")
zero_only = c2.checkbox("No assets only", key="gaps_zero")
worse_only = c3.checkbox(
    "More deprived since 2019, few assets",
    key="gaps_worse",
    help="In a more deprived IMD decile than in 2019, and no assets of the chosen types or in "
    "the least-provided third nationally (see Methods & data).",
)
left_only = c4.checkbox(
    "Left-behind only",
    key="gaps_left_behind",
    help="Left-behind neighbourhoods: worst 10% on both the Community Needs Index and the IMD "
    "(© OCSI / Local Trust).",
)
sortable = [c for c in table.columns if c not in {"lsoa21cd"}]
sort_by = c5.selectbox("Sort by", sortable, index=0, format_func=column_label, key="gaps_sort")
descending = c6.toggle("Largest first", value=sort_by == "gap_score", key="gaps_desc")

shown = metrics.select_gaps(
    table,
    core20=core20_only,
    zero_assets=zero_only,
    more_deprived_few_assets=worse_only,
    left_behind=left_only,
)
shown = shown.sort_values(sort_by, ascending=not descending, kind="stable")

vintages = data.manifest()
found = upload.current()
context = {
    "Geography level": "LSOA 2021",
    "Area": f"{sel.area.label} ({sel.area.code})",
    "Asset types counted": "; ".join(asset_label(t) for t in sel.types),
    "Need measured by": f"IoD 2025: {NEED_LABELS[sel.need]}",
    "Filters": "; ".join(
        f
        for f, on in (
            ("Core20 only", core20_only),
            ("no assets only", zero_only),
            ("more deprived since 2019 with few assets", worse_only),
            ("left-behind only", left_only),
        )
        if on
    )
    or "none",
    "Data vintages": export.data_vintages(
        sel.types,
        extra=("imd2019", "lookup_lsoa11"),
        upload=found.filename if found else None,
        built_at=str(vintages["built_at"]),
    ),
    "Method": "gap_score = need_percentile - provision_percentile (national percentiles); "
    "imd_decile_change = IMD 2025 decile - IMD 2019 decile (ONS LSOA 2011-2021 best-fit lookup)",
}


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Spelled-out headings plus the context columns, so a forwarded CSV explains itself."""
    out = frame.rename(columns=column_label)
    for name, value in context.items():
        out[name] = value
    return out


view = labelled(shown)
st.markdown(
    f"**{len(shown):,}** of {len(table):,} neighbourhoods shown"
    f" ({int(shown['population'].sum()):,} residents)."
)
st.dataframe(view, hide_index=True, width="stretch", height=520)
downloads.shown_and_full(
    view,
    lambda: labelled(table),
    f"assetmap_gaps_{sel.slug}_{sel.need}_imd2025",
    shown_suffix="_filtered" if len(shown) < len(table) else "",
)
