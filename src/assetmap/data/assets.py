"""The open asset layers: one table of sources, one pipeline, every row accounted for.

Adding a layer is a new :class:`AssetSource` in :data:`ASSET_SOURCES`, not a new module. Each source
says which columns hold the id, name, address and location, and which rows are out of scope (and
why). :func:`locate_assets` runs every source through the same steps and returns the mapped assets
and a report of every row that was not mapped, so that ``mapped + reported == rows read``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings
from assetmap.data import sources
from assetmap.geography.geocode import STATUS_OK, PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator

#: Report reasons shared by every source (``reason`` is a short category; ``detail`` says more).
REASON_CLOSED: Final = "closed"
REASON_OUT_OF_SCOPE: Final = "not in scope"
REASON_OUTSIDE_ENGLAND: Final = "outside England"
REASON_NO_LSOA: Final = "no LSOA nearby"
REASON_BAD_COORDS: Final = "missing or invalid coordinates"
REASON_DUPLICATE: Final = "duplicate"

#: How a mapped row was located (column ``located_by``), for the open layers and uploads alike.
LOCATED_BY_POSTCODE: Final = "postcode"
LOCATED_BY_LATLON: Final = "latitude/longitude"
LOCATED_BY_GRID: Final = "easting/northing"

#: Warning (column ``warning``) on a row located by one of its two locations when the other lies
#: far away: the row is mapped, and the warning asks for a check.
WARNING_POSTCODE_FAR: Final = "coordinates far from the postcode"

ASSET_COLUMNS: Final = [
    "asset_id",
    "asset_type",
    "name",
    "subtype",
    "address",
    "postcode",
    "easting",
    "northing",
    "lsoa21cd",
    "lsoa_method",
    "distance_to_lsoa_m",
    "source_row",
    "located_by",
    "warning",
]
REPORT_COLUMNS: Final = [
    "asset_type",
    "source_file",
    "source_row",
    "name",
    "postcode",
    "reason",
    "detail",
]


@dataclass(frozen=True)
class Family:
    """A family of asset types that tell one story, reported apart from the other families.

    Attributes
    ----------
    key
        Identifier used in code, URLs and CSV files (``community``).
    label
        Name shown to users (``Community organisations``).
    description
        What belongs to it and why it is reported on its own.
    """

    key: str
    label: str
    description: str


#: The family of a user's uploaded register unless the user says otherwise.
FAMILY_COMMUNITY: Final = "community"

#: Every asset type belongs to exactly one family; the pages report each family on its own, so
#: public services (more common in deprived town centres) never hide a lack of community
#: organisations in one mixed total.
FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family(
            FAMILY_COMMUNITY,
            "Community organisations",
            "Organisations run by and for local people: food banks, community amateur sports "
            "clubs, and an uploaded register unless it is given another family. The social "
            "infrastructure whose absence assetmap exists to show.",
        ),
        Family(
            "public_services",
            "Public services",
            "Services provided by the state: public libraries and GP practices. Context for the "
            "community picture; they are often more common in deprived town centres.",
        ),
        Family(
            "culture",
            "Culture",
            "Museums: cultural venues, from national museums to volunteer-run ones.",
        ),
    )
}


@dataclass(frozen=True)
class Exclusion:
    """Rows a source holds that are out of scope, with the reason reported for them.

    Attributes
    ----------
    reason
        Short category for the report (``closed``, ``not in scope``, ...).
    detail
        Words for the report; ``{value}`` is replaced by the row's value of ``column``.
    applies
        Function of the raw frame returning a boolean Series: True where the rule excludes the row.
    column
        Optional column whose value fills ``{value}`` in ``detail``.
    """

    reason: str
    detail: str
    applies: Callable[[pd.DataFrame], pd.Series]
    column: str | None = None


@dataclass(frozen=True)
class AssetSource:
    """How one raw file becomes asset points.

    Attributes
    ----------
    asset_type
        The type's key (``library``): the ``asset_type`` value and ``assets_<key>`` column name.
    label
        Plural name shown to users (``Public libraries``).
    source_key
        Key of :data:`assetmap.data.sources.SOURCES` for the file.
    family
        Key of :data:`FAMILIES` the type belongs to.
    name
        Column of the asset's name.
    address
        Columns joined (comma-separated, blanks skipped) into ``address``.
    postcode
        Column of the postcode.
    id_column
        Column of the publisher's own identifier; when ``None`` the id is a hash of name and
        postcode.
    lat_lon
        Columns of WGS84 latitude and longitude when the source has its own coordinates.
    coordinates_first
        With ``lat_lon``: locate by the coordinates and fall back on the postcode (``True``), or
        by the postcode and fall back on the coordinates when it is missing or unknown.
    publisher_areas
        Columns of the publisher's own ward and local authority names, checked against the LSOA
        each row is placed in (:func:`placement_agreement`).
    subtype
        Optional column kept as ``subtype`` (e.g. the library type).
    exclusions
        Out-of-scope rules, applied in order; a row gets the first reason that applies.
    read_options
        Extra arguments for :func:`pandas.read_csv`.
    """

    asset_type: str
    label: str
    source_key: str
    family: str
    name: str
    address: tuple[str, ...]
    postcode: str
    id_column: str | None = None
    lat_lon: tuple[str, str] | None = None
    coordinates_first: bool = True
    publisher_areas: tuple[str, str] | None = None
    subtype: str | None = None
    exclusions: tuple[Exclusion, ...] = ()
    read_options: dict[str, object] = field(default_factory=dict)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].fillna("").astype(str).str.strip()


# epraccur has no header row: columns are numbered from 1 in NHS ODS's documentation.
_EPRACCUR_COLUMNS = [f"c{i}" for i in range(1, 28)]

#: The open layers. Order is the order of the legend and of the ``assets_<type>`` columns.
ASSET_SOURCES: dict[str, AssetSource] = {
    a.asset_type: a
    for a in (
        AssetSource(
            asset_type="library",
            label="Public libraries",
            source_key="libraries",
            family="public_services",
            name="name",
            address=("address1", "address2", "address3"),
            postcode="postcode",
            subtype="type",
            exclusions=(
                Exclusion(
                    REASON_CLOSED,
                    "closed in {value}",
                    lambda f: _text(f, "closed") != "",
                    "closed",
                ),
                Exclusion(
                    REASON_OUT_OF_SCOPE,
                    "mobile library: a depot address, not a place people visit",
                    lambda f: _text(f, "type").str.casefold().str.startswith("mobile"),
                ),
                Exclusion(
                    REASON_OUT_OF_SCOPE,
                    "prison library: not open to the public",
                    lambda f: _text(f, "type").str.casefold().str.startswith("prison"),
                ),
            ),
        ),
        AssetSource(
            asset_type="gp_practice",
            label="GP practices",
            source_key="gp_practices",
            family="public_services",
            name="c2",
            address=("c5", "c6", "c7", "c8", "c9"),
            postcode="c10",
            id_column="c1",
            exclusions=(
                Exclusion(
                    REASON_CLOSED,
                    "not an active practice (ODS status {value}: C closed, D dormant, P proposed)",
                    lambda f: _text(f, "c13") != "A",
                    "c13",
                ),
                Exclusion(
                    REASON_OUT_OF_SCOPE,
                    "not a GP practice (ODS prescribing setting {value}, GP practice is 4)",
                    lambda f: _text(f, "c26") != "4",
                    "c26",
                ),
            ),
            read_options={"header": None, "names": _EPRACCUR_COLUMNS},
        ),
        AssetSource(
            asset_type="sports_club",
            label="Community amateur sports clubs",
            source_key="sports_clubs",
            family=FAMILY_COMMUNITY,
            name="Organisation Name",
            address=("Address Line 1", "Address Line 2", "Address Line 3", "Address Line 4"),
            postcode="Postcode",
        ),
        AssetSource(
            asset_type="museum",
            label="Museums",
            source_key="museums",
            family="culture",
            name="Name_of_museum",
            address=("Address_line_1", "Address_line_2", "Village,_Town_or_City"),
            postcode="Postcode",
            id_column="museum_id",
            lat_lon=("Latitude", "Longitude"),
            subtype="Governance",
            exclusions=(
                Exclusion(
                    REASON_OUTSIDE_ENGLAND,
                    "outside England (admin area {value})",
                    lambda f: ~_text(f, "Admin_area").str.contains("/England/", regex=False),
                    "Admin_area",
                ),
                Exclusion(
                    REASON_CLOSED,
                    "closed (Year_closed {value})",
                    lambda f: _text(f, "Year_closed") != "9999:9999",
                    "Year_closed",
                ),
            ),
        ),
        AssetSource(
            asset_type="foodbank",
            label="Food banks",
            source_key="foodbanks",
            family=FAMILY_COMMUNITY,
            name="name",
            address=(),
            postcode="postcode",
            id_column="slug",
            lat_lon=("lat", "lng"),
            coordinates_first=False,
            publisher_areas=("ward", "district"),
            subtype="network",
            exclusions=(
                Exclusion(
                    REASON_OUTSIDE_ENGLAND,
                    "outside England (country {value})",
                    lambda f: _text(f, "country") != "England",
                    "country",
                ),
                Exclusion(
                    REASON_CLOSED,
                    "closed (Give Food marks it closed)",
                    lambda f: _text(f, "closed").str.casefold() == "true",
                ),
            ),
        ),
    )
}


def family_types(family: str) -> tuple[str, ...]:
    """The open layers' asset types of a family, in layer order.

    Parameters
    ----------
    family
        A key of :data:`FAMILIES`.

    Returns
    -------
    tuple of str
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown asset family {family!r}; known: {', '.join(FAMILIES)}")
    return tuple(k for k, a in ASSET_SOURCES.items() if a.family == family)


