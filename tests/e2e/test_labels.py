"""Place names on the Map page, in chromium with no internet: the names the label layer placed
(``assetmapLabels``) are the expected ones, each inside its own area's shape, none overlapping
another; ward names appear once zoomed in; the layer control's "Place names" hides them.

Label points are read in the map container's pixels and turned into longitude/latitude by
Leaflet itself (``containerPointToLatLng``), then tested against the real shapes with shapely.
"""

from __future__ import annotations

import time
from typing import Any

import geopandas as gpd
import pytest
import shapely
from playwright.sync_api import Page, expect

from assetmap.data import store
from assetmap.presentation import labels
from tests.e2e.harness import FOLIUM_IFRAME, NetworkLog, StreamlitServer, map_frame, screenshot
from tests.e2e.test_pages import ENGLAND_ICBS, QYG, QYG_LSOAS, open_page, wait_for_shapes

pytestmark = pytest.mark.e2e

#: The names the label layer placed in its last redraw, with their point as latitude/longitude
#: and their box in container pixels; null while there is no label layer on the map.
READ_LABELS_JS = """
async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const map = window.map;
  let found = null;
  map.eachLayer((layer) => {
    if (layer instanceof window.AssetmapLabels) found = layer;
  });
  if (!found) return null;
  return {
    zoom: map.getZoom(),
    labels: found.assetmapLabels.map((l) => {
      const at = map.containerPointToLatLng(L.point(l.x, l.y));
      return {text: l.text, tier: l.tier, lat: at.lat, lng: at.lng, box: l.box};
    }),
  };
}
"""


def read_labels(page: Page, timeout_s: float = 10) -> dict[str, Any]:
    """The placed names, once there are some."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = map_frame(page).evaluate(READ_LABELS_JS)
        if found is not None and found["labels"]:
            return dict(found)
        assert time.monotonic() < deadline, f"no place names on the map: {found}"
        page.wait_for_timeout(200)


def assert_inside_and_apart(found: list[dict[str, Any]], shapes: dict[str, Any]) -> None:
    """Each name's point lies inside the shape of that name, and no two boxes overlap."""
    for label in found:
        assert label["text"] in shapes, f"{label['text']!r} is not a name of this map's areas"
        point = shapely.Point(label["lng"], label["lat"])
        assert shapes[label["text"]].contains(point), f"{label['text']} is placed outside it"
    boxes = [label["box"] for label in found]
    for i, a in enumerate(boxes):
        for j in range(i):
            b = boxes[j]
            apart = a[0] >= b[2] or b[0] >= a[2] or a[1] >= b[3] or b[1] >= a[3]
            assert apart, f"{found[i]['text']} overlaps {found[j]['text']}"


def show_map(page: Page) -> None:
    """Scroll the page so that the map fills the view, for its screenshot."""
    page.locator(FOLIUM_IFRAME).evaluate("(e) => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)


def by_name(frame: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
    return {labels.display_name(n): g for n, g in zip(frame[name], frame.geometry, strict=True)}


def test_england_map_names_its_icbs_inside_them(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    icbs = store.load_layer("icb")
    open_page(page, app_server, "Map")
    wait_for_shapes(page, ["E54"], ENGLAND_ICBS, page_errors)
    found = read_labels(page)["labels"]
    names = {label["text"] for label in found}
    # The largest ICBs are always named at England's zoom; several are (not a few crowded).
    assert {"North East and North Cumbria", "Humber and North Yorkshire", "Devon"} <= names
    assert len(found) >= 8
    assert all(label["tier"] == labels.TIER_AREA for label in found)
    assert not any(text.startswith("NHS ") or "Integrated" in text for text in names)
    assert_inside_and_apart(found, by_name(icbs, "icb24nm"))
    show_map(page)
    screenshot(page, "map_england")
    assert not page_errors, page_errors
    network.assert_local()


def test_icb_map_names_its_authorities_then_wards_when_zoomed_in(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    lsoas = store.load_lsoas(geometry=True, columns=["icb24cd", "lad24nm", "ward24cd", "ward24nm"])
    assert isinstance(lsoas, gpd.GeoDataFrame)
    qyg = lsoas[lsoas["icb24cd"] == QYG]
    open_page(page, app_server, f"Map?area=icb:{QYG}")
    wait_for_shapes(page, ["E01"], QYG_LSOAS, page_errors)
    shown = read_labels(page)
    assert shown["zoom"] < labels.WARD_MIN_ZOOM
    found = shown["labels"]
    lads = qyg.dissolve("lad24nm")
    # The authorities' names, and only those, at the ICB's own zoom.
    assert {label["text"] for label in found} >= {"Liverpool", "Wirral", "Cheshire East"}
    assert all(label["tier"] == labels.TIER_AREA for label in found)
    assert_inside_and_apart(found, dict(zip(lads.index, lads.geometry, strict=True)))
    show_map(page)
    screenshot(page, "map_qyg")

    # Zoomed in on Liverpool: ward names join those of the authorities, each in its ward.
    map_frame(page).evaluate("() => window.map.setView([53.405, -2.96], 12.5, {animate: false})")
    zoomed = read_labels(page)
    assert zoomed["zoom"] >= labels.WARD_MIN_ZOOM
    wards = [label for label in zoomed["labels"] if label["tier"] == labels.TIER_WARD]
    assert len(wards) >= 10
    ward_shapes = qyg.dissolve("ward24cd")
    # A ward's name may repeat in another authority: its name's shape is every such ward.
    by_ward: dict[str, Any] = {}
    for n, g in zip(ward_shapes["ward24nm"], ward_shapes.geometry, strict=True):
        key = labels.display_name(n)
        by_ward[key] = g if key not in by_ward else by_ward[key].union(g)
    assert_inside_and_apart(
        zoomed["labels"], {**by_ward, **dict(zip(lads.index, lads.geometry, strict=True))}
    )

    # "Place names" in the layer control, on by default; unticked, the names go.
    frame = page.frame_locator(FOLIUM_IFRAME)
    frame.locator(".leaflet-control-layers").hover()
    box = frame.locator(".leaflet-control-layers-overlays label", has_text="Place names")
    checkbox = box.locator("input")
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    assert map_frame(page).evaluate(READ_LABELS_JS) is None
    assert not page_errors, page_errors
    network.assert_local()
