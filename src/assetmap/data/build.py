"""Raw files -> tidy GeoParquet under ``data/``.

``build()`` verifies the source checksums, assembles one row per English LSOA with every attribute
the dashboard uses, dissolves the area layers, saves the postcode directory and the LSOA grid
index, and locates every asset. Everything is written to a temporary folder inside the data folder
and moved into place only when all of it succeeded, so a failed build never leaves half-written
data behind.

Outputs (``settings.DATA_DIR``)::

    boundaries/lsoa21.parquet        33,755 LSOAs: every level's codes, IMD, Census, CNI, their
                                     LA's charities per 1,000
    boundaries/lsoa21_grid.npz       grid index for point-in-LSOA look-ups
    boundaries/lsoa21_queen.parquet  Queen contiguity between LSOAs (neighbour pairs)
    boundaries/lsoa21_residence.parquet  each LSOA's residence point (mean of its postcodes)
    boundaries/<level>.parquet       england, region, icb, sicbl, lad: polygons and summaries
                                     (lad also: charities, charities per 1,000)
    charities_lad19.csv              2019 local authorities' charity counts and 2024 authority
    assets/assets.parquet            every located asset (point, type, LSOA)
    assets/report.csv                every asset-source row not mapped, with its reason
    assets/placement_check.csv       food banks' ward and LA beside the publisher's own names
    postcodes.parquet                the ONS Postcode Directory (compact)
    manifest.json                    checksums, counts, vintages, timings, and every file above
                                     with its size, SHA-256, rows and what it was built from
                                     (:mod:`assetmap.data.provenance`,
                                     :mod:`assetmap.data.datacheck`)

Parquet files are written with page checksums, which :mod:`assetmap.data.store` verifies on reading.
The build ends by checking what it wrote against its manifest, checksums included.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from assetmap import settings
from assetmap.data import charities, datacheck, sources
from assetmap.data.assets import (
    ASSET_SOURCES,
    locate_assets,
    placement_agreement,
    read_source,
    to_geodataframe,
)
from assetmap.data.provenance import built_from as built_from
from assetmap.data.provenance import code_digest as code_digest
from assetmap.data.provenance import write_manifest
from assetmap.data.sources import IMD_DOMAINS, IMD_SUBDOMAINS
from assetmap.data.store import ASSETS_FILE, PLACEMENT_CHECK_FILE, REPORT_FILE
from assetmap.geography import areas
from assetmap.geography.geocode import POSTCODES_FILE, PostcodeDirectory, load_onspd
from assetmap.geography.spatial import GRID_FILE, LSOA_FILE, LsoaLocator, outside_every_lsoa
from assetmap.measures.access import RES_POLYGON_POINT, RESIDENCE_FILE, residence_points
from assetmap.measures.hotspots import CONTIGUITY_FILE, islands, queen_contiguity, save_contiguity

_CNI_COLUMNS = {
    "Community Needs Index 2023 Score": "cni_score",
    "Community Needs Index 2023 Rank": "cni_rank",
    "Civic Assets Domain Score": "cni_civic_assets_score",
    "Civic Assets Domain Rank": "cni_civic_assets_rank",
    "Connectedness Domain Score": "cni_connectedness_score",
    "Connectedness Domain Rank": "cni_connectedness_rank",
    "Active and Engaged Community Domain Score": "cni_active_engaged_score",
    "Active and Engaged Community Domain Rank": "cni_active_engaged_rank",
    "Left Behind Area?": "left_behind",
}

#: IMD 2019 ranked 32,844 LSOAs (2011); its deciles are rank tenths of that count.
IMD2019_LSOAS = 32_844

#: How every Parquet output is written: zstd, with page checksums the readers verify.
_PARQUET: dict[str, Any] = {"compression": "zstd", "write_page_checksum": True}


class BuildError(RuntimeError):
    """The build could not finish; nothing in the data folder was changed."""


@dataclass
class BuildResult:
    """What a build wrote and how long each step took."""

    data_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _check_one_to_one(frame: pd.DataFrame, what: str, expected: int) -> None:
    if len(frame) != expected or frame["lsoa21cd"].duplicated().any():
        raise BuildError(
            f"{what}: expected exactly one row for each of {expected:,} English LSOAs, "
            f"found {len(frame):,} rows ({frame['lsoa21cd'].duplicated().sum()} duplicated)"
        )


def imd2019_for_lsoa21(source_dir: Path | None = None) -> pd.DataFrame:
    """IMD 2019 decile per LSOA 2021 through the ONS LSOA 2011 -> 2021 best-fit lookup.

    Unchanged (U) and split (S) LSOAs take the decile of their single 2011 parent: a split divides
    an area that IMD 2019 scored as a whole. Merged (M) and irregular (X) LSOAs have several
    parents; they take the population-weighted mean of the parents' IMD 2019 ranks (mid-2020
    population, divided evenly among an irregular parent's children), turned into a decile with
    the 2019 thresholds (``ceil(10 * rank / 32,844)``). The ``imd19_match`` column records which
    rule applied, so a merged or irregular LSOA's "change since 2019" can be read with care.

    Parameters
    ----------
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    pandas.DataFrame
        ``lsoa21cd``, ``imd19_rank`` (float for merged), ``imd19_decile`` and ``imd19_match``
        (``unchanged``, ``split``, ``merged`` or ``irregular``).
    """
    lookup = sources.read_table("lookup_lsoa11", source_dir)
    lookup = lookup[lookup["lsoa21_code"].str.startswith(settings.ENGLAND_LSOA_PREFIX)]
    imd19 = sources.read_table("imd2019", source_dir, usecols=["lsoa11_code", "IMD_rank"])
    pop20 = sources.read_table("population20_lsoa11", source_dir)
    pairs = lookup.merge(imd19, on="lsoa11_code", how="left").merge(
        pop20[["lsoa11_code", "total_population"]], on="lsoa11_code", how="left"
    )
    if pairs["IMD_rank"].isna().any():
        missing = pairs.loc[pairs["IMD_rank"].isna(), "lsoa11_code"].head(5).tolist()
        raise BuildError(f"imd2019_lsoa11.csv has no rank for LSOA 2011 {missing}")
    children = pairs.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    pairs["weight"] = pairs["total_population"] / children
    pairs["weighted_rank"] = pairs["IMD_rank"] * pairs["weight"]
    grouped = pairs.groupby("lsoa21_code").agg(
        rank_sum=("weighted_rank", "sum"),
        weight=("weight", "sum"),
        parents=("lsoa11_code", "size"),
        codes=("change_code", lambda c: "".join(sorted(set(c)))),
    )
    rank = grouped["rank_sum"] / grouped["weight"]
    match = np.select(
        [grouped["codes"] == "U", grouped["codes"] == "S", grouped["codes"] == "M"],
        ["unchanged", "split", "merged"],
        default="irregular",
    )
    return pd.DataFrame(
        {
            "lsoa21cd": grouped.index.to_numpy(),
            "imd19_rank": rank.round(1).to_numpy(),
            "imd19_decile": np.ceil(10 * rank.to_numpy() / IMD2019_LSOAS).astype("int64"),
            "imd19_match": match,
        }
    )


def lsoa_table(
    source_dir: Path | None = None, *, counts: dict[str, int] | None = None
) -> gpd.GeoDataFrame:
    """Assemble the LSOA layer: one row per English LSOA, sorted by ``lsoa21cd``.

    The boundary coverage is cleaned (``shapely.coverage_clean``): in the source, some LSOAs'
    shared edges do not match exactly (``shapely.coverage_invalid_edges``), leaving slivers that
    would put a point in two LSOAs or none.

    Parameters
    ----------
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.
    counts
        When given, ``counts["lsoa_edges_mismatched"]`` is set to the number of source LSOAs
        whose shared edges do not match (before cleaning).

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:27700; columns are documented in :mod:`assetmap.data.dictionary`.
    """
    bounds = _lsoa_bounds(source_dir, counts)
    n = len(bounds)

    table = pd.DataFrame({"lsoa21cd": bounds["lsoa21cd"]})

    def add(frame: pd.DataFrame, what: str) -> None:
        nonlocal table
        frame = frame[frame["lsoa21cd"].isin(table["lsoa21cd"])]
        _check_one_to_one(frame, what, n)
        table = table.merge(frame, on="lsoa21cd", how="left", validate="one_to_one")

    add(_icb_lookup(source_dir), "lookup_lsoa21_sicbl24_icb24.csv")
    add(_ward_lookup(source_dir), "lookup_lsoa21_ward24_ltla24.csv")
    table = _with_region(table, source_dir)
    add(_imd2025(source_dir), "imd2025_lsoa21.csv")
    add(_imd2025_subdomains(source_dir), "imd2025_subdomains")

    add(imd2019_for_lsoa21(source_dir), "IMD 2019 through lookup_lsoa11_lsoa21_ltla22.csv")

    pop = sources.read_table("population", source_dir).rename(
        columns={"lsoa21_code": "lsoa21cd", "usual_residents": "population"}
    )
    add(pop[["lsoa21cd", "population"]], "census21_population_lsoa21.csv")
    hh = sources.read_table("households", source_dir).rename(
        columns={"lsoa21_code": "lsoa21cd", "total_households": "households"}
    )
    add(hh[["lsoa21cd", "households"]], "census21_households_lsoa21.csv")

    add(_ruc21(source_dir), "ruc21_lsoa21.csv")
    add(_cni2023(source_dir), "cni2023_lsoa21.csv")
    return _finish_lsoa_table(table, bounds)


def _lsoa_bounds(source_dir: Path | None, counts: dict[str, int] | None) -> gpd.GeoDataFrame:
    """England's LSOA polygons in metres, sorted by code, their coverage cleaned."""
    bounds = sources.read_boundaries("boundaries_lsoa21", source_dir)
    bounds = bounds[bounds["lsoa21_code"].str.startswith(settings.ENGLAND_LSOA_PREFIX)]
    bounds = bounds.rename(columns={"lsoa21_code": "lsoa21cd", "lsoa21_name": "lsoa21nm"})
    bounds = bounds.sort_values("lsoa21cd", ignore_index=True).to_crs(settings.CRS_METRIC)
    if counts is not None:
        invalid = shapely.coverage_invalid_edges(bounds.geometry.values)
        counts["lsoa_edges_mismatched"] = int((~shapely.is_empty(invalid)).sum())
    return bounds.set_geometry(shapely.coverage_clean(bounds.geometry.values))


