"""Your own area in chromium: LSOAs picked by clicking the map, and a rectangle drawn with the
Draw tool (Leaflet.draw from static/vendor), each becoming the selection on every page."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from shapely.ops import polylabel

from assetmap import settings
from assetmap.data import store
from assetmap.geography import ownarea
from tests.e2e.harness import (
    FOLIUM_IFRAME,
    TIMEOUT_MS,
    NetworkLog,
    StreamlitServer,
    map_frame,
    screenshot,
    wait_for_app,
    wait_for_map,
)
from tests.e2e.test_pages import (
    assert_canvas_painted,
    assert_no_error_box,
    open_page,
    wait_for_shapes,
)

pytestmark = pytest.mark.e2e

LIVERPOOL = "E08000012"
PAGE = f"Your_own_area?area=lad:{LIVERPOOL}"

#: The container pixel of a latitude / longitude on streamlit-folium's map.
TO_PIXEL_JS = (
    "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
    " return [p.x, p.y]; }"
)
#: The bounds (south, west, north, east) of the one shape drawn with the Draw tool.
DRAWN_BOUNDS_JS = """
() => {
  let found = null;
  window.map.eachLayer((layer) => {
    if (layer instanceof L.Rectangle && !layer.feature) {
      const b = layer.getBounds();
      found = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()];
    }
  });
  return found;
}
"""


@pytest.fixture(scope="module")
def liverpool() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Liverpool's LSOA polygons (EPSG:4326), and every LSOA's residence point in longitude /
    latitude (a shape drawn on Liverpool's map can reach over its border)."""
    lsoas = store.load_lsoas(columns=["lsoa21cd", "lad24cd"], geometry=True)
    assert isinstance(lsoas, gpd.GeoDataFrame)
    shapes = lsoas[lsoas["lad24cd"] == LIVERPOOL].to_crs(settings.CRS_STORE)
    res = store.load_residence()
    points = gpd.GeoDataFrame(
        res,
        geometry=gpd.points_from_xy(res["res_easting"], res["res_northing"]),
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORE)
    return shapes, points


def _choose_mode(page: Page, label: str) -> None:
    page.locator(".st-key-own_mode").get_by_text(label, exact=True).click()


def test_clicking_lsoas_picks_them_and_makes_the_area(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    liverpool: tuple[gpd.GeoDataFrame, pd.DataFrame],
) -> None:
    shapes, _ = liverpool
    open_page(page, app_server, PAGE)
    _choose_mode(page, "Pick LSOAs on the map")
    wait_for_shapes(page, ["E01"], len(shapes), page_errors)
    assert_canvas_painted(page, "E01")
    frame = map_frame(page)
    # An LSOA in the middle of the view, roomy enough to click.
    size = frame.evaluate("() => { const s = window.map.getSize(); return [s.x, s.y]; }")
    # Its pole of inaccessibility, at least 150 m from its edge: a pixel off still hits it.
    metric = shapes.to_crs(settings.CRS_METRIC)
    poles = gpd.GeoSeries(
        [
            polylabel(g.geoms[0] if g.geom_type == "MultiPolygon" else g, 5.0)
            for g in metric.geometry
        ],
        index=metric.index,
        crs=settings.CRS_METRIC,
    )
    room = poles.distance(metric.geometry.boundary)
    for i in room[room > 150].sort_values(ascending=False).index:
        inside = poles.to_crs(settings.CRS_STORE)[i]
        x, y = frame.evaluate(TO_PIXEL_JS, [inside.y, inside.x])
        if 0.25 * size[0] < x < 0.75 * size[0] and 0.25 * size[1] < y < 0.75 * size[1]:
            code = str(shapes.loc[i, "lsoa21cd"])
            break
    else:
        pytest.fail("no roomy LSOA in the middle of the view")
    # Once the script has settled (the map's first report can rerun it), hover then click.
    wait_for_app(page)
    container = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-container")
    container.hover(position={"x": x, "y": y})
    page.wait_for_timeout(500)
    container.click(position={"x": x, "y": y})
    expect(page.get_by_text("1 LSOA picked.")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Use the 1 picked as my area").click()
    expect(page.get_by_role("heading", name=f"Your area: {ownarea.DEFAULT_NAME}")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert page.url.endswith(f"area=own%3A{code}") or f"area=own%3A{code}" in page.url
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


def test_a_drawn_rectangle_counts_the_lsoas_whose_residence_point_it_holds(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    liverpool: tuple[gpd.GeoDataFrame, pd.DataFrame],
) -> None:
    shapes, points = liverpool
    open_page(page, app_server, PAGE)
    name = page.get_by_role("textbox", name="Name of the area")
    name.fill("Drawn patch")
    name.press("Enter")
    wait_for_app(page)
    _choose_mode(page, "Draw a shape")
    wait_for_app(page)
    wait_for_map(page)  # the pick map's iframe gone, the draw map's drawn
    wait_for_shapes(page, ["E01"], len(shapes), page_errors)
    inner = page.frame_locator(FOLIUM_IFRAME)
    expect(inner.locator(".leaflet-draw-draw-rectangle")).to_be_visible(timeout=TIMEOUT_MS)
    # Only polygons and rectangles are offered: an area has an inside.
    assert inner.locator(".leaflet-draw-draw-polyline, .leaflet-draw-draw-marker").count() == 0
    wait_for_app(page)
    inner.locator(".leaflet-draw-draw-rectangle").click()
    # A rectangle round the city centre: a fifth of the view's width and height.
    box = page.locator(FOLIUM_IFRAME).bounding_box()
    assert box is not None
    x0, y0 = box["x"] + 0.4 * box["width"], box["y"] + 0.4 * box["height"]
    x1, y1 = box["x"] + 0.6 * box["width"], box["y"] + 0.6 * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    notice = page.get_by_text(re.compile(r"LSOAs? counted, by where their residence point lies"))
    expect(notice).to_be_visible(timeout=TIMEOUT_MS)
    south, west, north, east = map_frame(page).evaluate(DRAWN_BOUNDS_JS)
    # Independently: the residence points inside the drawn rectangle.
    x, y = points.geometry.x, points.geometry.y
    expected = int(((x >= west) & (x <= east) & (y >= south) & (y <= north)).sum())
    assert expected > 0
    match = re.match(r"([\d,]+) LSOAs? counted", notice.inner_text())
    assert match is not None
    assert int(match.group(1).replace(",", "")) == expected
    screenshot(page, "own_area_drawn")
    page.get_by_role("button", name="Use this shape as my area").click()
    expect(page.get_by_role("heading", name="Your area: Drawn patch")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    metric = page.locator("[data-testid='stMetric']").first
    expect(metric).to_contain_text(f"{expected:,}", timeout=TIMEOUT_MS)
    # The area is the selection on the Map page too.
    page.get_by_role("link", name="See it on the Map").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Drawn patch", timeout=TIMEOUT_MS)
    wait_for_shapes(page, ["E01"], expected, page_errors)
    assert_canvas_painted(page, "E01")
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()
