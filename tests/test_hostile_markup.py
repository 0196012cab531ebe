"""Markup in data never reaches a page as markup.

Every place that turns names and types into HTML (the map's layer control, legend and tooltips,
the saved HTML map) or into a picture (the PNG's title and legend) is fed the same hostile
strings, through the real map views on the real build, as the dashboard builds them for an
upload; and every page is opened with hostile URL values, which must come back as short
plain-text notices.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES, FAMILY_COMMUNITY, family_types, to_geodataframe
from assetmap.geography import areas
from assetmap.measures import metrics
from assetmap.presentation import layers, maps, mapviews, offline
from assetmap.presentation.text import ECHO_MAX_CHARS, cut, html_text, markdown_text
from ui import layout, upload

APP = str(settings.PROJECT_ROOT / "app.py")
QYG = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board", "QYG")

#: Every payload carries this marker (script that ran would set it) or the test host's address.
MARKER = "__pwned"
HOST = "198.51.100.1"  # TEST-NET-2: never a real host
#: Type labels an upload could carry: HTML, a script, Markdown, Streamlit directives, LaTeX,
#: and an ampersand that must show as one (no double escaping).
HOSTILE_TYPES = [
    f"<img src=x onerror=window.{MARKER}=1>",
    f"<iframe src=javascript:parent.{MARKER}=1>",
    f"<a href=javascript:window.{MARKER}=1>x</a>",
    f"<script>window.{MARKER}=1</script>",
    f"![x](http://{HOST}/u.png) :red[{MARKER}] $x^2$",
    "Tea & biscuits",
]
#: Names of the uploaded assets (and of a few LSOAs and local authorities).
HOSTILE_NAMES = [
    f'"><img src=x onerror=window.{MARKER}=1>',
    f"</script><script>window.{MARKER}=1</script>",
    f"<svg onload=window.{MARKER}=1>",
    f"`${{window.{MARKER}=1}}` {{{{ {MARKER} }}}}",
    f"Café & Co <b>{MARKER}</b>",
]
#: Tags that would fetch, run or navigate: none may come from data.
FORBIDDEN_TAGS = {
    "a", "audio", "base", "embed", "form", "frame", "iframe", "img", "input", "link", "math",
    "meta", "object", "source", "svg", "video",
}  # fmt: skip


# --- the real map views with an upload-like register ------------------------------------------


@pytest.fixture(scope="module")
def hostile_upload(data_dir: Path) -> pd.DataFrame:
    """Real assets of Cheshire and Merseyside, relabelled as an upload with hostile types and
    names (``asset_type`` prefixed as ``ui.upload.keep`` does)."""
    assets = store.load_assets()
    lsoas = store.load_lsoas(columns=["lsoa21cd", "icb24cd"])
    inside = assets["lsoa21cd"].isin(lsoas.loc[lsoas["icb24cd"] == QYG.code, "lsoa21cd"])
    rows = assets[inside].head(4 * len(HOSTILE_TYPES)).copy().reset_index(drop=True)
    rows["asset_type"] = [upload.PREFIX + f"t{i % len(HOSTILE_TYPES)}" for i in range(len(rows))]
    rows["name"] = [HOSTILE_NAMES[i % len(HOSTILE_NAMES)] for i in range(len(rows))]
    rows["asset_id"] = [f"upload-{i}" for i in range(len(rows))]
    return rows


@pytest.fixture(scope="module")
def upload_labels() -> dict[str, str]:
    """Type -> label as ``ui.upload.keep`` makes them."""
    return {
        upload.PREFIX + f"t{i}": f"{label} (your upload)" for i, label in enumerate(HOSTILE_TYPES)
    }


@pytest.fixture(scope="module")
def hostile_national(
    data_dir: Path, hostile_upload: pd.DataFrame, upload_labels: dict[str, str]
) -> pd.DataFrame:
    """England's metrics counting the upload's types, with a few LSOA and authority names in
    Cheshire and Merseyside made hostile too."""
    lsoas = store.load_lsoas()
    counts = metrics.count_assets(store.load_assets(), lsoas["lsoa21cd"])
    extra = metrics.count_assets(hostile_upload, lsoas["lsoa21cd"])
    counts = counts.join(extra[[c for c in extra.columns if c not in counts.columns]])
    types = [*family_types(FAMILY_COMMUNITY), *upload_labels]
    national = metrics.lsoa_metrics(lsoas, counts, types=types)
    local = national.index[national["icb24cd"] == QYG.code][:3]
    for i, row in enumerate(local):
        national.loc[row, "lsoa21nm"] = HOSTILE_NAMES[i]
    lads = national.loc[national["icb24cd"] == QYG.code, "lad24cd"].unique()[:2]
    for i, code in enumerate(lads):
        national.loc[national["lad24cd"] == code, "lad24nm"] = HOSTILE_NAMES[i + 3]
    return national


@pytest.fixture(scope="module")
def labels(upload_labels: dict[str, str]) -> dict[str, str]:
    """Every type's label, as ``ui.mapview.cached_lsoa_view`` passes them."""
    return {k: s.label for k, s in ASSET_SOURCES.items()} | upload_labels


