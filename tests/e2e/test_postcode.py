"""The search near a postcode in chromium: typed in the sidebar of the Map page, its figures
shown, the circle painted on the map's canvas with the assets found ringed; then a click on the
map (with the toggle on) searches near the point clicked."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import geopandas as gpd
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from assetmap import settings
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.measures import near
from assetmap.presentation import nearmap
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
    BOM,
    assert_canvas_painted,
    assert_no_error_box,
    open_page,
    read_download,
    wait_for_shapes,
)

pytestmark = pytest.mark.e2e

LIVERPOOL = "E08000012"
#: Anfield, Liverpool: Core20 neighbourhoods with a library, GP practices and a museum near.
POSTCODE = "L4 0TH"
DISTANCE = 1000.0
TYPES = ",".join(ASSET_SOURCES)

#: What the map shows of the search: the circle's outline sampled on the canvas at each of the
#: vertices given (latitude, longitude), the highlighted assets and the centre painted.
SEARCH_JS = """
async ([ring, key, rgb]) => {
  if (typeof L === "undefined" || !(window.map instanceof L.Map)) return null;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  let circle = null, found = 0, centre = 0, centreAt = null;
  window.map.eachLayer((layer) => {
    if ((layer.assetmapKeys || []).includes(key)) circle = layer;
    if (layer.assetmapSearch === "found") found += layer.assetmapPoints || 0;
    if (layer.assetmapSearch === "centre") {
      centre += layer.assetmapPoints || 0;
      const at = layer._tipAt(0);
      centreAt = [at.lat, at.lng];
    }
  });
  if (!circle) return null;
  const canvas = circle.assetmapCanvas(), ctx = canvas.getContext("2d");
  const c = canvas.getBoundingClientRect(), m = window.map.getContainer().getBoundingClientRect();
  const sx = canvas.width / c.width, sy = canvas.height / c.height;
  let inView = 0, hits = 0;
  const misses = [];
  for (const [lat, lng] of ring) {
    const p = window.map.latLngToContainerPoint([lat, lng]);
    const x = Math.round((p.x - (c.left - m.left)) * sx);
    const y = Math.round((p.y - (c.top - m.top)) * sy);
    if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) continue;
    inView += 1;
    const d = ctx.getImageData(x, y, 1, 1).data;
    const near = Math.abs(d[0] - rgb[0]) + Math.abs(d[1] - rgb[1]) + Math.abs(d[2] - rgb[2]);
    if (d[3] > 200 && near < 60) hits += 1;
    else misses.push([x, y, d[0], d[1], d[2], d[3]]);
  }
  return {inView, hits, found, centre, centreAt, misses};
}
"""


_RGB = [int(nearmap.CIRCLE_COLOUR[i : i + 2], 16) for i in (1, 3, 5)]


@pytest.fixture(scope="module")
def among() -> near.Searchable:
    return near.Searchable.build(store.load_assets(), store.load_residence(), store.load_lsoas())


@pytest.fixture(scope="module")
def place() -> near.Place:
    return near.place_of_postcode(POSTCODE, PostcodeDirectory.load())


def _ring(place: near.Place, distance: float) -> list[list[float]]:
    """The circle's vertices (latitude, longitude), as the map draws them."""
    shape = nearmap.circle_polygon(place.easting, place.northing, distance)
    ring = gpd.GeoSeries([shape.exterior], crs=settings.CRS_METRIC).to_crs(settings.CRS_STORE)
    return [[lat, lon] for lon, lat in ring.iloc[0].coords[:-1]]


def _wait_for_search(page: Page, ring: list[list[float]], found: int) -> dict[str, Any]:
    """Wait until the map shows a search with ``found`` assets highlighted; its state."""
    state = None
    for _ in range(int(TIMEOUT_MS / 250)):
        try:
            state = map_frame(page).evaluate(SEARCH_JS, [ring, nearmap.CIRCLE_KEY, _RGB])
        except PlaywrightError:  # the iframe replaced by a rerun while we looked
            state = None
        if state is not None and state["found"] == found and state["hits"] > 0:
            return dict(state)
        page.wait_for_timeout(250)
    pytest.fail(f"the map never showed the search with {found} assets: {state}", pytrace=False)


