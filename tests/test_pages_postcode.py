"""The search near a postcode in the sidebar (``ui.postcode``) through Streamlit's AppTest on the
real build: the figures are those ``near`` computes here, the URL keeps the search, and bad
input (a link's too) is a sidebar message naming the value and the reason, never an error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.measures import near
from assetmap.presentation import nearmap
from assetmap.presentation.text import cut, markdown_text
from tests.conftest import ALL_TYPES
from tests.test_pages import _open

#: Anfield, Liverpool: Core20 neighbourhoods, with a library, GP practices and a museum near.
POSTCODE = "L4 0TH"
TYPES = ",".join(ALL_TYPES)


@pytest.fixture(scope="module")
def among(data_dir: Path, assets: pd.DataFrame, lsoas: pd.DataFrame) -> near.Searchable:
    return near.Searchable.build(assets, store.load_residence(data_dir), lsoas)


def _summary(place: near.Place, distance: float, among: near.Searchable) -> near.Summary:
    return near.summarise(near.nearby(place, distance, among), list(ALL_TYPES))


def _sidebar_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


def _warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.sidebar.warning)


def _assert_shows(at: AppTest, s: near.Summary) -> None:
    """The sidebar shows exactly the summary's figures."""
    text = _sidebar_text(at)
    for kind, count in zip(s.assets["asset_type"], s.assets["assets"], strict=True):
        assert f"- {markdown_text(ASSET_SOURCES[kind].label)}: **{count:,}**" in text
    deciles = at.sidebar.dataframe[0].value
    assert deciles["IMD decile"].tolist() == list(range(1, 11))
    assert deciles["LSOAs"].tolist() == s.deciles["lsoa_count"].tolist()
    assert deciles["Residents"].tolist() == s.deciles["population"].tolist()
    assert f"**{s.lsoa_count:,}** neighbourhoods" in text
    assert f"**{s.residents:,}** residents" in text
    assert f"**{s.core20_residents:,}** ({s.core20_share:.0%}) in the most deprived 20%" in text
    assert f"Core20, {s.core20_lsoas:,} LSOA" in text
    assert f"**{int(s.assets['assets'].sum()):,}** assets" in text


def test_a_postcode_in_the_link_shows_what_is_near_it(
    postcodes: PostcodeDirectory, among: near.Searchable
) -> None:
    at = _open(postcode=POSTCODE, distance="1000", types=TYPES)
    expected = _summary(near.place_of_postcode(POSTCODE, postcodes), 1000, among)
    assert expected.lsoa_count > 0
    assert expected.assets["assets"].sum() > 0
    assert expected.core20_residents > 0
    _assert_shows(at, expected)
    assert not at.sidebar.warning
    assert at.text_input(key="near_text").value == POSTCODE
    assert at.number_input(key="near_distance").value == 1000
    assert at.query_params["postcode"] == POSTCODE
    assert at.query_params["distance"] == "1000"
    labels = [b.proto.label for b in at.sidebar.get("download_button")]
    assert labels == ["Assets found (CSV)", "Neighbourhoods found (CSV)"]


def test_typing_a_postcode_then_a_point_then_nothing(
    postcodes: PostcodeDirectory, among: near.Searchable
) -> None:
    at = _open(types=TYPES)
    assert "postcode" not in at.query_params
    assert not at.sidebar.dataframe
    at.text_input(key="near_text").input(" l40th ").run()
    at.number_input(key="near_distance").set_value(1500).run()
    assert not at.exception
    place = near.place_of_postcode(POSTCODE, postcodes)
    _assert_shows(at, _summary(place, 1500, among))
    assert at.query_params["postcode"] == POSTCODE  # as the directory writes it
    assert at.query_params["distance"] == "1500"
    # A point: latitude, longitude (the postcode's own, so the figures are the same).
    lat, lon = near.wgs84(place)
    at.text_input(key="near_text").input(f"{lat:.6f}, {lon:.6f}").run()
    assert not at.exception
    _assert_shows(at, _summary(near.place_of_point(lat, lon), 1500, among))
    assert at.query_params["point"] == near.point_text(lat, lon)
    assert "postcode" not in at.query_params
    at.text_input(key="near_text").input("").run()
    assert not at.sidebar.dataframe
    assert "point" not in at.query_params
    assert "distance" not in at.query_params


@pytest.mark.parametrize(
    ("params", "value", "reason"),
    [
        ({"postcode": "ZZ9 9ZZ"}, "'ZZ9 9ZZ'", "unknown postcode"),
        ({"postcode": "EH1 1YZ"}, "'EH1 1YZ'", "in Scotland: assetmap covers England only"),
        ({"postcode": "<script>"}, "'<script>'", "malformed postcode"),
        ({"point": "91,0"}, "'91,0'", "not a latitude and longitude"),
        (
            {"postcode": POSTCODE, "distance": "<b>x</b>"},
            "distance '<b>x</b>' m",
            "not a distance in metres",
        ),
        ({"postcode": POSTCODE, "distance": "0"}, "distance '0' m", "give a distance above 0"),
        ({"postcode": POSTCODE, "distance": "99999"}, "distance '99999' m", "at most 20,000 m"),
        (
            {"postcode": "<img src=x onerror=alert(1)>" * 3},
            repr(cut("<img src=x onerror=alert(1)>" * 3)),
            "is longer than any place",
        ),
    ],
    ids=["unknown", "scottish", "script", "bad-point", "text-distance", "zero", "far", "long"],
)
def test_bad_input_is_a_message_naming_the_value_and_the_reason(
    params: dict[str, str], value: str, reason: str
) -> None:
    at = _open(**params)  # _open asserts no exception
    shown = _warnings(at)
    assert markdown_text(value) in shown
    assert markdown_text(reason) in shown
    assert not at.sidebar.dataframe or "distance" in params  # only a good place searches
    assert "postcode" not in at.query_params or "distance" in params
    # Whatever the link held, nothing of it is markup: every ``<`` is escaped.
    assert not re.search(r"(?<!\\)<", shown)


def test_a_bad_distance_in_the_link_searches_within_the_default(
    postcodes: PostcodeDirectory, among: near.Searchable
) -> None:
    at = _open(postcode=POSTCODE, distance="-5", types=TYPES)
    assert markdown_text("distance '-5' m") in _warnings(at)
    assert at.number_input(key="near_distance").value == 1000
    _assert_shows(at, _summary(near.place_of_postcode(POSTCODE, postcodes), 1000, among))
    assert at.query_params["distance"] == "1000"


def test_the_map_page_draws_the_search(postcodes: PostcodeDirectory) -> None:
    at = _open("pages/1_Map.py", postcode=POSTCODE, distance="800", area="lad:E08000012")
    place = near.place_of_postcode(POSTCODE, postcodes)
    captions = " ".join(c.value for c in at.caption)
    assert markdown_text(f"search near {place.label}") in captions
    assert "within 800 m" in captions
    assert at.toggle(key="map_click_search").value is False
    # The map is drawn with the search on it: the circle, the centre and the note.
    drawn = json.loads(next(iter(at.get("component_instance"))).proto.json_args)
    assert 'layer.assetmapSearch = "centre"' in drawn["script"]
    assert f'"keys":["{nearmap.CIRCLE_KEY}"]' in drawn["script"]
    assert "assetmap-search-note" in drawn["html"]
    assert drawn["returned_objects"] == []  # a neighbourhood map takes no click
    at.toggle(key="map_click_search").set_value(True).run()
    assert not at.exception
    drawn = json.loads(next(iter(at.get("component_instance"))).proto.json_args)
    assert drawn["returned_objects"] == ["last_clicked"]  # until the toggle is on
