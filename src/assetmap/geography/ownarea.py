"""A user's own area: LSOAs picked by code, a shape drawn on the map, or a boundary file.

Planners think in their own patches (a primary care network, a ward cluster, a regeneration
zone), not only in ONS areas. An own area is a set of LSOAs with a name the user gives
(:class:`assetmap.geography.areas.Area` with ``level == "own"``), so every measure selects and
rolls it up exactly as it does an ICB (:func:`assetmap.geography.areas.select`,
:func:`assetmap.measures.metrics.rollup`): an own area made of an ICB's LSOAs has that ICB's
figures.

A shape becomes LSOAs **by residence point**: an LSOA is in the area when its residence point
(the mean location of its postcodes, :mod:`assetmap.geography.spatial`) lies inside the shape,
so each LSOA is wholly in or out and its residents are never split. :func:`fit` also counts the
LSOAs the shape cuts through: counted ones partly outside it, and ones it overlaps whose
residence point lies outside (not counted).

Boundary files are GeoJSON or GeoPackage in any coordinate reference system the file names
(reprojected to EPSG:4326; GeoJSON with no CRS member is longitude/latitude, RFC 7946). A file
whose features carry an ``lsoa21cd`` column (as :func:`to_geojson` writes) is read as that list
of LSOAs, exactly.

Examples
--------
>>> from assetmap.data import store
>>> from assetmap.geography import ownarea
>>> lsoas = store.load_lsoas()  # doctest: +SKIP
>>> patch = ownarea.own_area(["E01011949", "E01011950"], lsoas, "Two streets")  # doctest: +SKIP
>>> patch.ref  # doctest: +SKIP
'own:E01011949,E01011950'
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape as geojson_shape
from shapely.geometry.base import BaseGeometry

from assetmap import settings
from assetmap.geography.areas import OWN, Area
from assetmap.presentation.text import cut

#: The name an own area gets when the user gives none.
DEFAULT_NAME = "Your own area"
#: Longest own-area name kept (longer names are cut).
MAX_NAME_CHARS = 80
#: Boundary files read (by extension).
BOUNDARY_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg")
#: LSOA codes of England (2021): ``E01`` and six digits.
_LSOA_CODE = re.compile(r"^E01\d{6}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_POLYGONAL = ("Polygon", "MultiPolygon")


class OwnAreaError(ValueError):
    """An own area that cannot be made; the message names the value or shape and the reason."""


def clean_name(name: str | None) -> str:
    """The user's name for an area: control characters dropped, spaces collapsed, cut to
    :data:`MAX_NAME_CHARS`; :data:`DEFAULT_NAME` when nothing is left. (Markup is escaped
    where it is shown, not here.)"""
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", name or "")).strip()
    return cut(text, MAX_NAME_CHARS) if text else DEFAULT_NAME


def own_area(codes: Iterable[str], lsoas: pd.DataFrame, name: str | None = None) -> Area:
    """An own area of these LSOAs.

    Parameters
    ----------
    codes
        LSOA 2021 codes, in any order and case, repeats allowed; an ``own:`` reference's list.
    lsoas
        The LSOA table (its ``lsoa21cd`` are the known codes).
    name
        The user's name for the area (:func:`clean_name`).

    Returns
    -------
    Area
        ``level`` ``"own"``, ``lsoas`` sorted, ``code`` the first 10 hex digits of the SHA-256
        of the comma-joined codes (the same LSOAs always give the same code).

    Raises
    ------
    OwnAreaError
        No code given, or codes that are not English LSOAs (the first few named).
    """
    wanted = sorted({c.strip().upper() for c in codes if c.strip()})
    if not wanted:
        raise OwnAreaError("an own area needs at least one LSOA code (E01 and six digits)")
    known = set(lsoas["lsoa21cd"])
    unknown = [c for c in wanted if c not in known]
    if unknown:
        shown = ", ".join(repr(cut(c, 20)) for c in unknown[:5])
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        one = len(unknown) == 1
        why = (
            ("is not an LSOA 2021 code of England" if one else "are not LSOA 2021 codes of England")
            if any(not _LSOA_CODE.match(c) for c in unknown)
            else f"{'is' if one else 'are'} not among England's LSOAs (2021)"
        )
        raise OwnAreaError(f"{shown}{more} {why}")
    digest = hashlib.sha256(",".join(wanted).encode()).hexdigest()[:10]
    return Area(OWN, digest, clean_name(name), None, tuple(wanted))


#: Longest text of LSOA codes :func:`split_codes` reads: every English LSOA, comma-separated,
#: with room for spaces and line breaks.
MAX_CODES_TEXT_CHARS = 600_000
_CODE_SEPARATORS = re.compile(r"[\s,;]+")


def split_codes(text: str) -> list[str]:
    """The LSOA codes in pasted text: separated by commas, semicolons, spaces or line breaks
    (a column copied from a spreadsheet), with quotes around them dropped. Not yet checked:
    see :func:`own_area`.

    Raises
    ------
    OwnAreaError
        The text is longer than :data:`MAX_CODES_TEXT_CHARS`.
    """
    if len(text) > MAX_CODES_TEXT_CHARS:
        raise OwnAreaError(
            f"the list is {len(text):,} characters long; England's LSOA codes need fewer than "
            f"{MAX_CODES_TEXT_CHARS:,}"
        )
    return [c.strip("'\"") for c in _CODE_SEPARATORS.split(text) if c.strip("'\"")]


def parse_ref(ref: str) -> list[str]:
    """The LSOA codes of an ``own:E01…,E01…`` reference (not yet checked: see :func:`own_area`).

    Raises
    ------
    OwnAreaError
        ``ref`` does not start with ``own:``.
    """
    prefix, _, rest = ref.partition(":")
    if prefix.strip().lower() != OWN or not _:
        raise OwnAreaError(f"{cut(ref)!r} is not an own area (own:E01…,E01…)")
    return [c for c in rest.split(",") if c.strip()]


@dataclass(frozen=True)
class Fitted:
    """An own area made from a shape, and how the shape cuts the LSOAs.

    Attributes
    ----------
    area
        The LSOAs whose residence point lies inside the shape.
    partly_inside
        LSOAs counted (residence point inside) whose polygon is partly outside the shape.
    outside_touched
        LSOAs the shape overlaps whose residence point lies outside it: not counted.
    """

    area: Area
    partly_inside: int
    outside_touched: int

    @property
    def note(self) -> str:
        """The overlap in words (plain text)."""
        n = len(self.area.lsoas)
        return (
            f"{n:,} LSOA{'s' if n != 1 else ''} counted, by where their residence point lies; "
            f"{self.partly_inside:,} of them lie partly outside the shape, and "
            f"{self.outside_touched:,} more LSOA{'s' if self.outside_touched != 1 else ''} "
            "overlap it with their residence point outside (not counted)"
        )


def fit(
    shape: BaseGeometry,
    lsoa_shapes: gpd.GeoDataFrame,
    residence: pd.DataFrame,
    name: str | None = None,
) -> Fitted:
    """The own area a (multi)polygon covers, LSOAs counted by residence point.

    Parameters
    ----------
    shape
        A valid polygon or multipolygon in EPSG:4326 (:func:`drawn_shape`, :func:`read_boundary`).
    lsoa_shapes
        LSOA polygons with ``lsoa21cd`` (any CRS; reprojected to it for the overlap).
    residence
        Residence points: ``lsoa21cd``, ``res_easting``, ``res_northing`` (EPSG:27700).
    name
        The user's name for the area.

    Raises
    ------
    OwnAreaError
        The shape holds no LSOA's residence point (it is outside England, or too small).
    """
    bng = gpd.GeoSeries([shape], crs="EPSG:4326").to_crs("EPSG:27700").iloc[0]
    shapely.prepare(bng)
    inside = shapely.contains_xy(
        bng, residence["res_easting"].to_numpy(), residence["res_northing"].to_numpy()
    )
    codes = residence.loc[inside, "lsoa21cd"].astype(str)
    local = gpd.GeoSeries([shape], crs="EPSG:4326").to_crs(lsoa_shapes.crs).iloc[0]
    touched = lsoa_shapes["lsoa21cd"].to_numpy()[
        lsoa_shapes.sindex.query(local, predicate="intersects")
    ]
    whole = set(lsoa_shapes["lsoa21cd"].to_numpy()[lsoa_shapes.sindex.query(local, "contains")])
    counted = set(codes)
    if not counted:
        where = (
            f"it overlaps {len(touched):,} LSOAs but holds none of their residence points"
            if len(touched)
            else "it covers no English LSOA"
        )
        raise OwnAreaError(f"the shape holds no neighbourhood: {where}; make it larger")
    area = own_area(codes, pd.DataFrame({"lsoa21cd": sorted(counted)}), name)
    return Fitted(
        area,
        partly_inside=len(counted - whole),
        outside_touched=len(set(touched) - counted),
    )


def _where(reason: str) -> str:
    # shapely's reason: "Self-intersection[-2.97 53.41]" -> "near 53.41000, -2.97000".
    found = re.search(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)", reason)
    if not found:
        return ""
    lon, lat = float(found.group(1)), float(found.group(2))
    return f" near {lat:.5f}, {lon:.5f}"


def _polygons(geoms: Iterable[BaseGeometry | None]) -> list[BaseGeometry]:
    return [g for g in geoms if g is not None and not g.is_empty and g.geom_type in _POLYGONAL]


def drawn_shape(drawn: Mapping[str, Any]) -> BaseGeometry:
    """The (multi)polygon a user drew: a GeoJSON Feature, FeatureCollection or geometry.

    Parameters
    ----------
    drawn
        GeoJSON in EPSG:4326 (what folium's Draw plugin returns).

    Raises
    ------
    OwnAreaError
        Not GeoJSON, no polygon in it, or a polygon that crosses itself (with where).
    """
    kind = drawn.get("type")
    if kind == "FeatureCollection":
        geometries = [f.get("geometry") for f in drawn.get("features") or []]
    elif kind == "Feature":
        geometries = [drawn.get("geometry")]
    else:
        geometries = [drawn]
    try:
        shapes = [geojson_shape(g) for g in geometries if g]
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise OwnAreaError(f"the drawn shape is not GeoJSON: {cut(exc)}") from exc
    polygons = _polygons(shapes)
    if not polygons:
        raise OwnAreaError("nothing drawn is a polygon: draw a polygon or a rectangle")
    for polygon in polygons:
        reason = shapely.is_valid_reason(polygon)
        if reason != "Valid Geometry":
            raise OwnAreaError(
                f"the drawn shape crosses itself{_where(reason)}: draw it again so that its "
                "edges do not cross"
            )
    return shapely.union_all(polygons)


@dataclass(frozen=True)
class Boundary:
    """A boundary file as read.

    Attributes
    ----------
    shape
        Its polygons, unioned, in EPSG:4326 (``None`` when it lists LSOA codes instead).
    lsoas
        The ``lsoa21cd`` values its features carry (an area file :func:`to_geojson` wrote).
    name
        The file's own name for the area (its ``name`` member or the file name's stem).
    notes
        What was done to read it (plain text): a reprojection, features left out, a repair.
    """

    shape: BaseGeometry | None
    lsoas: tuple[str, ...]
    name: str
    notes: tuple[str, ...] = ()


def _read_frame(content: bytes, filename: str) -> gpd.GeoDataFrame:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in BOUNDARY_SUFFIXES:
        raise OwnAreaError(
            f"{cut(filename)!r} is not a boundary file: give a GeoJSON (.geojson, .json) or a "
            "GeoPackage (.gpkg)"
        )
    from assetmap.ingest.read import size_message  # ingest places points with geography

    too_big = size_message(len(content), filename)
    if too_big:
        raise OwnAreaError(too_big)
    if not content.strip():
        raise OwnAreaError(f"{cut(filename)!r} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL on in-memory names
            frame = gpd.read_file(io.BytesIO(content))
    except Exception as exc:  # any failure of GDAL on an untrusted file
        kind = "GeoPackage" if suffix == ".gpkg" else "GeoJSON"
        raise OwnAreaError(f"{cut(filename)!r} could not be read as {kind}: {cut(exc)}") from exc
    return frame


def _file_name(content: bytes, filename: str) -> str:
    if PurePath(filename).suffix.lower() != ".gpkg":
        try:
            named = json.loads(content).get("name")
        except (ValueError, AttributeError, UnicodeDecodeError):
            named = None
        if isinstance(named, str) and named.strip():
            return clean_name(named)
    return clean_name(PurePath(filename).stem)


def read_boundary(content: bytes, filename: str) -> Boundary:
    """Read a boundary file (GeoJSON or GeoPackage) for an own area.

    Parameters
    ----------
    content
        The file's bytes (at most ``settings.UPLOAD_MAX_MB``, the upload limit).
    filename
        Its name, whose extension says the format.

    Returns
    -------
    Boundary
        Polygons reprojected to EPSG:4326 from the CRS the file names (a GeoJSON with none is
        longitude/latitude); features that are not polygons left out and counted; polygons
        that are not valid (a ring that crosses itself) repaired with ``shapely.make_valid``,
        where named. A file with an ``lsoa21cd`` column gives those codes instead.

    Raises
    ------
    OwnAreaError
        Not GeoJSON or GeoPackage, too large, unreadable, coordinates that are not longitude /
        latitude in a file that names no CRS, or no polygon in it.
    """
    frame = _read_frame(content, filename)
    name = _file_name(content, filename)
    columns = {str(c).lower(): c for c in frame.columns}
    if "lsoa21cd" in columns:
        codes = frame[columns["lsoa21cd"]].dropna().astype(str)
        return Boundary(None, tuple(codes), name, ("read as the LSOA codes the file lists",))
    notes: list[str] = []
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    if frame.crs.to_epsg() == 4326:
        # GDAL reads a GeoJSON that names no CRS as longitude / latitude (RFC 7946).
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise OwnAreaError(
                f"{cut(filename)!r} names no coordinate reference system and its coordinates "
                f"(e.g. {minx:,.0f}, {miny:,.0f}) are not longitude / latitude: save it in "
                "EPSG:4326, or with its CRS"
            )
    else:
        notes.append(f"reprojected from {cut(frame.crs.name)} to longitude / latitude")
        frame = frame.to_crs("EPSG:4326")
    geoms = list(frame.geometry)
    polygons = _polygons(geoms)
    if not polygons:
        kinds = sorted({g.geom_type for g in geoms if g is not None})
        held = f" (it holds {', '.join(kinds)})" if kinds else ""
        raise OwnAreaError(f"{cut(filename)!r} has no polygon{held}")
    dropped = len(geoms) - len(polygons)
    if dropped:
        notes.append(
            f"{dropped:,} feature{'s that are' if dropped != 1 else ' that is'} not a polygon "
            "left out"
        )
    fixed = []
    for i, polygon in enumerate(polygons):
        reason = shapely.is_valid_reason(polygon)
        if reason != "Valid Geometry":
            notes.append(f"polygon {i + 1} repaired: it crossed itself{_where(reason)}")
            fixed.append(_polygons([shapely.make_valid(polygon)]))
        else:
            fixed.append([polygon])
    shape = shapely.union_all([p for part in fixed for p in part])
    return Boundary(shape, (), name, tuple(notes))


def from_boundary(
    boundary: Boundary,
    lsoas: pd.DataFrame,
    lsoa_shapes: gpd.GeoDataFrame,
    residence: pd.DataFrame,
    name: str | None = None,
) -> Fitted:
    """The own area a boundary file gives (its LSOA list, or its shape by :func:`fit`).

    ``name`` overrides the file's own name.
    """
    if boundary.shape is None:
        area = own_area(boundary.lsoas, lsoas, name or boundary.name)
        return Fitted(area, 0, 0)
    return fit(boundary.shape, lsoa_shapes, residence, name or boundary.name)


def to_geojson(area: Area, lsoa_shapes: gpd.GeoDataFrame) -> bytes:
    """An own area as a file to keep and give back: a GeoJSON FeatureCollection of its LSOAs
    (``lsoa21cd`` each, EPSG:4326) with the area's ``name`` (:func:`read_boundary` reads it as
    exactly these LSOAs)."""
    inside = lsoa_shapes[lsoa_shapes["lsoa21cd"].isin(area.lsoas)][["lsoa21cd", "geometry"]]
    features = json.loads(inside.to_crs("EPSG:4326").to_json(drop_id=True))
    features["name"] = area.name
    return json.dumps(features, separators=(",", ":")).encode()


def url_fits(area: Area) -> bool:
    """Whether the area's reference is short enough for a link
    (``settings.OWN_AREA_URL_MAX_CHARS``); a larger area is shared as a file."""
    return len(area.ref) <= settings.OWN_AREA_URL_MAX_CHARS
