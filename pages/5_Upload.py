"""Upload: bring your own asset register; every line is mapped or reported with its reason."""

from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st

from assetmap import ingest, settings
from assetmap.data.assets import FAMILIES
from assetmap.presentation import export, text
from ui import areafilter, data, layout, upload

layout.page("Upload")
st.title("Bring your own asset register")
st.markdown(
    "Upload the organisations you care about (VCSE groups, community centres, faith groups, food "
    "banks, social prescribing partners...) as **CSV** (UTF-8, UTF-16 or Windows-1252; comma, "
    "semicolon or tab; decimal point or comma), **Excel .xlsx** or **GeoJSON**, located by "
    "**postcode**, **latitude/longitude** (WGS84) or **easting/northing** (British National "
    "Grid). A type or category column becomes asset types you can count and map on every page."
)
st.info(upload.privacy_note())

current = upload.current()
if current is not None:
    st.success(
        f"In use: **{text.markdown_text(current.filename, text.ECHO_MAX_CHARS)}**: "
        f"{len(current.assets):,} assets mapped, {len(current.report):,} lines reported, of "
        f"{current.data_lines:,} data lines."
        + (f" {text.markdown_text(upload.restored_note(current))}" if upload.restored() else "")
    )
    if st.button("Remove my upload", key="upload_clear"):
        upload.clear()
        st.rerun()

file = st.file_uploader(
    "Asset register",
    type=["csv", "txt", "tsv", "xlsx", "geojson", "json"],
    key="upload_file",
    # Streamlit's own cap (server.maxUploadSize) is set a little above this one, so a file over
    # the limit is refused by ingest.check_size, with the message the command line gives.
    help=f"Up to {settings.UPLOAD_MAX_MB} MB and {settings.UPLOAD_MAX_ROWS:,} rows.",
)
if file is None:
    st.stop()

shown_name = text.markdown_text(file.name, text.ECHO_MAX_CHARS)
try:
    ingest.check_size(file.size, file.name)  # before the bytes are read
except ingest.UploadError as exc:
    st.error(text.markdown_text(str(exc)))
    st.stop()
raw = file.getvalue()
filename = file.name
fmt = ingest.expected_format(filename)
is_text = fmt == ingest.FORMAT_CSV


@dataclasses.dataclass(frozen=True)
class Reading:
    """How to read the file: ``None`` (and quoting on) is what the file says."""

    delimiter: str | None = None
    decimal: str | None = None
    quoting: bool = True
    sheet: str | None = None
    header: bool | None = None
    header_row: int | None = None

    def read(self) -> ingest.RawTable:
        return ingest.read_table(
            raw,
            filename,
            header=self.header,
            delimiter=self.delimiter,
            decimal=self.decimal,
            quoting=self.quoting,
            sheet=self.sheet,
            header_row=self.header_row,
        )


def attempt(reading: Reading) -> tuple[ingest.RawTable | None, str | None]:
    try:
        return reading.read(), None
    except ingest.UploadError as exc:
        return None, str(exc)


# Read as sniffed first: what was detected is what the choices below start from.
detected_table, problem = attempt(Reading())
reading = Reading()
table, table_problem = detected_table, problem
if fmt in (ingest.FORMAT_CSV, ingest.FORMAT_XLSX):
    AUTO = "detected"
    key = f"upload_read_{file.file_id}"  # a new file starts from what is detected in it
    st.subheader("How the file is read")
    st.caption(
        "Detected from the file; change any that is wrong and the file is read again. Row "
        "numbers are the lines of the file (the rows of the sheet)."
    )
    c1, c2, c3, c4 = st.columns(4)
    if is_text:
        found_sep = detected_table.delimiter if detected_table is not None else None
        sep = c1.selectbox(
            "Separator",
            [AUTO, *ingest.DELIMITERS],
            format_func=lambda d: (
                f"{ingest.DELIMITERS.get(found_sep or '', 'not found')} (detected)"
                if d == AUTO
                else ingest.DELIMITERS[d]
            ),
            key=f"{key}_sep",
        )
        if sep != AUTO:
            reading = dataclasses.replace(reading, delimiter=sep)
    if detected_table is not None and detected_table.sheets:
        sheets = list(detected_table.sheets)
        sheet = c1.selectbox("Sheet", sheets, index=0, key=f"{key}_sheet")
        if sheet != sheets[0]:
            reading = dataclasses.replace(reading, sheet=sheet)
    found_decimal = detected_table.decimal if detected_table is not None else "."
    decimal = c2.selectbox(
        "Decimal mark",
        [AUTO, *ingest.DECIMALS],
        format_func=lambda d: (
            f"{ingest.DECIMALS[found_decimal]} (detected)" if d == AUTO else ingest.DECIMALS[d]
        ),
        key=f"{key}_decimal",
    )
    if decimal != AUTO:
        reading = dataclasses.replace(reading, decimal=decimal)
    if is_text and c3.checkbox(
        "Quoting off",
        key=f"{key}_quoting_off",
        help="Read quote marks as plain text, one row per line: for a file whose stray quote "
        "marks ran lines together.",
    ):
        reading = dataclasses.replace(reading, quoting=False)
    if reading != Reading():
        table, table_problem = attempt(reading)
    # The header's row depends on the sheet and the separator: its choice starts again there.
    found_header = table.header_row if table is not None else None
    header_row = int(
        c4.number_input(
            "Header on row (0: no header)",
            min_value=0,
            max_value=settings.UPLOAD_MAX_ROWS + 100,
            value=found_header or 0,
            step=1,
            key=f"{key}_header_{reading.sheet}_{reading.delimiter}",
            help="The row that holds the column names; the rows above it (titles) are skipped.",
        )
    )
    if header_row != (found_header or 0):
        reading = dataclasses.replace(
            reading, header=False if header_row == 0 else None, header_row=header_row or None
        )
        table, table_problem = attempt(reading)
