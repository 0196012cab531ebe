"""A what-if scenario as a file and as a short link: written, read back and checked.

A scenario (:class:`assetmap.measures.whatif.Scenario`) is what a user adds and closes; nothing of
it is kept on a server. To keep or share it, it is saved as a small JSON document and read back
from one, or (when short) carried in the page's link. Both are read as untrusted input: every
field is checked, and a bad one is refused with a message that names the field (and the row of a
list) and says what was expected.

The file (:func:`to_json`, :func:`from_json`)::

    {
        "format": "assetmap-scenario",
        "version": 1,
        "area": "lad:E06000001",
        "types": ["library"],
        "asset_type": "library",
        "distance_m": 800.0,
        "add": [{"label": "TS24 7PW", "easting": 450810.0, "northing": 533050.0}],
        "close": ["library:1a2b3c4d5e6f"],
    }

``types`` are the asset types walking access counts (one type, or the types of a family),
``asset_type`` the type a new site is (one of them), ``add`` the new sites in British National
Grid metres and ``close`` the ``asset_id`` of the assets to close.

The link form (:func:`encode_url`, :func:`decode_url`) is the same document without the area
(which the link carries already, as ``?area=``), compressed (zlib) and written in URL-safe
base64 after a version prefix (``v1.``); it is used only when at most :data:`URL_MAX_CHARS`
characters long (:func:`url_value`).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from assetmap.measures.near import MAX_DISTANCE_M, Place
from assetmap.measures.whatif import Scenario
from assetmap.presentation.text import cut

#: The ``format`` every scenario file carries.
FORMAT: Final = "assetmap-scenario"
#: The version written; files of other versions are refused with a message saying so.
VERSION: Final = 1
#: Largest scenario file read (bytes): room for an own area of every LSOA in England and a
#: thousand sites, and no more.
MAX_BYTES: Final = 1_000_000
#: Most new sites one scenario may add.
MAX_SITES: Final = 1_000
#: Most assets one scenario may close.
MAX_CLOSE: Final = 5_000
#: Longest site label and asset id kept.
MAX_LABEL_CHARS: Final = 200
#: Longest link value made or read (characters): past it, the page offers the file instead.
URL_MAX_CHARS: Final = 1_500
#: The link form's version prefix.
URL_PREFIX: Final = "v1."
#: British National Grid extent (metres): a site outside it is no place in Great Britain.
GRID_EASTING: Final = (0.0, 700_000.0)
GRID_NORTHING: Final = (0.0, 1_300_000.0)

_TYPE = re.compile(r"^[a-z0-9_]{1,60}$")
_AREA = re.compile(r"^(?:england|[a-z]{2,10}:[A-Za-z0-9,]{1,400000})$")
_KEYS: Final = ("format", "version", "area", "types", "asset_type", "distance_m", "add", "close")


class ScenarioFileError(ValueError):
    """A scenario file or link that cannot be read; the message names the field and the row."""


@dataclass(frozen=True)
class SavedScenario:
    """A scenario with what it was made for.

    Attributes
    ----------
    scenario
        The sites added and the assets closed, and the type a new site is.
    area
        The area's reference (:attr:`assetmap.geography.areas.Area.ref`, e.g. ``lad:E06000001``).
    types
        The asset types walking access counts; ``scenario.asset_type`` is one of them.
    distance_m
        The walking distance, metres.
    """

    scenario: Scenario
    area: str
    types: tuple[str, ...]
    distance_m: float

    def __post_init__(self) -> None:
        # The same checks a file gets, so what is saved can always be read back.
        _check(to_dict(self), need_area=True)


def to_dict(saved: SavedScenario) -> dict[str, Any]:
    """The scenario file's document (JSON-ready: strings, numbers and lists)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "area": saved.area,
        "types": list(saved.types),
        "asset_type": saved.scenario.asset_type,
        "distance_m": float(saved.distance_m),
        "add": [
            {"label": p.label, "easting": float(p.easting), "northing": float(p.northing)}
            for p in saved.scenario.add
        ],
        "close": list(saved.scenario.close),
    }


def to_json(saved: SavedScenario) -> str:
    """The scenario file: JSON text, one field a line (sites one a line)."""
    doc = to_dict(saved)
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items() if k != "add"]
    sites = ",\n".join(f"    {json.dumps(site)}" for site in doc["add"])
    lines.insert(6, '  "add": []' if not sites else f'  "add": [\n{sites}\n  ]')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _fail(field: str, problem: str) -> ScenarioFileError:
    return ScenarioFileError(f"{field}: {problem}")


