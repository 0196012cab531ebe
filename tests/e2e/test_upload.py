"""Uploads in Chromium: hostile names stay text, each session sees only its own register, and a
file whose stray quote marks ran lines together is named line by line and read again with
quoting off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.e2e.harness import (
    APP,
    FOLIUM_IFRAME,
    NetworkLog,
    StreamlitServer,
    map_frame,
    screenshot,
    wait_for_app,
    wait_for_map,
)
from ui import sessionkey

pytestmark = pytest.mark.e2e

HOSTILE = "<img src=x onerror=window.__xss=1>"
# Real Leeds and Manchester postcodes; the hostile name sits in Leeds.
CSV = (
    "Name,Postcode,Type\n"
    f'"{HOSTILE}",LS1 1UR,Food bank\n'
    '=HYPERLINK("http://example.invalid"),M1 1AE,Food bank\n'
    "Unknown place,ZZ9 9ZZ,Food bank\n"
)
TIMEOUT = 120_000
DATA = Path(__file__).parents[1] / "data"


def _upload(page: Page, server: StreamlitServer, name: str, body: str | bytes) -> None:
    page.goto(server.url + "Upload")
    wait_for_app(page)
    data = body.encode("utf-8") if isinstance(body, str) else body
    page.locator("input[type='file']").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    button = page.get_by_role("button", name="Map these assets")
    button.wait_for(timeout=TIMEOUT)
    button.click()


def _choose(page: Page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option.split(" (")[0])
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def test_hostile_names_are_shown_as_text(
    app_server: StreamlitServer, page: Page, network: NetworkLog
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    _upload(page, app_server, "hostile.csv", CSV)
    page.get_by_text("Every line accounted for").wait_for(timeout=TIMEOUT)
    expect(page.get_by_text("Data lines", exact=True)).to_be_visible()
    screenshot(page, "upload")
    # Leeds on the map, chosen with the sidebar (a new URL would start a new session, and the
    # upload lives only in this one); then hover every uploaded point with the real mouse and
    # read its tooltip back.
    page.get_by_role("link", name="Map").click()
    wait_for_app(page)
    _choose(page, "Geography level", "Local authority")
    _choose(page, "Local authority (type to search by name or code)", "Leeds (E08000035)")
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile("Map: Local authority: Leeds")).wait_for()
    wait_for_map(page)
    frame = map_frame(page)
    spots = frame.evaluate(
        """() => {
            const out = [];
            window.map.eachLayer(l => {
                if (!l.assetmapPixel) return;
                // A layer's tooltip texts travel as one string: a line per point, tab-separated.
                l._d.values.split("\\n").forEach((packed, i) => {
                    if (packed.split("\\t")[0].includes("onerror")) {
                        const p = l.assetmapPixel(i);
                        out.push([p.x, p.y]);
                    }
                });
            });
            return out;
        }"""
    )
    assert spots, "the uploaded point is not on the map"
    container = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-container")
    tooltip = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-tooltip")
    texts = []
    for x, y in spots:
        container.hover(position={"x": x, "y": y})
        tooltip.wait_for()
        texts.append(tooltip.inner_text())
    assert any(HOSTILE in t for t in texts), texts[:5]
    assert frame.locator("img[src='x']").count() == 0
    assert frame.evaluate("() => window.__xss") is None
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []
    network.assert_local()


def test_each_session_sees_only_its_own_upload(
    app_server: StreamlitServer, browser: Browser
) -> None:
    sessions = 25
    contexts = [
        browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(sessions)
    ]
    try:
        pages = [c.new_page() for c in contexts]
        for i, page in enumerate(pages):
            body = f"Name,Postcode,Type\nHub {i} centre,LS1 1UR,Hub {i}\n"
            _upload(page, app_server, f"register_{i}.csv", body)
        for page in pages:
            page.get_by_text("Every line accounted for").wait_for(timeout=TIMEOUT)
        for i, page in enumerate(pages):
            page.get_by_role("link", name="Home").click()
            wait_for_app(page)
            caption = page.get_by_text(re.compile(r"^Counting ")).first.inner_text(timeout=TIMEOUT)
            assert f"Hub {i} (your upload)" in caption, caption
            others = [j for j in range(sessions) if j != i and f"Hub {j} (" in caption]
            assert others == [], f"session {i} sees uploads of sessions {others}"
    finally:
        for c in contexts:
            c.close()


def _metrics(page: Page) -> dict[str, str]:
    """The page's metrics, label -> value."""
    boxes = page.locator("[data-testid='stMetric']")
    boxes.first.wait_for(timeout=TIMEOUT)
    return {
        box.locator("[data-testid='stMetricLabel']").inner_text().strip(): box.locator(
            "[data-testid='stMetricValue']"
        )
        .inner_text()
        .strip()
        for box in boxes.all()
    }


