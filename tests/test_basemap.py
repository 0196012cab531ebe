"""The opt-in background map and the map's frame: no tiles and nothing remote unless asked for;
with a provider, its tiles and attribution; the collapsible legend's markup, style and script."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import folium
import pytest
import streamlit_folium
import xyzservices.providers
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.presentation import basemaps, maps, offline
from assetmap.presentation.layers import Legend
from tests.test_offline import resources

BOUNDS = [-3.1, 53.3, -2.8, 53.5]
OSM = xyzservices.providers.OpenStreetMap.Mapnik
#: A tile layer's URL template in a rendered map.
TILE_LAYER = re.compile(r"L\.tileLayer\(\s*[\"']([^\"']+)")


def fetched(html: str) -> list[str]:
    """What a page would fetch: its scripts, stylesheets, images and url()s, and its tiles."""
    return resources(html) + TILE_LAYER.findall(html)


def tile_layers(m: folium.Map) -> list[folium.TileLayer]:
    return [c for c in m._children.values() if isinstance(c, folium.TileLayer)]


def legend_map(tiles: xyzservices.TileProvider | None = None) -> folium.Map:
    m = maps.base_map(BOUNDS, tiles=tiles)
    m.add_child(Legend("Gap score <b>", None, "Source: A & B", [("#000000", "Core20", "line")]))
    m.add_child(Legend("Also on the map", None, "small print"))
    return m


def test_no_tile_layer_and_nothing_remote_by_default() -> None:
    m = legend_map()
    assert tile_layers(m) == []
    assert offline.remote_tiles(m) == []
    offline.localise(m)  # would raise on any remote tile, image or unvendored script
    html = m.get_root().render()
    assert "L.tileLayer" not in html
    remote = [url for url in fetched(html) if offline.is_remote(url)]
    assert remote == []


def test_with_a_provider_its_tiles_and_attribution() -> None:
    m = maps.base_map(BOUNDS, tiles=OSM)
    (layer,) = tile_layers(m)
    assert layer.tiles == OSM.build_url(fill_subdomain=False, scale_factor="{r}")
    assert layer.tiles == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert layer.options["attribution"] == OSM.html_attribution
    assert "openstreetmap.org/copyright" in str(layer.options["attribution"])
    assert layer.options["max_zoom"] == OSM["max_zoom"]
    assert not layer.control  # the page's toggle turns it on and off, not the layer control
    # Tiles are refused unless allowed, and then they are the only remote thing.
    with pytest.raises(offline.OfflineError, match="allow_tiles=True"):
        offline.localise(m)
    offline.localise(m, allow_tiles=True)
    assert offline.remote_tiles(m) == [layer.tiles]
    html = m.get_root().render()
    assert [url for url in fetched(html) if offline.is_remote(url)] == [layer.tiles]
    # The attribution goes to Leaflet in the layer's options (as JSON, "<" written \u003c).
    assert "\\u003eOpenStreetMap\\u003c/a\\u003e contributors" in html


def test_add_basemap_to_a_built_map_keeps_everything_else_local() -> None:
    m = legend_map()
    offline.localise(m)
    assert basemaps.provider(None) is None
    osm = basemaps.provider("osm")
    assert osm is OSM
    basemaps.add_basemap(m, osm)
    assert offline.remote_tiles(m) == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    html = m.get_root().render()
    # Leaflet's tile pane is under the overlay pane, whatever the order layers were added in.
    assert html.count("L.tileLayer(") == 1
    with pytest.raises(KeyError, match="unknown background map 'satellite'"):
        basemaps.provider("satellite")


def test_standalone_html_with_tiles_only_when_allowed() -> None:
    m = maps.base_map(BOUNDS, tiles=OSM)
    with pytest.raises(offline.OfflineError):
        offline.standalone_html(m)
    html = offline.standalone_html(m, allow_tiles=True)
    assert [url for url in fetched(html) if offline.is_remote(url)] == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]


def test_legend_has_a_collapse_button_and_its_style_and_script_once() -> None:
    m = legend_map()
    offline.localise(m)
    html = m.get_root().render()
    assert html.count('class="assetmap-legend"') == 2
    assert html.count('class="assetmap-legend-toggle"') == 2
    # The button controls the legend's body, which holds the swatches and small print.
    for legend_id in re.findall(r'id="(legend_[0-9a-f]+)" class="assetmap-legend"', html):
        assert f'aria-controls="{legend_id}_body"' in html
        assert f'id="{legend_id}_body" class="assetmap-legend-body"' in html
    assert 'aria-expanded="true"' in html
    # Text as text, escaped once.
    assert "Gap score &lt;b&gt;" in html
    assert "Source: A &amp; B" in html
    # The style (with its small-screen rule) and the script: from the package files, once.
    css = (Path(maps.__file__).parent / "legend.css").read_text(encoding="utf-8")
    js = (Path(maps.__file__).parent / "legend.js").read_text(encoding="utf-8")
    assert "@media (max-width: 640px), (max-height: 460px)" in css
    assert html.count(css) == 1
    assert html.count(js) == 1
    assert html.count("window.assetmapLegends();") == 2
    assert "style=" not in html.split('class="assetmap-legend"')[1].split(">")[0]


def test_streamlit_folium_gets_the_legend_style_in_its_header_and_the_script_once() -> None:
    """st_folium keeps the header's styles (not its scripts) and runs every element's script
    macro: the legend's style and script reach its iframe, from a deep copy as well."""
    m = copy.deepcopy(legend_map())
    offline.localise(m)
    m.get_root().render()
    header = streamlit_folium._get_header(m)
    assert ".assetmap-legend-toggle" in header
    script = streamlit_folium._get_map_string(m)
    assert script.count("window.assetmapLegends = wireAll") == 1
    assert script.count("window.assetmapLegends();") == 2


@pytest.mark.parametrize("area", ["england", "icb:QYG"])
def test_map_page_background_map_is_off_until_turned_on(data_dir: Path, area: str) -> None:
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = area
    at.run()
    at.switch_page("pages/1_Map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    toggle = at.toggle(key="map_basemap")
    assert toggle.label == "Background map (OpenStreetMap; loads tiles from the internet)"
    assert toggle.value is False
    assert "basemap" not in at.query_params
    toggle.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["basemap"] == ["osm"] or at.query_params["basemap"] == "osm"
    at.toggle(key="map_basemap").set_value(False).run()
    assert "basemap" not in at.query_params


def test_map_page_link_turns_the_background_map_on(data_dir: Path) -> None:
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["basemap"] = "osm"
    at.run()
    at.switch_page("pages/1_Map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key="map_basemap").value is True