@pytest.fixture(scope="module")
def points(hostile_upload: pd.DataFrame, upload_labels: dict[str, str]) -> gpd.GeoDataFrame:
    """The asset points the Map page draws: the open layers' and the upload's."""
    pts = pd.concat(
        [store.load_assets(geometry=True), to_geodataframe(hostile_upload)], ignore_index=True
    )
    types = [*family_types(FAMILY_COMMUNITY), *upload_labels]
    return pts[pts["asset_type"].isin(types)]


@pytest.fixture(scope="module", params=["gap_score", "bivariate_class"])
def lsoa_view(
    request: pytest.FixtureRequest,
    hostile_national: pd.DataFrame,
    points: gpd.GeoDataFrame,
    labels: dict[str, str],
    upload_labels: dict[str, str],
) -> mapviews.MapView:
    """Cheshire and Merseyside's LSOAs with the upload's points (the bivariate measure also
    draws its grid legend and the legend of the other layers)."""
    national = hostile_national
    if request.param == "bivariate_class":
        from assetmap.measures import analysis

        national = analysis.neighbourhood_metrics(
            hostile_national,
            store.load_residence(),
            points,
            store.load_contiguity(),
            types=[*family_types(FAMILY_COMMUNITY), *upload_labels],
            need="imd",
        ).table
    return mapviews.lsoa_view(
        national,
        QYG,
        store.load_lsoas(geometry=True, columns=["lsoa21cd"]),
        store.load_layer("lad"),
        request.param,
        "national",
        points=points,
        asset_labels=labels,
        need="imd",
    )


@pytest.fixture(scope="module")
def area_view(hostile_national: pd.DataFrame, upload_labels: dict[str, str]) -> mapviews.MapView:
    """England by local authority, two of whose names are hostile."""
    return mapviews.area_view(
        hostile_national,
        areas.ENGLAND,
        "lad",
        store.load_layer("lad"),
        "gap_score",
        "national",
        types=[*family_types(FAMILY_COMMUNITY), *upload_labels],
    )