def test_stray_quotes_are_named_and_quoting_off_reads_every_line(
    app_server: StreamlitServer, page: Page, network: NetworkLog
) -> None:
    _upload(page, app_server, "stray_quotes.csv", (DATA / "stray_quotes.csv").read_bytes())
    page.get_by_text("Every line accounted for").wait_for(timeout=TIMEOUT)
    expect(page.get_by_text(re.compile(r"lines 11-41 were read as one row")).first).to_be_visible()
    lines = {"Data lines": "60", "Mapped": "29", "Reported (not mapped)": "31"}
    assert _metrics(page) == lines
    page.locator("[data-testid='stCheckbox']").filter(has_text="Quoting off").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"lines 11-41 were read"))).to_have_count(0)
    page.get_by_role("button", name="Map these assets").click()
    page.get_by_text("Every line accounted for").wait_for(timeout=TIMEOUT)
    wait_for_app(page)
    assert _metrics(page) == {"Data lines": "60", "Mapped": "60", "Reported (not mapped)": "0"}
    network.assert_local()


def test_a_reload_and_a_server_restart_restore_the_upload_of_this_browser_only(
    tmp_path: Path, page: Page, browser: Browser, network: NetworkLog
) -> None:
    server = StreamlitServer(APP, tmp_path / "app.log", upload_dir=tmp_path / "uploads")
    server.start()
    try:
        body = "Name,Postcode,Type\nKept hub,LS1 1UR,Kept hub\n"
        _upload(page, server, "kept.csv", body)
        page.get_by_text("Every line accounted for").wait_for(timeout=TIMEOUT)
        cookies = {c["name"]: c for c in page.context.cookies()}
        cookie = cookies[sessionkey.COOKIE]
        assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
        assert sessionkey.COOKIE not in page.evaluate("document.cookie")  # no script reads it
        assert [p.name for p in (tmp_path / "uploads").iterdir()] == [cookie["value"]]

        def counted_after_reload(url: str) -> str:
            page.goto(url)
            wait_for_app(page)
            caption = page.get_by_text(re.compile(r"^Counting ")).first
            return caption.inner_text(timeout=TIMEOUT)

        assert "Kept hub (your upload)" in counted_after_reload(server.url)
        expect(
            page.get_by_text(re.compile("Your upload .kept.csv. is counted again"))
        ).to_be_visible()
        server.stop()
        server.start()  # a new process: nothing in memory
        assert "Kept hub (your upload)" in counted_after_reload(server.url)

        other = browser.new_context()
        try:
            stranger = other.new_page()
            stranger.goto(server.url)
            wait_for_app(stranger)
            caption = stranger.get_by_text(re.compile(r"^Counting ")).first
            assert "your upload" not in caption.inner_text(timeout=TIMEOUT)
        finally:
            other.close()

        page.goto(server.url + "Upload")
        wait_for_app(page)
        page.get_by_role("button", name="Remove my upload").click()
        expect(page.get_by_text(re.compile("^In use: "))).to_have_count(0, timeout=TIMEOUT)
        assert list((tmp_path / "uploads").iterdir()) == []
        assert "your upload" not in counted_after_reload(server.url)
    finally:
        server.stop()
    network.assert_local()
