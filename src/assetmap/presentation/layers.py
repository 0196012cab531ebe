"""The folium layers of a map: shapes and points painted on one canvas, legend, layer control.

Every layer is painted on one shared canvas (a class of polygons or a type of asset point as one
path) instead of one Leaflet object per feature, from the payloads of
:mod:`assetmap.presentation.encoding`. That makes an ICB's 1,601 LSOAs under a third of the size
of a plain ``folium.Choropleth`` and over twice as fast to draw (``bench/bench_map.py``).
Names and types come from publishers and from users' uploads, so they are text wherever they go:
tooltip values travel as plain arrays and are put on the page with ``textContent``, never as
HTML; layer names (which Leaflet's layer control writes as HTML) and the legend pass through
:func:`assetmap.presentation.text.html_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any, Final

import folium
import numpy as np
import polyline
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from assetmap.presentation.classify import Classes
from assetmap.presentation.encoding import (
    encode_paths,
    js_payload,
    mercator_box,
    pack_rows,
    web_mercator,
)
from assetmap.presentation.text import html_text

# The canvas layers. Leaflet's own canvas renderer does the panning and zoom animation (with
# the canvas cut to what its layers draw, see Renderer), but instead of one L.Polygon or
# L.CircleMarker per feature (an object with its bounds, projection and events: most of the
# time a 1,601-LSOA map with its 735 asset points took to draw) each layer paints all its
# features itself, a class of polygons or a type of point in one canvas path. Coordinates
# arrive in Web Mercator metres, so projecting is one multiply-add per axis (for polygons, one
# canvas transform). Hover is found by a point-in-polygon or nearest-point test on the map's
# own mouse events, so no canvas takes pointer events or hides another layer. Defined once per
# page, in canvas.js (package data, linted by eslint and formatted by prettier in the test command).
_CANVAS_JS: Final = "\n" + (resources.files("assetmap.presentation") / "canvas.js").read_text(
    encoding="utf-8"
)


def _first_canvas_layer(element: Element) -> Element | None:
    """The first canvas layer of a figure, in render (and so script) order."""
    for child in element._children.values():
        if isinstance(child, (CompactPolygons, PointLayer)):
            return child
        found = _first_canvas_layer(child)
        if found is not None:
            return found
    return None


class _CanvasLayer(folium.FeatureGroup):
    """Shared by the canvas layers: the script defining them goes out once per page."""

    def render(self, **kwargs: Any) -> Any:
        # Decided from the figure at each render, never remembered: st_folium renders deep
        # copies of a cached map, and each copy must carry the definitions itself.
        first = _first_canvas_layer(self.get_root())
        self.canvas_js = _CANVAS_JS if first is None or first is self else ""
        return super().render(**kwargs)


class CompactPolygons(_CanvasLayer):
    """A layer of filled polygons sent as SVG path data and painted on one canvas.

    Each class of polygons is one canvas path, filled and stroked (see the module notes); the
    layer exposes ``assetmapKeys`` (every key) and ``assetmapDrawn`` (the keys painted in the
    last redraw: every shape, since each class path is painted whole and the canvas clips it
    to the view) to scripts and tests.

    Parameters
    ----------
    geometries
        Polygons in EPSG:4326.
    colour_index
        Class of each polygon (``-1``: no data, drawn grey).
    colours
        Colour of each class.
    keys
        Identifier of each polygon (e.g. an LSOA code), kept on the layer for scripts and tests.
    tooltip_fields
        Labels of the tooltip rows.
    tooltip_values
        Per polygon, one text per tooltip row (shown as text, never as HTML).
    keyed
        Tooltip rows whose text is followed by the polygon's key in brackets, e.g. an LSOA's
        name then ``(E01006412)``: the key is sent once, in ``keys``, not twice.
    name
        Name in the layer control.
    stroke
        Outline colour; ``weight`` its width in pixels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.canvas_js }}
        (function (group) {
            var d = {{ this.payload }};
            group.addLayer(new window.AssetmapShapes(d, {
                fillOpacity: {{ this.fill_opacity }},
                stroke: "{{ this.stroke }}",
                weight: {{ this.weight }}
            }));
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        geometries: Sequence[Any] | np.ndarray,
        colour_index: np.ndarray,
        colours: Sequence[str],
        keys: Sequence[str],
        tooltip_fields: Sequence[str] = (),
        tooltip_values: Sequence[Sequence[str]] = (),
        *,
        keyed: Sequence[str] = (),
        name: str,
        stroke: str = "#ffffff",
        weight: float = 0.6,
        fill_opacity: float = 0.85,
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, show=show, control=control)
        self._name = "CompactPolygons"
        self.canvas_js = _CANVAS_JS
        self.stroke = stroke
        self.weight = weight
        self.fill_opacity = fill_opacity
        self.n_features = len(keys)
        unknown = set(keyed) - set(tooltip_fields)
        if unknown:
            raise ValueError(f"keyed names rows that are not tooltip fields: {sorted(unknown)}")
        paths, origin = encode_paths(geometries)
        payload = {
            "paths": paths,
            "origin": list(origin),
            "box": mercator_box(geometries),
            "cls": [int(c) for c in colour_index],
            "colours": list(colours),
            "keys": [str(k) for k in keys],
            "fields": list(tooltip_fields),
            "keyed": list(keyed),
            "values": "\n".join(pack_rows(tooltip_values)),
        }
        self.payload = js_payload(payload)
        bounds = shapely.total_bounds(np.asarray(geometries))
        self._bounds: list[list[float | None]] = [
            [float(bounds[1]), float(bounds[0])],
            [float(bounds[3]), float(bounds[2])],
        ]

    def get_bounds(self) -> list[list[float | None]]:
        """South-west and north-east corners, for ``fit_bounds``."""
        return self._bounds


class PointLayer(_CanvasLayer):
    """Asset points painted on one canvas, with text-only tooltips.

    The layer exposes ``assetmapPoints`` (points painted in the last redraw) and, for tests,
    ``assetmapPixel(i)`` and ``assetmapShow(i)``.

    Parameters
    ----------
    lat, lon
        Coordinates (EPSG:4326).
    tooltip_fields
        Labels of the tooltip rows.
    tooltip_values
        Per point, one text per row (shown as text, never as HTML).
    colour
        Fill colour.
    name
        Name in the layer control.
    tooltip_fixed
        ``(label, text)`` rows the same for every point of the layer (e.g. its type), shown
        first and sent once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.canvas_js }}
        (function (group) {
            var d = {{ this.payload }};
            group.addLayer(new window.AssetmapPoints(d, {
                radius: 4.5, weight: 1, stroke: "#ffffff",
                colour: "{{ this.colour }}", fillOpacity: 0.95
            }));
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        lat: np.ndarray,
        lon: np.ndarray,
        tooltip_fields: Sequence[str],
        tooltip_values: Sequence[Sequence[str]],
        *,
        colour: str,
        name: str,
        show: bool = True,
        tooltip_fixed: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(name=name, show=show)
        self._name = "PointLayer"
        self.canvas_js = _CANVAS_JS
        self.colour = colour
        self.n_features = len(lat)
        x, y = web_mercator(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        xy = np.rint(np.column_stack([x, y])).astype(np.int64)
        payload = {
            "points": polyline.encode(xy.tolist(), 0),
            "box": [*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist()] if len(xy) else None,
            "keys": [],
            "fixed": [[str(label), str(text)] for label, text in tooltip_fixed],
            "fields": list(tooltip_fields),
            "values": "\n".join(pack_rows(tooltip_values)),
        }
        self.payload = js_payload(payload)


class Legend(MacroElement):
    """A legend box: title, units, one swatch per class, source line (real text, screen-readable).

    Every text is plain text (an upload's type label, say): it is escaped with
    :func:`assetmap.presentation.text.html_text` here, so ``A & B`` shows as ``A & B`` and ``<b>``
    as ``<b>``. A button in its header collapses it to the title (each legend on its own), and
    on a small map it starts collapsed; its style and script are package data (``legend.css``,
    ``legend.js``), written once per page.

    Parameters
    ----------
    title
        What is shown.
    classes
        The classification; ``None`` when another legend shows it (the bivariate grid).
    note
        Small print (method, source).
    extra
        More ``(colour, label, shape)`` rows, e.g. asset types: ``shape`` is "circle", "line"
        (a 2 px outline) or "thin line" (1 px).
    """

    #: The legend's look (and when it starts collapsed), into the page's header.
    _CSS: Final = (
        "<style>\n"
        + (resources.files("assetmap.presentation") / "legend.css").read_text(encoding="utf-8")
        + "</style>"
    )
    #: The collapse button's behaviour, into the page's script once.
    _JS: Final = "\n" + (resources.files("assetmap.presentation") / "legend.js").read_text(
        encoding="utf-8"
    )

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="assetmap-legend" role="region"
             aria-label="Map legend">
          <div class="assetmap-legend-head">
            <div class="assetmap-legend-title">{{ this.title }}</div>
            <button type="button" class="assetmap-legend-toggle" aria-expanded="true"
                    aria-controls="{{ this.get_name() }}_body"
                    aria-label="Hide the legend" title="Hide the legend"></button>
          </div>
          <div id="{{ this.get_name() }}_body" class="assetmap-legend-body">
          {% for colour, label in this.rows %}
          <div><span class="assetmap-legend-swatch" style="background:{{ colour }};"></span>
               {{- label }}</div>
          {% endfor %}
          {% for colour, label, shape in this.extra %}
          <div><span class="assetmap-legend-mark" style="
                {% if shape == 'line' %}border:2px solid {{ colour }}; background:transparent;
                {% elif shape == 'thin line' %}border:1px solid {{ colour }};
                background:transparent;
                {% else %}border-radius:50%; background:{{ colour }};
                border:1px solid #fff;{% endif %}">
                </span>{{ label }}</div>
          {% endfor %}
          <div class="assetmap-legend-note">{{ this.note }}</div>
          </div>
        </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.legend_js }}
        window.assetmapLegends();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        classes: Classes | None,
        note: str = "",
        extra: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.legend_js = self._JS
        # Escaped once, here, and written into the template as they are.
        self.title = html_text(title)
        self.rows = (
            []
            if classes is None
            else [
                (colour, html_text(label))
                for colour, label in zip(classes.colours, classes.labels, strict=True)
            ]
        )
        self.note = html_text(note)
        self.extra = [(colour, html_text(label), shape) for colour, label, shape in extra]

    @staticmethod
    def _first(element: Element) -> Legend | None:
        """The first legend of a figure, in render (and so script) order."""
        for child in element._children.values():
            found = child if isinstance(child, Legend) else Legend._first(child)
            if found is not None:
                return found
        return None

    def render(self, **kwargs: Any) -> Any:
        # As the canvas layers: decided at each render (st_folium renders deep copies), the
        # script once per page, the style under one name in the header (so once as well).
        root = self.get_root()
        first = Legend._first(root)
        self.legend_js = self._JS if first is None or first is self else ""
        if isinstance(root, Figure):
            root.header.add_child(Element(self._CSS), name="assetmap_legend_css")
        return super().render(**kwargs)


class LayerControl(folium.LayerControl):
    """folium's layer control, with the layer names shown as text.

    Leaflet writes each name into the control as HTML (``innerHTML``), so a type label from an
    upload such as ``<img src=x onerror=...>`` would run there; each name is passed through
    :func:`assetmap.presentation.text.html_text` first, and the control shows the original
    characters. The layers keep their names as plain text (``layer_name``).
    """

    def render(self, **kwargs: Any) -> Any:
        # folium's LayerControl.render, with the names escaped.
        self.reset()
        siblings = self._parent._children.values() if self._parent is not None else ()
        for item in siblings:
            if not isinstance(item, folium.map.Layer) or not item.control:
                continue
            names = self.overlays if item.overlay else self.base_layers
            names[html_text(item.layer_name)] = item.get_name()
        return super(folium.LayerControl, self).render(**kwargs)


# Place names (issue 20): defined after the other layers, which they are drawn over.
from assetmap.presentation import labels as _labels  # noqa: E402


def _first_defining_layer(element: Element) -> Element | None:
    """The first layer of a figure that may carry canvas.js, in render order."""
    for child in element._children.values():
        if isinstance(child, (CompactPolygons, PointLayer, LabelLayer)):
            return child
        found = _first_defining_layer(child)
        if found is not None:
            return found
    return None


class LabelLayer(_CanvasLayer):
    """Place names painted on the maps' shared canvas, after (so over) every other layer.

    Each name is canvas text (``strokeText`` in white for its halo, then ``fillText``), never
    HTML, placed by the browser at every redraw (each zoom and pan) in the order of
    :class:`assetmap.presentation.labels.PlaceLabels`: larger areas first, a name hidden where
    it would overlap one already placed or not fit inside its shape, ward names only from
    :data:`assetmap.presentation.labels.WARD_MIN_ZOOM`. The layer exposes ``assetmapLabels``
    (the names placed in the last redraw: ``text``, ``tier``, and ``x``, ``y`` and ``box`` in
    the map container's pixels) to scripts and tests.

    Parameters
    ----------
    labels
        The names and their points (:mod:`assetmap.presentation.labels`).
    name
        Name in the layer control.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        {{ this.canvas_js }}
        (function (group) {
            group.addLayer(new window.AssetmapLabels({{ this.payload }}, {}));
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, labels: _labels.PlaceLabels, *, name: str = "Place names", show: bool = True
    ) -> None:
        super().__init__(name=name, show=show)
        self._name = "LabelLayer"
        self.canvas_js = _CANVAS_JS
        self.n_features = len(labels)
        self.payload = js_payload({**_labels.payload(labels), "keys": [], "fields": []})

    def render(self, **kwargs: Any) -> Any:
        # As _CanvasLayer.render, knowing that a map may have place names before any shape.
        first = _first_defining_layer(self.get_root())
        self.canvas_js = _CANVAS_JS if first is None or first is self else ""
        return super(_CanvasLayer, self).render(**kwargs)
