"""Hostile uploads, generated: whatever the bytes, ingest either accounts for every line
(mapped + reported == data lines) or refuses the whole file with a clean UploadError.

The files mix bad encodings, broken quoting, wrong types, huge and empty cells, out-of-range and
swapped coordinates, HTML and formulas, random delimiters, stray BOMs and NUL bytes, in CSV,
GeoJSON and Excel form. Examples are derandomized, so CI runs the same 1,000+ every time.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from assetmap import ingest
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.ingest import ColumnMapping, UploadError, UploadLimits
from assetmap.presentation import export

# Small limits, so that the limits themselves are crossed now and then.
LIMITS = UploadLimits(
    max_bytes=300_000, max_rows=12, max_columns=8, max_cell_chars=300, max_unzipped_bytes=5_000_000
)

# Real postcodes (England, Wales, Scotland, Northern Ireland) written the ways people write them.
POSTCODES = [
    "SW1A 1AA", "sw1a1aa", " M2 5DB ", "LS1 4DY", "B1 1BB", "TS18 1HU", "NE1 7RU", "PL1 2AA",
    "CF10 1AA", "EH1 1YZ", "BT3 9EP", "TR21 0HE", "ZZ9 9ZZ", "not a postcode", "SW1A",
]  # fmt: skip
HEADERS = [
    "name", "Name", "Site name", "postcode", "Post Code", "PCD", "latitude", "Lat", "longitude",
    "lng", "Easting", "Northing", "X", "Y", "type", "Category", "ID", "ref", "address", "notes",
    "Name", "<b>name</b>", "=name", "", " ", "column 1",
]  # fmt: skip
HOSTILE = [
    "<img src=x onerror=alert(1)>", "<script>alert('x')</script>", "=1+2", "=HYPERLINK(\"x\")",
    "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\t=tab", "'quoted", '"', '""', 'a"b', '"open',
    "NULL", "n/a", "#N/A", "-", "nan", "inf", "-inf", "1e400", "None", "true", "0x1F", "١٢٣",
    "Café", "\u202eevil", "\ufeffbom", "a\x00b", "\u2028", "\r", "\n", "\r\n", ",", ";", "|",
]  # fmt: skip


def _england_lat() -> st.SearchStrategy[float]:
    return st.floats(49.9, 55.8)


def _england_lon() -> st.SearchStrategy[float]:
    return st.floats(-5.7, 1.7)


def _number_text(value: float) -> st.SearchStrategy[str]:
    return st.sampled_from([repr(value), f"{value:.4f}", f"{value:.2f}".replace(".", ",")])


coordinates = st.one_of(
    _england_lat().flatmap(_number_text),
    _england_lon().flatmap(_number_text),
    st.floats(0, 700_000).flatmap(_number_text),  # grid metres where degrees belong, or not
    st.floats(0, 1_300_000).flatmap(_number_text),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["51°30'26\"N", "0°7'39\"W", "51.5N", "0.12 W", "530,000", "-", "1,2,3"]),
)

cells = st.one_of(
    st.just(""),
    st.sampled_from(POSTCODES),
    coordinates,
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="latin-1"), max_size=8),
    st.integers(200, 2_000).map(lambda n: "x" * n),  # huge (over the cell limit)
    st.sampled_from(["Library", "library ", "Food bank", "CAFÉ", "日本", "  "]),
)


def _clean_text(text: str) -> str:
    # For files whose row count the test predicts: nothing the reader removes or refuses.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\ud800-\udfff]", "", text)


@dataclass
class Upload:
    data: bytes
    filename: str
    mapping: ColumnMapping | None
    expected_rows: int | None  # known only for well-formed CSV
    expected_lines: int | None = None  # its data lines: a value's line breaks start new ones


def _csv_upload(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Upload:
    clean = draw(st.booleans())
    delimiter = "," if clean else draw(st.sampled_from([",", ";", "\t", "|", " ", ":"]))
    if clean:
        header = [_clean_text(h).strip() or f"h{i}" for i, h in enumerate(header)]
        rows = [[_clean_text(c) for c in row][: len(header)] for row in rows]
        rows = [row + [""] * (len(header) - len(row)) for row in rows]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerows([header, *rows])
        text = buffer.getvalue()
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
        data = text.encode(encoding)
        kept = [row for row in rows if "".join(row).strip()]
        # Lines as the reader counts them: \r\n, \r or \n end one (not \u2028 or \x1c).
        breaks = sum(len(re.findall(r"\r\n|\r|\n", "".join(row))) for row in kept)
        return Upload(data, "clean.csv", None, len(kept), len(kept) + breaks)

    # Broken on purpose: naive joins (no quoting), random line endings, lossy encodings.
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    if draw(st.booleans()):
        lines = [delimiter.join(r) for r in [header, *rows]]
    else:
        buffer = io.StringIO()
        writer = draw(
            st.sampled_from(
                [
                    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL),
                    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL),
                    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_NONNUMERIC),
                ]
            )
        )
        writer.writerows([header, *rows])
        lines = buffer.getvalue().splitlines()
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16-le"]))
    data = text.encode(encoding, errors="replace")
    # Byte-level damage: stray BOMs and NULs, a flipped or truncated tail, a wrong BOM.
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 3]))):
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([codecs.BOM_UTF8, b"\x00", b"\xff\xfe", b"\x80\x81", b'"']))
        data = data[:at] + junk + data[at:]
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    ext = draw(st.sampled_from([".csv"] * 6 + [".tsv", ".txt", ".CSV", ".xlsx", ".json", ""]))
    return Upload(data, f"upload{ext}", None, None)


def _geojson_upload(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Upload:
    geometry = st.one_of(
        st.none(),
        st.tuples(_england_lon(), _england_lat()).map(
            lambda xy: {"type": "Point", "coordinates": list(xy)}
        ),
        st.tuples(_england_lat(), _england_lon()).map(  # latitude first: swapped
            lambda xy: {"type": "Point", "coordinates": list(xy)}
        ),
        st.tuples(st.floats(0, 700_000), st.floats(0, 1_300_000)).map(
            lambda xy: {"type": "Point", "coordinates": list(xy)}
        ),
        st.builds(
            lambda c: {"type": "Point", "coordinates": c},
            st.one_of(st.none(), st.text(max_size=3), st.lists(st.floats(), max_size=3)),
        ),
        st.sampled_from(["LineString", "Polygon", "MultiPoint", "", 7]).map(
            lambda t: {"type": t, "coordinates": [[0, 51], [1, 52]]}
        ),
        st.sampled_from([[], "Point", 1, {"coordinates": [0, 51]}]),
    )
    features: list[object] = []
    for row in rows:
        props: object = dict(zip(header, row, strict=False))
        if draw(st.integers(0, 9)) == 0:
            props = draw(st.sampled_from([None, [], "text", {"nested": {"a": [1, {"b": None}]}}]))
        features.append({"type": "Feature", "properties": props, "geometry": draw(geometry)})
    if draw(st.integers(0, 9)) == 0:
        features.append(draw(st.sampled_from(["junk", 3, None, [], {"type": "Feature"}])))
    doc: object = {"type": "FeatureCollection", "features": features}
    if draw(st.integers(0, 9)) == 0:
        doc = draw(st.sampled_from([features, {"type": "Feature"}, {"type": "Topology"}, "x"]))
    data = json.dumps(doc, allow_nan=True).encode()
    if draw(st.integers(0, 5)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return Upload(data, draw(st.sampled_from(["a.geojson", "a.json", "a.csv"])), None, None)


def _xlsx_upload(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Upload:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    illegal = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE
    for values in [header, *rows]:
        out: list[object] = []
        for value in values:
            as_number = draw(st.integers(0, 3)) == 0
            try:
                out.append(float(value) if as_number else illegal.sub("", value))
            except ValueError:
                out.append(illegal.sub("", value))
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return Upload(buffer.getvalue(), draw(st.sampled_from(["a.xlsx", "a.xlsm"])), None, None)


# Columns by role, so that most uploads look like a register (a name and a location) and the
# hostility is in the values, where the row-level checks are.
ROLE_HEADERS = {
    "name": ["name", "Name", "Site name", "<b>name</b>", "ORGANISATION NAME"],
    "postcode": ["postcode", "Post Code", "PCD", "postcode "],
    "latitude": ["latitude", "Lat"],
    "longitude": ["longitude", "lng"],
    "easting": ["Easting", "X"],
    "northing": ["Northing", "Y"],
    "type": ["type", "Category"],
    "id": ["ID", "ref"],
    "other": ["address", "notes", "=cmd", "", " ", "name"],
}
LOCATIONS = [["postcode"], ["latitude", "longitude"], ["easting", "northing"]]
huge = st.integers(200, 2_000).map("x".__mul__)  # over the cell limit
text_cells = st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE), st.just(""))
names = st.sampled_from(["Town Hall", "Library", "Café", "Hub", "HUB ", "St Mary's", "<b>x</b>"])
england = st.tuples(_england_lat(), _england_lon())


def _weighted(*pairs: tuple[int, st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    # one_of would drop the repeats; sampling the strategies keeps the weights.
    choices = [strategy for weight, strategy in pairs for _ in range(weight)]
    return st.sampled_from(choices).flatmap(lambda strategy: strategy)


ROLE_CELLS = {
    "name": _weighted((12, names), (3, text_cells), (1, huge)),
    "postcode": _weighted((12, st.sampled_from(POSTCODES)), (3, text_cells), (1, huge)),
    "latitude": _weighted((12, _england_lat().map(repr)), (2, _england_lon().map(repr)),
                          (2, coordinates), (1, text_cells)),
    "longitude": _weighted((12, _england_lon().map(repr)), (2, _england_lat().map(repr)),
                           (2, coordinates), (1, text_cells)),
    "easting": _weighted((12, st.floats(80_000, 660_000).map(repr)), (2, coordinates),
                         (1, text_cells)),
    "northing": _weighted((12, st.floats(5_000, 660_000).map(repr)), (2, coordinates),
                          (1, text_cells)),
    "type": _weighted((6, st.sampled_from(["Library", "library ", "Food bank", "CAFÉ", "日本"])),
                      (1, cells)),
    "id": _weighted((4, st.sampled_from(["1", "1", "A7", "n/a", ""])), (1, cells)),
    "other": cells,
}  # fmt: skip


@st.composite
def uploads(draw: st.DrawFn) -> Upload:
    if draw(st.integers(0, 3)) > 0:
        roles = ["name", *draw(st.sampled_from(LOCATIONS))]
        if draw(st.booleans()):
            roles += draw(st.sampled_from(LOCATIONS))  # a second way to locate, often blank
        roles += draw(st.lists(st.sampled_from(["type", "id", "other"]), max_size=3))
        roles = list(draw(st.permutations(roles)))[:8]
        header = [draw(st.sampled_from(ROLE_HEADERS[r])) for r in roles]
        rows = []
        for _ in range(draw(st.integers(1, 13))):
            row = [draw(ROLE_CELLS[r]) for r in roles]
            if draw(st.integers(0, 9)) == 0:  # ragged: a value lost or one too many
                row = row[:-1] if draw(st.booleans()) else [*row, draw(cells)]
            rows.append(row)
    else:
        width = draw(st.integers(1, 7))
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=width, max_size=width))
        rows = draw(st.lists(st.lists(cells, max_size=width + 2), max_size=14))
    kind = draw(st.sampled_from(["csv"] * 7 + ["geojson"] * 2 + ["xlsx"]))
    maker = {"csv": _csv_upload, "geojson": _geojson_upload, "xlsx": _xlsx_upload}[kind]
    upload = maker(draw, header, rows)
    if draw(st.integers(0, 9)) == 0:
        # A mapping chosen by hand, right or wrong: names, positions, columns that do not exist.
        pick = st.one_of(st.none(), st.sampled_from(header + HEADERS), st.integers(0, 9))
        upload.mapping = ColumnMapping(
            name=draw(pick),
            postcode=draw(pick),
            latitude=draw(pick),
            longitude=draw(pick),
            easting=draw(pick),
            northing=draw(pick),
            category=draw(pick),
            identifier=draw(pick),
        )
        upload.expected_rows = upload.expected_lines = None
    return upload


def _check(result: ingest.IngestResult, limits: UploadLimits = LIMITS) -> None:
    assert len(result.assets) + len(result.report) == result.data_lines
    further = result.report["reason"].isin(
        [ingest.REASON_MERGED_LINE, ingest.REASON_CONTINUED_LINE]
    )
    assert int(further.sum()) == result.data_lines - result.rows_read
    rows = pd.concat([result.assets["source_row"], result.report["source_row"]])
    assert rows.is_unique
    assert (rows >= 1).all()
    assert result.report["reason"].isin(ingest.REASONS).all()
    assert result.report["detail"].notna().all()
    assert result.assets["lsoa21cd"].notna().all()
    assert result.assets["asset_id"].is_unique
    assert result.assets["name"].str.len().le(limits.max_cell_chars).all()
    assert result.report["name"].fillna("").str.len().le(200).all()
    warned = result.assets["warning"].notna()
    assert result.assets.loc[warned, "warning"].str.len().gt(0).all()
    # Exports never carry a live formula.
    for frame in (result.assets, result.report):
        text = export.to_csv_bytes(frame).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text)):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row)


@hsettings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(upload=uploads())
def test_every_row_is_accounted_for_or_the_file_is_refused(
    upload: Upload, postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    try:
        result = ingest.ingest(
            upload.data,
            upload.filename,
            postcodes,
            locator,
            mapping=upload.mapping,
            limits=LIMITS,
        )
    except UploadError as exc:
        message = str(exc)
        assert message
        assert "Traceback" not in message
        if upload.expected_rows is not None:
            # A well-formed file is refused only for a whole-file reason it really has.
            assert (
                upload.expected_rows == 0
                or upload.expected_rows > LIMITS.max_rows
                or "cannot place the rows without" in message
            ), message
        return
    _check(result)
    if upload.expected_rows is not None:
        assert result.rows_read == upload.expected_rows
        assert result.data_lines == upload.expected_lines
        # A well-formed file's line breaks are all inside quoted values: never a merge.
        assert result.merged_lines == []


@hsettings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    prefix=st.sampled_from(
        [
            b"",
            b"name,postcode\n",
            b"\xef\xbb\xbfName;Lat;Lon\r\n",
            b'{"type":"Feature",',
            b"PK\x03\x04",
        ]
    ),
    data=st.binary(max_size=3000),
    ext=st.sampled_from([".csv", ".txt", ".tsv", ".xlsx", ".geojson", ".json"]),
)
def test_random_bytes_never_escape_as_anything_but_upload_error(
    prefix: bytes, data: bytes, ext: str, postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    try:
        result = ingest.ingest(prefix + data, f"noise{ext}", postcodes, locator, limits=LIMITS)
    except UploadError as exc:
        message = str(exc)
    else:
        _check(result)
        return
    assert message


@pytest.mark.parametrize("size", [10, 1_000, 100_000])
def test_a_single_enormous_cell(
    size: int, postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    # Well past the csv module's 128 KiB field limit in the largest case: read, then reported.
    data = b"name,postcode\n" + b'"' + b"x" * size * 3 + b'",SW1A 1AA\nB,LS1 4DY\n'
    result = ingest.ingest(data, "big.csv", postcodes, locator)
    _check(result, UploadLimits.from_settings())
    assert result.rows_read == 2
    expected = "value too long" if size * 3 > 1_000 else None
    reasons = result.report["reason"].tolist()
    assert reasons == ([expected] if expected else [])