def selected_types(
    types: Sequence[str] | None = None, families: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The open layers' types a choice of types and families counts.

    Parameters
    ----------
    types
        Asset types named one by one.
    families
        Families whose every type is counted too.

    Returns
    -------
    tuple of str
        The named types and the types of the named families, in layer order; with neither, the
        community organisations (what the dashboard counts for a new session).
    """
    if not types and not families:
        families = [FAMILY_COMMUNITY]
    chosen = set(types or [])
    for family in families or []:
        chosen |= set(family_types(family))
    unknown = sorted(chosen - set(ASSET_SOURCES))
    if unknown:
        raise ValueError(f"unknown asset types {unknown}; known: {', '.join(ASSET_SOURCES)}")
    return tuple(k for k in ASSET_SOURCES if k in chosen)


def family_of(asset_type: str, other: dict[str, str] | None = None) -> str:
    """The family of an asset type: an open layer's own, else ``other``'s (an upload's types),
    else :data:`FAMILY_COMMUNITY` (an uploaded register is community organisations by default).

    Parameters
    ----------
    asset_type
        The type's key.
    other
        Family of types that are not open layers (e.g. an upload's categories).

    Returns
    -------
    str
        A key of :data:`FAMILIES`.
    """
    src = ASSET_SOURCES.get(asset_type)
    if src is not None:
        return src.family
    return (other or {}).get(asset_type, FAMILY_COMMUNITY)


_TO_BNG = Transformer.from_crs(settings.CRS_STORE, settings.CRS_METRIC, always_xy=True)


def read_source(asset: AssetSource, source_dir: Path | None = None) -> pd.DataFrame:
    """Read a layer's raw file as text, with ``source_row`` as spreadsheet row numbers.

    Parameters
    ----------
    asset
        The layer.
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    pandas.DataFrame
        Every column as text; ``source_row`` is the row a spreadsheet shows (header = row 1).
    """
    options: dict[str, object] = {"dtype": str, "keep_default_na": False, **asset.read_options}
    raw = sources.read_table(asset.source_key, source_dir, **options)
    first = 1 if asset.read_options.get("header", 0) is None else 2
    raw.insert(0, "source_row", np.arange(first, first + len(raw)))
    return raw


def _join_address(raw: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    if not columns:
        return pd.Series("", index=raw.index, dtype=object)
    parts = [_text(raw, c).str.replace(r"\s+", " ", regex=True) for c in columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep=", ")
    # Blank address lines leave runs of separators behind.
    return joined.str.replace(r"(, )+", ", ", regex=True).str.strip(", ")


def _tidy_categories(values: pd.Series) -> pd.Series:
    # Publishers spell one category several ways ("Static Library", "Static library"): use the
    # most common spelling of each, and spaces for underscores.
    text = values.str.replace("_", " ", regex=False)
    folded = text.str.casefold()
    counts = text.groupby([folded, text]).size().sort_values(ascending=False)
    canonical = dict(counts.index[::-1])  # most common spelling written last, so it wins
    return folded.map(canonical)


def _stable_id(asset_type: str, name: pd.Series, postcode: pd.Series) -> pd.Series:
    keys = (name.str.casefold() + "|" + postcode.fillna("")).tolist()
    digests = [hashlib.sha1(k.encode(), usedforsecurity=False).hexdigest()[:12] for k in keys]
    return asset_type + ":" + pd.Series(digests, index=name.index)


@dataclass(frozen=True)
class _Locations:
    """Where each raw row is, and which of its locations put it there."""

    east: np.ndarray
    north: np.ndarray
    by_postcode: np.ndarray
    by_coordinates: np.ndarray
    warning: np.ndarray


def _locations(asset: AssetSource, raw: pd.DataFrame, geo: pd.DataFrame) -> _Locations:
    """Each row's point in British National Grid metres, from its postcode or its coordinates.

    A source with its own coordinates is located by them and falls back on the postcode when
    they are missing or out of range (``coordinates_first``), or the other way round. Where a
    row has both and they lie more than ``settings.SOURCE_POSTCODE_MISMATCH_M`` apart, it is
    placed all the same, with a warning (:data:`WARNING_POSTCODE_FAR`) to check it.
    """
    pc_east = geo["easting"].to_numpy(dtype=float)
    pc_north = geo["northing"].to_numpy(dtype=float)
    pc_ok = (geo["geocode_status"] == STATUS_OK).to_numpy() & np.isfinite(pc_east)
    n = len(raw)
    warning = np.full(n, None, dtype=object)
    if asset.lat_lon is None:
        return _Locations(pc_east, pc_north, pc_ok, np.zeros(n, bool), warning)
    lat = pd.to_numeric(raw[asset.lat_lon[0]], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(raw[asset.lat_lon[1]], errors="coerce").to_numpy(dtype=float)
    xy_ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    xy_east, xy_north = _TO_BNG.transform(
        np.where(xy_ok, lon, np.nan), np.where(xy_ok, lat, np.nan)
    )
    if asset.coordinates_first:
        by_xy, by_pc = xy_ok, ~xy_ok & pc_ok
    else:
        by_pc, by_xy = pc_ok, ~pc_ok & xy_ok
    east = np.where(by_pc, pc_east, np.where(by_xy, xy_east, np.nan))
    north = np.where(by_pc, pc_north, np.where(by_xy, xy_north, np.nan))
    gap = np.hypot(pc_east - xy_east, pc_north - xy_north)
    far = pc_ok & xy_ok & (gap > settings.SOURCE_POSTCODE_MISMATCH_M)
    postcode = geo["postcode"].to_numpy(dtype=object)
    for i in np.flatnonzero(far):
        warning[i] = f"{WARNING_POSTCODE_FAR}: {gap[i] / 1000:,.1f} km from {postcode[i]}"
    return _Locations(east, north, by_pc, by_xy, warning)


def locate_assets(
    asset: AssetSource,
    raw: pd.DataFrame,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn one layer's raw rows into located assets and a report of the rest.

    Steps, each row leaving at the first that rejects it: out-of-scope rules of the source;
    location (the postcode through the ONS Postcode Directory, or the source's own coordinates,
    in the source's order of preference, see :func:`_locations`); postcode outside England;
    LSOA assignment (inside an LSOA, or the nearest within
    ``settings.NEAREST_LSOA_MAX_M``); exact duplicates (same name and postcode) after the first.

    Parameters
    ----------
    asset
        The layer.
    raw
        Output of :func:`read_source`.
    postcodes
        The postcode directory.
    locator
        The LSOA locator.

    Returns
    -------
    assets : pandas.DataFrame
        Columns :data:`ASSET_COLUMNS`.
    report : pandas.DataFrame
        Columns :data:`REPORT_COLUMNS`, one row per unmapped input row.
    """
    path = sources.SOURCES[asset.source_key].path
    reason = pd.Series(None, index=raw.index, dtype=object)
    detail = pd.Series(None, index=raw.index, dtype=object)

    def reject(mask: np.ndarray, why: str, words: str | list[str]) -> None:
        # A row keeps the first reason that rejects it.
        hit = mask & reason.isna().to_numpy()
        reason[hit] = why
        detail[hit] = words if isinstance(words, str) else [words[i] for i in np.flatnonzero(hit)]

    for rule in asset.exclusions:
        values = _text(raw, rule.column).tolist() if rule.column else None
        words = [rule.detail.format(value=v) for v in values] if values else rule.detail
        reject(rule.applies(raw).to_numpy(bool), rule.reason, words)

    name = _text(raw, asset.name).str.replace(r"\s+", " ", regex=True)
    geo = postcodes.geocode(raw[asset.postcode])
    where = _locations(asset, raw, geo)
    east, north = where.east, where.north
    status = geo["geocode_status"].to_numpy(dtype=object)
    given = _text(raw, asset.postcode).tolist()
    unplaced = ~(where.by_postcode | where.by_coordinates)
    if asset.lat_lon is not None and asset.coordinates_first:
        reject(unplaced, REASON_BAD_COORDS, "latitude/longitude missing or out of range")
    else:
        also = "" if asset.lat_lon is None else ", and no valid latitude/longitude"
        for st in np.unique(status[unplaced]):
            words = [f"{st} {pc!r}{also}" if pc else f"{st}{also}" for pc in given]
            reject(unplaced & (status == st), st, words)
    outside = ~geo["laua"].fillna("E").astype(str).str.startswith("E").to_numpy()
    reject(where.by_postcode & outside, REASON_OUTSIDE_ENGLAND, "postcode is outside England")

    todo = reason.isna().to_numpy()
    placed = locator.locate(np.where(todo, east, np.nan), np.where(todo, north, np.nan))
    placed.index = raw.index
    reject(
        todo & placed["lsoa21cd"].isna().to_numpy(),
        REASON_NO_LSOA,
        f"no LSOA within {settings.NEAREST_LSOA_MAX_M:g} m of the location",
    )

    # The same name at the same postcode twice is one place listed twice: keep the first row.
    key = name.str.casefold() + "|" + geo["postcode"].fillna("").astype(str)
    first = raw["source_row"].where(reason.isna()).groupby(key).transform("min")
    dup = (reason.isna() & (first != raw["source_row"])).to_numpy()
    reject(dup, REASON_DUPLICATE, [f"same name and postcode as row {r:.0f}" for r in first])

    mapped = reason.isna().to_numpy()
    assets = _asset_rows(asset, raw, name, geo, where, placed)[mapped].reset_index(drop=True)
    report = pd.DataFrame(
        {
            "asset_type": asset.asset_type,
            "source_file": path,
            "source_row": raw["source_row"],
            "name": name,
            "postcode": _text(raw, asset.postcode),
            "reason": reason,
            "detail": detail,
        }
    )[~mapped].reset_index(drop=True)
    return assets[ASSET_COLUMNS], report[REPORT_COLUMNS]


def _asset_rows(
    asset: AssetSource,
    raw: pd.DataFrame,
    name: pd.Series,
    geo: pd.DataFrame,
    where: _Locations,
    placed: pd.DataFrame,
) -> pd.DataFrame:
    """Every raw row as an asset (id, name, place, LSOA, how it was located), rejected or not.

    ``name`` is the tidied name, ``geo`` the geocoded postcodes, ``where`` the chosen locations
    and ``placed`` the LSOA assignment of :func:`locate_assets`, all aligned with ``raw``.
    """
    ids = (
        asset.asset_type + ":" + _text(raw, asset.id_column)
        if asset.id_column
        else _stable_id(asset.asset_type, name, geo["postcode"])
    )
    return pd.DataFrame(
        {
            "asset_id": ids,
            "asset_type": asset.asset_type,
            "name": name,
            "subtype": _tidy_categories(_text(raw, asset.subtype)) if asset.subtype else None,
            "address": _join_address(raw, asset.address),
            "postcode": geo["postcode"],
            "easting": where.east,
            "northing": where.north,
            "lsoa21cd": placed["lsoa21cd"],
            "lsoa_method": placed["lsoa_method"],
            "distance_to_lsoa_m": placed["distance_to_lsoa_m"],
            "source_row": raw["source_row"],
            "located_by": np.where(where.by_postcode, LOCATED_BY_POSTCODE, LOCATED_BY_LATLON),
            "warning": where.warning,
        }
    )


def to_geodataframe(assets: pd.DataFrame) -> gpd.GeoDataFrame:
    """Points in EPSG:4326 from the BNG ``easting``/``northing`` of located assets.

    Parameters
    ----------
    assets
        Columns :data:`ASSET_COLUMNS`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    points = gpd.points_from_xy(assets["easting"], assets["northing"], crs=settings.CRS_METRIC)
    return gpd.GeoDataFrame(assets, geometry=points).to_crs(settings.CRS_STORE)


def normalise_area_name(names: pd.Series) -> pd.Series:
    """Area names folded for matching: case, ``&`` as ``and``, punctuation and spacing ignored.

    ``"Bradford-on-Avon  & Holt"`` and ``"bradford on avon and holt"`` fold to the same text.

    Parameters
    ----------
    names
        Ward or local authority names.

    Returns
    -------
    pandas.Series
    """
    text = names.fillna("").astype(str).str.casefold().str.replace("&", " and ", regex=False)
    return text.str.replace(r"[^\w]+", " ", regex=True).str.strip()


#: Columns of :func:`placement_agreement`.
AGREEMENT_COLUMNS: Final = [
    "asset_id",
    "lsoa21cd",
    "publisher_ward",
    "ward24nm",
    "ward_agrees",
    "publisher_district",
    "lad24nm",
    "district_agrees",
    "lad22nm",
    "district_agrees_2022",
]


def placement_agreement(
    asset: AssetSource,
    raw: pd.DataFrame,
    mapped: pd.DataFrame,
    lsoas: pd.DataFrame,
    lad22: pd.DataFrame,
) -> pd.DataFrame:
    """Each mapped row's ward and local authority beside the publisher's own names for them.

    An independent check of the placement: the LSOA a row is placed in belongs to one 2024
    electoral ward and local authority (ONS lookups); the publisher names the ward and district
    it found for the same row. Names are compared with :func:`normalise_area_name`. A
    disagreement is not always an error: ward boundaries and names change (many in 2023 and
    2024), and some local authorities were merged after the publisher's snapshot.

    Parameters
    ----------
    asset
        A layer with :attr:`AssetSource.publisher_areas`.
    raw
        Output of :func:`read_source` for it.
    mapped
        Its located assets (:func:`locate_assets`).
    lsoas
        The LSOA table (``lsoa21cd``, ``ward24nm``, ``lad24nm``).
    lad22
        ``lsoa21cd`` and ``lad22nm``, the 2022 local authority of each LSOA (ONS LSOA 2011 to
        2021 lookup): a publisher's district that is the 2022 name of an authority merged in
        2023 (Allerdale, now Cumberland) agrees in ``district_agrees_2022``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AGREEMENT_COLUMNS`, one row per mapped asset.
    """
    if asset.publisher_areas is None:
        raise ValueError(f"{asset.asset_type} has no publisher ward and district columns")
    ward, district = asset.publisher_areas
    theirs = raw[["source_row", ward, district]].rename(
        columns={ward: "publisher_ward", district: "publisher_district"}
    )
    rows = mapped[["asset_id", "lsoa21cd", "source_row"]].merge(
        theirs, on="source_row", how="left", validate="one_to_one"
    )
    rows = rows.merge(
        lsoas[["lsoa21cd", "ward24nm", "lad24nm"]], on="lsoa21cd", how="left", validate="m:1"
    )
    rows = rows.merge(lad22[["lsoa21cd", "lad22nm"]], on="lsoa21cd", how="left", validate="m:1")
    rows["ward_agrees"] = normalise_area_name(rows["publisher_ward"]) == normalise_area_name(
        rows["ward24nm"]
    )
    rows["district_agrees"] = normalise_area_name(
        rows["publisher_district"]
    ) == normalise_area_name(rows["lad24nm"])
    rows["district_agrees_2022"] = rows["district_agrees"] | (
        normalise_area_name(rows["publisher_district"]) == normalise_area_name(rows["lad22nm"])
    )
    return rows[AGREEMENT_COLUMNS]
