"""Upload: bring your own asset register; every row is mapped or reported with its reason."""

from __future__ import annotations

import dataclasses

import streamlit as st

from assetmap import export, ingest, settings
from assetmap.assets import FAMILIES
from ui import areafilter, data, layout, upload

layout.page("Upload")
st.title("Bring your own asset register")
st.markdown(
    "Upload the organisations you care about (VCSE groups, community centres, faith groups, food "
    "banks, social prescribing partners...) as **CSV** (UTF-8 or Windows-1252; comma, semicolon "
    "or tab), **Excel .xlsx** or **GeoJSON**, located by **postcode**, **latitude/longitude** "
    "(WGS84) or **easting/northing** (British National Grid). A type or category column becomes "
    "asset types you can count and map on every page."
)
st.info(
    "Your upload stays in this browser session only: other users never see it and nothing is "
    "written to the server's disk. Closing the tab forgets it; download the mapped file to keep it."
)

current = upload.current()
if current is not None:
    st.success(
        f"In use: **{current.filename}**: {len(current.assets):,} assets mapped, "
        f"{len(current.report):,} rows reported, of {current.rows_read:,} rows read."
    )
    if st.button("Remove my upload", key="upload_clear"):
        upload.clear()
        st.rerun()

file = st.file_uploader(
    "Asset register",
    type=["csv", "txt", "tsv", "xlsx", "geojson", "json"],
    key="upload_file",
    help=f"Up to {settings.UPLOAD_MAX_MB} MB and {settings.UPLOAD_MAX_ROWS:,} rows.",
)
if file is None:
    st.stop()

raw = file.getvalue()
try:
    table = ingest.read_table(raw, file.name)
except ingest.UploadError as exc:
    st.error(f"{file.name} cannot be used: {exc}")
    st.stop()

columns = [str(c) for c in table.frame.columns]
detected = ingest.detect_table(table)
st.subheader("Which column is which?")
st.caption("Detected automatically; correct any that are wrong. Leave a role empty if absent.")
none = "(none)"
roles = [f.name for f in dataclasses.fields(ingest.ColumnMapping)]
chosen: dict[str, str | None] = {}
cols = st.columns(4)
for i, role in enumerate(roles):
    detected_value = getattr(detected, role)
    # Positions count from 1 (the first column is 1), as in a spreadsheet.
    current_value = (
        columns[detected_value - 1] if isinstance(detected_value, int) else detected_value
    )
    options = [none, *columns]
    pick = cols[i % 4].selectbox(
        role.replace("_", " ").capitalize(),
        options,
        index=options.index(current_value) if current_value in options else 0,
        key=f"upload_role_{role}",
    )
    chosen[role] = None if pick == none else pick
mapping = ingest.ColumnMapping(**chosen)

family = st.selectbox(
    "These assets are",
    list(FAMILIES),
    format_func=lambda k: FAMILIES[k].label,
    help="Each family is reported on its own, never mixed into another family's total: "
    + " ".join(f"{f.label}: {f.description}" for f in FAMILIES.values()),
    key="upload_family",
)

missing = mapping.missing()
if missing:
    st.warning("Still needed before the rows can be placed: " + "; ".join(missing) + ".")
if not st.button("Map these assets", type="primary", key="upload_go", disabled=bool(missing)):
    st.stop()

with st.spinner("Geocoding and placing every row…"):
    try:
        result = ingest.ingest_table(
            table, data.postcode_directory(), data.lsoa_locator(), mapping=mapping
        )
    except ingest.UploadError as exc:
        st.error(f"{file.name} cannot be used: {exc}")
        st.stop()

kept = upload.keep(
    raw,
    repr(mapping),
    file.name,
    result.assets,
    result.categories,
    result.report,
    result.rows_read,
    family,
)
areafilter.add_types(list(kept.labels))

st.subheader("Every row accounted for")
c1, c2, c3 = st.columns(3)
c1.metric("Rows read", f"{result.rows_read:,}")
c2.metric("Mapped", f"{len(result.assets):,}")
c3.metric("Reported (not mapped)", f"{len(result.report):,}")
for message in result.messages:
    st.warning(message)
warned = result.assets[result.assets["warning"].fillna("") != ""]
if len(warned):
    st.warning(
        f"{len(warned):,} rows were mapped only after a correction (for example latitude and "
        "longitude swapped); they are listed below with the warning."
    )
    st.dataframe(warned, hide_index=True, width="stretch")
if len(result.report):
    st.markdown("**Rows not mapped, with the reason**")
    st.dataframe(result.report, hide_index=True, width="stretch")
    st.download_button(
        "Download the report (CSV)",
        data=export.to_csv_bytes(result.report),
        file_name="assetmap_upload-report.csv",
        mime="text/csv",
    )
st.markdown("**Mapped assets**")
st.dataframe(result.assets, hide_index=True, width="stretch")
st.download_button(
    "Download the mapped assets (CSV)",
    data=export.to_csv_bytes(result.assets),
    file_name="assetmap_upload-mapped.csv",
    mime="text/csv",
)
st.caption("The uploaded types are now counted on every page; change that in the sidebar.")
