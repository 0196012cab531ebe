"""Scenario files and links (``assetmap.measures.scenariofile``): written, read back, and every
malformed or hostile one refused with a message naming the field."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import pytest

from assetmap.measures import scenariofile as sf
from assetmap.measures.near import Place
from assetmap.measures.whatif import Scenario

SITES = (
    Place("TS24 7PW", 450765.0, 532203.0),
    Place('Café "Hub" <b>1</b> =SUM(A1)', 449789.125, 531002.5),
)
SAVED = sf.SavedScenario(
    Scenario("library", add=SITES, close=("library:1a2b3c4d5e6f", "library:0f0f0f0f0f0f")),
    "lad:E06000001",
    ("library", "gp_practice"),
    750.0,
)


def _doc(**changes: Any) -> dict[str, Any]:
    doc = sf.to_dict(SAVED)
    doc.update(changes)
    return doc


def _pack(doc: object) -> str:
    raw = json.dumps(doc).encode("utf-8")
    return sf.URL_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def test_a_file_reads_back_as_written() -> None:
    text = sf.to_json(SAVED)
    assert sf.from_json(text) == SAVED
    assert sf.from_json(text.encode("utf-8")) == SAVED
    assert sf.from_json(b"\xef\xbb\xbf" + text.encode("utf-8")) == SAVED  # a BOM is fine
    doc = json.loads(text)
    assert doc["format"] == "assetmap-scenario"
    assert doc["version"] == 1
    assert doc["add"][1]["label"] == SITES[1].label  # kept as text, never interpreted
    # One site a line, for a person reading or diffing the file.
    assert sum('"easting"' in line for line in text.splitlines()) == len(SITES)
    empty = sf.SavedScenario(Scenario("library"), "england", ("library",), 800.0)
    assert sf.from_json(sf.to_json(empty)) == empty


def test_a_link_reads_back_for_its_area() -> None:
    value = sf.url_value(SAVED)
    assert value is not None
    assert value.startswith("v1.")
    assert all(c.isalnum() or c in "._-" for c in value)  # safe in a URL as it is
    assert sf.decode_url(value, "lad:E06000001") == SAVED
    # The link leaves the area out: the page's ?area= gives it.
    elsewhere = sf.decode_url(value, "icb:E54000008")
    assert elsewhere.area == "icb:E54000008"
    assert elsewhere.scenario == SAVED.scenario


def test_a_scenario_too_large_for_a_link_is_kept_as_a_file() -> None:
    many = tuple(Place(f"site {i}", 400_000.0 + 37.1 * i, 500_000.0 + 91.3 * i) for i in range(300))
    big = sf.SavedScenario(Scenario("library", add=many), "lad:E06000001", ("library",), 800.0)
    assert len(sf.encode_url(big)) > sf.URL_MAX_CHARS
    assert sf.url_value(big) is None
    assert sf.from_json(sf.to_json(big)) == big
    with pytest.raises(sf.ScenarioFileError, match="more than 1,500"):
        sf.decode_url(sf.encode_url(big), "lad:E06000001")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2], "not a JSON object"),
        ("scenario", "not a JSON object"),
        (_doc(format="other"), "format: 'other' is not 'assetmap-scenario'"),
        (_doc(version=2), "version: 2 is not a version this assetmap reads"),
        (_doc(version="1"), "version: '1' is not a whole number"),
        (_doc(version=True), "version: 'true' is not a whole number"),
        (_doc(extra=1), "'extra' is not a field of a scenario"),
        ({k: v for k, v in _doc().items() if k != "close"}, "close: is missing"),
        (_doc(area="lad:E06000001<script>"), "area: .* is not an area reference"),
        (_doc(area=""), "area: is blank"),
        (_doc(types=[]), "types: .* is not a list of asset types"),
        (_doc(types="library"), "types: .* is not a list of asset types"),
        (_doc(types=["Library"]), "types, item 1: 'Library' is not an asset type"),
        (_doc(types=["library", "library"]), "types, item 2: 'library' is listed twice"),
        (_doc(types=["t"] * 51), "more than 50"),
        (_doc(asset_type="museum"), "asset_type: 'museum' is not one of the types"),
        (_doc(distance_m="800"), "distance_m: '800' is not a number"),
        (_doc(distance_m=0), "distance_m: 0 m: give a distance above 0"),
        (_doc(distance_m=1e9), "distance_m: 1e\\+09 m"),
        (_doc(add={"label": "x"}), "add: .* is not a list of sites"),
        (_doc(add=[[1, 2]]), "add, site 1: .* is not an object"),
        (_doc(add=[{"label": "x", "easting": 1}]), "add, site 1: has no northing"),
        (
            _doc(add=[{"label": "x", "easting": 1, "northing": 2, "html": "<b>"}]),
            "add, site 1: unknown field 'html'",
        ),
        (
            _doc(add=[*_doc()["add"], {"label": "x", "easting": "east", "northing": 2}]),
            "add, site 3, easting: 'east' is not a number",
        ),
        (
            _doc(add=[{"label": "x", "easting": -5, "northing": 2}]),
            "add, site 1, easting: -5 is outside the British National Grid",
        ),
        (
            _doc(add=[{"label": "x", "easting": 1, "northing": 9e9}]),
            "add, site 1, northing: .* is outside the British National Grid",
        ),
        (
            _doc(add=[{"label": "a\u0007b", "easting": 1, "northing": 2}]),
            "add, site 1, label: .* holds control characters",
        ),
        (
            _doc(add=[{"label": "x" * 201, "easting": 1, "northing": 2}]),
            "add, site 1, label: is 201 characters long, more than 200",
        ),
        (
            _doc(add=[{"label": "  ", "easting": 1, "northing": 2}]),
            "add, site 1, label: is blank",
        ),
        (_doc(add=[{"label": "x", "easting": 1, "northing": 2}] * 1_001), "more than 1,000"),
        (_doc(close="library:1"), "close: .* is not a list of asset ids"),
        (_doc(close=[1]), "close, item 1: '1' is not text"),
        (_doc(close=["a", "a"]), "close, item 2: 'a' is listed twice"),
        (_doc(close=["a"] * 5_001), "more than 5,000"),
    ],
)
def test_a_malformed_document_names_the_field(doc: object, message: str) -> None:
    with pytest.raises(sf.ScenarioFileError, match=message):
        sf.from_json(json.dumps(doc))
    if isinstance(doc, dict) and "area" in doc and not message.startswith(("area", "more than")):
        # The link form checks the same fields (its area comes from the page).
        del doc["area"]
        with pytest.raises(sf.ScenarioFileError):
            sf.decode_url(_pack(doc), "lad:E06000001")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not JSON \\(line 1, column 1\\)"),
        (b"{", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8 text \\(byte 1 cannot be read\\)"),
        ('{"format": NaN}', "NaN is not a number a scenario may hold"),
        (json.dumps(_doc()).replace("750.0", "Infinity"), "Infinity is not a number"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),  # nesting past the parser's depth
        (b" " * (sf.MAX_BYTES + 1), "more than the 1,000,000 a scenario may be"),
    ],
    ids=["empty", "cut-short", "not-utf8", "nan", "infinity", "deep", "oversized"],
)
def test_a_file_that_is_not_a_scenario_says_so(data: bytes | str, message: str) -> None:
    with pytest.raises(sf.ScenarioFileError, match=message):
        sf.from_json(data)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "does not start with 'v1.'"),
        ("v2.abc", "does not start with 'v1.'"),
        ("v1.<script>", "holds characters it never has"),
        ("v1.abc$", "holds characters it never has"),
        ("v1.AAAA", "damaged"),
        ("v1." + base64.urlsafe_b64encode(b"not zlib").decode().rstrip("="), "damaged"),
        (
            "v1." + base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe")).decode().rstrip("="),
            "damaged",
        ),
        (_pack([1]), "not a JSON object"),
        ("v1." + "A" * 1_600, "more than 1,500"),
    ],
    ids=["empty", "version", "markup", "dollar", "short", "not-zlib", "not-utf8", "list", "long"],
)
def test_a_damaged_link_says_so(value: str, message: str) -> None:
    with pytest.raises(sf.ScenarioFileError, match=message):
        sf.decode_url(value, "lad:E06000001")


def test_a_link_that_unpacks_to_more_than_a_file_may_hold_is_refused() -> None:
    # A zip bomb: a short link that would inflate to megabytes.
    bomb = zlib.compress(b"{" + b" " * (sf.MAX_BYTES + 10_000) + b"}", 9)
    value = "v1." + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(value) <= sf.URL_MAX_CHARS
    with pytest.raises(sf.ScenarioFileError, match="damaged or too big"):
        sf.decode_url(value, "lad:E06000001")


def test_a_link_for_a_bad_area_is_refused() -> None:
    value = sf.encode_url(SAVED)
    with pytest.raises(sf.ScenarioFileError, match=r"area: .* is not an area reference"):
        sf.decode_url(value, "lad:E06000001 OR 1=1")


def test_a_scenario_that_could_not_be_read_back_cannot_be_made() -> None:
    with pytest.raises(sf.ScenarioFileError, match="control characters"):
        sf.SavedScenario(
            Scenario("library", add=(Place("a\nb", 1.0, 2.0),)), "england", ("library",), 800.0
        )
    with pytest.raises(sf.ScenarioFileError, match="asset_type"):
        sf.SavedScenario(Scenario("museum"), "england", ("library",), 800.0)
