"""Write the upload test files in ``tests/data/`` from the real build: real names, postcodes and
coordinates of 60 assets in one ICB (Cheshire and Merseyside), written the ways planners' files
arrive. The files are committed; run this again only to remake them (the output is the same on
every run of the same build)::

    .venv/bin/python -m scripts.make_test_files

==========================  ===========================================================
``register_utf8.csv``       the 60 rows as UTF-8, comma-separated (the reference)
``register_utf16le.csv``    the same text as UTF-16 little-endian, no byte-order mark
``register_utf16be.csv``    the same text as UTF-16 big-endian, no byte-order mark
``stray_quotes.csv``        the reference with two stray quote marks (lines 11 and 41)
``excel_europe.csv``        what Excel writes in much of Europe: Windows-1252, semicolons,
                            CRLF, latitude and longitude with decimal commas
``title_rows.xlsx``         a workbook: two title rows and a blank row above the header on
                            sheet 'Assets', and a second sheet 'Closed sites'
``type_labels.csv``         types ``=1+1`` and ``-1+1``, whose slugs would both be ``1_1``
``line_breaks.csv``         addresses in quotes, two of them over two lines
==========================  ===========================================================
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from pyproj import Transformer

from assetmap import settings
from assetmap.data import store
from assetmap.geography.spatial import LsoaLocator

OUT = settings.PROJECT_ROOT / "tests" / "data"
ICB = "QYG"  # NHS Cheshire and Merseyside
ROWS = 60
#: Type labels as a planner writes them (the en dash is not in Latin-1: UTF-16 read as anything
#: else garbles it).
TYPE_LABELS = {
    "library": "Library",
    "gp_practice": "GP practice",
    "sports_club": "Sports club \u2013 CASC",
    "museum": "Museum",
    "foodbank": "Food bank",
}
#: Lines (header = line 1) of ``stray_quotes.csv`` that open and close the stray quote.
STRAY_OPEN, STRAY_CLOSE = 11, 41
#: Rows of ``line_breaks.csv`` whose address runs over two lines (0-based, among 10).
BROKEN_ADDRESSES = (2, 6)
_FIXED_TIME = datetime(2025, 3, 3)


def candidates(data_dir: Path | None = None) -> pd.DataFrame:
    """Assets of the ICB placed by their postcode, with plain names, and WGS84 coordinates
    (6 decimals) that fall in the same LSOA as the postcode; in a fixed order, types taking
    turns."""
    lsoas = store.load_lsoas(data_dir)
    assets = store.load_assets(data_dir).merge(lsoas[["lsoa21cd", "icb24cdh"]], on="lsoa21cd")
    keep = (
        (assets["icb24cdh"] == ICB)
        & (assets["located_by"] == "postcode")
        & (assets["lsoa_method"] == "within")
        & assets["postcode"].notna()
        & assets["name"].str.len().between(3, 50)
        & ~assets["name"].str.contains(r"[,;\"\t\r\n|]", regex=True)
    )
    found = assets[keep].sort_values("asset_id").drop_duplicates("name")
    found = found.drop_duplicates("postcode").reset_index(drop=True)
    to_wgs = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)
    lon, lat = to_wgs.transform(found["easting"].to_numpy(), found["northing"].to_numpy())
    found["latitude"], found["longitude"] = np.round(lat, 6), np.round(lon, 6)
    # Rounded to 6 decimals (about 10 cm) a point could cross an LSOA border: keep those that
    # do not, so coordinates and postcode must give the same LSOA.
    to_bng = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)
    east, north = to_bng.transform(found["longitude"].to_numpy(), found["latitude"].to_numpy())
    back = LsoaLocator.load(data_dir).locate(east, north)["lsoa21cd"].to_numpy(dtype=object)
    found = found[back == found["lsoa21cd"].to_numpy(dtype=object)]
    found["turn"] = found.groupby("asset_type").cumcount()
    found = found.sort_values(["turn", "asset_type"], kind="stable").reset_index(drop=True)
    found["type"] = found["asset_type"].map(TYPE_LABELS)
    return found


def _csv_text(rows: list[list[str]], delimiter: str = ",", ending: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending)
    writer.writerows(rows)
    return buffer.getvalue()


def _decimal_comma(value: float) -> str:
    return f"{value:.6f}".replace(".", ",")


def _deterministic_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times, so the workbook's bytes do not change per run."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 3, 3, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-03-03T00:00:00Z", body
                )
            target.writestr(fixed, body)
    return out.getvalue()


@dataclass(frozen=True)
class Asset:
    """One row of the test files."""

    name: str
    postcode: str
    type: str
    latitude: float
    longitude: float
    address: str


def _assets(frame: pd.DataFrame) -> list[Asset]:
    return [
        Asset(
            name=str(r["name"]),
            postcode=str(r["postcode"]),
            type=str(r["type"]),
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            address=str(r["address"]) if isinstance(r["address"], str) else "",
        )
        for r in frame.to_dict("records")
    ]


def _workbook(main: list[Asset], closed: list[Asset]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Assets"
    sheet.append(["Community assets register", "NHS Cheshire and Merseyside ICB"])
    sheet.append(["Exported from the council's asset system, March 2025"])
    sheet.append([])
    sheet.append(["Name", "Postcode", "Type", "Ref"])
    for k, row in enumerate(main):
        sheet.append([row.name, row.postcode, row.type, 1001 + k])
    other = book.create_sheet("Closed sites")
    other.append(["Name", "Postcode", "Closed"])
    for row in closed:
        other.append([row.name, row.postcode, "2024"])
    book.properties.created = book.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def build(data_dir: Path | None = None) -> dict[str, bytes]:
    """File name -> bytes of every test file."""
    found = _assets(candidates(data_dir))
    main, closed = found[:ROWS], found[ROWS : ROWS + 5]
    if len(closed) < 5:
        raise SystemExit(f"only {len(found)} usable assets in {ICB}")
    header = ["Name", "Postcode", "Type"]
    rows = [[r.name, r.postcode, r.type] for r in main]
    reference = _csv_text([header, *rows])
    files = {
        "register_utf8.csv": reference.encode("utf-8"),
        "register_utf16le.csv": reference.encode("utf-16-le"),
        "register_utf16be.csv": reference.encode("utf-16-be"),
    }

    stray = [list(r) for r in rows]
    stray[STRAY_OPEN - 2][0] = '"' + stray[STRAY_OPEN - 2][0]  # a quote typed, never closed
    stray[STRAY_CLOSE - 2][0] = stray[STRAY_CLOSE - 2][0] + '"'  # one closed, never opened
    # Written by hand, as an editor would save it: a csv writer would quote the quotes.
    files["stray_quotes.csv"] = "".join(",".join(r) + "\n" for r in [header, *stray]).encode()

    europe = [["Name", "Postcode", "Latitude", "Longitude", "Type"]] + [
        [r.name, r.postcode, _decimal_comma(r.latitude), _decimal_comma(r.longitude), r.type]
        for r in main
    ]
    files["excel_europe.csv"] = _csv_text(europe, ";", "\r\n").encode("cp1252")

    files["title_rows.xlsx"] = _workbook(main, closed)

    labels = ["=1+1", "-1+1", "=1+1 ", "-1+1", "=1+1"]
    typed = [[r.name, r.postcode, labels[k % len(labels)]] for k, r in enumerate(main[:20])]
    files["type_labels.csv"] = _csv_text([header, *typed]).encode()

    broken = []
    for k, r in enumerate(main[:10]):
        address = " ".join((r.address or r.name).split())
        if k in BROKEN_ADDRESSES:
            head, _, tail = address.partition(", ")
            address = f"{head},\n{tail or 'Merseyside'}"
        broken.append([r.name, address, r.postcode])
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
        [["Name", "Address", "Postcode"], *broken]
    )
    files["line_breaks.csv"] = buffer.getvalue().encode()
    return files


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (OUT / name).write_bytes(data)
        print(f"wrote {OUT / name} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