class _Page(HTMLParser):
    """A page's markup: tags outside scripts, the scripts' text, and each legend's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.legends: list[str] = []
        self._raw: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in {"script", "style"}:
            self._raw = tag
            if tag == "script":
                self.scripts.append("")
        if tag == "div":
            if self._depth:
                self._depth += 1
            elif "assetmap-legend" in (dict(attrs).get("class") or ""):
                self._depth = 1
                self.legends.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts[-1] += data
        elif self._depth:
            self.legends[-1] += data


_PAYLOAD = re.compile(r"JSON\.parse\(String\.raw`([^`]*)`\)")
_JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _walk(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _check_page(text: str, names: list[str]) -> tuple[_Page, list[dict[str, Any]], list[str]]:
    """Assert that no data string is markup anywhere in a rendered map page.

    Outside scripts no tag or attribute may come from data. Inside scripts data may appear in
    two forms only: the canvas layers' JSON payloads (put on the page as text nodes) and other
    JavaScript strings (the layer control's names), which Leaflet writes as HTML and so must
    hold no ``<`` or ``>``. Returns the parsed page, the decoded payloads and those strings.
    """
    page = _Page()
    page.feed(text)
    page.close()
    for tag, attrs in page.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert MARKER not in (value or ""), (tag, name, value)
            assert HOST not in (value or ""), (tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
    # Only the page's own tags: none of data (a hostile name would add an img, iframe, a, svg).
    data_tags = [t for t, _ in page.tags if t in FORBIDDEN_TAGS - {"link", "meta"}]
    assert data_tags == [], data_tags
    payloads, strings = [], []
    for script in page.scripts:
        payloads += [json.loads(p) for p in _PAYLOAD.findall(script)]
        rest = _PAYLOAD.sub("null", script)
        strings += [json.loads(s) for s in _JS_STRING.findall(rest) if MARKER in s or HOST in s]
        # Never as code: each marker is inside a string.
        bare = _JS_STRING.sub('""', rest)
        assert MARKER not in bare
        assert HOST not in bare
    for s in strings:
        assert "<" not in s, s
        assert ">" not in s, s
    shown = {s for p in payloads for s in _walk(p)}
    for name in names:
        assert any(name in s for s in shown), f"{name!r} is not in any payload"
    return page, payloads, strings


def _layer_control(view: mapviews.MapView) -> maps.LayerControl:
    found = [c for c in view.map._children.values() if isinstance(c, maps.LayerControl)]
    assert len(found) == 1
    return found[0]


def test_the_canvas_script_puts_data_on_the_page_as_text() -> None:
    js = layers._CANVAS_JS
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js, sink
    # Tooltips are built of text nodes and handed to Leaflet as an element, never a string.
    assert "b.textContent = rows[j][0]" in js
    assert "document.createTextNode(rows[j][1])" in js
    assert "this._tip.setContent(this._tipFor(n))" in js
    assert "return box;" in js
    assert "bindTooltip" not in js
    assert "bindPopup" not in js


def test_lsoa_map_shows_hostile_types_and_names_as_text(
    lsoa_view: mapviews.MapView, labels: dict[str, str], hostile_upload: pd.DataFrame
) -> None:
    rendered = lsoa_view.map.get_root().render()
    upload_labels = [labels[t] for t in dict.fromkeys(hostile_upload["asset_type"])]
    page, payloads, strings = _check_page(rendered, HOSTILE_NAMES)

    # Layer control: the names as HTML text, which Leaflet shows as the original characters.
    control = _layer_control(lsoa_view)
    counts = hostile_upload["asset_type"].map(labels).value_counts()
    for label in upload_labels:
        layer_name = f"{label} ({counts[label]:,})"
        assert html_text(layer_name) in control.overlays
        assert html.unescape(html_text(layer_name)) == layer_name
        assert html_text(layer_name) in strings or not (MARKER in label or HOST in label)
    assert "Tea &amp; biscuits (your upload) (4)" in control.overlays  # escaped once

    # Legend: each label once per legend that lists the layers, shown as written.
    listing = [text for text in page.legends if "Local authority borders" in text]
    assert len(listing) == 1
    for label in upload_labels:
        assert listing[0].count(label) == 1, (label, listing[0])
    assert "&amp;" not in listing[0]

    # Tooltips: the raw texts travel as JSON and are shown with textContent (above).
    fixed = {row[1] for p in payloads for row in p.get("fixed", [])}
    assert set(upload_labels) <= fixed
    values = "\n".join(p["values"] for p in payloads if "values" in p)
    for name in HOSTILE_NAMES:
        assert name in values


def test_area_map_shows_hostile_names_as_text(area_view: mapviews.MapView) -> None:
    rendered = area_view.map.get_root().render()
    _check_page(rendered, HOSTILE_NAMES[3:5])


def test_saved_html_map_shows_hostile_text_as_text(
    lsoa_view: mapviews.MapView, labels: dict[str, str], hostile_upload: pd.DataFrame
) -> None:
    # As the Map page saves it: the cached view, after st_folium has rendered a copy of it.
    import copy

    copy.deepcopy(lsoa_view.map).get_root().render()
    saved = offline.standalone_html(lsoa_view.map)
    page, _, _ = _check_page(saved, HOSTILE_NAMES)
    upload_labels = [labels[t] for t in dict.fromkeys(hostile_upload["asset_type"])]
    listing = [text for text in page.legends if "Local authority borders" in text]
    assert len(listing) == 1  # drawn once
    for label in upload_labels:
        assert listing[0].count(label) == 1
    # The raw markup of a label appears nowhere outside the payloads' JSON.
    outside = _PAYLOAD.sub("", saved)
    for label in HOSTILE_TYPES + HOSTILE_NAMES:
        if "<" in label:
            assert label not in outside, label
            assert json.dumps(label)[1:-1].replace("<", "\\u003c") not in outside


def test_png_title_and_legend_are_plain_text(
    hostile_national: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An area whose name would be mathtext (and fail to parse: a crash, were it read as such),
    # LaTeX or markup, and classes labelled the same way.
    name = "$\\alpha$ <img src=x onerror=alert(1)> $\\undefinedcommand{$ 100% & _x_"
    area = dataclasses.replace(QYG, name=name)
    view = mapviews.lsoa_view(
        hostile_national,
        area,
        store.load_lsoas(geometry=True, columns=["lsoa21cd"]),
        store.load_layer("lad"),
        "gap_score",
        "quantiles",
    )
    assert name in view.title
    classes = dataclasses.replace(
        view.classes,
        labels=[f"{label} ${i}$ \\n" for i, label in enumerate(view.classes.labels)],
        method="$\\sqrt{x}$ & <b>method</b>",
    )
    note = "Source: $5 and $10 \\textbf{x}"
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    drawn: list[Figure] = []
    real = Figure.savefig

    def keep(self: Figure, *args: Any, **kwargs: Any) -> None:
        drawn.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    png = maps.to_png(view.shapes, classes, view.title, note=note)
    assert png.startswith(b"\x89PNG")
    texts = {t.get_text(): t for t in drawn[0].findobj(Text) if t.get_text()}
    for expected in [view.title, note, classes.method, *classes.labels]:
        assert expected in texts, expected
        assert texts[expected].get_parse_math() is False
        assert texts[expected].get_usetex() is False


# --- URL values and upload labels on every page ------------------------------------------------

PAGES = [path for path, _ in layout.PAGES]
IMAGE = f"![x](http://{HOST}/u.png)"
#: About 60 kB.
LONG = (IMAGE + " :red[x] $y$ <img src=x> ") * 1_200


def _run(page: str, **params: str) -> AppTest:
    """A new session opened on ``page`` with these URL parameters (the first run reads them)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "app.py":
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    """The Markdown source of every text element on the page."""
    kinds = ["title", "header", "subheader", "markdown", "caption"]
    kinds += ["info", "warning", "error", "success"]
    return [e.value for kind in kinds for e in getattr(at, kind)]


def _shown(markdown: str) -> str:
    """What Markdown of backslash escapes shows (the word joiners dropped)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def _notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "could not be followed" in w.value]


#: Markup of the hostile values, unescaped (a backslash before it makes it text).
_LIVE = re.compile(r"(?<!\\)(?:!\[|\]\(http|:red\[|<img|\$y\$)")


def _assert_inert(at: AppTest) -> None:
    for text in _texts(at):
        assert not _LIVE.search(text), text[:300]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("value", [IMAGE, LONG], ids=["image", "60kB"])
def test_url_area_is_echoed_as_short_plain_text_on_every_page(
    data_dir: Path, page: str, value: str
) -> None:
    at = _run(page, area=value)
    notices = _notices(at)
    assert len(notices) == 1, _texts(at)
    notice = notices[0]
    assert markdown_text(cut(value)) in notice
    shown = _shown(notice)
    assert cut(value) in shown
    # At most ECHO_MAX_CHARS characters of the value (an ellipsis marking the cut).
    assert len(value) <= ECHO_MAX_CHARS or value[:ECHO_MAX_CHARS] not in shown
    assert len(notice) < 600
    assert ".. " not in shown
    _assert_inert(at)


def test_unknown_area_notice_has_one_full_stop(data_dir: Path) -> None:
    at = _run("app.py", area="icb:NOPE")
    (notice,) = _notices(at)
    assert _shown(notice) == (
        "The link could not be followed exactly: no area matches 'icb:NOPE' at level 'icb'. "
        "Showing the closest view."
    )
    at = _run("app.py", area="icb:Chesire and Merseyside")
    (notice,) = _notices(at)
    assert ".." not in _shown(notice)
    assert _shown(notice).endswith(". Showing the closest view.")


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("app.py", "families"),
        ("app.py", "types"),
        ("app.py", "need"),
        ("pages/1_Map.py", "measure"),
        ("pages/6_Where_to_invest.py", "weights"),
        ("pages/6_Where_to_invest.py", "by"),
        ("pages/6_Where_to_invest.py", "top"),
    ],
)
@pytest.mark.parametrize("value", [IMAGE, LONG], ids=["image", "60kB"])
def test_every_url_parameter_is_echoed_as_short_plain_text(
    data_dir: Path, page: str, key: str, value: str
) -> None:
    # Where to invest ranks a local authority quickly; England it would only offer to rank.
    area = "lad:Blackpool" if page == "pages/6_Where_to_invest.py" else "england"
    at = _run(page, area=area, **{key: value})
    notices = _notices(at)
    assert len(notices) == 1, _texts(at)
    shown = _shown(notices[0])
    assert cut(value) in shown
    assert len(value) <= ECHO_MAX_CHARS or value[:ECHO_MAX_CHARS] not in shown
    assert len(notices[0]) < 600
    _assert_inert(at)


def test_top_of_sixty_thousand_digits_is_a_notice_not_an_error(data_dir: Path) -> None:
    at = _run("pages/6_Where_to_invest.py", area="lad:Blackpool", top="9" * 60_000)
    assert len(_notices(at)) == 1
    assert at.number_input(key="invest_top").value == settings.INVEST_TOP_N


def _session_upload(rows: pd.DataFrame, labels: dict[str, str]) -> upload.SessionUpload:
    return upload.SessionUpload(
        digest="hostile",
        filename=f"{IMAGE}.csv",
        assets=rows,
        labels=labels,
        report=pd.DataFrame(),
        rows_read=len(rows),
    )


@pytest.mark.parametrize("page", ["app.py", "pages/4_Methods_and_data.py", "pages/1_Map.py"])
def test_upload_labels_are_shown_as_text(
    data_dir: Path,
    page: str,
    hostile_upload: pd.DataFrame,
    upload_labels: dict[str, str],
) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["session_upload"] = _session_upload(hostile_upload, upload_labels)
    at.session_state["saved_filter_families"] = [FAMILY_COMMUNITY]
    at.session_state["saved_filter_types"] = [*family_types(FAMILY_COMMUNITY), *upload_labels]
    at.query_params["area"] = "icb:QYG"
    if page != "app.py":
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    for text in texts:
        assert not _LIVE.search(text), text[:300]
        assert not re.search(r"(?<!\\)<(?:img|iframe|a |script)", text), text[:300]
    everything = _shown("\n".join(texts))
    if page != "pages/1_Map.py":  # the Map page names the types on the map only
        for label in upload_labels.values():
            assert label in everything, label
    if page == "app.py":
        helps = [m.proto.help for m in at.metric if m.proto.help]
        assert helps
        for text in helps:
            assert not _LIVE.search(text), text
        assert any(markdown_text(HOSTILE_TYPES[4]) in text for text in helps)
