"""The evidence pack in chromium: made with a progress bar from the Gap table, downloaded, and
the PDF's text and link checked; nothing leaves the machine."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.harness import TIMEOUT_MS, NetworkLog, StreamlitServer
from tests.e2e.test_pages import assert_no_error_box, open_page, read_download

pytestmark = pytest.mark.e2e

HARTLEPOOL = "E06000001"


def test_gap_table_makes_and_hands_over_the_pack(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    open_page(page, app_server, f"Gap_table?area=lad:{HARTLEPOOL}")
    page.get_by_text("Evidence pack: this view as a board paper").click()
    page.get_by_role("button", name="Make the evidence pack").click()
    pdf_button = page.get_by_role("button", name="Download the PDF")
    expect(pdf_button).to_be_visible(timeout=TIMEOUT_MS)
    name, pdf = read_download(page, pdf_button.click)
    assert name == f"assetmap_evidence_lad-{HARTLEPOOL}.pdf"
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Hartlepool" in text
    # The link back is the address this browser used, with the view's choices.
    links = [
        a["/A"]["/URI"]
        for p in reader.pages
        for a in (x.get_object() for x in p.get("/Annots", []))
        if "/A" in a and "/URI" in a["/A"]
    ]
    back = [u for u in links if "area=" in u]
    assert back, links
    parts = urlsplit(back[0])
    assert f"{parts.scheme}://{parts.netloc}/" == app_server.url
    assert parse_qs(parts.query)["area"] == [f"lad:{HARTLEPOOL}"]
    zip_button = page.get_by_role("button", name="Download its data")
    zname, zipped = read_download(page, zip_button.click)
    assert zname.endswith(".zip")
    assert zipped.startswith(b"PK")
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()
