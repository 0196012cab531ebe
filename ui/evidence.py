"""The "Download evidence pack" block of Home, Map, Gap table and Area profile.

One click makes the selected area's pack (:func:`assetmap.presentation.report.make_files`: the
PDF and its data zip) with a progress bar; two download buttons then hand over the files. The
files are cached across sessions, keyed by plain values (the area, :class:`ui.data.Counting` and
the dashboard's address), so a second planner asking for the same view gets them at once; the
cache keeps a few packs for an hour.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from assetmap import settings
from assetmap.geography import areas
from assetmap.presentation import report
from assetmap.presentation.text import markdown_text
from ui import data, upload
from ui.areafilter import Selection, asset_label

_MADE = "evidence_made"


def base_url() -> str:
    """The dashboard's own address as the browser sees it (``https://host/``), for the link in
    the PDF that reopens the view; ``settings.DASHBOARD_URL`` when it cannot be told."""
    try:
        parts = urlsplit(str(st.context.url))
    except Exception:  # no browser context (AppTest, bare mode)
        return settings.DASHBOARD_URL
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return settings.DASHBOARD_URL
    return f"{parts.scheme}://{parts.netloc}/"


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _files(
    area: areas.Area,
    key: data.Counting,
    url: str,
    _selection: Selection,
) -> tuple[bytes, bytes | None]:
    # The bar is made (and emptied) here: a cached function's elements are replayed on a hit.
    bar = st.progress(0.0, text="Making the evidence pack…")

    def progress(done: float, what: str) -> None:
        bar.progress(min(max(done, 0.0), 1.0), text=markdown_text(what))

    found = upload.current()
    counted = data.counted_upload(key)
    inputs = report.PackInputs(
        neighbourhoods=data.selection_neighbourhood_metrics(_selection),
        lsoa_shapes=data.lsoa_shapes(),
        lad_layer=data.layer("lad"),
        manifest=data.manifest(),
        types=key.types,
        need=key.need,
        labels={t: asset_label(t) for t in key.types},
        families=upload.families() if counted else {},
        upload=found.filename if counted and found else None,
    )
    made = report.make_files(area, inputs, base_url=url, progress=progress)
    bar.empty()
    return made.pdf, made.data


def section(sel: Selection) -> None:
    """The evidence pack block for the selection: a button, its progress, then the files."""
    key = data.counting(sel)
    token = (sel.area, key)
    title = "Evidence pack: this view as a board paper (PDF) and its data"
    with st.expander(title, expanded=False):
        st.caption(
            "An A4 PDF with the key figures beside England, the map, the decile charts, the "
            "readings, the largest gaps, the invest-first list, hot and cold spots, change since "
            "2019, the methods and the sources, and a link that reopens this view; beside it a "
            "zip of the tables (Excel-safe CSV) with the data dictionary and the LSOAs as a "
            "GeoPackage for QGIS."
        )
        if st.button("Make the evidence pack", key="evidence_make", type="primary"):
            pdf, zipped = _files(sel.area, key, base_url(), sel)
            st.session_state[_MADE] = (token, pdf, zipped)
        made = st.session_state.get(_MADE)
        if made is None or made[0] != token:
            return
        _, pdf, zipped = made
        stem = f"assetmap_evidence_{sel.slug}"
        left, right, _ = st.columns([1, 1, 2])
        left.download_button(
            f"Download the PDF ({len(pdf) / 1e6:.1f} MB)",
            data=pdf,
            file_name=f"{stem}.pdf",
            mime=report.PDF_MIME,
            key="evidence_pdf",
            on_click="ignore",  # no rerun: the other file stays where it is
        )
        if zipped is not None:
            right.download_button(
                f"Download its data (zip, {len(zipped) / 1e6:.1f} MB)",
                data=zipped,
                file_name=f"{stem}.zip",
                mime=report.ZIP_MIME,
                key="evidence_zip",
                on_click="ignore",
            )