def _icb_lookup(source_dir: Path | None) -> pd.DataFrame:
    """Each LSOA's sub-ICB location and ICB (ONS and NHS codes, names)."""
    icb = sources.read_table("lookup_icb", source_dir).rename(
        columns={
            "lsoa21_code": "lsoa21cd",
            "sicbl24_code": "sicbl24cd",
            "sicbl24_code_nhs": "sicbl24cdh",
            "sicbl24_name": "sicbl24nm",
            "icb24_code": "icb24cd",
            "icb24_code_nhs": "icb24cdh",
            "icb24_name": "icb24nm",
        }
    )
    return icb.drop(columns="lsoa21_name")


def _ward_lookup(source_dir: Path | None) -> pd.DataFrame:
    """Each LSOA's 2024 ward and local authority (codes, names)."""
    ward = sources.read_table("lookup_ward", source_dir).rename(
        columns={
            "lsoa21_code": "lsoa21cd",
            "ward24_code": "ward24cd",
            "ward24_name": "ward24nm",
            "ltla24_code": "lad24cd",
            "ltla24_name": "lad24nm",
        }
    )
    return ward.drop(columns="lsoa21_name")


def _with_region(table: pd.DataFrame, source_dir: Path | None) -> pd.DataFrame:
    """The table with each local authority's region, and the country columns."""
    region = sources.read_table("lookup_region", source_dir).rename(
        columns={"region24_code": "rgn24cd", "region24_name": "rgn24nm", "ltla24_code": "lad24cd"}
    )
    table = table.merge(region[["lad24cd", "rgn24cd", "rgn24nm"]], on="lad24cd", how="left")
    if table["rgn24cd"].isna().any():
        raise BuildError("lookup_ltla24_region24.csv: some local authorities have no region")
    table["ctry24cd"] = areas.ENGLAND_CODE
    table["ctry24nm"] = "England"
    return table


