"""Every dashboard page in chromium with no internet: maps drawn shape by shape, clicks, links,
downloads checked against the grid, screenshots for the README and axe on each page.

Maps are painted by ``maps.CompactPolygons`` and ``maps.PointLayer`` on one canvas, so there are no
SVG paths to count: each layer records the keys of the polygons it painted in its last redraw
(``assetmapDrawn``: LSOA ``E01...``, ICB ``E54...``, local authority ``E06...``-``E09...``) and the
number of points (``assetmapPoints``), and the tests count those on streamlit-folium's map.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES, FAMILIES, FAMILY_COMMUNITY, family_types
from tests.e2e.harness import (
    FOLIUM_IFRAME,
    TIMEOUT_MS,
    NetworkLog,
    StreamlitServer,
    axe_violations,
    describe,
    map_frame,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

QYG = "E54000008"  # NHS Cheshire and Merseyside ICB: the largest map a user is likely to open
QYG_LSOAS = 1_601
ENGLAND_ICBS = 42
ENGLAND_LADS = 296
LAD_PREFIXES = ("E06", "E07", "E08", "E09")
CLICKED_ICB = "E54000013"  # NHS Lincolnshire: east, clear of the legend (bottom left)
MANCHESTER = "E08000003"
BOM = b"\xef\xbb\xbf"
#: Text a spreadsheet would run as a formula; our CSV prefixes it with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Polygons (by key prefix) and asset points on streamlit-folium's map; null before it exists.
COUNT_LAYERS_JS = """
(prefixes) => {
  if (typeof L === "undefined" || !(window.map instanceof L.Map)) return null;
  const counts = {shapes: 0, points: 0};
  window.map.eachLayer((layer) => {
    for (const key of layer.assetmapDrawn || []) {
      if (prefixes.some((p) => key.startsWith(p))) counts.shapes += 1;
    }
    counts.points += layer.assetmapPoints || 0;
  });
  return counts;
}
"""

#: Samples every 6th pixel of the canvas the polygons with a key prefix are painted on, after
#: two animation frames.
CANVAS_PIXELS_JS = """
async (prefix) => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  let shapes = null;
  window.map.eachLayer((layer) => {
    if (!shapes && (layer.assetmapDrawn || []).some((key) => key.startsWith(prefix)))
      shapes = layer;
  });
  const canvas = shapes.assetmapCanvas();
  const {width, height} = canvas;
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let samples = 0, painted = 0;
  const colours = new Set();
  for (let y = 0; y < height; y += 6) {
    for (let x = 0; x < width; x += 6) {
      const i = (y * width + x) * 4;
      samples += 1;
      if (data[i + 3] > 0) {
        painted += 1;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
    }
  }
  return {tag: canvas.tagName, width, height, samples, painted, colours: colours.size};
}
"""


#: The map canvas's box and the box of what its layers draw (each layer's features, widened by
#: its reach in pixels), both in the map container's pixels, the second cut to the view.
CANVAS_FIT_JS = """
() => {
  const map = window.map, size = map.getSize(), crs = map.options.crs;
  let canvas = null, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  map.eachLayer((layer) => {
    if (!layer.assetmapCanvas || !layer._d.box) return;
    canvas = layer.assetmapCanvas();
    const b = layer._d.box, r = layer._reach();
    for (const [x, y] of [[b[0], b[1]], [b[2], b[3]]]) {
      const p = map.latLngToContainerPoint(crs.projection.unproject(L.point(x, y)));
      x0 = Math.min(x0, p.x - r); x1 = Math.max(x1, p.x + r);
      y0 = Math.min(y0, p.y - r); y1 = Math.max(y1, p.y + r);
    }
  });
  const c = canvas.getBoundingClientRect(), m = map.getContainer().getBoundingClientRect();
  return {
    canvas: [c.left - m.left, c.top - m.top, c.right - m.left, c.bottom - m.top],
    drawn: [Math.max(0, x0), Math.max(0, y0), Math.min(size.x, x1), Math.min(size.y, y1)],
    view: [0, 0, size.x, size.y],
  };
}
"""


@pytest.fixture(scope="module")
def lsoa_table() -> pd.DataFrame:
    return store.load_lsoas(columns=["lsoa21cd", "icb24cd", "icb24nm", "lad24cd", "lad24nm"])


def open_page(page: Page, server: StreamlitServer, path: str) -> None:
    page.goto(server.url + path)
    wait_for_app(page)
    page.get_by_role("heading", level=1).wait_for()


def count_layers(page: Page, prefixes: Sequence[str]) -> dict[str, int] | None:
    """Shapes whose key starts with one of ``prefixes``, and asset points, on the current map.

    ``None`` while there is no drawn map (no iframe yet, no Leaflet map in it, or the iframe
    was replaced by a rerun while we looked).
    """
    try:
        handle = page.query_selector(FOLIUM_IFRAME)
        frame = handle.content_frame() if handle else None
        found = frame.evaluate(COUNT_LAYERS_JS, list(prefixes)) if frame else None
    except PlaywrightError:
        return None
    return None if found is None else {k: int(v) for k, v in found.items()}


def wait_for_shapes(
    page: Page,
    prefixes: Sequence[str],
    expected: int,
    errors: list[str],
    timeout_s: float = 45,
) -> dict[str, int]:
    """Wait until the map holds exactly ``expected`` shapes with those key prefixes.

    Fails with the last count and the page's JavaScript ``errors`` if it never does, within 5 s
    of the first error.
    """
    start = time.monotonic()
    deadline = start + timeout_s
    while True:
        counts = count_layers(page, prefixes)
        if counts is not None and counts["shapes"] == expected:
            return counts
        if errors:  # a script error rarely heals: give the map 5 s more, not the whole timeout
            deadline = min(deadline, time.monotonic() + 5)
        if time.monotonic() > deadline:
            pytest.fail(
                f"after {time.monotonic() - start:.0f} s the map shows {counts} (shapes keyed "
                f"{'/'.join(prefixes)}), not {expected} shapes; JavaScript errors: {errors}",
                pytrace=False,
            )
        page.wait_for_timeout(200)  # not time.sleep: Playwright routes requests only while waiting


def assert_canvas_fits(page: Page) -> None:
    """The map canvas covers everything its layers draw in view, and (to the pixel) no more."""
    box = map_frame(page).evaluate(CANVAS_FIT_JS)
    canvas, drawn = box["canvas"], box["drawn"]
    inner = [a - b for a, b in zip(canvas[:2], drawn[:2], strict=True)]
    outer = [b - a for a, b in zip(canvas[2:], drawn[2:], strict=True)]
    assert all(-2 <= d <= 1 for d in inner + outer), box


def assert_canvas_painted(page: Page, prefix: str) -> dict[str, Any]:
    """The canvas the shapes are drawn on is painted in several colours, not blank."""
    pixels = map_frame(page).evaluate(CANVAS_PIXELS_JS, prefix)
    assert pixels["tag"] == "CANVAS", pixels
    assert pixels["painted"] > 0.02 * pixels["samples"], f"the map canvas is nearly blank: {pixels}"
    assert pixels["colours"] >= 5, f"the map canvas has too few colours: {pixels}"
    return dict(pixels)


#: The container pixel inside the first painted polygon with a key prefix whose bounding box
#: centre falls inside it, away from the map's edges and every asset point, and its key.
INSIDE_SHAPE_JS = """
(prefix) => {
  let found = null;
  window.map.eachLayer((layer) => {
    if (found || !(layer instanceof window.AssetmapShapes)) return;
    const keys = layer.assetmapDrawn || [];
    for (let i = 0; i < layer.assetmapKeys.length && !found; i++) {
      const key = layer.assetmapKeys[i];
      if (!key.startsWith(prefix) || !keys.includes(key)) continue;
      const at = layer._tipAt(i, null);
      const p = window.map.latLngToContainerPoint(at);
      const size = window.map.getSize();
      if (p.x < 60 || p.y < 60 || p.x > size.x / 2 || p.y > size.y - 60) continue;
      // Inside this shape, and well clear of every asset point (a point's tooltip comes first;
      // the mouse lands on whole pixels).
      const lp = window.map.latLngToLayerPoint(at);
      const clear = window.map._assetmapLayers.every((l) => {
        if (!l._px) return true;
        for (let j = 0; j < l._px.length; j += 2) {
          if (Math.hypot(l._px[j] - lp.x, l._px[j + 1] - lp.y) < l._style.radius + 4) return false;
        }
        return true;
      });
      if (clear && layer._find(at) === i) found = {key, x: p.x, y: p.y};
    }
  });
  return found;
}
"""


def assert_hover_shows(page: Page, prefix: str, keys: pd.Series) -> None:
    """Hovering a painted polygon with the real mouse shows its tooltip, with its key."""
    target = map_frame(page).evaluate(INSIDE_SHAPE_JS, prefix)
    assert target is not None, "no painted shape to hover"
    assert target["key"] in set(keys)
    frame = page.frame_locator(FOLIUM_IFRAME)
    frame.locator(".leaflet-container").hover(position={"x": target["x"], "y": target["y"]})
    expect(frame.locator(".leaflet-tooltip")).to_contain_text(target["key"])


def assert_no_error_box(page: Page) -> None:
    """The page shows no Python exception."""
    boxes = page.locator("[data-testid='stException']")
    assert not boxes.count(), f"the page shows an error: {boxes.first.inner_text()[:500]}"


def assert_axe_clean(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"serious or critical accessibility problems:\n{describe(violations)}"


def sidebar_value(page: Page, key: str) -> str:
    """The text a sidebar selectbox shows."""
    return page.locator(f".st-key-{key} input").input_value()


def read_download(page: Page, click: Any) -> tuple[str, bytes]:
    """Run ``click`` and return the name and bytes of the file it downloads."""
    with page.expect_download() as info:
        click()
    download = info.value
    path = download.path()
    return download.suggested_filename, path.read_bytes()


def grid_csv(page: Page) -> list[list[str]]:
    """The rows Streamlit's own dataframe toolbar downloads ("Download as CSV" on hover).

    Streamlit writes the grid's cells as they are; its file-system-access path asks for a save
    dialog, so the page runs with ``showSaveFilePicker`` removed and Streamlit falls back to a
    plain download (see the init script in the test).
    """
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.hover()
    button = page.get_by_role("button", name="Download as CSV").first
    _, data = read_download(page, button.click)
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def our_csv(page: Page) -> tuple[str, list[list[str]]]:
    """Our "Download what is shown (CSV)" file, decoded as UTF-8 with a byte-order mark."""
    button = page.get_by_role("button", name="Download what is shown (CSV)")
    name, data = read_download(page, button.click)
    assert data.startswith(BOM), "the CSV has no UTF-8 byte-order mark (Excel needs it)"
    return name, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def same_cell(ours: str, grid: str) -> bool:
    """Whether our CSV cell says what the grid's does.

    The grid writes booleans as ``true``/``false`` and whole floats as ``0``; pandas writes
    ``True`` and ``0.0``. Numbers must be exactly equal; text exactly equal, or our copy
    prefixed with an apostrophe where a spreadsheet would run it as a formula.
    """
    if ours == grid:
        return True
    if ours.casefold() == grid.casefold() and grid in ("true", "false"):
        return True
    if grid.startswith(FORMULA_START) and ours == "'" + grid:
        return True
    try:
        return float(ours) == float(grid)
    except ValueError:
        return False


def assert_same_table(ours: list[list[str]], grid: list[list[str]]) -> None:
    assert ours[0] == grid[0], "our CSV's columns differ from the grid's"
    assert len(ours) == len(grid), f"{len(ours) - 1} rows in our CSV, {len(grid) - 1} shown"
    header = ours[0]
    for n, (row, shown) in enumerate(zip(ours[1:], grid[1:], strict=True), start=1):
        assert len(row) == len(shown) == len(header), f"row {n} has the wrong number of cells"
        wrong = [
            (header[i], a, b) for i, (a, b) in enumerate(zip(row, shown, strict=True))
            if not same_cell(a, b)
        ]  # fmt: skip
        assert not wrong, f"row {n}: (column, our CSV, grid) {wrong[:5]}"


def test_large_icb_map_draws_every_lsoa_with_legend_and_assets(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    assets = store.load_assets()
    lsoas = store.load_lsoas(columns=["lsoa21cd", "icb24cd"])
    in_qyg = lsoas.loc[lsoas["icb24cd"] == QYG, "lsoa21cd"]
    assert len(in_qyg) == QYG_LSOAS
    # A new session counts the community organisations: their points are drawn.
    community = assets["asset_type"].isin(family_types(FAMILY_COMMUNITY))
    expected_points = int((assets["lsoa21cd"].isin(in_qyg) & community).sum())

    open_page(page, app_server, f"Map?area=icb:{QYG}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cheshire and Merseyside")
    counts = wait_for_shapes(page, ["E01"], QYG_LSOAS, page_errors)
    assert counts["points"] == expected_points
    assert_canvas_painted(page, "E01")
    assert_canvas_fits(page)
    assert_hover_shows(page, "E01", lsoas.loc[lsoas["icb24cd"] == QYG, "lsoa21cd"])
    frame = page.frame_locator(FOLIUM_IFRAME)
    legend = frame.locator(".assetmap-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Gap score")
    expect(legend).to_contain_text("Core20 outline")
    screenshot(page, "map_qyg")
    assert_axe_clean(page)

    # A second visitor gets the same map from the server's cache: it must draw just the same.
    open_page(page, app_server, f"Map?area=icb:{QYG}")
    counts = wait_for_shapes(page, ["E01"], QYG_LSOAS, page_errors, timeout_s=20)
    assert counts["points"] == expected_points
    assert_canvas_painted(page, "E01")
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


def test_family_selector_and_food_bank_layer_on_the_map(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    assets = store.load_assets()
    lsoas = store.load_lsoas(columns=["lsoa21cd", "icb24cd"])
    in_qyg = assets["lsoa21cd"].isin(lsoas.loc[lsoas["icb24cd"] == QYG, "lsoa21cd"])
    foodbanks = int((in_qyg & (assets["asset_type"] == "foodbank")).sum())
    assert foodbanks > 0

    open_page(page, app_server, f"Map?area=icb:{QYG}&types=foodbank")
    counts = wait_for_shapes(page, ["E01"], QYG_LSOAS, page_errors)
    assert counts["points"] == foodbanks
    families = page.locator(".st-key-filter_families").get_by_role("group", name="Selected values")
    expect(families.locator("[data-tag]")).to_have_count(1)
    assert families.locator("[data-tag]").inner_text().strip() == "Community organisations"
    legend = page.frame_locator(FOLIUM_IFRAME).locator(".assetmap-legend")
    expect(legend).to_contain_text(ASSET_SOURCES["foodbank"].label)
    assert_canvas_painted(page, "E01")
    screenshot(page, "map_foodbanks")

    # Adding a family in the sidebar counts its types too, and draws their points.
    box = page.get_by_role("combobox", name="Asset families")
    box.click()
    page.get_by_role("option", name=FAMILIES["public_services"].label).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    chosen = family_types(FAMILY_COMMUNITY) + family_types("public_services")
    expected = int((in_qyg & assets["asset_type"].isin(chosen)).sum())
    deadline = time.monotonic() + 45
    while (found := count_layers(page, ["E01"])) is None or found["points"] != expected:
        assert time.monotonic() < deadline, (found, expected, page_errors)
        page.wait_for_timeout(250)
    expect(families.locator("[data-tag]")).to_have_count(2)
    assert "public_services" in page.url
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


@pytest.mark.parametrize(
    ("measure", "legend", "text"),
    [
        ("bivariate_class", ".assetmap-legend-2d", "More deprived"),
        ("gap_cluster", ".assetmap-legend", "false discovery rate"),
    ],
)
def test_neighbourhood_measures_draw_with_their_legend(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    measure: str,
    legend: str,
    text: str,
) -> None:
    open_page(page, app_server, f"Map?area=icb:{QYG}&measure={measure}")
    wait_for_shapes(page, ["E01"], QYG_LSOAS, page_errors, timeout_s=90)
    assert_canvas_painted(page, "E01")
    box = page.frame_locator(FOLIUM_IFRAME).locator(legend)
    expect(box).to_be_visible()
    expect(box).to_contain_text(text)
    screenshot(page, "map_bivariate" if measure == "bivariate_class" else "map_clusters")
    assert_axe_clean(page)
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


def test_england_map_by_icb_then_by_local_authority(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    open_page(page, app_server, "Map")
    expect(page.get_by_role("heading", level=1)).to_have_text("Map: England")
    wait_for_shapes(page, ["E54"], ENGLAND_ICBS, page_errors)
    assert_canvas_painted(page, "E54")
    expect(page.frame_locator(FOLIUM_IFRAME).locator(".assetmap-legend")).to_be_visible()
    screenshot(page, "map_england")
    assert_axe_clean(page)

    page.locator(".st-key-map_level").get_by_text("Local authorities", exact=True).click()
    wait_for_shapes(page, LAD_PREFIXES, ENGLAND_LADS, page_errors)
    assert_canvas_painted(page, "E0")
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


def test_clicking_an_icb_on_the_england_map_opens_its_lsoas(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    lsoa_table: pd.DataFrame,
) -> None:
    icbs = store.load_layer("icb")
    icb = icbs[icbs["icb24cd"] == CLICKED_ICB].iloc[0]
    inside = icb.geometry.representative_point()
    expected = int((lsoa_table["icb24cd"] == CLICKED_ICB).sum())

    open_page(page, app_server, "Map")
    wait_for_shapes(page, ["E54"], ENGLAND_ICBS, page_errors)
    # The map fills the window's height below the controls: bring it into view first, so the
    # click does not scroll the page between working out the point and clicking it.
    page.locator(FOLIUM_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    frame = map_frame(page)
    x, y = frame.evaluate(
        "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        [inside.y, inside.x],
    )
    # The canvas takes no pointer events (the map finds the shape), so the map itself must be
    # what is under the pointer: not the legend, not a control.
    hit = frame.evaluate(
        "([x, y]) => { const box = window.map.getContainer().getBoundingClientRect();"
        " const el = document.elementFromPoint(box.left + x, box.top + y);"
        " return el && el.closest('.leaflet-container') && !el.closest('.leaflet-control')"
        " && !el.closest('.assetmap-legend') ? 'map' : (el ? el.outerHTML.slice(0, 80) : ''); }",
        [x, y],
    )
    assert hit == "map", f"the point to click is covered by {hit!r}"
    container = page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-container")
    container.hover(position={"x": x, "y": y})
    expect(page.frame_locator(FOLIUM_IFRAME).locator(".leaflet-tooltip")).to_contain_text(
        str(icb["icb24nm"])
    )
    container.click(position={"x": x, "y": y})

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        str(icb["icb24nm"]), timeout=TIMEOUT_MS
    )
    wait_for_shapes(page, ["E01"], expected, page_errors)
    assert_canvas_painted(page, "E01")
    assert sidebar_value(page, "filter_level") == "Integrated Care Board"
    assert sidebar_value(page, "filter_area_icb").startswith(str(icb["icb24nm"]))
    assert f"area=icb%3A{CLICKED_ICB}" in page.url
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


@pytest.mark.parametrize("path", ["", "Gap_table"], ids=["home", "gap_table"])
def test_link_with_query_parameters_restores_the_filter(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    lsoa_table: pd.DataFrame,
    path: str,
) -> None:
    open_page(page, app_server, f"{path}?area=lad:{MANCHESTER}&types=sports_club&need=health")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Manchester")
    assert sidebar_value(page, "filter_level") == "Local authority"
    assert sidebar_value(page, "filter_area_lad") == f"Manchester ({MANCHESTER})"
    chosen = page.locator(".st-key-filter_types").get_by_role("group", name="Selected values")
    # The chips can render a moment after the heading: wait for them before reading them.
    expect(chosen.locator("[data-tag]")).to_have_count(1)
    chips = chosen.locator("[data-tag]").all_inner_texts()
    assert [c.strip() for c in chips] == [ASSET_SOURCES["sports_club"].label]
    assert sidebar_value(page, "filter_need") == "Health deprivation and disability"
    if path == "Gap_table":
        n = int((lsoa_table["lad24cd"] == MANCHESTER).sum())
        expect(page.get_by_text(f"of {n:,} neighbourhoods shown")).to_contain_text(f"{n:,} of")
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


def test_gap_table_download_is_exactly_the_table_shown(
    app_server: StreamlitServer, page: Page, network: NetworkLog, page_errors: list[str]
) -> None:
    # Streamlit's grid saves through the File System Access API when the browser has it, which
    # opens a save dialog; without it, Streamlit downloads the file as any page would.
    page.context.add_init_script("delete window.showSaveFilePicker;")
    open_page(page, app_server, f"Gap_table?area=icb:{QYG}")
    expect(page.get_by_text(f"of {QYG_LSOAS:,} neighbourhoods shown")).to_contain_text(
        f"{QYG_LSOAS:,} of"
    )
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    screenshot(page, "gap_table")
    assert_axe_clean(page)

    name, full = our_csv(page)
    assert name == f"assetmap_gaps_icb-{QYG}_imd_imd2025.csv"
    assert len(full) == QYG_LSOAS + 1
    assert_same_table(full, grid_csv(page))

    header = full[0]
    core20 = header.index("Core20 (most deprived 20%)")
    filters = header.index("Filters")
    wanted = [row for row in full[1:] if row[core20] == "True"]
    assert 0 < len(wanted) < QYG_LSOAS

    page.locator(".st-key-gaps_core20").get_by_text("Core20 only").click()
    expect(page.get_by_text(f"of {QYG_LSOAS:,} neighbourhoods shown")).to_contain_text(
        f"{len(wanted):,} of {QYG_LSOAS:,}"
    )
    wait_for_app(page)
    name, shown = our_csv(page)
    assert name == f"assetmap_gaps_icb-{QYG}_imd_imd2025_filtered.csv"
    assert shown[0] == header
    assert_same_table(shown, grid_csv(page))
    assert {row[filters] for row in shown[1:]} == {"Core20 only"}

    def without_filters(rows: list[list[str]]) -> list[list[str]]:
        return [row[:filters] + row[filters + 1 :] for row in rows]

    # The same rows in the same order as the full table, just fewer.
    assert without_filters(shown[1:]) == without_filters(wanted)
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()


#: Pages checked here (the maps and the gap table have their own tests): screenshot name (None:
#: no screenshot), path, and what must be drawn before the screenshot.
OTHER_PAGES = [
    ("home", "", ["dataframe", "chart"]),
    ("area_profile", f"Area_profile?area=icb:{QYG}", ["dataframe", "chart"]),
    ("where_to_invest", f"Where_to_invest?area=icb:{QYG}", ["dataframe"]),
    ("methods", "Methods_and_data", ["dataframe"]),
    (None, "Upload", []),
]
READY = {
    "dataframe": "[data-testid='stDataFrame']",
    "chart": "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
}


@pytest.mark.parametrize(
    ("name", "path", "ready"), OTHER_PAGES, ids=[p[1].split("?")[0] or "home" for p in OTHER_PAGES]
)
def test_page_screenshot_and_axe(
    app_server: StreamlitServer,
    page: Page,
    network: NetworkLog,
    page_errors: list[str],
    name: str | None,
    path: str,
    ready: list[str],
) -> None:
    open_page(page, app_server, path)
    for part in ready:
        page.locator(READY[part]).first.wait_for()
    assert_no_error_box(page)
    if name:
        screenshot(page, name)
    assert_axe_clean(page)
    assert_no_error_box(page)
    assert not page_errors, page_errors
    network.assert_local()
