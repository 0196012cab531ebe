"""The open asset layers: one table of sources, one pipeline, every row accounted for.

Adding a layer is a new :class:`AssetSource` in :data:`ASSET_SOURCES`, not a new module. Each source
says which columns hold the id, name, address and location, and which rows are out of scope (and
why). :func:`locate_assets` runs every source through the same steps and returns the mapped assets
and a report of every row that was not mapped, so that ``mapped + reported == rows read``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap import settings, sources
from assetmap.geocode import STATUS_OK, PostcodeDirectory
from assetmap.spatial import LsoaLocator

#: Report reasons shared by every source (``reason`` is a short category; ``detail`` says more).
REASON_CLOSED: Final = "closed"
REASON_OUT_OF_SCOPE: Final = "not in scope"
REASON_OUTSIDE_ENGLAND: Final = "outside England"
REASON_NO_LSOA: Final = "no LSOA nearby"
REASON_BAD_COORDS: Final = "missing or invalid coordinates"
REASON_DUPLICATE: Final = "duplicate"

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
        Key of :data:`assetmap.sources.SOURCES` for the file.
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
        Columns of WGS84 latitude and longitude when the source has its own coordinates (used
        instead of the postcode).
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
    name: str
    address: tuple[str, ...]
    postcode: str
    id_column: str | None = None
    lat_lon: tuple[str, str] | None = None
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
            name="Organisation Name",
            address=("Address Line 1", "Address Line 2", "Address Line 3", "Address Line 4"),
            postcode="Postcode",
        ),
        AssetSource(
            asset_type="museum",
            label="Museums",
            source_key="museums",
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
    )
}

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


def locate_assets(
    asset: AssetSource,
    raw: pd.DataFrame,
    postcodes: PostcodeDirectory,
    locator: LsoaLocator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn one layer's raw rows into located assets and a report of the rest.

    Steps, each row leaving at the first that rejects it: out-of-scope rules of the source;
    location (own coordinates, or the postcode through the ONS Postcode Directory); postcode
    outside England; LSOA assignment (inside an LSOA, or the nearest within
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
    if asset.lat_lon is not None:
        lat = pd.to_numeric(raw[asset.lat_lon[0]], errors="coerce").to_numpy()
        lon = pd.to_numeric(raw[asset.lat_lon[1]], errors="coerce").to_numpy()
        ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        east, north = _TO_BNG.transform(np.where(ok, lon, np.nan), np.where(ok, lat, np.nan))
        reject(~ok, REASON_BAD_COORDS, "latitude/longitude missing or out of range")
    else:
        east, north = geo["easting"].to_numpy(), geo["northing"].to_numpy()
        status = geo["geocode_status"].to_numpy(dtype=object)
        given = _text(raw, asset.postcode).tolist()
        for st in np.unique(status[status != STATUS_OK]):
            reject(status == st, st, [f"{st} {pc!r}" if pc else st for pc in given])
        outside = ~geo["laua"].fillna("E").astype(str).str.startswith("E").to_numpy()
        reject(outside, REASON_OUTSIDE_ENGLAND, "postcode is outside England")

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
    ids = (
        asset.asset_type + ":" + _text(raw, asset.id_column)
        if asset.id_column
        else _stable_id(asset.asset_type, name, geo["postcode"])
    )
    assets = pd.DataFrame(
        {
            "asset_id": ids,
            "asset_type": asset.asset_type,
            "name": name,
            "subtype": _tidy_categories(_text(raw, asset.subtype)) if asset.subtype else None,
            "address": _join_address(raw, asset.address),
            "postcode": geo["postcode"],
            "easting": east,
            "northing": north,
            "lsoa21cd": placed["lsoa21cd"],
            "lsoa_method": placed["lsoa_method"],
            "distance_to_lsoa_m": placed["distance_to_lsoa_m"],
            "source_row": raw["source_row"],
        }
    )[mapped].reset_index(drop=True)
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