def test_a_postcode_typed_is_searched_drawn_and_a_click_searches_there(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    among: near.Searchable,
    place: near.Place,
) -> None:
    lsoas = store.load_lsoas(columns=["lsoa21cd", "lad24cd"])
    n_lsoas = int((lsoas["lad24cd"] == LIVERPOOL).sum())
    found = near.nearby(place, DISTANCE, among)
    s = near.summarise(found, list(ASSET_SOURCES))
    assert len(found.assets) > 0

    open_page(page, app_server, f"Map?area=lad:{LIVERPOOL}&types={TYPES}")
    wait_for_shapes(page, ["E01"], n_lsoas, page_errors)
    box = page.locator(".st-key-near_text input")
    box.fill(POSTCODE)
    box.press("Enter")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_contain_text(
        f"{s.lsoa_count:,} neighbourhoods (LSOAs) whose residents live within it: "
        f"{s.residents:,} residents, {s.core20_residents:,}",
        timeout=TIMEOUT_MS,
    )
    expect(sidebar).to_contain_text(f"{len(found.assets):,} assets of the types counted")
    expect(page.get_by_text(f"The magenta circle is the search near {POSTCODE}")).to_be_visible()

    # The circle's outline is painted in its colour all round, every asset found is ringed,
    # and the view is fitted to the circle (the whole ring in view).
    ring = _ring(place, DISTANCE)
    state = _wait_for_search(page, ring, len(found.assets))
    # The sidebar scrolled to the search, so the picture shows the results beside the map.
    heading = page.get_by_role("heading", name="Search near a postcode")
    heading.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    shot = screenshot(page, "postcode_search")
    assert shot.stat().st_size > 50_000  # a drawn page, not a blank one
    assert state["inView"] == len(ring), state
    # (An asset found near the edge may cover a vertex or two with its black rim.)
    assert state["hits"] >= 0.85 * len(ring), state["misses"]
    assert state["centre"] == 1, state
    lat, lon = near.wgs84(place)
    assert state["centreAt"] == pytest.approx([lat, lon], abs=1e-4)
    assert_canvas_painted(page, "E01")  # the neighbourhoods are still drawn under it
    assert "postcode=L4+0TH" in page.url
    assert "distance=1000" in page.url

    # The neighbourhoods found, as an Excel-safe CSV that says what the search was.
    name, data = read_download(
        page, page.get_by_role("button", name="Neighbourhoods found (CSV)").click
    )
    assert name == "assetmap_near_L40TH_1000m_lsoas.csv"
    assert data.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["LSOA code (2021)"] for r in rows] == found.lsoas["lsoa21cd"].tolist()
    assert {r["Searched near"] for r in rows} == {POSTCODE}

    # With the toggle on, a click on the map searches near the point clicked.
    page.locator(".st-key-map_click_search").get_by_text("Click the map to search here").click()
    expect(page.locator(".st-key-map_click_search input")).to_be_checked()
    wait_for_app(page)
    _wait_for_search(page, ring, len(found.assets))  # the map drawn again, now taking clicks
    # The map in view first, so the click does not scroll the page after the point is taken.
    page.locator(FOLIUM_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    frame = map_frame(page)
    size = frame.evaluate("() => { const s = window.map.getSize(); return [s.x, s.y]; }")
    x, y = round(0.3 * size[0]), round(0.6 * size[1])
    clicked = frame.evaluate(
        "([x, y]) => { const p = window.map.containerPointToLatLng([x, y]);"
        " return [p.lat, p.lng]; }",
        [x, y],
    )
    page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-container").click(position={"x": x, "y": y})
    expect(box).to_have_value(re.compile(r"^-?\d+\.\d{5},-?\d+\.\d{5}$"), timeout=TIMEOUT_MS)
    point = near.parse_point(box.input_value())
    assert near.wgs84(point) == pytest.approx(clicked, abs=1e-4)
    there = near.nearby(point, DISTANCE, among)
    state = _wait_for_search(page, _ring(point, DISTANCE), len(there.assets))
    assert state["centreAt"] == pytest.approx(clicked, abs=1e-4)
    assert "point=" in page.url
    assert "postcode=" not in page.url
    expect(sidebar).to_contain_text(f"{len(there.lsoas):,} neighbourhood", timeout=TIMEOUT_MS)
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()
