"""Maps that draw with no internet: links rewritten to static/vendor, self-contained HTML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import pytest
import streamlit_folium
from branca.colormap import LinearColormap
from branca.element import Figure, JavascriptLink

from assetmap import settings
from assetmap.data import store
from assetmap.presentation import offline
from scripts import fetch_static

#: The resources a page fetches: scripts, stylesheets, images, CSS imports and url()s.
RESOURCE = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?([^\"' >]+)"
    r"|<img\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)"
    r"|url\(\s*[\"']?([^\"')]+)"
    r"|@import\s+[\"']?([^\"';]+)",
    re.IGNORECASE,
)


def resources(html: str) -> list[str]:
    return [next(g for g in match.groups() if g) for match in RESOURCE.finditer(html)]


def comparable(html: str) -> str:
    """A rendered map without its resource links, element ids and blank lines, so two maps built
    alike compare equal (folium gives every element a random id)."""
    html = re.sub(r"<script\b[^>]*\bsrc=[^>]*></script>|<link\b[^>]*>", "", html)
    html = re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_id", html)
    return "\n".join(line for line in html.splitlines() if line.strip())


@pytest.fixture(scope="module")
def icbs(data_dir: Path) -> gpd.GeoDataFrame:
    return store.load_layer("icb")


def icb_map(icbs: gpd.GeoDataFrame) -> folium.Map:
    """A map of the 42 ICBs like the dashboard's: coloured shapes, tooltips, legend, a marker."""
    scale = LinearColormap(["#fde725", "#21918c", "#440154"], vmin=0, vmax=1, caption="share")
    m = folium.Map(tiles=None)
    m.fit_bounds([[49.9, -6.4], [55.8, 1.8]])
    folium.GeoJson(
        icbs[["icb24cd", "icb24nm", "decile1_share", "geometry"]],
        style_function=lambda f: {"fillColor": scale(f["properties"]["decile1_share"])},
        tooltip=folium.GeoJsonTooltip(["icb24nm"]),
    ).add_to(m)
    scale.add_to(m)
    folium.Marker([53.4, -2.98], icon=folium.Icon(icon="home")).add_to(m)
    return m