def _imd2025(source_dir: Path | None) -> pd.DataFrame:
    """Score, rank and decile of the IMD 2025 and its domains, under our column names."""
    imd = sources.read_table("imd2025", source_dir).rename(columns={"lsoa21_code": "lsoa21cd"})
    renames = {
        f"{theirs}_{part}": f"{ours}_{part}"
        for ours, theirs in IMD_DOMAINS.items()
        for part in ("score", "rank", "decile")
    }
    return imd.rename(columns=renames)[["lsoa21cd", *renames.values()]]


def _imd2025_subdomains(source_dir: Path | None) -> pd.DataFrame:
    """Score, rank and decile of the IoD 2025 sub-domains, under our column names."""
    sub = sources.read_table("imd2025_subdomains", source_dir)
    sub_renames = {"lsoa21_code": "lsoa21cd"} | {
        f"{theirs}_{part}": f"{ours}_{part}"
        for ours, theirs in IMD_SUBDOMAINS.items()
        for part in ("score", "rank", "decile")
    }
    return sub.rename(columns=sub_renames)[list(sub_renames.values())]


def _ruc21(source_dir: Path | None) -> pd.DataFrame:
    """The 2021 rural-urban classification of each LSOA."""
    return sources.read_table("ruc21", source_dir).rename(
        columns={
            "lsoa21_code": "lsoa21cd",
            "ruc21_code": "ruc21cd",
            "classification": "ruc21nm",
            "ruc": "urban_rural",
        }
    )


