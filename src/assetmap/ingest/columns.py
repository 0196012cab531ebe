"""Which column holds what: the header row among the first rows (title rows above it skipped),
tidy unique column names, and the name, postcode, coordinate, type, id and address columns
found from the headers (:func:`detect_columns`) or given (:func:`resolve_mapping`)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

import pandas as pd

from assetmap.ingest.model import _FIELD_LABELS, ColumnMapping, RawTable, UploadError
from assetmap.ingest.records import _Records
from assetmap.ingest.words import _REPORT_CHARS

_POSTCODE_SHAPE: Final = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")


def _parses_as_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _looks_like_data(cells: Sequence[str]) -> bool:
    # A header names columns; a first row holding a postcode or a number is data (the NHS ODS
    # files, for instance, have no header).
    for cell in cells:
        text = cell.strip()
        if not text:
            continue
        if _POSTCODE_SHAPE.fullmatch(re.sub(r"\s+", "", text.upper())) or _parses_as_number(text):
            return True
    return False


def _column_names(header: Sequence[str] | None, width: int) -> tuple[list[str], int]:
    """Unique, tidy column names; returns them and how many header cells were cut short."""
    names: list[str] = []
    seen: set[str] = set()
    cut = 0
    for i in range(width):
        raw = header[i] if header is not None and i < len(header) else ""
        text = re.sub(r"\s+", " ", raw).strip()
        if len(text) > _REPORT_CHARS:
            text, cut = text[:_REPORT_CHARS] + "…", cut + 1
        text = text or f"column {i + 1}"
        candidate, k = text, 2
        while candidate.casefold() in seen:
            candidate, k = f"{text} ({k})", k + 1
        seen.add(candidate.casefold())
        names.append(candidate)
    return names, cut


def _header_hits(cells: Sequence[str]) -> int:
    """How many cells are column names :func:`detect_columns` knows."""
    hits = 0
    for cell in cells:
        tokens = _tokens(cell)
        if tokens and (
            "".join(tokens) in _ALL_SYNONYMS or any(_partial_match(f, tokens) for f in _FIELD_ORDER)
        ):
            hits += 1
    return hits


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _guess_first(window: Sequence[Sequence[str]], header: bool | None) -> int:
    """Index of the header among the first rows: title rows above it are skipped.

    The first row that names two or more known columns (and holds no postcode or number) is the
    header, when every row above it is a title: one with fewer values. Failing that, rows holding
    a single value (in a table of three or more columns) are titles.
    """
    if header is False:
        return 0
    for i, row in enumerate(window):
        if _header_hits(row) >= 2 and not _looks_like_data(row):
            width = _filled(row)
            if all(_filled(r) < width for r in window[:i]):
                return i
    first = 0
    if max(_filled(r) for r in window) >= 3:
        while (
            first < len(window) - 1
            and _filled(window[first]) == 1
            and not _looks_like_data(window[first])
        ):
            first += 1
    return first


def _find_header_row(records: _Records, header_row: int, name: str) -> int:
    """Index of the record on the chosen header row, or a clear :class:`UploadError`."""
    if header_row < 1:
        raise UploadError(f"Row {header_row} is not a row of {name}: rows count from 1.")
    for i, (start, end) in enumerate(zip(records.numbers, records.ends, strict=True)):
        if start == header_row:
            return i
        if start < header_row <= end:
            raise UploadError(
                f"Line {header_row} of {name} is not where a row starts: it is part of the row "
                f"on line {start}, which runs over lines {start}-{end}. Choose that row, or "
                "another."
            )
        if start > header_row:
            raise UploadError(
                f"Row {header_row} of {name} is blank: choose the row that holds the column names."
            )
    raise UploadError(
        f"{name} has no row {header_row}: its last row with values is row {records.ends[-1]}."
    )


# Header synonyms, compared after folding case, accents, spaces and punctuation ("Post Code",
# "post_code" and "postCode" are all "postcode"). Earlier entries win.
_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "postcode": (
        "postcode", "postalcode", "postcodes", "pcd", "pcds", "pcode", "sitepostcode",
        "premisespostcode", "venuepostcode", "zip", "zipcode", "pc",
    ),
    "latitude": (
        "latitude", "lat", "wgs84latitude", "latwgs84", "latdd", "decimallatitude", "latitudewgs84",
    ),
    "longitude": (
        "longitude", "lon", "long", "lng", "wgs84longitude", "lonwgs84", "londd",
        "decimallongitude", "longitudewgs84",
    ),
    "easting": (
        "easting", "eastings", "oseast1m", "bngeasting", "osgbeasting", "gridx", "xcoordinate",
        "xcoord", "east", "x",
    ),
    "northing": (
        "northing", "northings", "osnrth1m", "bngnorthing", "osgbnorthing", "gridy", "ycoordinate",
        "ycoord", "north", "y",
    ),
    "name": (
        "name", "assetname", "sitename", "organisationname", "organizationname", "orgname",
        "venuename", "facilityname", "placename", "premisesname", "servicename", "groupname",
        "clubname", "buildingname", "establishmentname", "practicename", "title", "venue",
        "facility", "premises", "site", "organisation", "organization", "establishment",
    ),
    "category": (
        "category", "type", "assettype", "assetcategory", "sitetype", "facilitytype", "venuetype",
        "servicetype", "organisationtype", "categories", "kind", "class", "classification",
    ),
    "identifier": (
        "id", "identifier", "assetid", "siteid", "uid", "uniqueid", "ref", "reference", "refno",
        "referencenumber", "code", "sitecode", "orgcode", "organisationcode", "odscode",
        "practicecode", "urn", "uprn", "objectid", "fid",
    ),
    "address": (
        "address", "fulladdress", "siteaddress", "streetaddress", "address1", "addressline1",
        "addr", "street",
    ),
}  # fmt: skip

# Words that make a "... name" header name something other than the asset.
_NOT_ASSET_NAME: Final = frozenset((
    "contact", "first", "sur", "last", "user", "file", "authority", "la", "lad", "ward", "street",
    "road", "manager", "lsoa", "msoa", "oa", "region", "icb", "ccg", "district", "county", "town",
    "city", "area", "parent", "trust", "owner", "operator", "borough", "parish", "constituency",
    "country", "nation", "person", "staff", "email", "web", "sheet", "layer",
))  # fmt: skip
# Words that make a "... code"/"... id" header an area code or a postcode, not the asset's id.
_NOT_ASSET_ID: Final = frozenset((
    "post", "postcode", "lsoa", "msoa", "oa", "ward", "la", "lad", "authority", "region", "icb",
    "ccg", "sicbl", "district", "county", "country", "parent", "trust", "pcn", "nation",
    "constituency", "parish", "grid", "area",
))  # fmt: skip
_ALL_SYNONYMS: Final = frozenset(v for names in _SYNONYMS.values() for v in names)
_FIELD_ORDER: Final = (
    "postcode",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "name",
    "category",
    "identifier",
    "address",
)


def _tokens(header: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z]+|[0-9]+", ascii_text.casefold())


def _partial_match(field_name: str, tokens: list[str]) -> bool:
    """Looser header rules, used only when no header is an exact synonym."""
    key = "".join(tokens)
    if field_name == "postcode":
        return "postcode" in key and not {"sector", "district", "area"} & set(tokens)
    if field_name == "latitude":
        return "latitude" in key
    if field_name == "longitude":
        return "longitude" in key
    if field_name == "easting":
        return "easting" in key
    if field_name == "northing":
        return "northing" in key
    if field_name == "name":
        return "name" in tokens and not _NOT_ASSET_NAME & set(tokens)
    if field_name == "category":
        return (
            bool(tokens)
            and ("category" in tokens or "categories" in tokens or tokens[-1] == "type")
            and not {"postcode", "geometry", "file", "data"} & set(tokens)
        )
    if field_name == "identifier":
        return (
            bool(tokens)
            and tokens[-1] in {"id", "ref", "reference", "identifier", "code"}
            and "postcode" not in key
            and not _NOT_ASSET_ID & set(tokens)
        )
    if field_name == "address":
        return bool(tokens) and tokens[0] in {"address", "addr", "street"}
    return False


def _postcode_column_by_values(sample: pd.DataFrame, used: set[str]) -> str | None:
    # A file without a header (or with an unusual one) still shows its postcodes: a column where
    # most values have the shape of a UK postcode.
    for column in sample.columns:
        if column in used:
            continue
        values = [str(v).strip() for v in sample[column].tolist() if str(v).strip()]
        if len(values) < min(3, len(sample)) or not values:
            continue
        shaped = sum(1 for v in values if _POSTCODE_SHAPE.fullmatch(re.sub(r"\s+", "", v.upper())))
        if shaped >= 0.6 * len(values):
            return str(column)
    return None


def _degrees_like(sample: pd.DataFrame, columns: Sequence[str]) -> bool:
    values = pd.to_numeric(
        pd.Series([v for c in columns for v in sample[c].tolist()], dtype=object),
        errors="coerce",
    ).dropna()
    return bool(len(values)) and bool((values.abs() <= 180).all())


def detect_columns(columns: Sequence[str], sample: pd.DataFrame | None = None) -> ColumnMapping:
    """Guess which column holds what from the header names (and, given a sample, the values).

    Headers are compared ignoring case, accents, spaces and punctuation against common names
    (``Postcode``/``Post code``/``PCD``, ``Latitude``/``lat``, ``Easting``/``X``,
    ``Site name``, ``Type``/``Category``, ``ID``/``Ref``...), then by looser rules (a header
    containing ``name`` that is not a contact's or an area's, one ending in ``type``, ``id`` or
    ``code`` that is not a postcode or an area code). Each column is used at most once.

    Parameters
    ----------
    columns
        The column names.
    sample
        Optional first rows (text cells). With it, a postcode column is also found by its values,
        and ``X``/``Y`` columns holding degrees become longitude/latitude.

    Returns
    -------
    ColumnMapping
        Check :meth:`ColumnMapping.missing` for what is still needed.
    """
    names = [str(c) for c in columns]
    keys = ["".join(_tokens(c)) for c in names]
    tokens = [_tokens(c) for c in names]
    used: set[str] = set()
    found: dict[str, str | None] = dict.fromkeys(_FIELD_ORDER)
    for field_name in _FIELD_ORDER:
        hit = None
        for synonym in _SYNONYMS[field_name]:
            hit = next((c for c, k in zip(names, keys, strict=True) if k == synonym), None)
            if hit is not None and hit not in used:
                break
            hit = None
        if hit is None:
            hit = next(
                (
                    c
                    for c, t in zip(names, tokens, strict=True)
                    if c not in used and _partial_match(field_name, t)
                ),
                None,
            )
        if hit is not None:
            found[field_name] = hit
            used.add(hit)
    if sample is not None and len(sample):
        if found["postcode"] is None:
            found["postcode"] = _postcode_column_by_values(sample, used)
        east, north = found["easting"], found["northing"]
        if (
            east is not None
            and north is not None
            and found["latitude"] is None
            and found["longitude"] is None
            and _degrees_like(sample, [east, north])
        ):
            found.update(longitude=east, latitude=north, easting=None, northing=None)
    # Half a pair locates nothing: a lone latitude column is more likely a note than a coordinate.
    for one, other in (("latitude", "longitude"), ("easting", "northing")):
        if (found[one] is None) != (found[other] is None):
            found[one] = found[other] = None
    return ColumnMapping(**found)


def detect_table(table: RawTable) -> ColumnMapping:
    """:func:`detect_columns` on a read table, with a GeoJSON file's Point coordinates first."""
    mapping = detect_columns(list(table.frame.columns), table.frame.head(200))
    if table.geometry is not None:
        geometry = {k: v for k, v in table.geometry.as_dict().items() if v is not None}
        # Properties that look like coordinates give way to the geometry itself.
        cleared = dict.fromkeys(("latitude", "longitude", "easting", "northing"))
        mapping = replace(mapping, **{**cleared, **geometry})
    return mapping