def _shown(value: object) -> str:
    """A value as a message quotes it (cut short)."""
    return repr(cut(value if isinstance(value, str) else json.dumps(value, default=str), 40))


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(field, f"{_shown(value)} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise _fail(field, f"{_shown(value)} is not a finite number")
    return number


def _text(value: object, field: str, limit: int = MAX_LABEL_CHARS) -> str:
    if not isinstance(value, str):
        raise _fail(field, f"{_shown(value)} is not text")
    if not value.strip():
        raise _fail(field, "is blank")
    if len(value) > limit:
        raise _fail(field, f"is {len(value):,} characters long, more than {limit:,}")
    if any(ord(ch) < 32 for ch in value):
        raise _fail(field, f"{_shown(value)} holds control characters")
    return value


def _site(raw: object, row: int) -> Place:
    field = f"add, site {row}"
    if not isinstance(raw, Mapping):
        raise _fail(field, f"{_shown(raw)} is not an object with label, easting and northing")
    extra = sorted(set(raw) - {"label", "easting", "northing"})
    if extra:
        raise _fail(field, f"unknown field {_shown(extra[0])}")
    for key in ("label", "easting", "northing"):
        if key not in raw:
            raise _fail(field, f"has no {key}")
    label = _text(raw["label"], f"{field}, label")
    easting = _number(raw["easting"], f"{field}, easting")
    northing = _number(raw["northing"], f"{field}, northing")
    for name, value, (low, high) in (
        ("easting", easting, GRID_EASTING),
        ("northing", northing, GRID_NORTHING),
    ):
        if not low <= value <= high:
            raise _fail(
                f"{field}, {name}",
                f"{value:,.0f} is outside the British National Grid ({low:,.0f} to {high:,.0f} m)",
            )
    return Place(label, easting, northing)


def _check(doc: object, *, need_area: bool) -> SavedScenario | None:
    """Check a scenario document; returns the scenario when it names an area, else ``None``
    (the link form's document, whose area the caller supplies: see :func:`_read`)."""
    if not isinstance(doc, Mapping):
        raise ScenarioFileError("the scenario is not a JSON object ({...})")
    extra = sorted(set(doc) - set(_KEYS))
    if extra:
        raise ScenarioFileError(f"{_shown(extra[0])} is not a field of a scenario")
    if doc.get("format") != FORMAT:
        raise _fail("format", f"{_shown(doc.get('format'))} is not {FORMAT!r}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail("version", f"{_shown(version)} is not a whole number")
    if version != VERSION:
        raise _fail(
            "version",
            f"{version} is not a version this assetmap reads ({VERSION}): save it again with "
            "this version",
        )
    for key in _KEYS[2:] if need_area else _KEYS[3:]:
        if key not in doc:
            raise _fail(key, "is missing")
    area = ""
    if need_area:
        area = _text(doc["area"], "area", limit=400_010)
        if not _AREA.fullmatch(area):
            raise _fail("area", f"{_shown(area)} is not an area reference (e.g. 'lad:E06000001')")
    raw_types = doc["types"]
    if not isinstance(raw_types, list) or not raw_types:
        raise _fail("types", f"{_shown(raw_types)} is not a list of asset types")
    if len(raw_types) > 50:
        raise _fail("types", f"lists {len(raw_types):,} asset types, more than 50")
    types: list[str] = []
    for i, t in enumerate(raw_types, start=1):
        if not isinstance(t, str) or not _TYPE.fullmatch(t):
            raise _fail(f"types, item {i}", f"{_shown(t)} is not an asset type (a-z, 0-9, _)")
        if t in types:
            raise _fail(f"types, item {i}", f"{t!r} is listed twice")
        types.append(t)
    asset_type = doc["asset_type"]
    if not isinstance(asset_type, str) or asset_type not in types:
        raise _fail("asset_type", f"{_shown(asset_type)} is not one of the types {types}")
    distance = _number(doc["distance_m"], "distance_m")
    if not 0 < distance <= MAX_DISTANCE_M:
        raise _fail(
            "distance_m", f"{distance:g} m: give a distance above 0 and at most {MAX_DISTANCE_M:g}"
        )
    raw_add, raw_close = doc["add"], doc["close"]
    if not isinstance(raw_add, list):
        raise _fail("add", f"{_shown(raw_add)} is not a list of sites")
    if len(raw_add) > MAX_SITES:
        raise _fail("add", f"has {len(raw_add):,} sites, more than {MAX_SITES:,}")
    if not isinstance(raw_close, list):
        raise _fail("close", f"{_shown(raw_close)} is not a list of asset ids")
    if len(raw_close) > MAX_CLOSE:
        raise _fail("close", f"has {len(raw_close):,} asset ids, more than {MAX_CLOSE:,}")
    add = tuple(_site(s, i) for i, s in enumerate(raw_add, start=1))
    close: list[str] = []
    for i, asset_id in enumerate(raw_close, start=1):
        text = _text(asset_id, f"close, item {i}")
        if text in close:
            raise _fail(f"close, item {i}", f"{_shown(text)} is listed twice")
        close.append(text)
    if not need_area:
        return None
    return _build(area, types, asset_type, distance, add, close)


def _build(
    area: str,
    types: Sequence[str],
    asset_type: str,
    distance: float,
    add: tuple[Place, ...],
    close: Sequence[str],
) -> SavedScenario:
    saved = object.__new__(SavedScenario)  # already checked: skip __post_init__
    for name, value in (
        ("scenario", Scenario(asset_type, add=add, close=tuple(close))),
        ("area", area),
        ("types", tuple(types)),
        ("distance_m", float(distance)),
    ):
        object.__setattr__(saved, name, value)
    return saved


def from_json(data: bytes | str) -> SavedScenario:
    """Read a scenario file (:func:`to_json`).

    Raises
    ------
    ScenarioFileError
        Too big, not UTF-8 JSON, not a scenario, another version, or a field that is wrong: the
        message names it (``add, site 3, easting: 'x' is not a number``).
    """
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise ScenarioFileError(
            f"the file is {size:,} bytes, more than the {MAX_BYTES:,} a scenario may be"
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioFileError(
                f"the file is not UTF-8 text (byte {exc.start + 1:,} cannot be read): is it a "
                "scenario saved by assetmap?"
            ) from None
    else:
        text = data
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise ScenarioFileError(
            f"the file is not JSON{where}: is it a scenario saved by assetmap?"
        ) from exc
    saved = _check(doc, need_area=True)
    assert saved is not None
    return saved


def _no_constant(name: str) -> float:
    raise _fail("number", f"{name} is not a number a scenario may hold")


def encode_url(saved: SavedScenario) -> str:
    """The scenario as a link value (the area left out: the link names it already)."""
    doc = to_dict(saved)
    del doc["area"]
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    return URL_PREFIX + packed


def url_value(saved: SavedScenario) -> str | None:
    """:func:`encode_url`, or ``None`` when that is longer than :data:`URL_MAX_CHARS`."""
    value = encode_url(saved)
    return value if len(value) <= URL_MAX_CHARS else None


def decode_url(value: str, area: str) -> SavedScenario:
    """Read a link value (:func:`encode_url`) for ``area`` (the link's ``?area=``).

    Raises
    ------
    ScenarioFileError
        Too long, not of this form, damaged, or a field that is wrong (named).
    """
    if len(value) > URL_MAX_CHARS:
        raise ScenarioFileError(
            f"the scenario in the link is {len(value):,} characters, more than {URL_MAX_CHARS:,}"
        )
    if not value.startswith(URL_PREFIX):
        raise ScenarioFileError(
            f"the scenario in the link does not start with {URL_PREFIX!r}: it is not one "
            "assetmap made"
        )
    packed = value[len(URL_PREFIX) :]
    if not re.fullmatch(r"[A-Za-z0-9_-]*", packed):
        raise ScenarioFileError("the scenario in the link holds characters it never has")
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        unpack = zlib.decompressobj()
        text = unpack.decompress(raw, MAX_BYTES)
        if unpack.unconsumed_tail or not unpack.eof:
            raise ScenarioFileError("the scenario in the link is damaged or too big")
        doc = json.loads(text.decode("utf-8"), parse_constant=_no_constant)
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, ScenarioFileError):
            raise
        raise ScenarioFileError("the scenario in the link is damaged (cut short?)") from None
    _check(doc, need_area=False)
    if not _AREA.fullmatch(area):
        raise _fail("area", f"{_shown(area)} is not an area reference")
    return _build(
        area,
        doc["types"],
        doc["asset_type"],
        float(doc["distance_m"]),
        tuple(Place(s["label"], float(s["easting"]), float(s["northing"])) for s in doc["add"]),
        doc["close"],
    )