def _cni2023(source_dir: Path | None) -> pd.DataFrame:
    """The Community Needs Index 2023 scores and ranks, and the left-behind flag."""
    cni = sources.read_table("cni2023", source_dir).rename(
        columns={"lsoa21_code": "lsoa21cd", **_CNI_COLUMNS}
    )
    cni["left_behind"] = cni["left_behind"].astype(str).str.casefold().eq("true")
    return cni[["lsoa21cd", *_CNI_COLUMNS.values()]]


def _finish_lsoa_table(table: pd.DataFrame, bounds: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``core20``, check nothing is missing, and join the names and polygons."""
    table["core20"] = table["imd_decile"] <= settings.CORE20_MAX_DECILE
    missing = table.columns[table.isna().any()].tolist()
    if missing:
        raise BuildError(f"LSOA table has missing values in {missing}")
    table = bounds[["lsoa21cd", "lsoa21nm"]].merge(table, on="lsoa21cd", validate="one_to_one")
    table = table.astype({"lsoa21cd": str, "lsoa21nm": str})
    return gpd.GeoDataFrame(
        table.assign(geometry=bounds.geometry.to_numpy()),
        geometry="geometry",
        crs=settings.CRS_METRIC,
    )


def area_summaries(lsoas: pd.DataFrame, level: str) -> pd.DataFrame:
    """Deprivation profile of every area of a level.

    Parameters
    ----------
    lsoas
        The LSOA table.
    level
        A key of :data:`assetmap.geography.areas.LEVELS`.

    Returns
    -------
    pandas.DataFrame
        One row per area code: ``population``, ``households``, ``lsoa_count``,
        ``decile1_lsoa_count`` / ``decile1_share`` (most deprived 10% nationally),
        ``core20_lsoa_count`` / ``core20_share`` (most deprived 20%) and
        ``imd_score_popweighted`` (population-weighted mean IMD 2025 score).
    """
    code = areas.LEVELS[level].code
    work = lsoas.assign(
        decile1=lsoas["imd_decile"] == 1,
        weighted_score=lsoas["imd_score"] * lsoas["population"],
    )
    out = work.groupby(code, sort=True).agg(
        population=("population", "sum"),
        households=("households", "sum"),
        lsoa_count=("lsoa21cd", "size"),
        decile1_lsoa_count=("decile1", "sum"),
        core20_lsoa_count=("core20", "sum"),
        weighted_score=("weighted_score", "sum"),
    )
    out["decile1_share"] = out["decile1_lsoa_count"] / out["lsoa_count"]
    out["core20_share"] = out["core20_lsoa_count"] / out["lsoa_count"]
    out["imd_score_popweighted"] = (out.pop("weighted_score") / out["population"]).round(3)
    return out.reset_index()


def build(
    source_dir: Path | None = None,
    data_dir: Path | None = None,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build every derived file from the source folder.

    Parameters
    ----------
    source_dir
        Raw inputs; defaults to ``settings.SOURCE_DIR``.
    data_dir
        Output folder; defaults to ``settings.DATA_DIR``.
    progress
        Show a progress bar on stderr.
    log
        Called with a line of text after each step (the CLI prints it).

    Returns
    -------
    BuildResult

    Raises
    ------
    assetmap.data.sources.SourceError
        A source file is missing, altered or unreadable.
    BuildError
        The inputs do not fit together; nothing was changed in ``data_dir``.
    """
    source_dir = source_dir or settings.SOURCE_DIR
    data_dir = data_dir or settings.DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".build-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    result = BuildResult(data_dir)
    steps = [
        "checksums",
        "lsoas",
        "areas",
        "postcodes",
        "grid index",
        "contiguity",
        "residence",
        "assets",
        "finish",
        "verify",
    ]
    bar = tqdm(total=len(steps), desc="assetmap build", disable=not progress, unit="step")
    started = time.perf_counter()
    clock = started

    def done(step: str, detail: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[step] = round(now - clock, 2)
        clock = now
        bar.set_postfix_str(step)
        bar.update()
        if log:
            log(f"{step}: {detail} ({result.timings[step]:.1f} s)")

    try:
        (tmp / "boundaries").mkdir(parents=True)
        (tmp / "assets").mkdir()
        checksums = sources.verify_checksums(source_dir)
        done("checksums", f"{len(checksums)} source files verified")

        lsoas, per_la, detail = _write_lsoas(source_dir, tmp, result)
        done("lsoas", detail)
        done("areas", _write_areas(lsoas, per_la, tmp, result))

        onspd = load_onspd()
        onspd.to_parquet(tmp / POSTCODES_FILE, **_PARQUET, index=False)
        result.counts["postcodes"] = len(onspd)
        done("postcodes", f"{len(onspd):,} UK postcodes saved")

        # The index must be built on exactly the polygons readers will load: the stored EPSG:4326
        # layer projected back to metres.
        stored = gpd.read_parquet(tmp / LSOA_FILE, columns=["lsoa21cd", "geometry"])
        locator = LsoaLocator.from_lsoas(stored)
        locator.index.save(tmp / GRID_FILE)
        done("grid index", "point-in-LSOA grid index saved")

        done("contiguity", _write_contiguity(stored, tmp, result))
        done("residence", _write_residence(locator, onspd, tmp, result))
        done("assets", _write_assets(source_dir, lsoas, onspd, locator, tmp, result))

        write_manifest(source_dir, checksums, tmp, result.counts, result.timings)
        _swap_into_place(tmp, data_dir)
        done("finish", f"written to {data_dir}")

        done("verify", _verify(data_dir))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        bar.close()
    result.timings["total"] = round(time.perf_counter() - started, 2)
    return result


def _write_lsoas(
    source_dir: Path, tmp: Path, result: BuildResult
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, str]:
    """Build step "lsoas": write the LSOA table (with its charities) and the charity lookup.

    Returns
    -------
    tuple
        The LSOA table, the charities per 2024 local authority and the step's log line.
    """
    lsoas = lsoa_table(source_dir, counts=result.counts)
    # Charities are counted per local authority: computed once, carried by every LSOA (so
    # any level rolls them up) and by the lad layer.
    lad19 = charities.lad19_table(lsoas, source_dir)
    per_la = charities.by_lad(lad19, lsoas)
    lsoas[charities.LSOA_COLUMN] = charities.lsoa_rates(lsoas, per_la)
    lad19.to_csv(tmp / charities.LOOKUP_FILE, index=False)
    lsoas.to_crs(settings.CRS_STORE).to_parquet(tmp / LSOA_FILE, **_PARQUET)
    result.counts["lsoas"] = len(lsoas)
    result.counts["charities_england"] = int(per_la["charities"].sum())
    result.counts["charities_lad24_merged"] = int((per_la["charities_lad19_count"] > 1).sum())
    detail = (
        f"{len(lsoas):,} LSOAs with {lsoas.shape[1]} columns; charities: "
        f"{result.counts['charities_england']:,} in England from {len(lad19)} local "
        f"authorities (2019), {result.counts['charities_lad24_merged']} of the "
        f"{len(per_la)} of 2024 summed from several"
    )
    return lsoas, per_la, detail


def _write_areas(
    lsoas: gpd.GeoDataFrame, per_la: pd.DataFrame, tmp: Path, result: BuildResult
) -> str:
    """Build step "areas": dissolve and write every area layer with its summary; its log line."""
    for level in areas.AREA_LAYERS:
        layer = areas.dissolve_layer(lsoas, level)
        summary = area_summaries(lsoas, level)
        code = areas.LEVELS[level].code
        layer = layer.merge(summary, on=code, validate="one_to_one")
        if level == "lad":
            layer = layer.merge(
                per_la[[code, "charities", "charities_per_1k"]], on=code, validate="one_to_one"
            )
        layer.to_crs(settings.CRS_STORE).to_parquet(
            tmp / "boundaries" / f"{level}.parquet", **_PARQUET
        )
        result.counts[f"areas_{level}"] = len(layer)
    return ", ".join(f"{k}: {v}" for k, v in result.counts.items() if "areas_" in k)


def _write_contiguity(stored: gpd.GeoDataFrame, tmp: Path, result: BuildResult) -> str:
    """Build step "contiguity": write the LSOAs' Queen contiguity; its log line."""
    contiguity = queen_contiguity(stored)
    save_contiguity(contiguity, tmp / CONTIGUITY_FILE)
    no_neighbour = islands(contiguity)
    result.counts["contiguity_pairs"] = int((contiguity.adjacency > 0).sum()) // 2
    result.counts["contiguity_islands"] = len(no_neighbour)
    return (
        f"Queen contiguity: {result.counts['contiguity_pairs']:,} neighbour pairs; "
        f"LSOAs with no neighbour: {', '.join(no_neighbour) or 'none'}"
    )


def _write_residence(
    locator: LsoaLocator, onspd: pd.DataFrame, tmp: Path, result: BuildResult
) -> str:
    """Build step "residence": write each LSOA's residence point; its log line."""
    residence = residence_points(locator, onspd)
    residence.to_parquet(tmp / RESIDENCE_FILE, **_PARQUET, index=False)
    result.counts["residence_polygon_point"] = int(
        (residence["res_method"] == RES_POLYGON_POINT).sum()
    )
    result.counts["postcodes_outside_lsoas"] = outside_every_lsoa(locator, onspd)
    return (
        f"{len(residence):,} residence points, "
        f"{result.counts['residence_polygon_point']} from the polygon (no postcode inside); "
        f"{result.counts['postcodes_outside_lsoas']:,} English postcodes outside every LSOA"
    )


def _write_assets(
    source_dir: Path,
    lsoas: gpd.GeoDataFrame,
    onspd: pd.DataFrame,
    locator: LsoaLocator,
    tmp: Path,
    result: BuildResult,
) -> str:
    """Build step "assets": locate every asset source's rows and write the assets, the report
    of unmapped rows and the placement check; its log line."""
    directory = PostcodeDirectory(onspd)
    located, reports, checks = [], [], []
    lad22 = lad22_names(source_dir)
    for asset in ASSET_SOURCES.values():
        raw = read_source(asset, source_dir)
        mapped, report = locate_assets(asset, raw, directory, locator)
        if len(mapped) + len(report) != len(raw):
            raise BuildError(f"{asset.asset_type}: mapped + reported != rows read")
        located.append(mapped)
        reports.append(report)
        result.counts[f"assets_{asset.asset_type}"] = len(mapped)
        result.counts[f"reported_{asset.asset_type}"] = len(report)
        result.counts[f"warned_{asset.asset_type}"] = int(mapped["warning"].notna().sum())
        if asset.publisher_areas is not None:
            check = placement_agreement(asset, raw, mapped, lsoas, lad22)
            checks.append(check.assign(asset_type=asset.asset_type))
            result.counts |= agreement_counts(asset.asset_type, check)
    to_geodataframe(pd.concat(located, ignore_index=True)).to_parquet(tmp / ASSETS_FILE, **_PARQUET)
    pd.concat(reports, ignore_index=True).to_csv(tmp / REPORT_FILE, index=False)
    pd.concat(checks, ignore_index=True).to_csv(tmp / PLACEMENT_CHECK_FILE, index=False)
    return ", ".join(
        f"{k}: {result.counts[f'assets_{k}']:,} mapped "
        f"({result.counts[f'warned_{k}']:,} with a warning), "
        f"{result.counts[f'reported_{k}']:,} reported"
        for k in ASSET_SOURCES
    ) + "".join(f"; {agreement_words(a, result.counts)}" for a in _checked_types())


def _verify(data_dir: Path) -> str:
    """Build step "verify": what readers will read, checked against the manifest, checksums
    included; its log line."""
    try:
        verified = datacheck.check(data_dir, full=True)
    except datacheck.DataCheckError as exc:
        raise BuildError(f"the build's own check of what it wrote failed: {exc}") from exc
    return (
        f"{verified.files} files ({verified.size_bytes / 1e6:,.1f} MB): sizes, row counts "
        "and SHA-256 as in the manifest"
    )


def _checked_types() -> list[str]:
    return [k for k, a in ASSET_SOURCES.items() if a.publisher_areas is not None]


def lad22_names(source_dir: Path | None = None) -> pd.DataFrame:
    """The 2022 local authority name of each English LSOA 2021 (ONS LSOA 2011 -> 2021 lookup).

    Returns
    -------
    pandas.DataFrame
        ``lsoa21cd``, ``lad22nm``.
    """
    lookup = sources.read_table("lookup_lsoa11", source_dir, usecols=["lsoa21_code", "ltla22_name"])
    lookup = lookup.rename(columns={"lsoa21_code": "lsoa21cd", "ltla22_name": "lad22nm"})
    return lookup.drop_duplicates("lsoa21cd", ignore_index=True)


def agreement_counts(asset_type: str, check: pd.DataFrame) -> dict[str, int]:
    """Manifest counts of :func:`assetmap.data.assets.placement_agreement` for one layer."""
    return {
        f"placement_checked_{asset_type}": len(check),
        f"placement_ward_agrees_{asset_type}": int(check["ward_agrees"].sum()),
        f"placement_district_agrees_{asset_type}": int(check["district_agrees"].sum()),
        f"placement_district_agrees_2022_{asset_type}": int(check["district_agrees_2022"].sum()),
    }


def agreement_words(asset_type: str, counts: dict[str, int]) -> str:
    """The placement check of one layer in words, from the manifest counts."""
    n = counts[f"placement_checked_{asset_type}"]

    def share(key: str) -> str:
        hits = counts[f"placement_{key}_{asset_type}"]
        return f"{hits:,} of {n:,} ({hits / n:.1%})" if n else "none checked"

    return (
        f"{asset_type} placement against the publisher's own names: local authority "
        f"{share('district_agrees')} (2024 names; {share('district_agrees_2022')} counting "
        f"the 2022 names of authorities merged in 2023), ward {share('ward_agrees')}"
    )


def _swap_into_place(tmp: Path, data_dir: Path) -> None:
    # Each output file is renamed over its old copy (same file system, so each rename is atomic);
    # the old copies are removed only after every new one is in place.
    old = data_dir / f"{tmp.name}-old"
    files = sorted(p for p in tmp.rglob("*") if p.is_file())
    for path in files:
        rel = path.relative_to(tmp)
        target = data_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            (old / rel).parent.mkdir(parents=True, exist_ok=True)
            target.rename(old / rel)
        path.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(tmp)
