"""Draw folium maps with no internet: the map's JavaScript and CSS come from ``static/vendor``.

folium, branca and streamlit-folium point every map at CDNs (Leaflet, jQuery, Bootstrap, Font
Awesome, Leaflet.awesome-markers, d3, and Leaflet.draw for ``folium.plugins.Draw``). With no
internet those requests fail and the map never draws: streamlit-folium loads its scripts one
after another and stops at the first that fails.
``scripts/fetch_static.py`` (run by ``scripts/setup.sh``) fetches the exact versions folium asks
for from the npm registry into ``static/vendor`` (git-ignored), which Streamlit serves at
``/app/static/vendor`` (``[server] enableStaticServing`` in ``.streamlit/config.toml``). This
module points a map at those copies:

- :func:`localise` rewrites every resource link of a map to ``static/vendor`` (call it last,
  just before ``st_folium``); an unknown remote URL is an error, so nothing remote slips through.
- :func:`standalone_html` renders a map to one self-contained HTML document (scripts, styles,
  fonts and images inlined) that opens offline, legend included.
- :func:`missing_files` lists the vendored files that are not there yet.
- :func:`remote_tiles` lists the tile layers a map fetches from the internet: none, unless the
  user asked for a background map (:mod:`assetmap.presentation.basemaps`), which only
  ``allow_tiles=True`` lets through.

Examples
--------
>>> import folium
>>> from assetmap import offline
>>> m = folium.Map(tiles=None)
>>> offline.localise(m)  # doctest: +SKIP
>>> html = offline.standalone_html(m)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.colormap import ColorMap
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from branca.utilities import legend_scaler
from folium.elements import ElementAddToElement, JSCSSMixin

from assetmap import settings

#: Where Streamlit serves ``<project>/static/vendor`` (static serving serves ``static/`` of the
#: folder that holds the main script at ``/app/static``).
BASE_URL = "/app/static/vendor"


@dataclass(frozen=True)
class NpmPackage:
    """One npm package whose files are copied into ``static/vendor/<folder>``.

    Parameters
    ----------
    name
        The npm package name.
    version
        The exact version (the one folium's CDN URL names).
    folder
        The folder under ``static/vendor``.
    files
        Files or folders inside the package tarball (relative to its ``package/`` folder) to
        copy; everything else in the package (sources, maps, docs) is left out.
    """

    name: str
    version: str
    folder: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        """``name@version``, as ``npm pack`` takes it."""
        return f"{self.name}@{self.version}"


#: Every package ``scripts/fetch_static.py`` fetches. Versions are exactly those folium 0.20,
#: branca 0.8 and streamlit-folium 0.27 name in their CDN URLs.
PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        "leaflet",
        "1.9.3",
        "leaflet",
        ("dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"),
    ),
    NpmPackage("jquery", "3.7.1", "jquery", ("dist/jquery.min.js", "LICENSE.txt")),
    NpmPackage(
        "bootstrap",
        "5.2.2",
        "bootstrap",
        ("dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css", "LICENSE"),
    ),
    # folium asks for the glyphicons of Bootstrap 3.0.0, which is not on npm and whose full
    # stylesheet would fight Bootstrap 5: fetch_static.py cuts the glyphicon rules out of 3.4.1
    # (the same icon font) into GLYPHICONS_CSS, beside the fonts kept here.
    NpmPackage(
        "bootstrap",
        "3.4.1",
        "bootstrap3",
        (
            "dist/fonts/glyphicons-halflings-regular.woff2",
            "dist/fonts/glyphicons-halflings-regular.woff",
            "LICENSE",
        ),
    ),
    NpmPackage(
        "@fortawesome/fontawesome-free",
        "6.2.0",
        "fontawesome-free",
        ("css/all.min.css", "webfonts", "LICENSE.txt"),
    ),
    # Leaflet.awesome-markers 2.0.2 is on npm only as this repackaging of the release files
    # (it ships no licence file; the plugin is MIT, as its package.json says).
    NpmPackage(
        "drmonty-leaflet-awesome-markers",
        "2.0.2",
        "leaflet-awesome-markers",
        (
            "js/leaflet.awesome-markers.js",
            "css/leaflet.awesome-markers.css",
            "css/images",
            "package.json",
        ),
    ),
    NpmPackage("d3", "3.5.5", "d3", ("d3.min.js", "LICENSE")),
    # Leaflet.draw, for drawing an own area (folium.plugins.Draw asks for 1.0.2). It ships no
    # licence file; the plugin is MIT, as its package.json says.
    NpmPackage(
        "leaflet-draw",
        "1.0.2",
        "leaflet-draw",
        ("dist/leaflet.draw.js", "dist/leaflet.draw.css", "dist/images", "package.json"),
    ),
    # Not for maps: the browser tests inject it to check accessibility.
    NpmPackage("axe-core", "4.14.1", "axe-core", ("axe.min.js", "LICENSE")),
)

#: Generated by ``scripts/fetch_static.py`` from Bootstrap 3.4.1 (see PACKAGES).
GLYPHICONS_CSS = "bootstrap3/dist/css/glyphicons.css"

#: axe-core, for the accessibility checks of the browser tests.
AXE_JS = "axe-core/axe.min.js"

#: The d3 that branca's colormap legends draw with.
D3_JS = "d3/d3.min.js"

_JSDELIVR = "https://cdn.jsdelivr.net"
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_AWESOME_MARKERS = f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers"

#: Every CDN URL folium, branca and streamlit-folium use by default (``folium.Map`` and branca's
#: colormap legends), mapped to its file under ``static/vendor``; ``None`` drops the link.
CDN: Mapping[str, str | None] = {
    f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    f"{_CDNJS}/jquery/3.7.1/jquery.min.js": "jquery/dist/jquery.min.js",
    f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap/dist/js/bootstrap.bundle.min.js"
    ),
    f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": GLYPHICONS_CSS,
    f"{_JSDELIVR}/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "fontawesome-free/css/all.min.css"
    ),
    f"{_AWESOME_MARKERS}.js": "leaflet-awesome-markers/js/leaflet.awesome-markers.js",
    f"{_AWESOME_MARKERS}.css": "leaflet-awesome-markers/css/leaflet.awesome-markers.css",
    # Dropped: folium links this file from its git repository; it is in neither the folium wheel
    # nor any npm package. It only turns ``folium.Icon(angle=...)`` markers by odd angles (Font
    # Awesome 6 itself still turns icons by 90, 180 and 270 degrees).
    f"{_JSDELIVR}/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
        None
    ),
    f"{_CDNJS}/d3/3.5.5/d3.min.js": D3_JS,
    f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.js": "leaflet-draw/dist/leaflet.draw.js",
    f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.css": "leaflet-draw/dist/leaflet.draw.css",
}

#: Leaflet's own script, whose default marker images :func:`standalone_html` inlines.
_LEAFLET_JS = "leaflet/dist/leaflet.js"

#: Element attributes (and ``options`` keys) that name something the browser would fetch.
_URL_ATTRIBUTES = ("tiles", "url", "embed_link")
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_SCRIPT_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script\s*>", re.IGNORECASE
)
_CSS_TAG = re.compile(
    r"<link\b[^>]*?\brel\s*=\s*[\"']stylesheet[\"'][^>]*?\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*>",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\(\s*([\"']?)([^\"')]+)\1\s*\)")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_FONT_SRC = re.compile(r"(src\s*:)([^;}]*)", re.IGNORECASE)
_LEAFLET_ICONS = ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")


class OfflineError(RuntimeError):
    """A map needs a file that is not vendored, or ``static/vendor`` is incomplete."""


def vendor_dir() -> Path:
    """The folder the vendored files live in (``<project>/static/vendor``).

    Returns
    -------
    pathlib.Path
    """
    return settings.PROJECT_ROOT / "static" / "vendor"


def vendored_files() -> list[str]:
    """Every file maps or the browser tests load, relative to :func:`vendor_dir`.

    Returns
    -------
    list of str
        Sorted, without duplicates.
    """
    return sorted({path for path in CDN.values() if path is not None} | {AXE_JS})


def missing_files() -> list[str]:
    """The vendored files that are not there, relative to the project root.

    Returns
    -------
    list of str
        Empty when ``static/vendor`` is complete; otherwise run ``bash scripts/setup.sh``.
    """
    root = vendor_dir()
    return [
        str((root / path).relative_to(settings.PROJECT_ROOT))
        for path in vendored_files()
        if not (root / path).is_file()
    ]


def is_remote(url: str) -> bool:
    """Whether the browser would fetch ``url`` from another host (``http(s)://`` or ``//``).

    Parameters
    ----------
    url
        A URL as written in a page.

    Returns
    -------
    bool
    """
    return bool(_REMOTE.match(url))


class _LocalColormap(JSCSSMixin, MacroElement):
    """A branca colormap legend whose d3 comes from ``static/vendor``.

    branca adds d3 from a CDN when it renders a colormap, and streamlit-folium adds two more
    CDN copies of d3 for every ``ColorMap`` it finds (hard-coded, whatever the map says), so a
    colormap cannot draw offline as it is. This element draws the same legend with branca's own
    template, and is not a ``ColorMap``, so streamlit-folium loads only the d3 named here.
    """

    def __init__(self, colormap: ColorMap, d3_url: str) -> None:
        super().__init__()
        self.colormap = colormap
        self._template = colormap._template
        self._name = colormap._name
        self._id = colormap._id
        self.default_js = [("d3", d3_url)]

    def render(self, **kwargs: Any) -> str:
        # The attributes branca's ColorMap.render computes for its template (branca 0.8.2),
        # read from the colormap now so changes made after localise() still show.
        cm = self.colormap
        self.color_domain = [float(cm.vmin + (cm.vmax - cm.vmin) * k / 499.0) for k in range(500)]
        self.color_range = [cm(x) for x in self.color_domain]
        self.index = [float(i) for i in cm.index]
        self.tick_labels = (
            cm.tick_labels
            if cm.tick_labels is not None
            else legend_scaler(self.index, cm.max_labels)
        )
        self.caption, self.text_color = cm.caption, cm.text_color
        self.width, self.height = cm.width, cm.height
        # The template adds the legend to its parent, which must be the map (folium's
        # Choropleth re-parents its colour scale the same way).
        parent = self._parent
        while parent is not None and not isinstance(parent, folium.Map):
            parent = parent._parent
        if parent is not None:
            self._parent = parent
        return super().render(**kwargs)


def _tree(root: Element) -> Iterator[tuple[Element, str, Element]]:
    """Every element below ``root`` as (container, key, element), the figure's parts included."""
    stack: list[Element] = [root]
    seen: set[int] = set()
    while stack:
        container = stack.pop()
        if id(container) in seen:
            continue
        seen.add(id(container))
        parts: list[tuple[str, Element]] = list(container._children.items())
        if isinstance(container, Figure):
            parts += [("header", container.header), ("html", container.html)]
            parts += [("script", container.script)]
        for key, child in parts:
            yield container, key, child
            stack.append(child)


def _local_url(url: str, base_url: str, where: str, used: set[str]) -> str | None:
    """The local URL for a resource link (``None``: drop it); local links are kept as they are.

    Records in ``used`` the vendored file each link ends up at.
    """
    local: str | None = url
    if is_remote(url):
        if url not in CDN:
            raise OfflineError(
                f"{where} loads {url}, which is not vendored: add it to "
                "assetmap.presentation.offline.CDN and PACKAGES (scripts/fetch_static.py fetches "
                "PACKAGES from npm), or leave that element out of the map"
            )
        path = CDN[url]
        local = None if path is None else f"{base_url}/{path}"
    if local is not None and local.startswith(base_url + "/"):
        used.add(local.removeprefix(base_url + "/"))
    return local


def _check_urls(element: Element, allow_tiles: bool) -> None:
    """Raise when a layer (tiles, image, GeoJSON by link, icon...) would be fetched remotely."""
    options = getattr(element, "options", None)
    values = list(vars(element).items())
    if isinstance(options, dict):
        values += list(options.items())
    for name, value in values:
        fetched = name in _URL_ATTRIBUTES or name.endswith("_url")
        if not (fetched and isinstance(value, str) and is_remote(value)):
            continue
        if name == "tiles" and allow_tiles:
            continue
        hint = (
            " (folium.Map(tiles=None) draws no tiles; a background map the user asked for is "
            "localised with allow_tiles=True, see assetmap.presentation.basemaps)"
            if name == "tiles"
            else ""
        )
        raise OfflineError(
            f"{type(element).__name__} fetches {name}={value!r} from the internet{hint}"
        )


def remote_tiles(element: Element) -> list[str]:
    """The URL templates of the tile layers a map would fetch from the internet.

    Parameters
    ----------
    element
        A map or any element of one: its whole figure is searched.

    Returns
    -------
    list of str
        Empty for a map that draws with no internet (every assetmap map, unless the user turned
        a background map on).
    """
    return [
        child.tiles
        for _, _, child in _tree(element.get_root())
        if isinstance(child, folium.TileLayer) and is_remote(child.tiles)
    ]


def localise(element: Element, base_url: str = BASE_URL, *, allow_tiles: bool = False) -> None:
    """Point every script and stylesheet of a map at the copies in ``static/vendor``.

    Walks the whole figure the element belongs to: each element's ``default_js`` and
    ``default_css`` (which ``st_folium`` turns into the links it loads in its iframe) and the
    links already in the figure's header are rewritten from their CDN URL to
    ``{base_url}/{file}``. Branca colormaps (legends, folium's Choropleth scale) are swapped for
    an element that draws the same legend with the vendored d3 (see ``_LocalColormap``).
    Local links are kept, so calling it twice is harmless. Call it after the last element is
    added, just before ``st_folium(m)`` or saving the map.

    Parameters
    ----------
    element
        A ``folium.Map``, ``folium.Figure`` or any element in one (a detached
        ``FeatureGroup`` for ``st_folium(feature_group_to_add=...)`` works too).
    base_url
        Where ``static/vendor`` is served. The default is Streamlit's static serving; add the
        ``server.baseUrlPath`` in front if the app is served under one.
    allow_tiles
        Allow tile layers from the internet (the map then needs it for its background).

    Raises
    ------
    OfflineError
        When an element links a remote script or stylesheet not in :data:`CDN`, fetches tiles
        (unless ``allow_tiles``), an image, a GeoJSON or an icon from the internet, or when a
        vendored file it needs is missing (run ``bash scripts/setup.sh``).

    Notes
    -----
    HTML inside popups and tooltips is not inspected: an ``<img src="https://...">`` there is
    fetched when it opens.
    """
    base_url = base_url.rstrip("/")
    used: set[str] = set()
    for container, key, child in list(_tree(element.get_root())):
        where = type(child).__name__
        if isinstance(child, ColorMap):
            legend = _LocalColormap(child, f"{base_url}/{D3_JS}")
            legend._parent = child._parent
            container._children[key] = legend
            for attr, value in vars(container).items():
                if value is child:  # e.g. Choropleth.color_scale
                    setattr(container, attr, legend)
            child = legend
        if isinstance(child, (JavascriptLink, CssLink)):
            local = _local_url(child.url, base_url, f"the figure's header ({key})", used)
            if local is None:
                del container._children[key]
            else:
                child.url = local
            continue
        for attr in ("default_js", "default_css"):
            links = getattr(child, attr, None)
            if not links:
                continue
            kept = []
            for name, url in links:
                local = _local_url(url, base_url, where, used)
                if local is not None:
                    kept.append((name, local))
            # On the instance: the class lists are shared by every map in the process.
            setattr(child, attr, kept)
        _check_urls(child, allow_tiles)
    missing = [path for path in sorted(used) if not (vendor_dir() / path).is_file()]
    if missing:
        raise OfflineError(
            f"{vendor_dir()} lacks {', '.join(missing)}: run `bash scripts/setup.sh` "
            "(it fetches the map's scripts and styles from npm)"
        )


def _vendored_path(url: str) -> str:
    """The file under ``static/vendor`` a script or stylesheet URL stands for."""
    if is_remote(url):
        path = CDN.get(url)
        if path is None:
            raise OfflineError(f"{url} is not vendored (see assetmap.presentation.offline.CDN)")
        return path
    for path in vendored_files():
        if url == path or url.endswith("/" + path):
            return path
    raise OfflineError(f"{url} is neither a known CDN URL nor a file in static/vendor")


def _read(path: str) -> bytes:
    file = vendor_dir() / path
    if not file.is_file():
        raise OfflineError(f"{file} is missing: run `bash scripts/setup.sh`")
    return file.read_bytes()


def _data_uri(path: str) -> str:
    kind = mimetypes.guess_type(path)[0]
    if kind is None:
        kind = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf"}.get(
            posixpath.splitext(path)[1], "application/octet-stream"
        )
    return f"data:{kind};base64,{base64.b64encode(_read(path)).decode('ascii')}"


def _woff2_only(css: str) -> str:
    """Keep only the woff2 source of each web font when it has one (every current browser reads
    woff2), so the inlined fonts are not carried two or three times."""

    def font_face(block: re.Match[str]) -> str:
        def src(match: re.Match[str]) -> str:
            sources = re.split(r",(?![^(]*\))", match.group(2))
            woff2 = [s for s in sources if "woff2" in s]
            return match.group(1) + ",".join(woff2 or sources)

        return _FONT_SRC.sub(src, block.group(0))

    return _FONT_FACE.sub(font_face, css)


def _inline_css(path: str) -> str:
    """A vendored stylesheet with every file it refers to inlined as a data URI."""
    css = _woff2_only(_read(path).decode("utf-8"))
    folder = posixpath.dirname(path)

    def inline(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")):
            return match.group(0)
        if is_remote(ref):
            raise OfflineError(f"{path} refers to {ref}, which is remote")
        target = posixpath.normpath(posixpath.join(folder, re.split(r"[?#]", ref)[0]))
        if target.startswith("../"):
            raise OfflineError(f"{path} refers to {ref}, outside static/vendor")
        return f'url("{_data_uri(target)}")'

    css = _CSS_URL.sub(inline, css)
    if "</style" in css.lower():
        raise OfflineError(f"{path} cannot be inlined: it contains '</style'")
    return css


def _inline_script(path: str) -> str:
    # "</script" would end the inline element early; "<\/" means the same to JavaScript.
    js = re.sub(r"</(script)", r"<\\/\1", _read(path).decode("utf-8"), flags=re.IGNORECASE)
    if path == _LEAFLET_JS:
        # Leaflet finds its default marker images from the URL of leaflet.css, which a data URI
        # does not have: give it the images directly.
        folder = posixpath.dirname(path)
        icon, retina, shadow = (_data_uri(f"{folder}/images/{name}") for name in _LEAFLET_ICONS)
        js += (
            '\nL.Icon.Default.imagePath = "";\n'
            f'L.Icon.Default.mergeOptions({{iconUrl: "{icon}", iconRetinaUrl: "{retina}", '
            f'shadowUrl: "{shadow}"}});\n'
        )
    return js


#: The names folium files an element's rendered parts under in the figure: ``<kind>_<id>``, the
#: id a uuid4 hex (folium) or one of streamlit-folium's positional ids (``div``, ``div_0_1``).
_RENDERED_NAME = re.compile(r"^[a-z][a-z0-9_]*?_(?:[0-9a-f]{32}|div(?:_\d+)*)$")


def _drop_stale_parts(figure: Figure) -> None:
    """Forget what an earlier render left under names the elements no longer have.

    ``st_folium`` renames every element of the map it shows (``map_div``, ``geo_json_div_0``...),
    so rendering that map again would draw it twice, under the old names and the new, and run
    the ``addTo`` calls folium's layers made for their old names, which no longer exist. Parts
    added by hand under other names are kept.
    """
    names = {child.get_name() for _, _, child in _tree(figure)}
    for container, key, child in list(_tree(figure)):
        if isinstance(child, ElementAddToElement) and not (
            {child.element_name, child.element_parent_name} <= names
        ):
            del container._children[key]
    current = {child.get_name() for _, _, child in _tree(figure)}
    for part in (figure.header, figure.html, figure.script):
        for key in [k for k in part._children if k not in current and _RENDERED_NAME.match(k)]:
            del part._children[key]


def standalone_html(element: Element, *, allow_tiles: bool = False) -> str:
    """Render a map to one self-contained HTML document that opens with no internet.

    The map is first passed through :func:`localise` (in place), then rendered; every script
    and stylesheet is inlined from ``static/vendor``, with the fonts and images the stylesheets
    use as data URIs, so the file needs nothing else (colormap legends included). A map already
    shown with ``st_folium`` (a cached one, say) is fine: what that render left behind under
    the element names st_folium replaced is dropped first, so the map is drawn once.

    Parameters
    ----------
    element
        A ``folium.Map`` or ``folium.Figure`` (or an element in one: its whole figure is saved).
    allow_tiles
        Allow tile layers from the internet (the file then needs it for the map background).

    Returns
    -------
    str
        The HTML document (about 2 MB of libraries and fonts, plus the map's own data).

    Raises
    ------
    OfflineError
        As :func:`localise`, or when a vendored file is missing.
    """
    localise(element, allow_tiles=allow_tiles)
    figure = element.get_root()
    if isinstance(figure, Figure):
        _drop_stale_parts(figure)
    html = figure.render()
    inlined: set[str] = set()

    # Each library once, even when two elements link it.
    def script(match: re.Match[str]) -> str:
        path = _vendored_path(match.group(1))
        if path in inlined:
            return ""
        inlined.add(path)
        return f"<script>{_inline_script(path)}</script>"

    def style(match: re.Match[str]) -> str:
        path = _vendored_path(match.group(1))
        if path in inlined:
            return ""
        inlined.add(path)
        return f"<style>{_inline_css(path)}</style>"

    html = _SCRIPT_TAG.sub(script, html)
    html = _CSS_TAG.sub(style, html)
    return html
