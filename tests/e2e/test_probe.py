"""The harness itself, on a real map: every LSOA of one ICB drawn in chromium with no internet."""

from __future__ import annotations

from pathlib import Path

import folium
import pytest
from branca.colormap import StepColormap
from playwright.sync_api import Page

from assetmap.data import store
from assetmap.presentation import offline
from tests.e2e.harness import (
    NetworkLog,
    StreamlitServer,
    count_features,
    map_frame,
    screenshot,
    wait_for_app,
    wait_for_features,
    wait_for_map,
)

pytestmark = pytest.mark.e2e

#: Cheshire and Merseyside (NHS code QYG), as drawn by probe_map.py.
ICB = "QYG"
LSOAS = 1_601


def test_probe_map_draws_every_lsoa_offline(
    probe_server: StreamlitServer, page: Page, network: NetworkLog
) -> None:
    page.goto(probe_server.url)
    wait_for_app(page)
    frame = wait_for_map(page)
    assert wait_for_features(map_frame(page), LSOAS) == LSOAS
    assert frame.locator("path.leaflet-interactive").count() == LSOAS
    # The legend is branca's, drawn by the vendored d3: its colour steps are SVG rects.
    assert frame.locator(".legend svg rect").count() >= 10
    screenshot(page, "probe_map_qyg")
    network.assert_local()
    vendored = [url for url in network.requests if "/app/static/vendor/" in url]
    assert any(url.endswith("/leaflet/dist/leaflet.js") for url in vendored)
    assert any(url.endswith("/d3/d3.min.js") for url in vendored)


def test_standalone_html_draws_from_a_file_offline(
    page: Page, network: NetworkLog, tmp_path: Path
) -> None:
    lsoas = store.load_lsoas(geometry=True, columns=["icb24cdh", "imd_decile"])
    area = lsoas[lsoas["icb24cdh"] == ICB]
    scale = StepColormap(["#b2182b", "#2166ac"], index=[1, 6, 11], vmin=1, vmax=11, caption="IMD")
    m = folium.Map(tiles=None)
    m.fit_bounds([[53.0, -3.2], [53.7, -2.2]])
    folium.GeoJson(
        area[["lsoa21cd", "imd_decile", "geometry"]],
        style_function=lambda f: {"fillColor": scale(f["properties"]["imd_decile"])},
    ).add_to(m)
    scale.add_to(m)
    path = tmp_path / "map.html"
    path.write_text(offline.standalone_html(m), encoding="utf-8")

    page.goto(path.as_uri())
    assert wait_for_features(page, LSOAS) == LSOAS
    assert page.locator(".leaflet-overlay-pane path").count() == LSOAS
    assert page.locator(".legend svg rect").count() >= 2
    network.assert_local()
    # Self-contained: the page itself is the only file it loaded.
    assert [url for url in network.requests if not url.startswith("data:")] == [path.as_uri()]
    assert count_features(page) == LSOAS
