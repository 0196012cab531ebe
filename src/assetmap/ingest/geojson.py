"""The GeoJSON reader: Point features become rows (their properties columns, their coordinates
two more), anything else is reported; and the JSON sniffing of an upload's bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from assetmap.ingest.columns import _column_names
from assetmap.ingest.decode import _decode
from assetmap.ingest.model import FORMAT_GEOJSON, ColumnMapping, RawTable, UploadError, UploadLimits
from assetmap.ingest.reasons import REASON_BAD_GEOMETRY, REASON_NOT_POINT
from assetmap.ingest.records import _cell_text, _too_many_cells
from assetmap.ingest.words import _short

#: Names of the coordinate columns a GeoJSON file's Point geometries become.
GEOMETRY_LONGITUDE: Final = "geometry longitude"
GEOMETRY_LATITUDE: Final = "geometry latitude"
GEOMETRY_EASTING: Final = "geometry easting"
GEOMETRY_NORTHING: Final = "geometry northing"


def _bng_crs(collection: dict[str, Any]) -> bool:
    # RFC 7946 GeoJSON is WGS84, but older files name a CRS; British National Grid is the one
    # English councils use.
    crs = collection.get("crs")
    return isinstance(crs, dict) and "27700" in json.dumps(crs)


def _geojson_table(doc: object, name: str, limits: UploadLimits) -> RawTable:
    """A GeoJSON document -> :class:`RawTable`: a column per property, then the Point's two
    coordinates; a feature that is not a point is reported with a reason."""
    features, bng = _features(doc, name, limits)
    x_col, y_col = (
        (GEOMETRY_EASTING, GEOMETRY_NORTHING) if bng else (GEOMETRY_LONGITUDE, GEOMETRY_LATITUDE)
    )
    prop_names = _property_names(features, name, limits)
    if len(features) * (len(prop_names) + 2) > limits.max_cells:
        raise _too_many_cells(name, limits)
    # Geometry columns come last but are named first, so a property called the same is renamed.
    names, _ = _column_names([x_col, y_col, *prop_names], len(prop_names) + 2)
    column_of = dict(zip(prop_names, names[2:], strict=True))
    n = len(features)
    columns, reason, detail = _feature_cells(features, names, column_of)
    frame = pd.DataFrame(
        {c: columns[c] for c in [*names[2:], *names[:2]]}, dtype=object, columns=None
    )
    geometry_mapping = (
        ColumnMapping(easting=names[0], northing=names[1])
        if bng
        else ColumnMapping(longitude=names[0], latitude=names[1])
    )
    messages = (f"{name} states British National Grid (EPSG:27700) coordinates.",) if bng else ()
    return RawTable(
        frame=frame,
        source_row=np.arange(1, n + 1, dtype=np.int64),
        format=FORMAT_GEOJSON,
        filename=name,
        row_reason=reason,
        row_detail=detail,
        messages=messages,
        geometry=geometry_mapping,
    )


def _features(doc: object, name: str, limits: UploadLimits) -> tuple[list[Any], bool]:
    """The features of a FeatureCollection (or the one Feature), and whether they state British
    National Grid coordinates; :class:`UploadError` for anything else, none or too many."""
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise UploadError(f"{name} is a GeoJSON FeatureCollection without a features list.")
        bng = _bng_crs(doc)
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        features, bng = [doc], _bng_crs(doc)
    else:
        raise UploadError(
            f"{name} is JSON but not GeoJSON: expected a FeatureCollection (or one Feature)."
        )
    if not features:
        raise UploadError(f"{name} is a GeoJSON file with no features.")
    if len(features) > limits.max_rows:
        raise UploadError(
            f"{name} has {len(features):,} features, more than the {limits.max_rows:,} one upload "
            "may hold: split it into smaller files."
        )
    return features, bng


def _property_names(features: Sequence[Any], name: str, limits: UploadLimits) -> list[str]:
    """Every property name the features use, in the order they first appear (within the limit)."""
    keys: dict[str, None] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            for key in props:
                keys.setdefault(str(key), None)
                if len(keys) > limits.max_columns:
                    raise UploadError(
                        f"{name} has more than {limits.max_columns:,} property names, more than "
                        "one upload may hold."
                    )
    return list(keys)


def _feature_cells(
    features: Sequence[Any], names: Sequence[str], column_of: dict[str, str]
) -> tuple[dict[str, list[str]], np.ndarray, np.ndarray]:
    """Each feature's properties and Point coordinates as text cells, column by column (the two
    coordinate columns are ``names[0]`` and ``names[1]``), with the reason and detail of every
    feature that is not a point (``None`` for the others)."""
    n = len(features)
    columns: dict[str, list[str]] = {c: [""] * n for c in names}
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            reason[i], detail[i] = REASON_BAD_GEOMETRY, "not a GeoJSON Feature object"
            continue
        props = feature.get("properties")
        if isinstance(props, dict):
            for key, value in props.items():
                columns[column_of[str(key)]][i] = _cell_text(value)
        geometry = feature.get("geometry")
        if geometry is None:
            continue  # no geometry: the row may still have a postcode property
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind != "Point":
            if isinstance(kind, str) and kind:
                reason[i] = REASON_NOT_POINT
                detail[i] = f"{_short(kind, 40)} geometry: only Point features can be placed"
            else:
                reason[i], detail[i] = REASON_BAD_GEOMETRY, "the geometry has no type"
            continue
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            reason[i] = REASON_BAD_GEOMETRY
            detail[i] = "a Point without a pair of coordinates"
            continue
        columns[names[0]][i] = _cell_text(coords[0])
        columns[names[1]][i] = _cell_text(coords[1])
    return columns, reason, detail


@dataclass
class _Json:
    """What a JSON parse of the bytes found: ``kind`` is geojson, json or None (not JSON)."""

    kind: str | None
    doc: object = None
    error: str = ""


def _parse_json(data: bytes, expected: str, name: str) -> _Json:
    # Only bytes that open like JSON are parsed, unless JSON is what the name promised.
    head = data[:64].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if expected != FORMAT_GEOJSON and not head.startswith((b"{", b"[")):
        return _Json(None)
    text, _, _ = _decode(data, name)
    try:
        doc = json.loads(text)  # plain data: json never builds objects or runs code
    except RecursionError:
        return _Json(None, error="it is nested too deeply")
    except ValueError as exc:
        return _Json(None, error=f"it is not valid JSON: {exc}")
    if isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature"):
        return _Json(FORMAT_GEOJSON, doc)
    return _Json("json", doc)
