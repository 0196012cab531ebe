"""Uploads of real files as planners' systems write them (tests/data/, made from the real build by
scripts/make_test_files.py): stray quote marks, line breaks in quoted values, Excel's European
CSV, UTF-16 without a byte-order mark, a workbook with title rows and two sheets, type labels that
slug alike, and the one size limit. Through the library, the command line and the Upload page.

Every expectation is counted here from the file itself (its text, the csv module, openpyxl,
pyproj), never taken from the reader under test.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer
from streamlit.testing.v1 import AppTest

from assetmap import cli, ingest, settings
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.ingest import ColumnMapping, IngestResult, UploadError
from assetmap.presentation import export, text
from scripts import make_test_files

DATA = Path(__file__).parent / "data"
APP = str(settings.PROJECT_ROOT / "app.py")


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def lines_of(name: str, encoding: str = "utf-8") -> list[str]:
    return read(name).decode(encoding).splitlines()


def check(result: IngestResult, data_lines: int) -> IngestResult:
    """Every data line, counted on the text, is mapped or reported; row numbers are unique."""
    assert result.data_lines == data_lines
    assert len(result.assets) + len(result.report) == data_lines
    rows = pd.concat([result.assets["source_row"], result.report["source_row"]])
    assert rows.is_unique
    assert result.report["reason"].isin(ingest.REASONS).all()
    return result


def run(
    name: str, postcodes: PostcodeDirectory, locator: LsoaLocator, **kwargs: object
) -> IngestResult:
    return ingest.ingest(read(name), name, postcodes, locator, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reference(postcodes: PostcodeDirectory, locator: LsoaLocator) -> IngestResult:
    """The 60 rows as plain UTF-8: what every other spelling of them must come to."""
    result = run("register_utf8.csv", postcodes, locator)
    return check(result, len(lines_of("register_utf8.csv")) - 1)


def lsoa_by_name(result: IngestResult) -> dict[str, str]:
    return dict(zip(result.assets["name"], result.assets["lsoa21cd"], strict=True))


# --------------------------------------------------------------------------------------------------
# The files themselves
# --------------------------------------------------------------------------------------------------


def test_the_files_are_what_the_script_makes_from_the_build(data_dir: Path) -> None:
    made = make_test_files.build(data_dir)
    assert sorted(made) == sorted(p.name for p in DATA.iterdir())
    for name, data in made.items():
        assert read(name) == data, f"{name} differs: run python -m scripts.make_test_files"
        assert len(data) < 10_000  # fixtures, committed: a few kB each


def test_the_reference_rows_are_real_and_all_mapped(reference: IngestResult) -> None:
    assert len(reference.assets) == 60
    assert reference.report.empty
    # One ICB: Cheshire and Merseyside.
    assert reference.assets["lsoa21cd"].str.startswith("E01").all()
    assert set(reference.assets["located_by"]) == {"postcode"}


# --------------------------------------------------------------------------------------------------
# 1. Stray quote marks, line breaks in quoted values
# --------------------------------------------------------------------------------------------------


def test_two_stray_quotes_merge_lines_11_to_41_and_say_so(
    postcodes: PostcodeDirectory, locator: LsoaLocator, reference: IngestResult
) -> None:
    lines = lines_of("stray_quotes.csv")
    quoted = [n for n, line in enumerate(lines, start=1) if '"' in line]
    assert quoted == [make_test_files.STRAY_OPEN, make_test_files.STRAY_CLOSE] == [11, 41]
    r = check(run("stray_quotes.csv", postcodes, locator), len(lines) - 1)
    assert r.data_lines == 60
    assert r.rows_read == 30  # the quoted run took 31 lines as one row
    assert r.merged_lines == list(range(12, 42))
    report = r.report.set_index("source_row")
    assert report.loc[11, "reason"] == ingest.REASON_MALFORMED_ROW
    assert "lines 11-41 were read as this one row" in str(report.loc[11, "detail"])
    merged = report[report["reason"] == ingest.REASON_MERGED_LINE]
    assert list(merged.index) == list(range(12, 42))
    assert merged["detail"].str.contains("row on line 11").all()
    # Each merged line is shown with what it holds: its own name and postcode.
    for n in (12, 25, 40):
        name, postcode, _ = lines[n - 1].split(",")
        assert (merged.loc[n, "name"], merged.loc[n, "postcode"]) == (name, postcode)
    assert sorted(r.assets["source_row"]) == [*range(2, 11), *range(42, 62)]
    message = next(m for m in r.messages if "quote mark ran lines" in m)
    assert "lines 11-41 were read as one row" in message
    assert "30 lines after its first as merged" in message
    assert "quoting off" in message

    # Quoting off: every line is a row; the two quote marks stay in the names.
    off = check(run("stray_quotes.csv", postcodes, locator, quoting=False), 60)
    assert off.rows_read == len(off.assets) == 60
    assert off.merged_lines == []
    names = dict(zip(off.assets["source_row"], off.assets["name"], strict=True))
    assert names[11].startswith('"')
    assert names[41].endswith('"')
    assert off.assets["lsoa21cd"].tolist() == reference.assets["lsoa21cd"].tolist()


def test_the_command_line_counts_lines_and_offers_quoting_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "stray_quotes.csv"
    report = tmp_path / "report.csv"
    assert cli.main(["ingest", str(path), "--report", str(report)]) == 0
    err = capsys.readouterr().err
    assert "60 data lines read (read as 30 rows): 29 mapped" in err
    assert "31 reported" in err
    assert "--no-quoting" in err
    written = pd.read_csv(report, encoding="utf-8-sig")
    assert written["source_row"].tolist() == list(range(11, 42))
    for flags in (["--no-quoting"], ["--quoting", "none"]):
        assert cli.main(["ingest", str(path), *flags]) == 0
        err = capsys.readouterr().err
        assert "60 data lines read: 60 mapped" in err
        assert "quoting off" in err


def test_line_breaks_in_quoted_values_are_said_not_reported_as_errors(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    body = read("line_breaks.csv").decode()
    # Where each row starts and ends, by the csv module.
    spans, last = [], 0
    reader = csv.reader(io.StringIO(body, newline=""))
    for _ in reader:
        spans.append((last + 1, reader.line_num))
        last = reader.line_num
    joined = [(a, b) for a, b in spans[1:] if b > a]
    assert joined == [(4, 5), (9, 10)]
    r = check(run("line_breaks.csv", postcodes, locator), len(body.splitlines()) - 1)
    assert r.rows_read == len(r.assets) == 10  # every row mapped
    assert r.merged_lines == []
    assert r.report["source_row"].tolist() == [5, 10]
    assert set(r.report["reason"]) == {ingest.REASON_CONTINUED_LINE}
    assert r.report["detail"].iloc[0].startswith("part of the row on line 4")
    assert any("lines 4-5 and 9-10" in m for m in r.messages)
    address = dict(zip(r.assets["source_row"], r.assets["address"], strict=True))
    assert "\n" not in address[4]
    assert address[4].startswith("Bewsey & Dallam Hub, ")


# --------------------------------------------------------------------------------------------------
# 2. Separators and decimal marks
# --------------------------------------------------------------------------------------------------

_TO_BNG = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)


def test_excel_europe_decimal_commas_place_rows_where_their_postcodes_do(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    rows = [line.split(";") for line in lines_of("excel_europe.csv", "cp1252")]
    assert rows[1][2].count(",") == 1  # 53,403383
    r = check(run("excel_europe.csv", postcodes, locator), len(rows) - 1)
    assert (r.delimiter, r.decimal, r.encoding) == (";", ",", "Windows-1252")
    assert "semicolon-separated, decimal comma" in r.messages[0]
    assert set(r.assets["located_by"]) == {"latitude/longitude"}
    # The coordinates, read here by hand, are where the rows were placed.
    lat = np.array([float(row[2].replace(",", ".")) for row in rows[1:]])
    lon = np.array([float(row[3].replace(",", ".")) for row in rows[1:]])
    east, north = _TO_BNG.transform(lon, lat)
    np.testing.assert_allclose(r.assets["easting"], east, atol=1e-3)
    np.testing.assert_allclose(r.assets["northing"], north, atol=1e-3)
    # ...in the LSOAs the same rows get from their postcodes.
    by_postcode = run(
        "excel_europe.csv", postcodes, locator, mapping=ColumnMapping(name=1, postcode=2)
    )
    assert set(by_postcode.assets["located_by"]) == {"postcode"}
    assert r.assets["lsoa21cd"].tolist() == by_postcode.assets["lsoa21cd"].tolist()

    # Name, latitude and longitude only: split at its commas, each row has three values too, so
    # only the decimal commas say the separator is the semicolon.
    three = "\r\n".join(";".join((row[0], row[2], row[3])) for row in rows).encode("cp1252")
    r3 = check(ingest.ingest(three, "three.csv", postcodes, locator), 60)
    assert r3.delimiter == ";"
    assert r3.assets["lsoa21cd"].tolist() == by_postcode.assets["lsoa21cd"].tolist()
    # Given by hand, the same.
    given = run("excel_europe.csv", postcodes, locator, delimiter="semicolon", decimal=",")
    assert given.assets["lsoa21cd"].tolist() == r.assets["lsoa21cd"].tolist()


def test_decimal_commas_in_a_comma_separated_file_are_an_ambiguity_stated(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    rows = [line.split(";") for line in lines_of("excel_europe.csv", "cp1252")]
    # The same rows with commas between values: 53,403383 becomes two values.
    unquoted = "\n".join(",".join(row) for row in rows).encode("cp1252")
    r = check(ingest.ingest(unquoted, "commas.csv", postcodes, locator), 60)
    assert r.delimiter == ","
    assert r.assets.empty
    assert set(r.report["reason"]) == {ingest.REASON_MALFORMED_ROW}
    assert "decimal comma in a comma-separated file?" in r.report["detail"].iloc[0]
    lat_whole, lat_part = rows[1][2].split(",")
    message = next(m for m in r.messages if "cannot be told from a separator" in m)
    assert f"line 2: {lat_whole!r} and {lat_part!r}" in message
    assert "semicolons" in message
    # Quoted, the numbers stay whole: read with a decimal comma, and the ambiguity still said.
    quoted = "\n".join(
        ",".join((row[0], row[1], f'"{row[2]}"', f'"{row[3]}"', row[4])) for row in rows
    ).encode("cp1252")
    q = check(ingest.ingest(quoted, "quoted.csv", postcodes, locator), 60)
    assert (q.delimiter, q.decimal, len(q.assets)) == (",", ",", 60)
    assert any("comma-separated and its numbers have decimal commas" in m for m in q.messages)


def test_grid_references_follow_the_decimal_mark(
    postcodes: PostcodeDirectory, locator: LsoaLocator, reference: IngestResult
) -> None:
    first = reference.assets.iloc[0]
    east, north = int(first["easting"]), int(first["northing"])

    def dotted(v: int) -> str:  # 340.123 in the European way of writing 340123
        return f"{v:,}".replace(",", ".")

    body = f"Name;Easting;Northing\r\nHub;{dotted(east)};{dotted(north)},0\r\n".encode()
    r = ingest.ingest(body, "grid.csv", postcodes, locator)
    assert r.decimal == ","  # from the ",0"
    assert (r.assets["easting"].iloc[0], r.assets["northing"].iloc[0]) == (east, north)
    assert r.assets["lsoa21cd"].iloc[0] == first["lsoa21cd"]
    point = ingest.ingest(body, "grid.csv", postcodes, locator, decimal=".")
    assert point.assets.empty  # 340.123 metres is not in England


@pytest.mark.parametrize(("value", "expected"), [(";", ";"), ("semicolon", ";"), ("tab", "\t")])
def test_separator_words(value: str, expected: str) -> None:
    assert ingest.parse_delimiter(value) == expected
    with pytest.raises(UploadError, match="not one assetmap reads"):
        ingest.parse_delimiter("#")
    with pytest.raises(UploadError, match="a point"):
        ingest.parse_decimal(";")


# --------------------------------------------------------------------------------------------------
# 3. UTF-16 without a byte-order mark; Excel title rows and sheets
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("register_utf16le.csv", "UTF-16 little-endian"),
        ("register_utf16be.csv", "UTF-16 big-endian"),
    ],
)
def test_utf16_without_a_bom_gives_the_utf8_table(
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
    reference: IngestResult,
    name: str,
    encoding: str,
) -> None:
    data = read(name)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    r = check(run(name, postcodes, locator), 60)
    assert r.encoding == encoding
    assert any("without a byte-order mark" in m for m in r.messages)
    pd.testing.assert_frame_equal(r.assets, reference.assets)
    assert r.categories == reference.categories
    assert "Sports club \u2013 CASC" in r.categories.values()  # not in Latin-1: garbled if misread


def test_utf32_is_refused_naming_the_encoding_to_save_as() -> None:
    data = read("register_utf8.csv").decode().encode("utf-32-le")
    with pytest.raises(UploadError, match=r"UTF-32\?.*'CSV UTF-8 \(Comma delimited\)'"):
        ingest.read_table(data, "wide.csv")


def _sheet_rows(sheet: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(DATA / "title_rows.xlsx", read_only=True)
    try:
        return list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()


def test_excel_title_rows_are_skipped_and_the_header_row_and_sheet_can_be_chosen(
    postcodes: PostcodeDirectory, locator: LsoaLocator, reference: IngestResult
) -> None:
    rows = _sheet_rows("Assets")
    header = next(n for n, row in enumerate(rows, start=1) if row[0] == "Name")
    assert header == 4
    assert rows[0][1]
    r = check(run("title_rows.xlsx", postcodes, locator), len(rows) - header)
    assert r.header_row == 4
    assert r.sheet == "Assets"
    assert (r.mapping.name, r.mapping.identifier) == ("Name", "Ref")
    assert any("Skipped 2 title rows above the header" in m for m in r.messages)
    assert any("other sheets ('Closed sites')" in m for m in r.messages)
    assert lsoa_by_name(r) == lsoa_by_name(reference)
    assert r.assets["asset_id"].iloc[0].endswith(":1001")

    # The header row given: the same; another row: its cells are the columns.
    given = ingest.read_table(read("title_rows.xlsx"), "title_rows.xlsx", header_row=4)
    assert given.rows_read == 60
    wrong = ingest.read_table(read("title_rows.xlsx"), "title_rows.xlsx", header_row=1)
    assert list(wrong.frame.columns[:2]) == list(rows[0][:2])
    with pytest.raises(UploadError, match=r"Row 3 of title_rows\.xlsx is blank"):
        ingest.read_table(read("title_rows.xlsx"), "title_rows.xlsx", header_row=3)

    closed = _sheet_rows("Closed sites")
    for sheet in ("Closed sites", 2, "closed  SITES"):
        table = ingest.read_table(read("title_rows.xlsx"), "title_rows.xlsx", sheet=sheet)
        assert table.sheet == "Closed sites"
        assert table.sheets == ("Assets", "Closed sites")
        assert table.frame["Name"].tolist() == [row[0] for row in closed[1:]]
    with pytest.raises(UploadError, match=r"no sheet 'Open'.*'Assets', 'Closed sites'"):
        ingest.read_table(read("title_rows.xlsx"), "title_rows.xlsx", sheet="Open")


def test_the_command_line_reads_a_chosen_sheet_and_header_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "title_rows.xlsx"
    out = tmp_path / "closed.csv"
    assert cli.main(["ingest", str(path), "--sheet", "Closed sites", "--out", str(out)]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == len(_sheet_rows("Closed sites")) - 1
    assert "sheet 'Closed sites'" in capsys.readouterr().err
    assert cli.main(["ingest", str(path), "--header-row", "3"]) == 2
    assert "Row 3 of title_rows.xlsx is blank" in capsys.readouterr().err


def test_a_csv_title_row_with_two_values_is_skipped(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    body = "Register of assets,March 2025\n\n" + read("register_utf8.csv").decode()
    r = check(ingest.ingest(body.encode(), "titled.csv", postcodes, locator), 60)
    assert r.header_row == 3
    assert len(r.assets) == 60


# --------------------------------------------------------------------------------------------------
# 4. Type labels that slug alike
# --------------------------------------------------------------------------------------------------


def test_labels_that_differ_in_punctuation_stay_apart(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    rows = list(csv.reader(io.StringIO(read("type_labels.csv").decode())))[1:]
    given = [row[2].strip() for row in rows]
    assert set(given) == {"=1+1", "-1+1"}
    r = check(run("type_labels.csv", postcodes, locator), len(rows))
    # =1+1 comes first in the file, so it keeps the plain slug.
    assert r.categories == {"1_1": "=1+1", "1_1_2": "-1+1"}
    counts = r.assets["asset_type"].value_counts().to_dict()
    assert counts == {"1_1": given.count("=1+1"), "1_1_2": given.count("-1+1")}
    labelled = r.labelled_assets()
    assert labelled["asset_type_label"].tolist() == given
    assert list(labelled.columns[:3]) == ["asset_id", "asset_type", "asset_type_label"]
    assert any("kept apart: '=1+1' and '-1+1'" in m for m in r.messages)
    # Exported, the labels cannot run as formulas.
    exported = export.to_csv_bytes(labelled).decode("utf-8-sig")
    assert "'=1+1" in exported
    assert "'-1+1" in exported


def test_case_and_spacing_still_make_one_type(
    postcodes: PostcodeDirectory, locator: LsoaLocator
) -> None:
    body = b"name,postcode,type\nA,SW1A 1AA,Food bank\nB,LS1 4DY,food  bank\nC,M2 5DB,Food-bank\n"
    r = ingest.ingest(body, "types.csv", postcodes, locator)
    assert r.categories == {"food_bank": "Food bank", "food_bank_2": "Food-bank"}
    assert r.assets["asset_type"].tolist() == ["food_bank", "food_bank", "food_bank_2"]


# --------------------------------------------------------------------------------------------------
# 5. One size limit, one message
# --------------------------------------------------------------------------------------------------


def test_streamlit_accepts_a_little_more_than_the_limit() -> None:
    config = tomllib.loads((settings.PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == settings.UPLOAD_MAX_MB + 1


def test_one_size_message_for_the_page_and_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "UPLOAD_MAX_MB", 1)
    body = read("register_utf8.csv") * 700  # 1.7 MB
    expected = ingest.size_message(len(body), "big.csv")
    assert expected == (
        f"big.csv is {len(body) / 2**20:,.1f} MB, more than the 1.0 MB one upload may be: "
        "split it, or remove columns you do not need."
    )
    path = tmp_path / "big.csv"
    path.write_bytes(body)
    assert cli.main(["ingest", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"assetmap: {expected}"
    with pytest.raises(UploadError) as caught:
        ingest.read_table(body, "big.csv")
    assert str(caught.value) == expected
    at = _upload_page("big.csv", body)
    assert [e.value for e in at.error] == [text.markdown_text(expected)]


# --------------------------------------------------------------------------------------------------
# The Upload page
# --------------------------------------------------------------------------------------------------


def _upload_page(name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/5_Upload.py").run()
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _map(at: AppTest) -> AppTest:
    at.button(key="upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _shown(at: AppTest) -> list[str]:
    """Every notice and Markdown text of the page."""
    kinds = (at.markdown, at.caption, at.warning, at.success, at.error, at.info)
    return [e.value for kind in kinds for e in kind]


def test_the_page_names_the_merged_lines_and_reads_again_with_quoting_off(data_dir: Path) -> None:
    at = _upload_page("stray_quotes.csv", read("stray_quotes.csv"))
    warnings = [w.value for w in at.warning]
    assert any("lines 11\\-41 were read as one row" in w for w in warnings), warnings
    assert any("tick **Quoting off** above" in w for w in warnings)
    _map(at)
    assert _metrics(at) == {"Data lines": "60", "Mapped": "29", "Reported (not mapped)": "31"}
    at.checkbox[[c.label for c in at.checkbox].index("Quoting off")].check().run()
    assert not any("ran lines" in w.value for w in at.warning)
    _map(at)
    assert _metrics(at) == {"Data lines": "60", "Mapped": "60", "Reported (not mapped)": "0"}


def test_the_page_shows_and_takes_the_separator_and_decimal_mark(data_dir: Path) -> None:
    at = _upload_page("excel_europe.csv", read("excel_europe.csv"))
    sep = at.selectbox[[s.label for s in at.selectbox].index("Separator")]
    decimal = at.selectbox[[s.label for s in at.selectbox].index("Decimal mark")]
    assert sep.format_func(sep.value) == "semicolon (detected)"
    assert decimal.format_func(decimal.value) == "decimal comma (detected)"
    _map(at)
    assert _metrics(at)["Mapped"] == "60"
    # A comma forced as the separator: the header is one column, and nothing can be placed.
    sep.set_value(",").run()
    assert at.button(key="upload_go").disabled


def test_the_page_picks_the_excel_header_row_and_sheet(data_dir: Path) -> None:
    at = _upload_page("title_rows.xlsx", read("title_rows.xlsx"))
    header = at.number_input[0]
    assert header.label.startswith("Header on row")
    assert header.value == 4
    sheet = at.selectbox[[s.label for s in at.selectbox].index("Sheet")]
    assert sheet.options == ["Assets", "Closed sites"]
    _map(at)
    assert _metrics(at)["Mapped"] == "60"
    sheet.set_value("Closed sites").run()
    assert at.number_input[0].value == 1
    _map(at)
    assert _metrics(at)["Mapped"] == str(len(_sheet_rows("Closed sites")) - 1)


def test_the_page_shows_type_labels_not_slugs_and_escapes_them(data_dir: Path) -> None:
    name = "type_labels_[click](http://example.invalid)_" + "x" * 100 + ".csv"
    at = _upload_page(name, read("type_labels.csv"))
    _map(at)
    shown = _shown(at)
    types = next(s for s in shown if s.startswith("**Types**"))
    assert types == "**Types**: \\=1\\+1 (12), \\-1\\+1 (8)"
    assert not any("1_1" in s for s in shown), [s for s in shown if "1_1" in s]
    # The file name is echoed escaped and cut to 80 characters.
    echoed = [s for s in shown if "type\\_labels" in s]
    assert echoed
    assert all("[click](http" not in s for s in shown)
    assert text.markdown_text(text.cut(name, 80)) in "".join(echoed)
    table = at.dataframe[-1].value
    assert table["asset_type_label"].tolist()[:2] == ["=1+1", "-1+1"]
