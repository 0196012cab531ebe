"""The Plan a site page in chromium with no internet: a site added by clicking the map.

The click lands on the residence point of a Core20 LSOA of Hartlepool with no library within
walking distance (worked out here from the built data); the page must add a site there, redraw
the map with it, report that LSOA's residents as gaining and carry the scenario in its link.
"""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from pyproj import Transformer

from assetmap import settings
from assetmap.data import store
from assetmap.measures import scenariofile
from tests.e2e.harness import (
    FOLIUM_IFRAME,
    TIMEOUT_MS,
    NetworkLog,
    StreamlitServer,
    map_frame,
    screenshot,
    wait_for_app,
)
from tests.e2e.test_pages import (
    assert_axe_clean,
    assert_canvas_painted,
    assert_no_error_box,
    open_page,
    wait_for_shapes,
)

pytestmark = pytest.mark.e2e

LAD = "E06000001"  # Hartlepool
D = settings.WALK_DISTANCE_M

#: The map container's pixel of a latitude and longitude, and whether the map itself (not the
#: legend or a control) is what lies under it.
PIXEL_JS = """
([lat, lng]) => {
  const p = window.map.latLngToContainerPoint([lat, lng]);
  const box = window.map.getContainer().getBoundingClientRect();
  const el = document.elementFromPoint(box.left + p.x, box.top + p.y);
  const free = !!(el && el.closest(".leaflet-container") && !el.closest(".leaflet-control")
    && !el.closest(".assetmap-legend"));
  return {x: p.x, y: p.y, free};
}
"""

#: Asset points painted, per layer name.
POINTS_JS = """
() => {
  let n = 0;
  window.map.eachLayer((layer) => { n += layer.assetmapPoints || 0; });
  return n;
}
"""


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def wait_for_legend(page: Page, text: str, timeout_s: float = 60) -> None:
    """Wait until the one map on the page (a rerun swaps it: two for a moment) has ``text`` in
    its legend."""
    deadline = time.monotonic() + timeout_s
    shown = ""
    while time.monotonic() < deadline:
        try:
            frames = page.query_selector_all(FOLIUM_IFRAME)
            if len(frames) == 1 and (inner := frames[0].content_frame()) is not None:
                legend = inner.query_selector(".assetmap-legend")
                shown = legend.inner_text() if legend else ""
                if text in shown:
                    return
        except PlaywrightError:
            pass  # the iframe was replaced while we looked
        page.wait_for_timeout(200)
    pytest.fail(f"the map's legend never showed {text!r}; it shows {shown!r}", pytrace=False)


def steady_pixel(page: Page, lat: float, lon: float) -> dict[str, Any]:
    """:data:`PIXEL_JS` once the map has stopped moving (the same answer twice, 200 ms apart):
    a map drawn again by a rerun fits its bounds after it appears."""
    spot = map_frame(page).evaluate(PIXEL_JS, [lat, lon])
    for _ in range(50):
        page.wait_for_timeout(200)
        again = map_frame(page).evaluate(PIXEL_JS, [lat, lon])
        if again == spot:
            return dict(again)
        spot = again
    pytest.fail(f"the map kept moving: {spot}", pytrace=False)


def click_map(page: Page, spot: dict[str, Any]) -> None:
    """Click the map at a container pixel, the whole map scrolled into view first (a click that
    has to scroll the page lands where the map was before the scroll ended)."""
    container = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-container")
    container.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    container.click(position={"x": spot["x"], "y": spot["y"]})


def _target() -> tuple[pd.Series, int, int, pd.DataFrame]:
    """A bare Core20 LSOA of Hartlepool (no library within reach of its residence point), the
    area's LSOA count, the residents a library at that point would newly reach and the
    area's libraries."""
    lsoas = store.load_lsoas(columns=["lsoa21cd", "lad24cd", "core20", "population"])
    area = lsoas[lsoas["lad24cd"] == LAD].merge(store.load_residence(), on="lsoa21cd")
    assets = store.load_assets()
    libs = assets.loc[assets["asset_type"] == "library", ["easting", "northing"]].to_numpy()
    homes = area[["res_easting", "res_northing"]].to_numpy(dtype="float64")
    d = np.hypot(homes[:, None, 0] - libs[None, :, 0], homes[:, None, 1] - libs[None, :, 1])
    bare = (d <= D).sum(axis=1) == 0
    # The bare Core20 LSOA whose home is nearest the middle of the area: clear of the edges.
    middle = homes.mean(axis=0)
    pick = np.flatnonzero(bare & area["core20"].to_numpy())
    at = pick[np.argmin(np.hypot(*(homes[pick] - middle).T))]
    target = area.iloc[at]
    reach = np.hypot(*(homes - homes[at]).T) <= D
    gain = int(area.loc[reach & bare, "population"].sum())
    inside = assets[(assets["asset_type"] == "library") & assets["lsoa21cd"].isin(area["lsoa21cd"])]
    return target, len(area), gain, inside