def st_folium_args(m: folium.Map, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What st_folium sends to its iframe: the links it loads there, header, script."""
    sent: dict[str, Any] = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.update(kw))
    streamlit_folium.st_folium(m, returned_objects=[])
    return sent


def test_static_vendor_is_complete_and_stamped() -> None:
    assert offline.missing_files() == [], "run `bash scripts/setup.sh` to fetch static/vendor"
    assert fetch_static.up_to_date(offline.vendor_dir())


def test_localised_icb_map_links_only_vendored_files(icbs: gpd.GeoDataFrame) -> None:
    m = icb_map(icbs)
    offline.localise(m)
    html = m.get_root().render()
    links = resources(html)
    assert links, "the rendered map links no scripts at all"
    assert not [url for url in links if offline.is_remote(url)]
    for url in links:
        assert url.startswith(offline.BASE_URL + "/"), url
        assert (offline.vendor_dir() / url.removeprefix(offline.BASE_URL + "/")).is_file()
    assert f"{offline.BASE_URL}/{offline.D3_JS}" in links  # the legend's d3
    assert "leaflet.awesome.rotate" not in html


def test_st_folium_gets_only_local_links(
    icbs: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = icb_map(icbs)
    offline.localise(m)
    sent = st_folium_args(m, monkeypatch)
    links = sent["js_links"] + sent["css_links"]
    assert all(url.startswith(offline.BASE_URL + "/") for url in links), links
    # st_folium adds two CDN d3s for every branca ColorMap it finds: localise leaves none.
    assert sent["js_links"].count(f"{offline.BASE_URL}/{offline.D3_JS}") == 1
    assert not [url for url in resources(sent["header"]) if offline.is_remote(url)]
    assert "legend.addTo(map_div)" in sent["script"]


def test_without_localise_st_folium_would_load_cdns(
    icbs: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = st_folium_args(icb_map(icbs), monkeypatch)
    assert "https://d3js.org/d3.v4.min.js" in sent["js_links"]
    assert all(offline.is_remote(url) for url in sent["js_links"])


def test_colormap_legend_draws_the_same_script(icbs: gpd.GeoDataFrame) -> None:
    # Each map is rendered once: folium repeats some calls when a map is rendered again.
    before = comparable(icb_map(icbs).get_root().render())
    m = icb_map(icbs)
    offline.localise(m)
    after = comparable(m.get_root().render())
    assert "d3.scale.threshold()" in after
    assert after == before


def test_choropleth_legend_is_localised(
    icbs: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = folium.Map(tiles=None)
    folium.Choropleth(
        icbs,
        data=icbs,
        columns=["icb24cd", "decile1_share"],
        key_on="feature.properties.icb24cd",
        legend_name="Share of LSOAs in IMD decile 1",
    ).add_to(m)
    offline.localise(m)
    html = m.get_root().render()
    assert not [url for url in resources(html) if offline.is_remote(url)]
    assert "Share of LSOAs in IMD decile 1" in html
    sent = st_folium_args(m, monkeypatch)
    assert not [url for url in sent["js_links"] if offline.is_remote(url)]


def test_localise_twice_changes_nothing(icbs: gpd.GeoDataFrame) -> None:
    once, twice = icb_map(icbs), icb_map(icbs)
    offline.localise(once)
    offline.localise(twice)
    offline.localise(twice)
    first, second = once.get_root().render(), twice.get_root().render()
    assert resources(first) == resources(second)
    assert comparable(first) == comparable(second)


def test_localise_leaves_folium_defaults_alone() -> None:
    offline.localise(folium.Map(tiles=None))
    assert all(offline.is_remote(url) for _, url in folium.Map.default_js)
    assert all(offline.is_remote(url) for _, url in folium.Map.default_css)


def test_base_url_is_configurable() -> None:
    m = folium.Map(tiles=None)
    offline.localise(m, base_url="/sub/app/static/vendor/")
    assert all(
        url.startswith("/sub/app/static/vendor/") for url in resources(m.get_root().render())
    )


def test_unknown_remote_script_raises() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(offline.OfflineError, match=r"Fullscreen loads https://cdn\.jsdelivr"):
        offline.localise(m)


def test_unknown_header_link_raises() -> None:
    m = folium.Map(tiles=None)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.header.add_child(JavascriptLink("https://example.org/x.js"), name="x")
    with pytest.raises(offline.OfflineError, match=r"https://example\.org/x\.js"):
        offline.localise(m)


def test_remote_tiles_raise_unless_allowed() -> None:
    with pytest.raises(offline.OfflineError, match=r"tile\.openstreetmap\.org.*tiles=None"):
        offline.localise(folium.Map())
    offline.localise(folium.Map(), allow_tiles=True)


def test_remote_image_raises() -> None:
    m = folium.Map(tiles=None)
    folium.raster_layers.ImageOverlay("https://example.org/a.png", [[0, 0], [1, 1]]).add_to(m)
    with pytest.raises(offline.OfflineError, match=r"url='https://example\.org/a\.png'"):
        offline.localise(m)


def test_missing_vendor_files_say_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    assert "static/vendor/leaflet/dist/leaflet.js" in offline.missing_files()
    with pytest.raises(offline.OfflineError, match=r"run `bash scripts/setup\.sh`"):
        offline.localise(folium.Map(tiles=None))


def test_standalone_html_is_self_contained(icbs: gpd.GeoDataFrame) -> None:
    html = offline.standalone_html(icb_map(icbs))
    assert html.lstrip().lower().startswith("<!doctype html>")
    # The page and its stylesheets, without the inlined libraries' code.
    markup = re.sub(r"<script>.*?</script>", "<script></script>", html, flags=re.DOTALL)
    found = resources(markup)
    assert found, "the stylesheets' fonts and images should be there as data URIs"
    assert [url for url in found if not url.startswith(("data:", "#"))] == []
    # Every library once, the legend's d3 among them; fonts as woff2 only.
    assert html.count("/*! jQuery v3.7.1") == 1
    assert html.count('{version:"3.5.5"}') == 1  # d3's
    assert "d3.scale.threshold()" in html
    assert "data:font/woff2;base64," in html
    assert "font/ttf" not in html
    assert len(html) < 5_000_000


def test_standalone_html_of_a_map_st_folium_showed_draws_it_once(
    icbs: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = icb_map(icbs)
    offline.localise(m)
    st_folium_args(m, monkeypatch)  # st_folium renames every element of the map
    st_folium_args(m, monkeypatch)
    html = offline.standalone_html(m)
    assert html.count('class="folium-map"') == 1
    assert html.count("L.map(") == 1
    assert html.count("L.geoJson(") == 1
    assert html.count(".legend.onAdd") == 1
    script = html[html.index("</body>") :]
    defined = set(re.findall(r"\bvar (\w+) =", script))
    for layer, parent in re.findall(r"\b(\w+_\w+)\.addTo\((\w+)\)", script):
        assert {layer, parent} <= defined, f"{layer}.addTo({parent}) names an undefined variable"


def test_standalone_html_refuses_remote_tiles() -> None:
    with pytest.raises(offline.OfflineError, match="tiles"):
        offline.standalone_html(folium.Map())


def test_glyphicons_are_cut_out_of_bootstrap_3() -> None:
    rules = "\n".join(f".glyphicon-x{i}:before {{ content: '{i}'; }}" for i in range(120))
    css = (
        "/* c */ body { color: red; }\n"
        '@font-face { font-family: "Glyphicons Halflings"; src: url("a.eot"); }\n'
        ".glyphicon { display: inline-block; }\n"
        ".btn .glyphicon { top: 0; }\n"
        "@media print { .glyphicon-y:before { content: 'y'; } }\n" + rules
    )
    out = fetch_static.glyphicons_css(css)
    assert "body" not in out
    assert ".btn" not in out
    assert "@media" not in out
    assert "a.eot" not in out
    assert 'url("../fonts/glyphicons-halflings-regular.woff2") format("woff2")' in out
    assert ".glyphicon-x119:before" in out