def resolve_mapping(mapping: ColumnMapping, columns: Sequence[str], name: str) -> ColumnMapping:
    """Turn every value of ``mapping`` into an exact column name, or raise :class:`UploadError`.

    Parameters
    ----------
    mapping
        Column names (exact or differing only in case and spacing) or 1-based positions.
    columns
        The table's columns.
    name
        The file's name, for messages.

    Returns
    -------
    ColumnMapping
        Exact names only; complete (see :meth:`ColumnMapping.missing`).
    """
    names = [str(c) for c in columns]
    folded = {re.sub(r"\s+", " ", c).strip().casefold(): c for c in names}
    resolved: dict[str, str | None] = {}
    for key, value in mapping.as_dict().items():
        if value is None or (isinstance(value, str) and not value.strip()):
            resolved[key] = None
            continue
        hit: str | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            hit = names[value - 1] if 1 <= value <= len(names) else None
        elif isinstance(value, str):
            text = value.strip()
            hit = value if value in names else folded.get(re.sub(r"\s+", " ", text).casefold())
            digits = re.fullmatch(r"#?(\d{1,6})", text)
            if hit is None and digits and 1 <= int(digits.group(1)) <= len(names):
                hit = names[int(digits.group(1)) - 1]
        if hit is None:
            listed = ", ".join(repr(c) for c in names[:30]) + (", ..." if len(names) > 30 else "")
            raise UploadError(
                f"{name} has no column {value!r} for the {_FIELD_LABELS[key]}. "
                f"Its columns are: {listed}."
            )
        resolved[key] = hit
    out = ColumnMapping(**resolved)
    location = [v for k in ("postcode", "latitude", "longitude", "easting", "northing")
                if (v := resolved[k]) is not None]  # fmt: skip
    repeated = sorted({c for c in location if location.count(c) > 1})
    if repeated:
        raise UploadError(
            f"The column {repeated[0]!r} is chosen for two different location fields: "
            "pick one column for each."
        )
    missing = out.missing()
    if missing:
        listed = ", ".join(repr(c) for c in names[:30]) + (", ..." if len(names) > 30 else "")
        raise UploadError(
            f"{name}: cannot place the rows without {' and '.join(missing)}. Choose them from the "
            f"file's columns: {listed}."
        )
    return out
