"""Own-area map layers (``assetmap.presentation.ownmap``): the picked outline and the Draw tool,
served from ``static/vendor`` like every other front-end file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest

from assetmap.geography import areas, ownarea
from assetmap.presentation import offline, ownmap
from tests.test_offline import resources

#: Three LSOAs of Liverpool (E08000012), read from the LSOA table below, not typed in.
LIVERPOOL = "E08000012"


@pytest.fixture(scope="module")
def liverpool(lsoas: pd.DataFrame) -> list[str]:
    return sorted(lsoas.loc[lsoas["lad24cd"] == LIVERPOOL, "lsoa21cd"])[:3]


def _map() -> folium.Map:
    m = folium.Map(tiles=None)
    m.fit_bounds([[53.3, -3.0], [53.5, -2.8]])
    return m


def test_picked_lsoas_are_a_layer_of_their_own_that_lets_clicks_through(
    lsoa_polygons: gpd.GeoDataFrame, liverpool: list[str]
) -> None:
    group = ownmap.picked_layer(lsoa_polygons, [*liverpool, "E01999999"])
    assert isinstance(group, folium.FeatureGroup)
    assert group.layer_name == ownmap.PICKED_LAYER
    layers = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1
    features = layers[0].data["features"]
    # The unknown code is not drawn.
    assert sorted(f["properties"]["lsoa21cd"] for f in features) == liverpool
    # Drawn in longitude/latitude: Liverpool lies at about 3 degrees west, 53.4 north.
    lon, lat = features[0]["geometry"]["coordinates"][0][0][:2]
    assert -3.1 < lon < -2.8
    assert 53.3 < lat < 53.5
    m = _map()
    group.add_to(m)
    assert '"interactive": false' in m.get_root().render()
    assert not ownmap.picked_layer(lsoa_polygons, [])._children


def test_draw_tool_offers_polygons_only_and_loads_nothing_remote() -> None:
    m = _map()
    ownmap.add_draw(m)
    html = m.get_root().render()
    links = resources(html)
    draw_files = [u for u in links if "leaflet.draw" in u.lower()]
    assert {Path(u).suffix for u in draw_files} == {".js", ".css"}
    assert not [u for u in links if offline.is_remote(u)], links
    for url in links:
        assert (offline.vendor_dir() / url.removeprefix(offline.BASE_URL + "/")).is_file(), url
    options = json.loads(re.search(r"draw:\s*(\{.*?\}),\s*edit", html, re.S).group(1))  # type: ignore[union-attr]
    for shape in ("polyline", "circle", "marker", "circlemarker"):
        assert options[shape] is False
    assert options["polygon"] == {"allowIntersection": False}
    assert "rectangle" not in options or options["rectangle"] is not False


def test_paste_splits_a_spreadsheet_column_and_refuses_a_flood(
    lsoas: pd.DataFrame, liverpool: list[str]
) -> None:
    text = f'"{liverpool[0]}"\r\n{liverpool[1]};  {liverpool[2]},\n\n'
    assert ownarea.split_codes(text) == liverpool
    own = ownarea.own_area(ownarea.split_codes(text), lsoas, "Three")
    assert sorted(own.lsoas) == liverpool
    with pytest.raises(ownarea.OwnAreaError, match="characters long"):
        ownarea.split_codes("E" * (ownarea.MAX_CODES_TEXT_CHARS + 1))


def test_largest_within_is_the_lad_with_most_residents(lsoas: pd.DataFrame) -> None:
    icb = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board")
    found = areas.largest_within(icb, "lad", lsoas)
    inside = lsoas[lsoas["icb24cd"] == icb.code]
    by_pop = inside.groupby("lad24cd")["population"].sum()
    assert found.code == by_pop.idxmax()
    assert found.name == inside.loc[inside["lad24cd"] == found.code, "lad24nm"].iloc[0]
    # An own area that straddles two local authorities lies mostly in the bigger part.
    wirral = sorted(lsoas.loc[lsoas["lad24nm"] == "Wirral", "lsoa21cd"])[:5]
    liverpool = sorted(lsoas.loc[lsoas["lad24cd"] == LIVERPOOL, "lsoa21cd"])[:1]
    own = ownarea.own_area([*wirral, *liverpool], lsoas, "Straddling")
    assert areas.largest_within(own, "lad", lsoas).name == "Wirral"
