"""Uploads: real registers uploaded as a user would, hand-made cases for every reason, and every
whole-file error. Every result must account for every line: mapped + reported == data lines."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from assetmap import cli, ingest
from assetmap.data import sources
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.ingest import ColumnMapping, IngestResult, UploadError, UploadLimits
from assetmap.presentation import export

# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def check(result: IngestResult) -> IngestResult:
    """The invariants every result keeps, whatever the file."""
    assets, report = result.assets, result.report
    assert len(assets) + len(report) == result.data_lines
    # A row over several lines counts once as read; each further line is reported on its own.
    further = report["reason"].isin([ingest.REASON_MERGED_LINE, ingest.REASON_CONTINUED_LINE])
    assert int(further.sum()) == result.data_lines - result.rows_read
    assert sorted(report.loc[further, "source_row"]) == sorted(
        n for j in result.joined for n in range(j.row + 1, j.last + 1)
    )
    assert list(assets.columns) == ingest.UPLOAD_ASSET_COLUMNS
    assert list(report.columns) == ingest.UPLOAD_REPORT_COLUMNS
    rows = pd.concat([assets["source_row"], report["source_row"]])
    assert rows.is_unique
    assert report["reason"].isin(ingest.REASONS).all()
    assert report["detail"].notna().all()
    assert assets["lsoa21cd"].notna().all()
    assert assets["lsoa21cd"].str.startswith("E01").all()
    assert assets["asset_id"].is_unique
    assert set(assets["asset_type"]) <= set(result.categories)
    return result


def run(
    data: bytes,
    filename: str,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    **kwargs: object,
) -> IngestResult:
    return check(ingest.ingest(data, filename, postcodes, locator, **kwargs))  # type: ignore[arg-type]


def reason_of(result: IngestResult, row: int) -> str:
    hit = result.report.loc[result.report["source_row"] == row, "reason"]
    assert len(hit) == 1, f"row {row} is not reported"
    return str(hit.iloc[0])


def detail_of(result: IngestResult, row: int) -> str:
    return str(result.report.loc[result.report["source_row"] == row, "detail"].iloc[0])


def asset_at(result: IngestResult, row: int) -> pd.Series:
    hit = result.assets[result.assets["source_row"] == row]
    assert len(hit) == 1, f"row {row} is not mapped"
    return hit.iloc[0]


def csv_rows(path: Path, header: bool) -> list[tuple[int, list[str]]]:
    """(line the row starts on, values): counted with the csv module, not the reader under test."""
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        last = 0
        for row in reader:
            start, last = last + 1, reader.line_num
            if row:
                out.append((start, row))
    return out[1:] if header else out


def data_lines(path: Path) -> int:
    """Lines after the header, counted on the text itself."""
    return len(path.read_bytes().decode("utf-8-sig").splitlines()) - 1


def compact(postcode: str) -> str:
    return "".join(postcode.split()).upper()


@pytest.fixture(scope="module")
def english_gridded(postcodes: PostcodeDirectory) -> set[str]:
    """Compact postcodes that are English and have a grid reference (a set, not the geocoder)."""
    frame = postcodes.frame
    keep = frame["laua"].astype(str).str.startswith("E") & frame["easting"].notna()
    return set(frame.loc[keep, "postcode"])


# --------------------------------------------------------------------------------------------------
# Real files, uploaded as a user would
# --------------------------------------------------------------------------------------------------


def test_libraries_file_every_row_mapped_or_reported(
    postcodes: PostcodeDirectory, locator: LsoaLocator, english_gridded: set[str]
) -> None:
    path = sources.source_path("libraries")
    result = run(path.read_bytes(), path.name, postcodes, locator)
    rows = csv_rows(path, header=True)
    assert result.rows_read == len(rows) == 3487
    assert result.format == "csv"
    assert result.encoding == "UTF-8 with BOM"
    assert result.header_row == 1
    assert result.mapping.name == "name"
    assert result.mapping.postcode == "postcode"
    assert result.mapping.category == "type"

    header = next(csv.reader(path.open(encoding="utf-8-sig")))
    pc = header.index("postcode")
    unusable = {line for line, row in rows if compact(row[pc]) not in english_gridded}
    assert unusable  # "[No registered public address]" and the like
    # 11 rows hold an address with a line break: each further line is said to continue its row.
    continued = result.report["reason"] == ingest.REASON_CONTINUED_LINE
    assert result.data_lines == data_lines(path) == 3499
    assert continued.sum() == 3499 - 3487
    assert [(j.row, j.last) for j in result.joined][:3] == [(631, 632), (640, 641), (647, 648)]
    assert any("lines 631-632, 640-641" in m for m in result.messages)
    by_postcode = result.report[(result.report["reason"] != "duplicate") & ~continued]
    assert set(by_postcode["source_row"]) == unusable
    assert set(by_postcode["reason"]) <= {
        "no postcode",
        "malformed postcode",
        "unknown postcode",
        "postcode has no grid reference",
        "outside England",
    }
    assert len(result.assets) + len(result.report) - continued.sum() == len(rows)
    # Types come from the "type" column: one slug per spelling, the commonest spelling as label.
    assert result.categories["static_library"] == "Static Library"
    assert (result.assets["asset_type"] == "static_library").sum() > 3000
    assert (result.assets["located_by"] == "postcode").all()


def test_gp_practices_without_header_need_a_mapping(
    postcodes: PostcodeDirectory, locator: LsoaLocator, english_gridded: set[str]
) -> None:
    path = sources.source_path("gp_practices")
    data = path.read_bytes()
    table = ingest.read_table(data, path.name)
    assert table.header_row is None  # the first row holds a postcode: it is data
    assert list(table.frame.columns[:3]) == ["column 1", "column 2", "column 3"]
    detected = ingest.detect_table(table)
    assert detected.postcode == "column 10"  # found by its values
    assert detected.name is None
    assert detected.missing() == ["a name column"]
    with pytest.raises(UploadError, match="without a name column"):
        ingest.ingest(data, path.name, postcodes, locator)

    mapping = ColumnMapping(name=2, postcode="column 10", identifier="1")
    result = run(data, path.name, postcodes, locator, mapping=mapping)
    rows = csv_rows(path, header=False)
    assert result.rows_read == len(rows) == 15971
    assert result.mapping == ColumnMapping(
        name="column 2", postcode="column 10", identifier="column 1"
    )
    assert asset_at(result, 1)["asset_id"] == "uploaded:A81001"
    assert asset_at(result, 1)["name"] == "THE DENSHAM SURGERY"
    unusable = {line for line, row in rows if compact(row[9]) not in english_gridded}
    not_dup = result.report[result.report["reason"] != "duplicate"]
    assert set(not_dup["source_row"]) == unusable
    welsh = result.report[result.report["detail"].str.endswith("is in Wales")]
    assert len(welsh) > 300
    dup = result.report[result.report["reason"] == "duplicate"]
    assert dup["detail"].str.match(r"duplicate of row \d+ \(same name, type and location\)").all()


def test_museums_by_latitude_longitude(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    path = sources.source_path("museums")
    result = run(path.read_bytes(), path.name, postcodes, locator)
    assert result.mapping.latitude == "Latitude"
    assert result.mapping.longitude == "Longitude"
    raw = pd.read_csv(path, dtype=str)
    raw["source_row"] = np.arange(2, len(raw) + 2)
    in_england = raw["Admin_area"].str.contains("/England/", regex=False)
    # Every English museum is mapped, by its own coordinates; no other museum is.
    assert set(result.assets["source_row"]) == set(raw.loc[in_england, "source_row"])
    assert (result.assets["located_by"] == "latitude/longitude").all()
    reported = result.report.set_index("source_row")["reason"]
    others = raw.loc[~in_england, "source_row"]
    assert (reported[others] == "outside England").sum() == len(others) - 1
    # The one exception: a Guernsey museum with a placeholder latitude of 99.999999.
    assert (reported[others] == "coordinates out of range").sum() == 1
    # Three museums just over the Welsh and Scottish borders are within 500 m of an English LSOA:
    # the nearest postcode shows they are not in England.
    border = result.report[result.report["detail"].str.startswith("the nearest postcode")]
    assert set(border["name"]) == {"Judges Lodging", "Coldstream Museum", "Chepstow Museum"}
    # Coordinates far from the museum's own postcode are kept but flagged.
    far = result.assets["warning"].fillna("").str.startswith(ingest.WARNING_POSTCODE_FAR)
    assert 0 < far.sum() < 100


# --------------------------------------------------------------------------------------------------
# Reasons, one by one
# --------------------------------------------------------------------------------------------------

LATLON = """Name,Latitude,Longitude,Postcode
Town Hall,53.4808,-2.2426,M2 5DB
Swapped,-2.2426,53.4808,
Grid in degree columns,398000,530000,
Edinburgh,55.9533,-3.1883,
Missing minus,53.4808,2.2426,
Not a number,abc,-2.2,
Half,53.48,,
,53.48,-2.24,
Nothing at all,,,
Falls back to postcode,NULL,n/a,M2 5DB
Town Hall,53.4808,-2.2426,M2 5DB
Written by hand,"51°30'26""N","0°7'39""W",
Comma decimals,"51,5074","-0,1278",
Too far north,95,10,
Far from its postcode,51.5074,-0.1278,M2 5DB
Chepstow Museum,51.644989,-2.672141,
"""


@pytest.fixture(scope="module")
def latlon(postcodes: PostcodeDirectory, locator: LsoaLocator) -> IngestResult:
    return run(LATLON.encode(), "register.csv", postcodes, locator)


def test_latitude_longitude_rows(latlon: IngestResult) -> None:
    r = latlon
    assert r.rows_read == 16
    assert asset_at(r, 2)["located_by"] == "latitude/longitude"
    assert asset_at(r, 2)["postcode"] == "M2 5DB"  # kept, formatted, though not used to locate
    assert asset_at(r, 11)["located_by"] == "postcode"  # "NULL" coordinates count as blank
    assert asset_at(r, 13)["lsoa21cd"] == asset_at(r, 14)["lsoa21cd"]  # DMS and decimal commas
    assert reason_of(r, 4) == ingest.REASON_GRID_AS_LATLON
    assert "choose these columns as easting and northing" in detail_of(r, 4)
    assert reason_of(r, 5) == "outside England"
    assert reason_of(r, 6) == "outside England"
    assert "is a minus sign, or a W, missing?" in detail_of(r, 6)
    assert reason_of(r, 7) == ingest.REASON_NON_NUMERIC
    assert detail_of(r, 7) == "latitude 'abc' is not a number"
    assert reason_of(r, 8) == ingest.REASON_INCOMPLETE_COORDS
    assert reason_of(r, 9) == ingest.REASON_NO_NAME
    assert reason_of(r, 10) == ingest.REASON_NO_LOCATION
    assert reason_of(r, 12) == "duplicate"
    assert detail_of(r, 12) == "duplicate of row 2 (same name, type and location)"
    assert reason_of(r, 15) == ingest.REASON_OUT_OF_RANGE
    assert "262" in asset_at(r, 16)["warning"]  # km from M2 5DB, in London
    assert reason_of(r, 17) == "outside England"
    assert "is in Wales" in detail_of(r, 17)


def test_swapped_latitude_longitude_is_fixed_with_a_visible_warning(latlon: IngestResult) -> None:
    fixed = asset_at(latlon, 3)
    town_hall = asset_at(latlon, 2)
    assert fixed["lsoa21cd"] == town_hall["lsoa21cd"]
    assert fixed["easting"] == pytest.approx(town_hall["easting"])
    assert fixed["warning"].startswith(ingest.WARNING_SWAPPED)
    assert "latitude 53.4808, longitude -2.2426" in fixed["warning"]
    assert pd.isna(town_hall["warning"])
    assert any("wrong way round" in m for m in latlon.messages)


def test_grid_references(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    text = (
        "Site,Easting,Northing,Type\n"
        "Library A,530000,180000,Library\n"
        "Swapped grid,180000,530000,Library\n"
        "Degrees,-0.12,51.5,Park\n"
        'Thousands,"530,100","180,100",park\n'
        "Off the grid,800000,100,Park\n"
        "Not a number,5e,180000,Park\n"
    )
    r = run(text.encode(), "grid.csv", postcodes, locator)
    assert r.mapping.easting == "Easting"
    assert asset_at(r, 2)["located_by"] == "easting/northing"
    assert asset_at(r, 2)["asset_type"] == "library"
    assert asset_at(r, 5)["asset_type"] == "park"
    assert r.categories == {"library": "Library", "park": "Park"}
    assert reason_of(r, 3) == "outside England"
    assert "easting and northing the other way round" in detail_of(r, 3)  # a hint, not a fix
    assert reason_of(r, 4) == ingest.REASON_LATLON_AS_GRID
    assert reason_of(r, 6) == ingest.REASON_OUT_OF_RANGE
    assert reason_of(r, 7) == ingest.REASON_NON_NUMERIC


def test_postcode_reasons(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    frame = postcodes.frame
    no_grid = frame.loc[frame["easting"].isna() & frame["laua"].isna(), "postcode"].iloc[0]
    text = (
        "name,postcode\n"
        "Lower case no space,sw1a1aa\n"
        "Blank,\n"
        "Malformed,not a postcode\n"
        "Unknown,ZZ9 9ZZ\n"
        f"No grid reference,{no_grid}\n"
        "Cardiff,CF10 1AA\n"
        "Edinburgh,EH1 1YZ\n"
    )
    r = run(text.encode(), "postcodes.csv", postcodes, locator)
    assert asset_at(r, 2)["postcode"] == "SW1A 1AA"
    assert reason_of(r, 3) == "no postcode"
    assert reason_of(r, 4) == "malformed postcode"
    assert detail_of(r, 4) == "malformed postcode 'not a postcode'"
    assert reason_of(r, 5) == "unknown postcode"
    assert reason_of(r, 6) == "postcode has no grid reference"
    assert detail_of(r, 7) == "postcode CF10 1AA is in Wales"
    assert detail_of(r, 8) == "postcode EH1 1YZ is in Scotland"
    assert r.report["postcode"].tolist()[1:3] == ["not a postcode", "ZZ9 9ZZ"]  # raw, as given


def test_duplicates_are_same_name_type_and_place(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    text = (
        "Name,Postcode,Category\n"
        "Hub,SW1A 1AA,Library\n"
        "HUB ,sw1a1aa,library\n"  # the same: case, spacing and postcode style differ
        "Hub,SW1A 1AA,Archive\n"  # another service in the same building: kept
        "Hub,SW1A 2AA,Library\n"  # another place: kept
    )
    r = run(text.encode(), "dups.csv", postcodes, locator)
    assert reason_of(r, 3) == "duplicate"
    assert detail_of(r, 3).startswith("duplicate of row 2")
    assert sorted(r.assets["source_row"]) == [2, 4, 5]


def test_text_is_kept_as_text_and_formulas_are_neutralised_in_exports(
    postcodes: PostcodeDirectory, locator: LsoaLocator, tmp_path: Path
) -> None:
    html = "<img src=x onerror=alert(1)>"
    formula = '=HYPERLINK("http://example.com","click")'
    text = f'name,postcode\n"{html}",SW1A 1AA\n"{formula.replace(chr(34), chr(34) * 2)}",M2 5DB\n'
    text += "+44 Club,LS1 4DY\n@home,B1 1BB\n"
    r = run(text.encode(), "names.csv", postcodes, locator)
    assert asset_at(r, 2)["name"] == html  # verbatim: escaping is the page's job
    assert asset_at(r, 3)["name"] == formula
    exported = export.to_csv_bytes(r.assets).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(exported)))
    names = [row[2] for row in parsed[1:]]
    assert html in names
    assert "'" + formula in names
    assert "'+44 Club" in names
    assert "'@home" in names
    # The command line writes through the same export.
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "assets.csv"
    assert cli.main(["ingest", str(path), "--out", str(out)]) == 0
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert "'" + formula in set(written["name"])


def test_semicolons_and_windows_1252(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    text = "Name;Postcode;Type\nCafé Bar, Ltd;SW1A 1AA;Café\nTea Room;M2 5DB;café\n"
    r = run(text.encode("cp1252"), "cafes.csv", postcodes, locator)
    assert r.delimiter == ";"
    assert r.encoding == "Windows-1252"
    assert any("Windows-1252" in m for m in r.messages)
    assert asset_at(r, 2)["name"] == "Café Bar, Ltd"
    assert set(r.assets["asset_type"]) == {"cafe"}
    assert r.categories == {"cafe": "Café"}


@pytest.mark.parametrize(
    ("text", "encoding", "filename", "delimiter", "encoding_name"),
    [
        ("name\tpostcode\nA\tSW1A 1AA\nB\tLS1 4DY\n", "utf-8", "tabs.tsv", "\t", "UTF-8"),
        ("name\tpostcode\nA\tSW1A 1AA\nB\tLS1 4DY\n", "utf-8", "tabs.txt", "\t", "UTF-8"),
        ("name,postcode\nA,SW1A 1AA\nB,LS1 4DY\n", "utf-8-sig", "bom.csv", ",", "UTF-8 with BOM"),
        ("name\tpostcode\nA\tSW1A 1AA\nB\tLS1 4DY\n", "utf-16", "excel.txt", "\t", "UTF-16"),
        ("name|postcode\nA|SW1A 1AA\nB|LS1 4DY\n", "utf-8", "pipes.csv", "|", "UTF-8"),
        ("name,postcode\r\nA,SW1A 1AA\r\nB,LS1 4DY\r\n", "utf-8", "crlf.csv", ",", "UTF-8"),
    ],
)
def test_delimiters_and_encodings(
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    text: str,
    encoding: str,
    filename: str,
    delimiter: str,
    encoding_name: str,
) -> None:
    r = run(text.encode(encoding), filename, postcodes, locator)
    assert r.delimiter == delimiter
    assert r.encoding == encoding_name
    assert r.mapping.name == "name"  # no BOM left on the first header
    assert sorted(r.assets["source_row"]) == [2, 3]


def test_xlsx_round_trip_with_openpyxl(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Assets"
    sheet.append(["Asset register, March 2025"])
    sheet.append([])
    sheet.append(["Name", "Postcode", "Latitude", "Longitude", "Type", "ID"])
    sheet.append(["Hub", "SW1A 1AA", None, None, "Community centre", 17])
    sheet.append(["Park cafe", None, 51.5074, -0.1278, "Cafe", 18])
    sheet.append([])
    sheet.append(["Sum", "=B4", None, None, None, "=F4+F5"])  # formula, no saved value
    sheet.append(["Leeds", "LS1 4DY", None, None, None, 20.0])
    book.create_sheet("Notes")
    buffer = io.BytesIO()
    book.save(buffer)
    r = run(buffer.getvalue(), "register.xlsx", postcodes, locator)
    assert r.format == "xlsx"
    assert r.header_row == 3
    assert r.rows_read == 4  # the title, the blank rows and the header are not data
    assert any("title row" in m for m in r.messages)
    assert any("other sheets ('Notes')" in m for m in r.messages)
    assert asset_at(r, 4)["asset_id"] == "community_centre:17"
    assert asset_at(r, 5)["located_by"] == "latitude/longitude"
    assert asset_at(r, 8)["asset_id"] == "uploaded:20"  # 20.0 in a cell is the number 20
    # Values, not formulas: a formula cell openpyxl wrote has no saved value, so it reads blank.
    assert reason_of(r, 7) == "no location"


def test_xlsx_with_a_far_away_cell_is_read_quickly() -> None:
    # One cell at the sheet's last row and column: openpyxl alone would pad a billion cells.
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "postcode"])
    sheet.append(["A", "SW1A 1AA"])
    sheet["XFD1048576"] = "far away"
    buffer = io.BytesIO()
    book.save(buffer)
    started = time.perf_counter()
    table = ingest.read_table(buffer.getvalue(), "far.xlsx")
    assert time.perf_counter() - started < 3
    assert list(table.frame.columns) == ["name", "postcode"]
    assert table.rows_read == 1
    assert any("reaches column 16,384" in m for m in table.messages)
    assert any("reaches row 1,048,576" in m for m in table.messages)


def test_xlsx_round_trip_with_pandas(
    postcodes: PostcodeDirectory, locator: LsoaLocator, tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "Site name": ["A", "B", "C"],
            "Easting": [530000, 429000, 999999999],
            "Northing": [180000, 433000, 1],
        }
    )
    path = tmp_path / "grid.xlsx"
    frame.to_excel(path, index=False)
    r = run(path.read_bytes(), path.name, postcodes, locator)
    assert r.mapping.name == "Site name"
    assert sorted(r.assets["source_row"]) == [2, 3]
    assert reason_of(r, 4) == ingest.REASON_OUT_OF_RANGE


def test_geojson_points_and_other_geometries(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    def feature(props: dict[str, object], geometry: object) -> dict[str, object]:
        return {"type": "Feature", "properties": props, "geometry": geometry}

    def point(x: object, y: object) -> dict[str, object]:
        return {"type": "Point", "coordinates": [x, y]}

    square = [[[0, 51], [1, 51], [0, 52], [0, 51]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            feature({"name": "Point", "kind": "Park"}, point(-0.1278, 51.5074)),
            feature({"name": "Line"}, {"type": "LineString", "coordinates": [[0, 51], [1, 52]]}),
            feature({"name": "By postcode", "postcode": "M2 5DB"}, None),
            feature({"name": "Lat first"}, point(51.5074, -0.1278)),
            "not a feature",
            feature({"name": "Broken"}, {"type": "Point", "coordinates": "here"}),
            feature({"name": "Area"}, {"type": "Polygon", "coordinates": square}),
            feature({"name": "Nested", "tags": {"a": [1, 2]}}, point(-1.5491, 53.8008)),
        ],
    }
    r = run(json.dumps(doc).encode(), "points.geojson", postcodes, locator)
    assert r.format == "geojson"
    assert r.rows_read == 8  # features, numbered from 1
    assert asset_at(r, 1)["asset_type"] == "park"
    assert reason_of(r, 2) == ingest.REASON_NOT_POINT
    assert detail_of(r, 2) == "LineString geometry: only Point features can be placed"
    assert asset_at(r, 3)["located_by"] == "postcode"
    assert asset_at(r, 4)["warning"].startswith(ingest.WARNING_SWAPPED)
    assert reason_of(r, 5) == ingest.REASON_BAD_GEOMETRY
    assert reason_of(r, 6) == ingest.REASON_BAD_GEOMETRY
    assert reason_of(r, 7) == ingest.REASON_NOT_POINT
    assert asset_at(r, 8)["name"] == "Nested"


def test_geojson_in_british_national_grid(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"Name": "Grid point"},
                "geometry": {"type": "Point", "coordinates": [530000, 180000]},
            }
        ],
    }
    r = run(json.dumps(doc).encode(), "grid.json", postcodes, locator)
    assert r.mapping.easting == ingest.GEOMETRY_EASTING
    assert asset_at(r, 1)["located_by"] == "easting/northing"


def test_malformed_rows_and_unclosed_quotes(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    ragged = b"name,postcode\nA,SW1A 1AA\nSmith, Jones Hall,M2 5DB\nC,LS1 4DY,,\n"
    r = run(ragged, "ragged.csv", postcodes, locator)
    assert reason_of(r, 3) == ingest.REASON_MALFORMED_ROW
    assert "3 values but the header has 2 columns" in detail_of(r, 3)
    assert asset_at(r, 4)["postcode"] == "LS1 4DY"  # trailing empty values are harmless

    unclosed = b'name,postcode\nA,SW1A 1AA\n"B,M2 5DB\nC,LS1 4DY\nD,B1 1BB\n'
    r = run(unclosed, "quote.csv", postcodes, locator)
    assert r.rows_read == 2
    assert reason_of(r, 3) == ingest.REASON_MALFORMED_ROW
    assert "never closed" in detail_of(r, 3)
    assert any("never closed" in m for m in r.messages)


def test_huge_cells_are_reported_not_kept(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    text = "name,postcode,notes\n" + "x" * 5000 + ",SW1A 1AA,\nSmall,M2 5DB," + "y" * 300000 + "\n"
    r = run(text.encode(), "huge.csv", postcodes, locator)
    assert reason_of(r, 2) == ingest.REASON_TOO_LONG
    assert detail_of(r, 2) == "the name is 5,000 characters long (at most 1,000)"
    assert len(r.report["name"].iloc[0]) <= 200  # shown cut short
    assert asset_at(r, 3)["name"] == "Small"  # a huge cell in an unused column does no harm


def test_blank_rows_are_skipped_and_row_numbers_kept(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    text = "name,postcode\n\nA,SW1A 1AA\n,,\n  \nB,LS1 4DY\n\n\n"
    r = run(text.encode(), "gaps.csv", postcodes, locator)
    assert r.rows_read == 2
    assert sorted(r.assets["source_row"]) == [3, 6]  # the rows a spreadsheet shows
    assert any("Skipped 3 blank rows" in m for m in r.messages)


def test_nul_bytes_and_stray_boms(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    data = b"name,postcode\nA\x00B,SW1A 1AA\n\xef\xbb\xbfC,LS1 4DY\n"
    r = run(data, "odd.csv", postcodes, locator)
    assert asset_at(r, 2)["name"] == "AB"
    assert asset_at(r, 3)["name"] == "C"
    assert any("NUL" in m for m in r.messages)


def test_file_names_never_become_paths(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    r = run(b"name,postcode\nA,SW1A 1AA\n", "../../etc/\x1bpasswd.csv", postcodes, locator)
    assert r.filename == "passwd.csv"
    r = run(b"name,postcode\nA,SW1A 1AA\n", "C:\\Users\\me\\assets.CSV", postcodes, locator)
    assert r.filename == "assets.CSV"


def test_identifiers_and_default_type(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    text = "Ref,Name,Postcode\nX1,A,SW1A 1AA\nX1,B,LS1 4DY\n,C,M2 5DB\n"
    r = run(text.encode(), "ids.csv", postcodes, locator, default_type="Food bank")
    assert r.mapping.identifier == "Ref"
    assert asset_at(r, 2)["asset_id"] == "food_bank:X1"
    assert asset_at(r, 3)["asset_id"] == "food_bank:X1#3"
    assert asset_at(r, 3)["warning"].startswith(ingest.WARNING_REPEATED_ID)
    assert asset_at(r, 4)["asset_id"].startswith("food_bank:")
    assert r.categories == {"food_bank": "Food bank"}


# --------------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            ["Site Name", "Post Code", "Asset Type", "Asset ID"],
            ColumnMapping(name="Site Name", postcode="Post Code", category="Asset Type",
                          identifier="Asset ID"),
        ),
        (
            ["organisation_name", "contact_name", "LAT", "lng", "ward_code", "uprn"],
            ColumnMapping(name="organisation_name", latitude="LAT", longitude="lng",
                          identifier="uprn"),
        ),
        (
            ["Name_of_museum", "Address_line_1", "OSEAST1M", "OSNRTH1M", "Category"],
            ColumnMapping(name="Name_of_museum", address="Address_line_1", easting="OSEAST1M",
                          northing="OSNRTH1M", category="Category"),
        ),
        (["X", "Y", "title"], ColumnMapping(name="title", easting="X", northing="Y")),
        (["notes", "value"], ColumnMapping()),
    ],
)  # fmt: skip
def test_detect_columns(columns: list[str], expected: ColumnMapping) -> None:
    assert ingest.detect_columns(columns) == expected


def test_x_y_in_degrees_are_longitude_latitude() -> None:
    sample = pd.DataFrame({"X": ["-0.12", "-1.5"], "Y": ["51.5", "53.8"], "name": ["a", "b"]})
    mapping = ingest.detect_columns(list(sample.columns), sample)
    assert (mapping.longitude, mapping.latitude, mapping.easting) == ("X", "Y", None)


def test_mapping_errors_name_the_columns(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    data = b"Title,Where\nA,SW1A 1AA\n"
    with pytest.raises(UploadError, match=r"no column 'Postcode'.*'Title', 'Where'"):
        ingest.ingest(
            data,
            "a.csv",
            postcodes,
            locator,
            mapping=ColumnMapping(name="Title", postcode="Postcode"),
        )
    with pytest.raises(UploadError, match="a longitude column to go with the latitude column"):
        ingest.ingest(data, "a.csv", postcodes, locator, mapping=ColumnMapping(name=1, latitude=2))
    with pytest.raises(UploadError, match="two different location fields"):
        ingest.ingest(
            data, "a.csv", postcodes, locator,
            mapping=ColumnMapping(name=1, latitude=2, longitude="where"),
        )  # fmt: skip
    r = run(data, "a.csv", postcodes, locator, mapping=ColumnMapping(name=" title ", postcode=2))
    assert r.mapping == ColumnMapping(name="Title", postcode="Where")


def test_header_row_can_be_chosen_by_its_line() -> None:
    data = b'Register\nname,"address"\nA,"1 High St\nLeeds"\nB,x\n'
    table = ingest.read_table(data, "a.csv", header_row=2)
    assert (table.header_row, table.rows_read, table.data_lines) == (2, 2, 3)
    assert table.source_row.tolist() == [3, 5]
    with pytest.raises(UploadError, match="part of the row on line 3, which runs over lines 3-4"):
        ingest.read_table(data, "a.csv", header_row=4)
    with pytest.raises(UploadError, match="has no row 9: its last row with values is row 5"):
        ingest.read_table(data, "a.csv", header_row=9)


def test_header_can_be_forced(postcodes: PostcodeDirectory, locator: LsoaLocator) -> None:
    data = b"2024,SW1A 1AA\nB,LS1 4DY\n"
    assert ingest.read_table(data, "a.csv").header_row is None
    table = ingest.read_table(data, "a.csv", header=True)
    assert list(table.frame.columns) == ["2024", "SW1A 1AA"]
    assert table.rows_read == 1


# --------------------------------------------------------------------------------------------------
# Whole-file errors
# --------------------------------------------------------------------------------------------------


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"name": ["A"], "postcode": ["SW1A 1AA"]}).to_excel(buffer, index=False)
    return buffer.getvalue()


SMALL = UploadLimits(
    max_bytes=1000, max_rows=3, max_columns=4, max_cell_chars=100, max_unzipped_bytes=10**9
)


CELLS = UploadLimits(10**6, 100, 10, 100, 10**9, max_cells=50)
LINES = UploadLimits(10**6, 100, 10, 100, 10**9, max_lines=30)


@pytest.mark.parametrize(
    ("data", "filename", "limits", "message"),
    [
        (b"", "empty.csv", None, r"^empty\.csv is empty\.$"),
        (b"\xef\xbb\xbf \r\n", "bom.csv", None, "is empty"),
        (b"\n\n,,,\n", "commas.csv", None, "has no rows with any values"),
        (b"name,postcode\n", "header.csv", None, "has a header row but no data rows"),
        (
            b"name,postcode\n" + b"x" * 1000,
            "big.csv",
            SMALL,
            "1,014 bytes, more than the 1,000 bytes",
        ),
        (b"name,postcode\n" + b"a,b\n" * 4, "rows.csv", SMALL, "more than 3 rows"),
        (b"a,b,c,d,e\n1,2,3,4,5\n", "wide.csv", SMALL, "5 columns, more than the 4 allowed"),
        (b"name,postcode\nA,SW1A 1AA\n", "register.pdf", None, r"'\.pdf' files are not accepted"),
        (b"name,postcode\nA,SW1A 1AA\n", "register", None, "Files without an ending"),
        (_xlsx_bytes(), "register.csv", None, r"register\.csv is an Excel workbook, not CSV"),
        (_xlsx_bytes(), "register.geojson", None, "is an Excel workbook, not GeoJSON"),
        (b"name,postcode\nA,SW1A 1AA\n", "register.xlsx", None, "is not an Excel workbook"),
        (b'{"type": "FeatureCollection", "features": []}', "a.csv", None, "is a GeoJSON file"),
        (b'{"type": "FeatureCollection", "features": []}', "a.geojson", None, "no features"),
        (b'{"rows": [1, 2]}', "a.json", None, "JSON but not GeoJSON"),
        (b"[1, 2]", "a.csv", None, "is a JSON file, not CSV"),
        (b"name,postcode\n", "a.geojson", None, "cannot be read as GeoJSON: it is not valid"),
        (
            b"[" * 100000 + b"]" * 100000,
            "deep.json",
            None,
            "cannot be read as GeoJSON: it is nested too deeply",
        ),
        (b"%PDF-1.7 binary", "a.csv", None, "is a PDF document, not CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xlsx", None, "97-2003"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", None, "damaged zip archive"),
        (bytes(range(256)) * 20, "noise.csv", None, "is not a text file"),
        (b"a,b\n" + b",,,\n" * 20, "commas.csv", CELLS, "more than 50 values"),
        # One quoted value over 60 lines: every line would be reported, so lines are capped too.
        (
            b'name,postcode\n"A' + b"\n" * 60 + b'",SW1A 1AA\n',
            "lines.csv",
            LINES,
            "more than 30 lines",
        ),
        ("name,postcode\nA,SW1A 1AA\n".encode("utf-32-be"), "u32.csv", None, r"\(UTF-32\?\)"),
    ],
)
def test_upload_errors(
    data: bytes, filename: str, limits: UploadLimits | None, message: str
) -> None:
    with pytest.raises(UploadError, match=message):
        ingest.read_table(data, filename, limits=limits)


def test_cell_cap_for_workbooks_and_geojson() -> None:
    buffer = io.BytesIO()
    pd.DataFrame({f"c{i}": range(20) for i in range(5)}).to_excel(buffer, index=False)
    with pytest.raises(UploadError, match="more than 50 values"):
        ingest.read_table(buffer.getvalue(), "wide.xlsx", limits=CELLS)
    features = [
        {"type": "Feature", "properties": {f"p{i}": 1}, "geometry": None} for i in range(10)
    ]
    doc = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    with pytest.raises(UploadError, match="more than 50 values"):
        ingest.read_table(doc, "sparse.geojson", limits=CELLS)


def test_zip_bombs_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 5_000_000 + "</a>")
    limits = UploadLimits(10**7, 10, 10, 10, max_unzipped_bytes=1_000_000)
    with pytest.raises(UploadError, match="unpacks to 5 MB"):
        ingest.read_table(buffer.getvalue(), "bomb.xlsx", limits=limits)


def test_limits_follow_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from assetmap import settings

    monkeypatch.setattr(settings, "UPLOAD_MAX_ROWS", 1)
    with pytest.raises(UploadError, match="more than 1 rows"):
        ingest.read_table(b"name,postcode\nA,SW1A 1AA\nB,LS1 4DY\n", "a.csv")
    assert UploadLimits.from_settings().max_bytes == 50 * 1024 * 1024


def test_cli_ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Where,What\nSW1A 1AA,Hub\nZZ9 9ZZ,Lost\n", encoding="utf-8")
    out, report = tmp_path / "assets.csv", tmp_path / "report.csv"
    status = cli.main(
        ["ingest", str(path), "--name", "What", "--out", str(out), "--report", str(report)]
    )
    assert status == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 1
    assert pd.read_csv(report, encoding="utf-8-sig")["reason"].tolist() == ["unknown postcode"]
    assert "2 data lines read: 1 mapped" in capsys.readouterr().err
    assert cli.main(["ingest", str(path)]) == 2  # no name column without --name
    assert "without a name column" in capsys.readouterr().err
