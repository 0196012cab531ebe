"""Map building: classes, compact encoding, size against a naive folium choropleth, safety."""

from __future__ import annotations

import io
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from assetmap.presentation import catalogue, encoding, maps
from assetmap.presentation.classify import classify
from assetmap.presentation.layers import CompactPolygons


@pytest.fixture(scope="module")
def qyg(lsoa_polygons: gpd.GeoDataFrame, all_metrics: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = lsoa_polygons.merge(all_metrics, on="lsoa21cd")
    return frame[frame["icb24cdh"] == "QYG"].reset_index(drop=True)


def test_national_deciles_keep_their_decile(qyg: gpd.GeoDataFrame) -> None:
    m = catalogue.MEASURES["imd_decile"]
    classes = classify(qyg["imd_decile"], m, "national")
    assert (classes.index == qyg["imd_decile"].to_numpy() - 1).all()
    assert len(classes.colours) == len(classes.labels) == 10
    assert classes.labels[0].startswith("1 (most deprived")


def test_quantiles_are_balanced_within_the_area(qyg: gpd.GeoDataFrame) -> None:
    m = catalogue.MEASURES["gap_score"]
    classes = classify(qyg["gap_score"], m, "quantiles")
    counts = np.bincount(classes.index)
    assert len(counts) == 5
    assert counts.max() - counts.min() <= len(qyg) * 0.02


def test_national_bands_use_the_national_distribution(
    qyg: gpd.GeoDataFrame, all_metrics: pd.DataFrame
) -> None:
    m = catalogue.MEASURES["gap_score"]
    classes = classify(qyg["gap_score"], m, "national", all_metrics["gap_score"])
    national_deciles = np.quantile(all_metrics["gap_score"], np.linspace(0.1, 0.9, 9))
    assert np.allclose(classes.bins[:9], national_deciles, atol=1e-6)
    natural = classify(qyg["gap_score"], m, "natural_breaks")
    assert len(natural.bins) == 5
    assert natural.method.startswith("natural breaks")
    with pytest.raises(ValueError, match="banding must be one of"):
        classify(qyg["gap_score"], m, "equal")


def test_national_bands_start_at_englands_lowest_value(all_metrics: pd.DataFrame) -> None:
    """An area whose lowest gap score is above the first national edge: the first class still
    reads from England's lowest value (a ward's legend once read "10.22 to -56.03")."""
    m = catalogue.MEASURES["gap_score"]
    edges = classify(all_metrics["gap_score"], m, "national", all_metrics["gap_score"]).bins
    high = all_metrics[all_metrics["gap_score"] > edges[3]]["gap_score"].head(50)
    classes = classify(high, m, "national", all_metrics["gap_score"])
    low = float(all_metrics["gap_score"].min())
    first, top = (float(v) for v in classes.labels[0].split(" to "))
    assert first == pytest.approx(low, abs=0.005)
    assert top == pytest.approx(edges[0], abs=0.005)
    for label in classes.labels:  # every class reads low to high
        parts = label.removeprefix("over ").split(" to ")
        assert float(parts[0]) <= float(parts[1]), label
    assert (classes.index >= 4).all()


#: The grammar the encoder writes, a subset of SVG path data: per ring "M x y" (whole metres,
#: not negative), "l" and at least one step "dx dy", "z". Numbers are separated by a space or
#: by the minus sign that starts the next one.
_RING = re.compile(r"M(\d+) (\d+)l(-?\d+(?:(?: |(?=-))-?\d+)*)z")


def _parse_path(text: str, origin: tuple[int, int]) -> list[np.ndarray]:
    """The rings of one path (absolute Web Mercator metres), checking the whole text parses."""
    rings = []
    end = 0
    for match in _RING.finditer(text):
        assert match.start() == end, f"unparsed text at {end}: {text[end : end + 20]!r}"
        end = match.end()
        steps = np.array([int(v) for v in re.findall(r"-?\d+", match.group(3))])
        assert len(steps) % 2 == 0
        start = np.array([int(match.group(1)), int(match.group(2))])
        rings.append(start + np.vstack([[0, 0], np.cumsum(steps.reshape(-1, 2), axis=0)]))
    assert end == len(text)
    return [ring + np.array(origin) for ring in rings]


def test_rings_round_trip_through_the_encoding(qyg: gpd.GeoDataFrame) -> None:
    """Every ring of every part comes back in Web Mercator metres, to the metre."""
    geoms = qyg.geometry.values[:50]
    paths, origin = encoding.encode_paths(geoms)
    # Independent projection with pyproj (EPSG:3857 is Leaflet's spherical Mercator).
    to_mercator = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    every_ring = []
    for geom, text in zip(geoms, paths, strict=True):
        expected = [
            ring for part in shapely.get_parts(geom) for ring in [part.exterior, *part.interiors]
        ]
        rings = _parse_path(text, origin)
        assert len(rings) == len(expected)
        for decoded, ring in zip(rings, expected, strict=True):
            lon, lat = np.asarray(ring.coords)[:-1].T  # the closing vertex is left out
            x, y = to_mercator.transform(lon, lat)
            exact = np.column_stack([x, y])
            # Steps of zero metres are left out: vertices within a metre of the last one.
            kept = np.r_[True, (np.diff(np.rint(exact), axis=0) != 0).any(axis=1)]
            assert len(decoded) == kept.sum()
            assert np.abs(decoded - exact[kept]).max() <= 0.5 + 1e-6
            every_ring.append(decoded)
    # The origin is the corner of all vertices, so offsets are small and never negative.
    corner = np.vstack(every_ring).min(axis=0)
    assert tuple(corner) == origin


def test_mercator_box_holds_every_vertex_to_the_metre(qyg: gpd.GeoDataFrame) -> None:
    """The box the map canvas is fitted to: every vertex inside it, no side more than a metre
    beyond the furthest vertex (pyproj's projection, independent of ours)."""
    box = encoding.mercator_box(qyg.geometry.values)
    assert box is not None
    lon, lat = shapely.get_coordinates(qyg.geometry.values).T
    x, y = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    below = np.array([x.min(), y.min()]) - np.array(box[:2])
    above = np.array(box[2:]) - np.array([x.max(), y.max()])
    assert (below >= 0).all()
    assert (above >= 0).all()
    assert (below < 1 + 1e-6).all()
    assert (above < 1 + 1e-6).all()
    assert encoding.mercator_box(qyg.geometry.values[:0]) is None


def test_keyed_tooltip_rows_must_be_tooltip_fields(qyg: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="not tooltip fields"):
        CompactPolygons(
            qyg.geometry.values[:2],
            np.zeros(2, dtype=np.int64),
            ["#000000"],
            ["a", "b"],
            ["Name"],
            [["x"], ["y"]],
            keyed=["LSOA"],
            name="test",
        )


def _naive(frame: gpd.GeoDataFrame) -> str:
    m = folium.Map(tiles=None)
    folium.Choropleth(
        frame[["lsoa21cd", "imd_decile", "geometry"]].__geo_interface__,
        data=frame,
        columns=["lsoa21cd", "imd_decile"],
        key_on="feature.properties.lsoa21cd",
    ).add_to(m)
    html: str = m.get_root().render()
    return html


def test_large_icb_map_is_much_smaller_than_a_naive_choropleth(qyg: gpd.GeoDataFrame) -> None:
    m = catalogue.MEASURES["imd_decile"]
    classes = classify(qyg["imd_decile"], m, "national")
    ours = maps.draw_lsoa_map(qyg, m, classes).get_root().render()
    naive = _naive(qyg)
    assert len(ours) < 1.5e6
    assert len(naive) / len(ours) >= 3, (len(naive), len(ours))
    layer = next(
        c
        for c in maps.draw_lsoa_map(qyg, m, classes)._children.values()
        if isinstance(c, CompactPolygons) and c.n_features > 100
    )
    assert layer.n_features == 1601


def test_names_cannot_break_out_of_the_page(qyg: gpd.GeoDataFrame) -> None:
    frame = qyg.head(3).copy()
    frame["lsoa21nm"] = [
        "</script><script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "{{ 7*7 }} {% raw %}",
    ]
    m = catalogue.MEASURES["imd_decile"]
    html = (
        maps.draw_lsoa_map(frame, m, classify(frame["imd_decile"], m, "national"))
        .get_root()
        .render()
    )
    assert "</script><script>alert(1)" not in html
    assert "<\\/script><script>alert(1)<\\/script>" in html
    # Tooltip text goes in with textContent, so markup in a name is never parsed.
    assert "textContent" in html
    assert "innerHTML" not in html
    assert "{{ 7*7 }}" not in html
    assert "\\u007b{ 7*7 }}" in html


def test_legend_names_the_measure_and_its_units(qyg: gpd.GeoDataFrame) -> None:
    m = catalogue.MEASURES["assets_per_1k"]
    classes = classify(qyg["assets_per_1k"], m, "quantiles")
    html = maps.draw_lsoa_map(qyg, m, classes).get_root().render()
    assert "Assets per 1,000 residents" in html  # the unit is in the name; not said twice
    assert "Assets per 1,000 residents (per 1,000 residents)" not in html
    gap = catalogue.MEASURES["gap_score"]
    gap_html = maps.draw_lsoa_map(qyg, gap, classify(qyg["gap_score"], gap, "quantiles"))
    assert "(points, -100 to 100)" in gap_html.get_root().render()
    assert 'aria-label="Map legend"' in html
    for label in classes.labels:
        assert label in html


def test_local_authority_borders_are_drawn_over_the_lsoas(qyg: gpd.GeoDataFrame) -> None:
    """The borders come after the LSOA fills in paint order, and the legend names them."""
    m = catalogue.MEASURES["imd_decile"]
    councils = qyg[["lad24cd", "geometry"]].dissolve("lad24cd").reset_index()
    view = maps.draw_lsoa_map(qyg, m, classify(qyg["imd_decile"], m, "national"), outlines=councils)
    layers = [c for c in view._children.values() if isinstance(c, CompactPolygons)]
    assert [layer.n_features for layer in layers[:2]] == [len(qyg), qyg["lad24cd"].nunique()]
    html = view.get_root().render()
    assert "Local authority borders" in html
    # Layers are added to the map, and so painted on its shared canvas, in script order.
    assert html.index(layers[0].get_name() + ".addTo") < html.index(layers[1].get_name() + ".addTo")


def test_png_export_has_the_legend(qyg: gpd.GeoDataFrame) -> None:
    """Only the most deprived three deciles are mapped, so the other seven colours can come
    only from the legend's swatches: each must be painted, as a block of pixels."""
    from PIL import Image

    m = catalogue.MEASURES["imd_decile"]
    deprived = qyg[qyg["imd_decile"] <= 3]
    classes = classify(deprived["imd_decile"], m, "national")
    assert len(classes.colours) == 10
    png = maps.to_png(deprived, classes, "Cheshire and Merseyside: IMD 2025 deciles 1-3")
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    height, width, _ = image.shape
    assert min(width, height) > 600  # 8 x 9 inches at 150 dpi, cropped to what is drawn

    def painted(colour: str) -> int:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
        return int((image == rgb).all(axis=2).sum())

    shown = set(deprived["imd_decile"].astype(int))
    legend_only = [c for i, c in enumerate(classes.colours) if i + 1 not in shown]
    assert len(legend_only) == 7
    swatches = {c: painted(c) for c in legend_only}
    assert all(n >= 50 for n in swatches.values()), swatches
    # and the mapped deciles' colours fill far more than a swatch each
    assert all(painted(classes.colours[d - 1]) > 1_000 for d in shown)


def test_every_measure_names_its_tooltip_row_with_the_start_of_its_label() -> None:
    for measure in catalogue.MEASURES.values():
        assert measure.tooltip, measure.key
        assert measure.label.startswith(measure.tooltip), measure.key


def test_every_area_measure_names_its_tooltip_row_with_the_start_of_its_area_label() -> None:
    for measure in catalogue.MEASURES.values():
        if measure.area_level:
            assert measure.area_tooltip, measure.key
            assert measure.area_label.startswith(measure.area_tooltip), measure.key
        else:
            assert not measure.area_tooltip, measure.key


def test_the_catalogue_says_which_views_need_more_than_a_column() -> None:
    special = {
        m.key: m.kind for m in catalogue.MEASURES.values() if m.kind is not catalogue.Kind.PLAIN
    }
    assert special == {
        "bivariate_class": catalogue.Kind.BIVARIATE,
        "gap_cluster": catalogue.Kind.CLUSTERS,
    }
    assert "left_behind" in catalogue.MEASURES
    assert "left_behind" not in catalogue.NEIGHBOURHOOD_MEASURES
