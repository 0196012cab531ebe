"""Map layers of a search near a place (``assetmap.presentation.nearmap``): the circle, the
assets found and the centre, on the real build, with hostile text shown as text."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest

from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.measures import near
from assetmap.presentation import maps, nearmap
from assetmap.presentation.layers import CompactPolygons
from tests.conftest import ALL_TYPES
from tests.test_hostile_markup import HOSTILE_NAMES, HOSTILE_TYPES, MARKER, _check_page

#: Liverpool (Anfield is in it): its first LSOA's residence point is the place searched from.
LIVERPOOL = "E08000012"
DISTANCE = 1500.0
LABELS = {k: s.label for k, s in ASSET_SOURCES.items()}


@pytest.fixture(scope="module")
def among(data_dir: Path, assets: pd.DataFrame, lsoas: pd.DataFrame) -> near.Searchable:
    return near.Searchable.build(
        assets[assets["asset_type"].isin(ALL_TYPES)], store.load_residence(data_dir), lsoas
    )


@pytest.fixture(scope="module")
def place(data_dir: Path, lsoas: pd.DataFrame) -> near.Place:
    code = sorted(lsoas.loc[lsoas["lad24cd"] == LIVERPOOL, "lsoa21cd"])[0]
    homes = store.load_residence(data_dir).set_index("lsoa21cd")
    easting, northing = homes.loc[code, ["res_easting", "res_northing"]].astype(float)
    return near.Place(code, easting, northing)


@pytest.fixture(scope="module")
def found(place: near.Place, among: near.Searchable) -> near.Nearby:
    result = near.nearby(place, DISTANCE, among)
    assert result.assets["asset_type"].nunique() >= 2  # a search worth drawing
    return result


def _map(control: bool = True) -> folium.Map:
    m = maps.base_map([-3.1, 53.3, -2.8, 53.5])
    if control:
        maps.LayerControl(collapsed=True).add_to(m)
    return m


def test_the_circle_is_the_distance_searched_in_grid_metres(place: near.Place) -> None:
    shape = nearmap.circle_polygon(place.easting, place.northing, DISTANCE)
    xy = np.asarray(shape.exterior.coords)
    assert len(xy) - 1 == nearmap.CIRCLE_VERTICES
    d = np.hypot(xy[:, 0] - place.easting, xy[:, 1] - place.northing)
    assert np.allclose(d, DISTANCE, rtol=1e-9)
    # A chord never strays further inside the circle than the module says (6 m at 20 km).
    assert DISTANCE - shape.exterior.distance(shape.centroid) < 6.1 * DISTANCE / 20_000


def test_search_adds_circle_found_assets_and_centre_before_the_layer_control(
    found: near.Nearby, place: near.Place
) -> None:
    m = _map()
    drawn = nearmap.add_search(m, found, LABELS)
    children = list(m._children.values())
    control = next(c for c in children if isinstance(c, maps.LayerControl))
    added = [drawn.halo, drawn.circle, drawn.centre, *drawn.found]
    # Painted in this order, after what the map had, and all before the layer control.
    at = [children.index(layer) for layer in [*added, control]]
    assert at == sorted(at)
    assert isinstance(drawn.circle, CompactPolygons)
    assert drawn.circle.n_features == 1
    # One layer per type found, each with exactly the assets of that type within the distance.
    counts = found.assets["asset_type"].value_counts()
    assert [layer.layer_name for layer in drawn.found] == [
        f"Found: {LABELS[t]} ({counts[t]:,})" for t in found.assets["asset_type"].unique()
    ]
    assert sum(layer.n_features for layer in drawn.found) == len(found.assets)
    assert drawn.centre.n_features == 1
    # The view is fitted to the circle, which holds the centre and every asset found.
    (south, west), (north, east) = drawn.bounds
    lat, lon = near.wgs84(place)
    assert south < lat < north
    assert west < lon < east
    for e, n in zip(found.assets["easting"], found.assets["northing"], strict=True):
        a_lat, a_lon = near.wgs84(near.Place("", e, n))
        assert south <= a_lat <= north
        assert west <= a_lon <= east
    page = m.get_root().render()
    assert f'"keys":["{nearmap.CIRCLE_KEY}"]' in page
    assert page.count('layer.assetmapSearch = "found"') == len(drawn.found)
    assert page.count('layer.assetmapSearch = "centre"') == 1
    # The layer control is rendered last and lists the new layers, each already defined.
    control_at = page.index(f"var {control.get_name()}_layers")
    for layer in added:
        assert page.index(f"var {layer.get_name()} =") < control_at
        listed = f'"{html.escape(layer.layer_name)}" : {layer.get_name()}' in page[control_at:]
        assert listed == (layer is not drawn.halo)  # the halo is part of the circle
    fitted = re.findall(r"\.fitBounds\(\s*(\[\[.*?\]\])", page, re.S)
    assert [json.loads(f) for f in fitted] == [drawn.bounds]  # the circle's, in place of the map's
    # The canvas script goes out once, with the first canvas layer.
    assert page.count("if (!window.AssetmapCanvas)") == 1


def test_a_search_with_nothing_near_draws_the_circle_and_centre_only(
    among: near.Searchable,
) -> None:
    sea = near.place_of_point(54.5, 2.0)  # the North Sea
    empty = near.nearby(sea, 1000, among)
    assert empty.assets.empty
    assert empty.lsoas.empty
    m = _map(control=False)
    drawn = nearmap.add_search(m, empty, LABELS)
    assert drawn.found == ()
    assert drawn.centre.n_features == 1
    assert "no asset of the types counted" in drawn.note.text
    m.get_root().render()


class _Note(HTMLParser):
    """The text of the search note, as a browser shows it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "assetmap-search-note" in (dict(attrs).get("class") or ""):
            self._inside = True
            self.text.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.text[-1] += data


def test_names_types_and_place_are_shown_as_text(found: near.Nearby) -> None:
    hostile = found.assets.copy()
    hostile["name"] = [HOSTILE_NAMES[i % len(HOSTILE_NAMES)] for i in range(len(hostile))]
    kinds = sorted(hostile["asset_type"].unique())
    labels = {t: HOSTILE_TYPES[i % len(HOSTILE_TYPES)] for i, t in enumerate(kinds)}
    label = f"{HOSTILE_NAMES[3]} {HOSTILE_TYPES[3]}"
    search = near.Nearby(
        near.Place(label, found.place.easting, found.place.northing),
        found.distance_m,
        hostile,
        found.lsoas,
    )
    m = _map()
    nearmap.add_search(m, search, labels)
    page = m.get_root().render()
    _, payloads, _ = _check_page(page, HOSTILE_NAMES)
    shown = {str(v) for p in payloads for row in p.get("fixed", []) for v in row}
    assert set(labels.values()) <= shown  # each type's label, as text in its tooltip
    assert f"within {DISTANCE:,.0f} m of {label}" in shown
    note = _Note()
    note.feed(page)
    assert len(note.text) == 1
    # Shown as written: no tag made, no template tag evaluated (``{{ __pwned }}`` stays).
    assert " ".join(note.text[0].split()) == nearmap.describe(search, labels)
    assert f"{{{{ {MARKER} }}}}" in note.text[0]
