"""The evidence pack on the real build: the PDF's text against the CLI's tables, its first page's
map, the data zip's GeoPackage, and a hostile own-area name kept as text."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from assetmap import cli
from assetmap.geography import areas
from assetmap.geography.ownarea import own_area
from assetmap.presentation import report
from assetmap.presentation.report import document
from tests.conftest import COMMUNITY_TYPES

HOSTILE = "<script>alert(1)</script>"
MAX_PDF_BYTES = 5_000_000


def _text(pdf: bytes) -> str:
    # Whitespace collapsed: a name may wrap onto a second line in a heading or a cell.
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


@pytest.fixture(scope="module")
def qyg_files(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``assetmap report --area icb:QYG`` with ``--data``, run once."""
    out = tmp_path_factory.mktemp("report")
    pdf, data = out / "qyg.pdf", out / "qyg.zip"
    args = ["report", "--area", "icb:QYG", "--out", str(pdf), "--data", str(data), "--quiet"]
    assert cli.main(args) == 0
    return pdf, data


@pytest.fixture(scope="module")
def inputs(data_dir: Path) -> report.PackInputs:
    return report.load_inputs(COMMUNITY_TYPES, "imd", data_dir)


def test_pdf_text_has_the_area_and_the_cli_figures(
    qyg_files: tuple[Path, Path], tmp_path: Path
) -> None:
    pdf = qyg_files[0].read_bytes()
    assert len(pdf) < MAX_PDF_BYTES
    text = _text(pdf)
    summary_csv, gaps_csv = tmp_path / "summary.csv", tmp_path / "gaps.csv"
    assert cli.main(["summary", "--by", "icb", "--area", "icb:QYG", "--out", str(summary_csv)]) == 0
    assert cli.main(["gaps", "--area", "icb:QYG", "--limit", "10", "--out", str(gaps_csv)]) == 0
    summary = pd.read_csv(summary_csv, encoding="utf-8-sig").iloc[0]
    assert f"Evidence pack: {summary['icb24nm']}" in text
    # The dashboard's and the pack's format of the counts `summary` prints.
    assert f"Residents (Census 2021) {int(summary['population']):,}" in text
    assert f"Neighbourhoods (LSOAs) {int(summary['lsoa_count']):,}" in text
    gaps = pd.read_csv(gaps_csv, encoding="utf-8-sig")
    codes = re.findall(r"E01\d{6}", text[text.index("The largest gaps") :])
    assert codes[: len(gaps)] == gaps["lsoa21cd"].tolist()


def test_pdf_is_tagged_titled_in_english_and_links_back(qyg_files: tuple[Path, Path]) -> None:
    reader = PdfReader(qyg_files[0])
    root = reader.root_object
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None
    assert reader.metadata.title == (
        "Evidence pack: NHS Cheshire and Merseyside Integrated Care Board"
    )
    uris = [
        annot.get_object()["/A"]["/URI"]
        for annot in reader.pages[0].get("/Annots", [])
        if "/A" in annot.get_object()
    ]
    assert any("area=icb:E54000008" in u and "types=sports_club,foodbank" in u for u in uris)
    assert len(reader.pages) <= 8  # a few pages
    # The map and the charts are figures with alternative text in the structure tree.
    alts = _figure_alts(root["/StructTreeRoot"])
    assert any(a.startswith("Map of the neighbourhoods (LSOAs) of NHS Cheshire") for a in alts)
    assert any(a.startswith("Bar chart of community organisations") for a in alts)


def _figure_alts(node: object) -> list[str]:
    obj = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(obj, list):
        return [a for child in obj for a in _figure_alts(child)]
    if not isinstance(obj, dict):
        return []
    found = [str(obj["/Alt"])] if obj.get("/S") == "/Figure" and "/Alt" in obj else []
    return found + _figure_alts(obj.get("/K", []))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_page_one_has_a_map(qyg_files: tuple[Path, Path], tmp_path: Path) -> None:
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(qyg_files[0]), str(prefix)],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    pixels = np.asarray(Image.open(png).convert("L"))
    height = pixels.shape[0]
    lower = pixels[height // 2 : int(height * 0.92)]  # where the map is drawn
    assert (lower < 240).mean() > 0.15


def test_data_zip_has_tables_dictionary_and_one_feature_per_lsoa(
    qyg_files: tuple[Path, Path], tmp_path: Path, community_metrics: pd.DataFrame
) -> None:
    with zipfile.ZipFile(qyg_files[1]) as zf:
        names = set(zf.namelist())
        assert {"gaps.csv", "invest.csv", "deciles.csv", "data_dictionary.csv"} <= names
        assert zf.read("gaps.csv").startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
        zf.extract("lsoas.gpkg", tmp_path)
    features = gpd.read_file(tmp_path / "lsoas.gpkg")
    qyg = community_metrics[community_metrics["icb24cdh"] == "QYG"]
    assert len(features) == len(qyg)
    assert sorted(features["lsoa21cd"]) == sorted(qyg["lsoa21cd"])
    assert features.crs.to_epsg() == 4326
    assert features.geometry.notna().all()


def test_hostile_own_area_name_is_text(
    inputs: report.PackInputs, lsoas: pd.DataFrame, community_metrics: pd.DataFrame
) -> None:
    codes = lsoas.loc[lsoas["lad24nm"] == "Blackpool", "lsoa21cd"].head(40)
    area = own_area(codes, lsoas, HOSTILE)
    pack = report.build_pack(area, inputs)
    html = document.to_html(pack)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = _text(report.pdf_bytes(pack))
    assert f"Evidence pack: {area.label}" in text
    assert HOSTILE in area.label
    # The same numbers as the pages' functions on the same national table.
    assert pack.figures["lsoa_count"] == len(areas.select(community_metrics, area)) == 40


def test_hostile_type_labels_are_text(inputs: report.PackInputs) -> None:
    # An upload's labels are its user's: they reach the headline, the lists and the charts.
    hostile = '<img src=x onerror="alert(1)">'
    labelled = replace(inputs, labels={t: f"{hostile} {t}" for t in inputs.types})
    area = areas.resolve("lad:Blackpool", areas.catalogue(inputs.neighbourhoods.table))
    html = document.to_html(report.build_pack(area, labelled))
    assert "<img src=x" not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 2 * len(inputs.types)


def test_markdown_html_keeps_bold_and_escapes_the_rest() -> None:
    assert document.markdown_html(r"In **A \<b\> \& B**: 1\.5") == (
        "In <strong>A &lt;b&gt; &amp; B</strong>: 1.5"
    )
    assert document.markdown_html("**open") == "<strong>open</strong>"
