"""The evidence pack from the dashboard (AppTest on the real build): the same button on Home,
Map, Gap table and Area profile makes the selected view's PDF and data zip, whose text carries
the figures the page shows."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from assetmap.geography import areas
from assetmap.measures import metrics
from tests.conftest import COMMUNITY_TYPES
from tests.test_pages import _open

PAGES = ["app.py", "pages/1_Map.py", "pages/2_Gap_table.py", "pages/3_Area_profile.py"]


def _made(at: AppTest) -> tuple[str, bytes]:
    """The PDF's text and the zip the page made."""
    _, pdf, zipped = at.session_state["evidence_made"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split()), zipped


def _labels(at: AppTest) -> list[str]:
    return [str(getattr(b, "label", "")) for b in at.get("download_button")]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_makes_the_pack_of_its_view(
    data_dir: Path, page: str, community_metrics: pd.DataFrame
) -> None:
    at = _open(None if page == "app.py" else page, area="lad:E06000001")
    assert not [b for b in _labels(at) if "PDF" in b]
    at.button(key="evidence_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = _labels(at)
    assert any(label.startswith("Download the PDF (") for label in labels)
    assert any(label.startswith("Download its data (zip") for label in labels)
    text, zipped = _made(at)
    assert "Hartlepool" in text
    local = areas.select(community_metrics, areas.Area("lad", "E06000001", "Hartlepool"))
    assert f"{int(local['population'].sum()):,}" in text
    top = metrics.gap_table(
        community_metrics,
        areas.Area("lad", "E06000001", "Hartlepool"),
        types=COMMUNITY_TYPES,
        need="imd",
    )["lsoa21cd"].iloc[0]
    assert top in text
    names = zipfile.ZipFile(io.BytesIO(zipped)).namelist()
    assert any(n.endswith(".gpkg") for n in names)
    assert any(n.endswith(".csv") for n in names)


def test_an_own_area_with_a_hostile_name_makes_a_pack_of_text(
    data_dir: Path, lsoas: pd.DataFrame
) -> None:
    codes = sorted(lsoas.loc[lsoas["lad24cd"] == "E06000001", "lsoa21cd"])[:4]
    at = _open(area="own:" + ",".join(codes), area_name="<script>alert(1)</script>")
    at.button(key="evidence_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text, _ = _made(at)
    assert "<script>alert(1)</script>" in text  # shown as the characters typed, not run