if table is None:
    st.error(text.markdown_text(table_problem or problem))
    st.stop()

st.caption(text.markdown_text(ingest.read_summary(table)))
for message in table.messages:
    st.warning(text.markdown_text(message))
merged = [j for j in table.joined if j.merged]
if merged and table.quoting:
    st.warning(
        f"{sum(j.extra_lines for j in merged):,} lines of {shown_name} ran into other rows "
        "because of quote marks: tick **Quoting off** above to read every line as a row of its "
        "own (quote marks then stay in the values)."
    )

columns = [str(c) for c in table.frame.columns]
detected = ingest.detect_table(table)
# Another file, or the same one read another way, starts again from what is detected in it.
columns_key = hashlib.sha256("\0".join([filename, *columns]).encode()).hexdigest()[:12]
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
        key=f"upload_role_{role}_{columns_key}",
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
remember = upload.can_keep() and st.checkbox(
    f"Keep it on this server for {settings.UPLOAD_KEEP_MINUTES} minutes, so a reload restores it",
    value=True,
    key="upload_remember",
    help="Kept under a random key only this browser holds; Remove my upload deletes it at once.",
)
if not st.button("Map these assets", type="primary", key="upload_go", disabled=bool(missing)):
    st.stop()

with st.spinner("Geocoding and placing every row…"):
    try:
        result = ingest.ingest_table(
            table, data.postcode_directory(), data.lsoa_locator(), mapping=mapping
        )
    except ingest.UploadError as exc:
        st.error(text.markdown_text(str(exc)))
        st.stop()

kept = upload.keep(
    raw,
    repr((mapping, reading)),
    file.name,
    result.assets,
    result.categories,
    result.report,
    result.rows_read,
    family,
    result.data_lines,
    remember=remember,
)
areafilter.add_types(list(kept.labels))

st.subheader("Every line accounted for")
c1, c2, c3 = st.columns(3)
c1.metric("Data lines", f"{result.data_lines:,}")
c2.metric("Mapped", f"{len(result.assets):,}")
c3.metric("Reported (not mapped)", f"{len(result.report):,}")
st.caption(
    f"Mapped + reported = the {result.data_lines:,} data lines of {shown_name}"
    + (
        f", read as {result.rows_read:,} rows: every further line of a row that runs over "
        "several is reported on its own."
        if result.rows_read != result.data_lines
        else "."
    )
)
already = {ingest.read_summary(table), *table.messages}
for message in result.messages:
    if message not in already:
        st.warning(text.markdown_text(message))
if result.categories:
    st.markdown(
        "**Types**: "
        + ", ".join(
            f"{text.markdown_text(label, text.ECHO_MAX_CHARS)} "
            f"({int((result.assets['asset_type'] == slug).sum()):,})"
            for slug, label in result.categories.items()
        )
    )
assets = result.labelled_assets()
warned = assets[assets["warning"].fillna("") != ""]
if len(warned):
    st.warning(
        f"{len(warned):,} rows were mapped only after a correction (for example latitude and "
        "longitude swapped); they are listed below with the warning."
    )
    st.dataframe(warned, hide_index=True, width="stretch")
if len(result.report):
    st.markdown("**Lines not mapped, with the reason**")
    st.dataframe(result.report, hide_index=True, width="stretch")
    st.download_button(
        "Download the report (CSV)",
        data=export.to_csv_bytes(result.report),
        file_name="assetmap_upload-report.csv",
        mime="text/csv",
    )
st.markdown("**Mapped assets**")
st.dataframe(assets, hide_index=True, width="stretch")
st.download_button(
    "Download the mapped assets (CSV)",
    data=export.to_csv_bytes(assets),
    file_name="assetmap_upload-mapped.csv",
    mime="text/csv",
)
st.caption("The uploaded types are now counted on every page; change that in the sidebar.")