def test_clicking_the_map_adds_a_site_and_reports_who_gains(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    target, count, gain, libraries = _target()
    to_wgs84 = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORE, always_xy=True)
    lon, lat = to_wgs84.transform(target["res_easting"], target["res_northing"])

    open_page(page, app_server, f"Plan_a_site?area=lad:{LAD}&types=library")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hartlepool")
    wait_for_shapes(page, ["E01"], count, page_errors)
    assert_canvas_painted(page, "E01")
    points_before = int(map_frame(page).evaluate(POINTS_JS))

    # A click outside the area adds nothing, and says why.
    corner = {"x": 120, "y": 520}
    assert map_frame(page).evaluate(
        "([x, y]) => { const b = window.map.getContainer().getBoundingClientRect();"
        " const el = document.elementFromPoint(b.left + x, b.top + y);"
        " return !!el && !el.closest('.leaflet-control, .assetmap-legend'); }",
        [corner["x"], corner["y"]],
    )
    click_map(page, corner)
    expect(page.get_by_text("no site added. Click inside the area.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"outside Hartlepool|not in an English"))).to_be_visible()
    assert "scenario=" not in page.url

    spot = steady_pixel(page, lat, lon)
    assert spot["free"], "the point to click is under the legend or a control"
    click_map(page, spot)

    expect(page.get_by_text("New site added at")).to_be_visible(timeout=TIMEOUT_MS)
    gaining = page.locator("[data-testid='stMetric']").filter(has_text="Residents gaining access")
    expect(gaining).to_contain_text(f"{gain:,}", timeout=TIMEOUT_MS)
    # The map is drawn again, after the scenario, with the new site on it.
    wait_for_shapes(page, ["E01"], count, page_errors)
    wait_for_legend(page, "New sites (1)")
    wait_for_legend(page, "Walking access, after")
    assert int(map_frame(page).evaluate(POINTS_JS)) == points_before + 1
    assert_canvas_painted(page, "E01")
    # The link carries the scenario: a site within a metre or two of the point clicked.
    page.wait_for_function("() => location.search.includes('scenario=v1.')")
    value = page.evaluate("() => new URLSearchParams(location.search).get('scenario')")
    saved = scenariofile.decode_url(value, f"lad:{LAD}")
    (site,) = saved.scenario.add
    off = np.hypot(site.easting - target["res_easting"], site.northing - target["res_northing"])
    assert off < 30, f"the site is {off:.0f} m from the point clicked"

    # The best sites, chosen greedily, are marked on the map too.
    page.locator(".st-key-plan_best_on").get_by_text("Find the best sites").click()
    expect(page.get_by_text("Greedy choice, pick by pick")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_legend(page, "Best sites (5)")
    wait_for_shapes(page, ["E01"], count, page_errors)
    assert int(map_frame(page).evaluate(POINTS_JS)) == points_before + 1 + 5
    assert_canvas_painted(page, "E01")

    # Closing by a click: on a library of the area, in "closes the nearest asset" mode.
    page.locator(".st-key-plan_click_mode").get_by_text("closes the nearest asset").click()
    wait_for_app(page)
    wait_for_legend(page, "Best sites (5)")
    wait_for_shapes(page, ["E01"], count, page_errors)
    steady_pixel(page, lat, lon)
    for _, lib in libraries.iterrows():
        lon, lat = to_wgs84.transform(lib["easting"], lib["northing"])
        spot = map_frame(page).evaluate(PIXEL_JS, [lat, lon])
        if spot["free"] and 40 < spot["x"] < 600 and 40 < spot["y"] < 500:
            break
    else:
        pytest.fail("no library of the area lies clear of the legend")
    click_map(page, spot)
    expect(page.get_by_text(re.compile(r"^Closed "))).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_legend(page, "Closed in this scenario (1)")
    page.wait_for_function(
        "(old) => new URLSearchParams(location.search).get('scenario') !== old", arg=value
    )
    value = page.evaluate("() => new URLSearchParams(location.search).get('scenario')")
    assert scenariofile.decode_url(value, f"lad:{LAD}").scenario.close == (lib["asset_id"],)

    page.locator(FOLIUM_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    path = screenshot(page, "plan_a_site")
    assert path.stat().st_size > 20_000
    assert_axe_clean(page)
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()
