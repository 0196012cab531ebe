"""Place names: display names, label points inside their shapes, placing order and collisions,
and the label layer on every map."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import polyline
import pytest
import shapely

from assetmap.data import store
from assetmap.geography import areas
from assetmap.presentation import labels, maps, mapviews
from assetmap.presentation.layers import CompactPolygons, LabelLayer, LayerControl, PointLayer
from tests.conftest import COMMUNITY_TYPES

QYG = "E54000008"  # NHS Cheshire and Merseyside ICB


@pytest.fixture(scope="module")
def qyg_lsoas(data_dir: Path) -> gpd.GeoDataFrame:
    frame = store.load_lsoas(
        data_dir,
        geometry=True,
        columns=["icb24cd", "lad24cd", "lad24nm", "ward24cd", "ward24nm", "population"],
    )
    return frame[frame["icb24cd"] == QYG].reset_index(drop=True)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("NHS Cheshire and Merseyside Integrated Care Board", "Cheshire and Merseyside"),
        ("NHS Devon Integrated Care Board", "Devon"),
        ("NHS Cheshire and Merseyside ICB - 01F", "Cheshire and Merseyside 01F"),
        ("NHS Greater Manchester ICB - 00T", "Greater Manchester 00T"),
        ("Liverpool", "Liverpool"),
        ("Kingston upon Hull, City of", "Kingston upon Hull, City of"),
        ("NHSX Road", "NHSX Road"),  # only "NHS " as a word is dropped
        ("Integrated Care Board", "Integrated Care Board"),  # never shortened to nothing
        ("St.\tHelens\n", "St. Helens"),  # control characters and runs of space: one space
    ],
)  # fmt: skip
def test_display_names(name: str, shown: str) -> None:
    assert labels.display_name(name) == shown


@pytest.mark.parametrize(("level", "name"), [("lad", "lad24nm"), ("icb", "icb24nm")])
def test_every_label_point_lies_inside_its_area(data_dir: Path, level: str, name: str) -> None:
    layer = store.load_layer(level, data_dir)
    found = labels.area_labels(layer.geometry.values, layer[name].tolist())
    assert len(found) == len(layer)
    shown = labels.names_frame(found).set_index("text")
    layer = layer.assign(text=[labels.display_name(n) for n in layer[name]])
    assert shown.index.is_unique
    assert set(shown.index) == set(layer["text"])
    at = shown.loc[layer["text"]]
    points = shapely.points(at["lon"].to_numpy(), at["lat"].to_numpy())
    inside = shapely.contains(layer.geometry.values, points)
    assert inside.all(), layer.loc[~inside, name].tolist()
    # Well inside, too: a pole of inaccessibility is as far from the edge as any point can be.
    edge = shapely.distance(
        gpd.GeoSeries(points, crs=4326).to_crs(27700).values,
        gpd.GeoSeries(layer.geometry.boundary.values, crs=4326).to_crs(27700).values,
    )
    assert (edge > 300).all()


def test_labels_come_in_placing_order_larger_areas_first(data_dir: Path) -> None:
    layer = store.load_layer("lad", data_dir)
    found = labels.area_labels(layer.geometry.values, layer["lad24nm"].tolist())
    assert (np.diff(found.area) <= 0).all()
    assert found.text[0] == "North Yorkshire"  # England's largest local authority
    # Each label's room left, right, down and up reaches the edge of its shape (positive).
    assert found.reach.shape == (len(layer), 4)
    assert (found.reach > 0).all()


def test_an_lsoa_map_names_its_authorities_then_its_wards(qyg_lsoas: gpd.GeoDataFrame) -> None:
    found = labels.lsoa_map_labels(qyg_lsoas)
    table = labels.names_frame(found)
    lads = qyg_lsoas["lad24cd"].nunique()
    wards = qyg_lsoas["ward24cd"].nunique()
    assert len(table) == lads + wards
    # Every authority before every ward, each tier largest first.
    assert (table["tier"].iloc[:lads] == labels.TIER_AREA).all()
    assert (table["tier"].iloc[lads:] == labels.TIER_WARD).all()
    assert set(table["text"].iloc[:lads]) == set(qyg_lsoas["lad24nm"])
    for tier in (labels.TIER_AREA, labels.TIER_WARD):
        assert (np.diff(table.loc[table["tier"] == tier, "area"]) <= 0).all()
    # Each ward's name lies inside one of its own LSOAs.
    ward_table = table.iloc[lads:]
    at = gpd.points_from_xy(ward_table["lon"], ward_table["lat"])
    points = gpd.GeoDataFrame(ward_table, geometry=at, crs=4326)
    hits = gpd.sjoin(points, qyg_lsoas[["ward24nm", "geometry"]], predicate="within")
    assert hits.index.is_unique
    assert len(hits) == wards
    assert (hits["text"] == hits["ward24nm"].map(labels.display_name)).all()


def test_place_boxes_keeps_the_first_of_overlapping_labels() -> None:
    boxes = [
        [0, 0, 100, 20],  # the largest area: always placed
        [50, 10, 150, 30],  # overlaps it: hidden
        [120, 0, 200, 20],  # clear of the first (the hidden one does not block it): placed
        [195, 5, 260, 25],  # overlaps the third: hidden
        [0, 30, 50, 50],  # clear of all placed: placed
    ]
    assert labels.place_boxes(boxes) == [0, 2, 4]
    # A gap counts as overlap: with 15 px kept clear the last box touches the first.
    assert labels.place_boxes(boxes, gap=15) == [0, 2]
    # The order decides: the same boxes the other way round keep the last ones instead.
    assert labels.place_boxes(boxes[::-1]) == [0, 1, 3]
    assert labels.place_boxes([]) == []


def test_payload_is_plain_text_and_safe_in_the_page() -> None:
    square = shapely.box(-3.0, 53.0, -2.9, 53.1)
    hostile = "</script><script>alert(1)</script>\n{{ x }}`${y}`"
    found = labels.area_labels([square], [hostile])
    data = labels.payload(found)
    assert "\n" not in data["text"]  # one name per line: no name can split into two
    # The point in EPSG:4326 to a metre; the reaches in tens of metres, rounded down.
    ((lat, lon),) = polyline.decode(data["at"], 5)
    assert (lat, lon) == pytest.approx((found.lat[0], found.lon[0]), abs=1e-5)
    reach = np.asarray(polyline.decode(data["reach"], 0)).ravel() * data["unit"]
    assert ((found.reach[0] - 10 < reach) & (reach <= found.reach[0])).all()
    assert data["tiers"] == [1, 0]
    m = maps.base_map([-3.0, 53.0, -2.9, 53.1])
    LabelLayer(found).add_to(m)
    html = m.get_root().render()
    assert "</script><script>" not in html  # the name cannot close the script element
    assert "{{ x }}" not in html
    assert "window.AssetmapLabels" in html  # canvas.js travels with the first canvas layer


def test_every_map_gets_a_place_names_layer(
    community_metrics: pd.DataFrame, lsoas: pd.DataFrame, data_dir: Path
) -> None:
    catalogue = areas.catalogue(lsoas)
    lsoa_view = mapviews.lsoa_view(
        community_metrics,
        areas.resolve("icb:QYG", catalogue),
        store.load_lsoas(data_dir, geometry=True, columns=["lsoa21cd"]),
        store.load_layer("lad", data_dir),
        "gap_score",
        "national",
    )
    england = areas.resolve("england", catalogue)
    overviews = [
        mapviews.area_view(
            community_metrics,
            england,
            level,
            store.load_layer(level, data_dir),
            "gap_score",
            "national",
            types=COMMUNITY_TYPES,
        )
        for level in ("icb", "sicbl", "lad")
    ]
    expected = ["Cheshire East", "Cheshire and Merseyside", "Cheshire and Merseyside 01F", "Wirral"]
    for view, name in zip([lsoa_view, *overviews], expected, strict=True):
        m = view.map
        children = list(m._children.values())
        layers = [c for c in children if isinstance(c, LabelLayer)]
        assert len(layers) == 1
        assert layers[0].layer_name == maps.PLACE_NAMES
        assert layers[0].show
        assert layers[0].control
        # Drawn last of the canvas layers (so over them), before the layer control lists it.
        control = next(c for c in children if isinstance(c, LayerControl))
        assert children.index(layers[0]) < children.index(control)
        assert all(
            children.index(c) < children.index(layers[0])
            for c in children
            if isinstance(c, (CompactPolygons, PointLayer))
        )
        html = m.get_root().render()
        assert name in html
        assert '"Place names"' in html
        assert html.count("window.AssetmapLabels = ") == 1  # canvas.js once per page
    # An empty set of names: no label layer.
    bare = maps.draw_lsoa_map(
        lsoa_view.shapes,
        maps.MEASURES["gap_score"],
        lsoa_view.classes,
        place_names=labels.empty(),
    )
    assert not any(isinstance(c, LabelLayer) for c in bare._children.values())
