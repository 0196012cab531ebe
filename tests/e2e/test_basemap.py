"""The Map page in chromium: no request leaves the machine until the background map is turned on,
then only its tiles are asked for; the legend collapses and opens, and starts collapsed on a
small screen; the map fits the window."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.harness import FOLIUM_IFRAME, NetworkLog, StreamlitServer, map_frame, screenshot
from tests.e2e.test_pages import ENGLAND_ICBS, QYG, QYG_LSOAS, open_page, wait_for_shapes

pytestmark = pytest.mark.e2e

#: What the browser asks OpenStreetMap for (as ``network.blocked`` records it).
TILE = re.compile(r"GET https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png")
TOGGLE = "Background map (OpenStreetMap; loads tiles from the internet)"

#: The tile layers on streamlit-folium's map, and the attribution control's text.
TILES_JS = """
() => {
  const urls = [];
  window.map.eachLayer((layer) => { if (layer instanceof L.TileLayer) urls.push(layer._url); });
  const credit = document.querySelector(".leaflet-control-attribution");
  return {urls, attribution: credit ? credit.textContent : ""};
}
"""


def test_no_request_leaves_until_the_background_map_is_on(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    expected_remote: list[re.Pattern[str]],
) -> None:
    open_page(page, app_server, "Map")
    wait_for_shapes(page, ["E54"], ENGLAND_ICBS, page_errors)
    toggle = page.get_by_role("switch", name=TOGGLE)
    expect(toggle).not_to_be_checked()
    page.wait_for_timeout(500)  # anything the map would fetch late
    assert network.blocked == []
    assert map_frame(page).evaluate(TILES_JS)["urls"] == []
    assert "basemap" not in page.url

    # Turned on: the tiles are asked for (and, this machine being offline, refused), nothing else.
    expected_remote.append(TILE)
    page.get_by_text(TOGGLE).click()
    page.wait_for_function("() => location.search.includes('basemap=osm')")
    wait_for_shapes(page, ["E54"], ENGLAND_ICBS, page_errors)
    for _ in range(50):
        if network.blocked:
            break
        page.wait_for_timeout(100)
    tiles = map_frame(page).evaluate(TILES_JS)
    assert tiles["urls"] == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    assert "OpenStreetMap contributors" in tiles["attribution"]
    assert network.blocked, "no tile was asked for"
    assert all(TILE.fullmatch(url) for url in network.blocked), network.blocked[:5]
    # The shapes still draw over the (missing) tiles.
    assert not page_errors, page_errors


def test_legend_collapses_and_opens_and_the_scale_bar_stays(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    open_page(page, app_server, f"Map?area=icb:{QYG}")
    wait_for_shapes(page, ["E01"], QYG_LSOAS, page_errors)
    frame = page.frame_locator(FOLIUM_IFRAME)
    legend = frame.locator(".assetmap-legend").first
    button = legend.get_by_role("button", name="Hide the legend")
    swatches = legend.locator(".assetmap-legend-swatch")
    expect(swatches.first).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")

    # The scale bar stays, beside the legend.
    assert map_frame(page).evaluate("() => !!document.querySelector('.leaflet-control-scale')")

    button.click()
    expect(swatches.first).to_be_hidden()
    expect(legend.locator(".assetmap-legend-note")).to_be_hidden()
    expect(legend.locator(".assetmap-legend-title")).to_be_visible()
    shown = legend.get_by_role("button", name="Show the legend")
    expect(shown).to_have_attribute("aria-expanded", "false")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.locator(FOLIUM_IFRAME).evaluate("(el) => el.scrollIntoView({block: 'end'})")
    screenshot(page, "map_legend_collapsed")
    shown.click()
    expect(swatches.first).to_be_visible()
    expect(legend.get_by_role("button", name="Hide the legend")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert not page_errors, page_errors
    network.assert_local()


def test_legend_starts_collapsed_on_a_small_screen(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    page.set_viewport_size({"width": 600, "height": 500})
    open_page(page, app_server, "Map")
    wait_for_shapes(page, ["E54"], ENGLAND_ICBS, page_errors)
    legend = page.frame_locator(FOLIUM_IFRAME).locator(".assetmap-legend")
    expect(legend.locator(".assetmap-legend-title")).to_be_visible()
    expect(legend.locator(".assetmap-legend-swatch").first).to_be_hidden()
    button = legend.get_by_role("button", name="Show the legend")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(legend.locator(".assetmap-legend-swatch").first).to_be_visible()
    # Still real text, for screen readers, when collapsed: the body is only hidden.
    assert "Gap score" in (legend.text_content() or "")
    assert not page_errors, page_errors
    network.assert_local()
