"""An upload whose types and names carry script, in Chromium: nothing of it runs, anywhere.

The register's type labels and names are HTML with script in it, Markdown images of a remote
host and Streamlit directives. The Home page names the types and the Map page draws them (layer
control, legend, tooltips); the saved HTML map, opened alone with no network, does too. No
dialog may open, no payload may set ``window.__pwned`` (in the page, the map's iframe or any
frame) and no request may leave this machine.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Error, Page, Request, Route

from assetmap.data import store
from tests.e2e.harness import (
    FOLIUM_IFRAME,
    TIMEOUT_MS,
    NetworkLog,
    StreamlitServer,
    map_frame,
    wait_for_app,
    wait_for_map,
)

pytestmark = pytest.mark.e2e

HOST = "198.51.100.1"  # TEST-NET-2: no such host
LEEDS = "E08000035"
#: Type labels: each would run script, fetch from HOST or style the page were it markup.
TYPES = [
    "<img src=x onerror=alert(window.__pwned=1)>",
    "<iframe src=javascript:alert(parent.__pwned=2)></iframe>",
    "<a href=javascript:alert(3) id=pwnlink>x</a>",
    "<script>alert(window.__pwned=4)</script>",
    f"![x](http://{HOST}/u.png) <img src=http://{HOST}/i.png>",
    ":red[Red] :material/home: $x^2$ Tea & biscuits",
]
#: Names of the uploaded places.
NAMES = [
    '"><img src=x onerror=alert(window.__pwned=5)>',
    "<svg onload=alert(window.__pwned=6)>",
    "</script><script>alert(window.__pwned=7)</script>",
    f"<img src=http://{HOST}/n.png> & co",
]
TIMEOUT = 120_000
PWNED = "() => typeof window.__pwned === 'undefined' ? null : String(window.__pwned)"


def _register() -> str:
    """A CSV of real Leeds postcodes of the built assets, one row per type, hostile throughout."""
    assets = store.load_assets()
    lsoas = store.load_lsoas(columns=["lsoa21cd", "lad24cd"])
    leeds = assets.merge(lsoas, on="lsoa21cd")
    leeds = leeds[(leeds["lad24cd"] == LEEDS) & (leeds["located_by"] == "postcode")]
    postcodes = leeds["postcode"].dropna().drop_duplicates().head(2 * len(TYPES)).tolist()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "Postcode", "Type"])
    for i, postcode in enumerate(postcodes):
        writer.writerow([NAMES[i % len(NAMES)], postcode, TYPES[i % len(TYPES)]])
    return out.getvalue()


def _choose(page: Page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option.split(" (")[0])
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def _no_script_ran(page: Page, dialogs: list[str]) -> None:
    """No dialog opened and no payload set its flag, in the page or any frame of it."""
    assert dialogs == [], dialogs
    for frame in page.frames:
        try:
            assert frame.evaluate(PWNED) is None, frame.url
        except Error:
            # Only a frame that went away while being read (a rerun swaps iframes) is let off.
            if not frame.is_detached():
                raise


def _shows_as_text(root: Page, frame_selector: str | None = None) -> tuple[list[str], str]:
    """The layer control's names and the legend's text of the map in a page or its iframe."""
    scope = root.frame_locator(frame_selector) if frame_selector else root
    labels = scope.locator(".leaflet-control-layers-overlays label").all_text_contents()
    legend = " ".join(scope.locator(".assetmap-legend").all_text_contents())
    # None of the data became an element: no image, frame, link or vector of its own.
    for selector in ("img[src='x']", "iframe", "#pwnlink", "svg[onload]", f"img[src*='{HOST}']"):
        assert scope.locator(selector).count() == 0, selector
    return labels, legend


def test_hostile_upload_is_text_on_the_pages_and_in_the_saved_map(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    browser: Browser,
    tmp_path: Path,
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(app_server.url + "Upload")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": _register().encode("utf-8")}
    )
    button = page.get_by_role("button", name="Map these assets")
    button.wait_for(timeout=TIMEOUT)
    button.click()
    page.get_by_text(re.compile(r"^Every (row|line) accounted for")).wait_for(timeout=TIMEOUT)
    _no_script_ran(page, dialogs)

    # Home names every type in its caption and headline: as the characters typed.
    page.get_by_role("link", name="Home").click()
    wait_for_app(page)
    caption = page.get_by_text(re.compile(r"^Counting ")).first.inner_text(timeout=TIMEOUT)
    for label in TYPES:
        assert f"{label} (your upload)" in caption.replace("\u2060", ""), (label, caption)
    _no_script_ran(page, dialogs)

    # The Map page, for Leeds (chosen in the sidebar: a new URL would be a new session).
    page.get_by_role("link", name="Map").click()
    wait_for_app(page)
    _choose(page, "Geography level", "Local authority")
    _choose(page, "Local authority (type to search by name or code)", f"Leeds ({LEEDS})")
    page.get_by_role("heading", name=re.compile("Map: Local authority: Leeds")).wait_for()
    wait_for_app(page)
    # Open the layer control, as a user pointing at it does, and read it and the legend back.
    # A rerun can still swap the map's iframe for a new one (both stand for a moment): each try
    # waits until one map is left.
    for attempt in range(3):
        try:
            control = wait_for_map(page)
            control.locator(".leaflet-control-layers").hover()
            control.locator(".leaflet-control-layers-expanded").wait_for()
            break
        except Error:
            if attempt == 2:
                raise
    frame = map_frame(page)
    labels, legend = _shows_as_text(page, FOLIUM_IFRAME)
    for label in TYPES:
        assert any(f"{label} (your upload) (" in text for text in labels), (label, labels)
        assert f"{label} (your upload)" in legend, (label, legend)
    shots = [tmp_path / "map_hostile_layers.png"]
    page.screenshot(path=str(shots[-1]))
    # A tooltip of an uploaded place: its name and type as text.
    spot = frame.evaluate(
        """() => {
            let out = null;
            window.map.eachLayer(l => {
                if (out || !l.assetmapPixel) return;
                l._d.values.split("\\n").forEach((packed, i) => {
                    if (!out && packed.includes("__pwned=5")) out = l.assetmapPixel(i);
                });
            });
            return out && [out.x, out.y];
        }"""
    )
    assert spot, "the uploaded places are not on the map"
    container = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-container")
    container.hover(position={"x": spot[0], "y": spot[1]})
    tooltip = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-tooltip")
    tooltip.wait_for()
    tip = tooltip.inner_text()
    assert NAMES[0] in tip, tip
    shots.append(tmp_path / "map_hostile_tooltip.png")
    page.screenshot(path=str(shots[-1]))
    _no_script_ran(page, dialogs)

    # The saved HTML map.
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Save map (HTML)").click()
    saved = tmp_path / "saved_map.html"
    saved.write_bytes(info.value.path().read_bytes())
    _no_script_ran(page, dialogs)
    network.assert_local()

    # Opened alone, in a fresh browser context that lets nothing through but the file itself.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    blocked: list[str] = []

    def route(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    def on_request(request: Request) -> None:
        requests.append(request.url)

    # Nothing goes out: every web request is aborted (and recorded); every request at all,
    # files included, is recorded.
    context.route(re.compile(r"^(?:https?|wss?|ftp)://"), route)
    context.on("request", on_request)
    offline_dialogs: list[str] = []
    alone = context.new_page()
    alone.set_default_timeout(TIMEOUT_MS)

    def on_offline_dialog(dialog: Dialog) -> None:
        offline_dialogs.append(dialog.message)
        dialog.dismiss()

    alone.on("dialog", on_offline_dialog)
    try:
        alone.goto(saved.as_uri())
        alone.locator(".leaflet-overlay-pane canvas").first.wait_for()
        alone.locator(".leaflet-control-layers").hover()
        alone.locator(".leaflet-control-layers-expanded").wait_for()
        labels, legend = _shows_as_text(alone)
        for label in TYPES:
            assert any(f"{label} (your upload) (" in text for text in labels), (label, labels)
            assert legend.count(f"{label} (your upload)") == 1, (label, legend)
        shots.append(tmp_path / "saved_map_hostile.png")
        alone.screenshot(path=str(shots[-1]))
        alone.wait_for_timeout(500)  # any image's error handler has had its turn
        _no_script_ran(alone, offline_dialogs)
        others = [u for u in requests if u != saved.as_uri() and not u.startswith("data:")]
        assert others == [], others
        assert blocked == [], blocked
    finally:
        context.close()
    print("screenshots:", *shots)
