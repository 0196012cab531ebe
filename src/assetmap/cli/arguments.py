"""The argument parser of the ``assetmap`` command: :func:`parser`, one function per command.

Each ``_add_<command>`` function declares one subcommand's arguments and sets its ``func`` (the
``cmd_<name>`` function that runs it) and ``tables`` (the arguments that name table files, checked
before any slow work). The analysis commands share their options through :func:`_analysis`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assetmap import ingest, settings
from assetmap.cli.commands.data import (
    _INGEST_COLUMNS,
    cmd_build,
    cmd_check_data,
    cmd_dictionary,
    cmd_ingest,
    cmd_join,
)
from assetmap.cli.commands.planning import cmd_sites, cmd_whatif
from assetmap.cli.commands.ranking import cmd_invest
from assetmap.cli.commands.report import add_report
from assetmap.cli.commands.spatial import cmd_access, cmd_hotspots, cmd_near
from assetmap.cli.commands.tables import (
    cmd_bivariate,
    cmd_change,
    cmd_deciles,
    cmd_findings,
    cmd_gaps,
    cmd_summary,
)
from assetmap.data.assets import ASSET_SOURCES, FAMILIES, FAMILY_COMMUNITY
from assetmap.geography import areas
from assetmap.measures import metrics

DESCRIPTION = """\
England's deprivation and community assets: build the data, then ask for decile tables, gap
tables, roll-ups, walking access, hot and cold spots, change since 2019 and where to invest first,
for England or any region, ICB, sub-ICB location, local authority or ward."""

EPILOG = """\
tables are printed, or written with --out in the format of the file's extension:
  .csv      CSV that is safe to open in Excel (UTF-8 with BOM)
  .parquet  GeoParquet (plain Parquet for a table without geometry)
  .gpkg     GeoPackage
  .geojson  GeoJSON
rows of LSOAs or areas carry their polygons, mapped assets their points (WGS84, EPSG:4326).

examples:
  assetmap build
  assetmap check-data
  assetmap findings
  assetmap deciles --family community public_services
  assetmap deciles --types sports_club library
  assetmap gaps --area icb:QYG --out gaps.csv
  assetmap gaps --area lad:Blackpool --out gaps.gpkg
  assetmap summary --by lad --area icb:QYG --out lads.geojson
  assetmap access --area icb:QYG --types library --distance 800 --out access.parquet
  assetmap near "L4 0TH" --distance 1000 --family community public_services
  assetmap whatif --area icb:QYG --add "L4 0TH" --type library
  assetmap sites --area icb:QYG --type library --k 5 --out sites.gpkg
  assetmap dictionary --out docs/DATA_DICTIONARY.md
  assetmap ingest register.xlsx --out assets.gpkg --report report.csv
  assetmap join --points uprn.parquet --out joined/ --engine dask --scheduler tcp://host:8786
  assetmap change --area icb:QYG --what lsoas --out change.csv
  assetmap invest --area icb:QYG --weights deprivation=2 provision=1 --top 20 --by lsoa
  assetmap hotspots --area icb:QYG --out clusters.csv
  assetmap bivariate --area icb:QYG --bands national --out classes.csv

areas are named by ONS code (E54000008), NHS code (QYG, 01F) or name, with an optional level
prefix (england, region:, icb:, sicbl:, lad:, ward:); your own area is own:E01…,E01… (LSOA codes)
or file:patch.geojson (a GeoJSON or GeoPackage boundary in any CRS it names: an LSOA is in it when
its residence point is).
"""

_OUT_HELP = "write the table here: .csv, .parquet (GeoParquet), .gpkg or .geojson"


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the tests and ``--help``)."""
    p = argparse.ArgumentParser(
        prog="assetmap",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data-dir", type=Path, default=None, help="built data folder")
    sub = p.add_subparsers(dest="command", required=True)
    _add_build(sub)
    _add_deciles(sub)
    _add_findings(sub)
    _add_gaps(sub)
    _add_summary(sub)
    _add_access(sub)
    _add_near(sub)
    _add_whatif(sub)
    _add_sites(sub)
    _add_change(sub)
    _add_invest(sub)
    _add_hotspots(sub)
    _add_bivariate(sub)
    _add_dictionary(sub)
    _add_ingest(sub)
    _add_join(sub)
    _add_check_data(sub)
    add_report(sub)
    return p


def _analysis(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    """A subcommand with the options every analysis shares.

    They are ``--area``, ``--types``, ``--family``, ``--need`` and ``--out`` (a table file).
    """
    a = sub.add_parser(name, help=help_text)
    a.add_argument(
        "--area",
        default="england",
        help="area as level:code or a code or name, e.g. icb:QYG, E08000003, 'lad:Leeds'; "
        "own:E01…,E01… or file:patch.geojson for your own",
    )
    _type_options(a)
    a.add_argument(
        "--need",
        choices=metrics.NEED_MEASURES,
        default="imd",
        help="deprivation measure for the gap score",
    )
    a.add_argument("--out", type=Path, default=None, help=_OUT_HELP)
    a.set_defaults(tables=("out",))
    return a


def _type_options(a: argparse.ArgumentParser) -> None:
    """``--types`` and ``--family``: the asset types a command counts."""
    a.add_argument(
        "--types",
        nargs="+",
        choices=list(ASSET_SOURCES),
        default=None,
        help="asset types to count, as well as those of --family",
    )
    a.add_argument(
        "--family",
        nargs="+",
        choices=list(FAMILIES),
        default=None,
        help="count every type of these asset families (default, with no --types: "
        f"{FAMILY_COMMUNITY}, as the dashboard)",
    )


def _walk_distance(a: argparse.ArgumentParser) -> None:
    """``--distance``: the walking distance, ``settings.WALK_DISTANCE_M`` when not given."""
    a.add_argument(
        "--distance",
        type=float,
        default=None,
        help=f"walking distance in metres, straight line (default {settings.WALK_DISTANCE_M:g})",
    )


def _add_build(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap build``."""
    b = sub.add_parser("build", help="verify the sources and build data/")
    b.add_argument("--source-dir", type=Path, default=None, help="raw inputs (SHA256SUMS)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)


def _add_deciles(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap deciles``."""
    d = _analysis(sub, "deciles", "assets per 1,000 residents by IMD decile")
    d.set_defaults(func=cmd_deciles)


def _add_findings(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap findings``."""
    f = sub.add_parser(
        "findings",
        help="what the data says: every asset type and family, most against least deprived",
        description="England's assets per 1,000 residents in IMD 2025 decile 1 against decile "
        "10, for every open asset type and family, and how charities per 1,000 residents go "
        "with local authority deprivation.",
    )
    f.add_argument("--out", type=Path, default=None, help=_OUT_HELP)
    f.set_defaults(func=cmd_findings, tables=("out",))


def _add_gaps(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap gaps``."""
    g = _analysis(sub, "gaps", "LSOAs ranked by need-vs-provision gap")
    g.add_argument("--limit", type=int, default=0, help="only the first N rows")
    g.add_argument(
        "--left-behind",
        action="store_true",
        help="only left-behind neighbourhoods (Community Needs Index © OCSI / Local Trust)",
    )
    g.add_argument(
        "--more-deprived-few-assets",
        action="store_true",
        help="only LSOAs in a more deprived IMD decile than in 2019 that have few assets",
    )
    g.set_defaults(func=cmd_gaps)


def _add_summary(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap summary``."""
    s = _analysis(sub, "summary", "metrics rolled up to a level")
    s.add_argument("--by", choices=[k for k in areas.LEVELS if k != "lsoa"], default="icb")
    s.set_defaults(func=cmd_summary)


def _add_access(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap access``."""
    w = _analysis(sub, "access", "assets within walking distance of each LSOA's homes, and 2SFCA")
    _walk_distance(w)
    w.add_argument(
        "--compare",
        action="store_true",
        help="print counts inside LSOAs against walking access by IMD decile instead",
    )
    w.set_defaults(func=cmd_access)


def _add_near(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap near``."""
    n = sub.add_parser("near", help="assets and neighbourhoods within a distance of a postcode")
    n.add_argument("postcode", help="an English postcode, e.g. 'L4 0TH'")
    _walk_distance(n)
    _type_options(n)
    n.add_argument(
        "--what",
        choices=["assets", "lsoas", "deciles"],
        default="assets",
        help="the assets within the distance, the LSOAs whose residents live within it, or "
        "those residents by IMD decile",
    )
    n.add_argument("--out", type=Path, default=None, help=_OUT_HELP)
    n.set_defaults(func=cmd_near, tables=("out",))


def _planning(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    """A site-planning subcommand: ``--area``, ``--type``, ``--distance`` and ``--out``."""
    a = sub.add_parser(name, help=help_text)
    a.add_argument(
        "--area",
        default="england",
        help="area as level:code or a code or name; own:E01…,E01… or file:patch.geojson",
    )
    a.add_argument("--type", required=True, choices=list(ASSET_SOURCES), help="the asset type")
    _walk_distance(a)
    a.add_argument("--out", type=Path, default=None, help=_OUT_HELP)
    a.set_defaults(tables=("out",))
    return a


def _add_whatif(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap whatif``."""
    w = _planning(sub, "whatif", "who gains and who loses walking access if sites open or close")
    w.add_argument("--add", nargs="+", metavar="POSTCODE", help="new sites, by postcode")
    w.add_argument("--close", nargs="+", metavar="ASSET_ID", help="assets to close, by asset_id")
    w.add_argument(
        "--what",
        choices=["lsoas", "deciles"],
        default="lsoas",
        help="the area's LSOAs that change, or residents gaining and losing by IMD decile",
    )
    w.set_defaults(func=cmd_whatif)


def _add_sites(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap sites``."""
    s = _planning(sub, "sites", "the best k new sites for Core20 residents (greedy covering)")
    s.add_argument("--k", type=int, default=5, help="how many new sites (default 5)")
    s.set_defaults(func=cmd_sites)


def _add_change(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap change``."""
    c = _analysis(sub, "change", "IMD decile change since 2019, by how 2019 was mapped")
    c.add_argument(
        "--what",
        choices=["summary", "distribution", "lsoas"],
        default="summary",
        help="moved up/down per match type, LSOAs per decile change, or one row per LSOA",
    )
    c.set_defaults(func=cmd_change)


def _add_invest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap invest``."""
    v = _analysis(sub, "invest", "where to invest first: a ranked short list with reasons")
    v.add_argument(
        "--weights",
        nargs="+",
        metavar="KEY=W",
        default=None,
        help="criterion weights, e.g. deprivation=2 provision=1 access=1 cold_spot=1 "
        "(default 1 each)",
    )
    v.add_argument("--top", type=int, default=settings.INVEST_TOP_N, help="rows listed (0: all)")
    v.add_argument("--by", choices=["lsoa", "ward"], default="lsoa", help="rank LSOAs or wards")
    v.add_argument(
        "--labels", action="store_true", help="spelled-out column headings (data dictionary)"
    )
    v.add_argument(
        "--cold-spots",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compute gap-score clusters for the cold-spot criterion (a few seconds)",
    )
    v.set_defaults(func=cmd_invest)


def _add_hotspots(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap hotspots``."""
    h = _analysis(sub, "hotspots", "hot and cold spots of the gap score (local Moran's I, FDR)")
    h.add_argument(
        "--scope",
        choices=["england", "area"],
        default="england",
        help="test on England's whole graph (default) or on the area's LSOAs alone",
    )
    h.add_argument("--permutations", type=int, default=settings.HOTSPOT_PERMUTATIONS)
    h.add_argument("--seed", type=int, default=settings.HOTSPOT_SEED)
    h.set_defaults(func=cmd_hotspots)


def _add_bivariate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap bivariate``."""
    bv = _analysis(sub, "bivariate", "deprivation third x provision third of each LSOA (3 x 3)")
    bv.add_argument(
        "--bands",
        choices=["national", "area"],
        default="national",
        help="thirds of England's LSOAs (default) or of the area's",
    )
    bv.add_argument("--cells", action="store_true", help="write the 9 cells, not the LSOAs")
    bv.set_defaults(func=cmd_bivariate)


def _add_dictionary(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap dictionary``."""
    d = sub.add_parser("dictionary", help="print or write the data dictionary (Markdown)")
    d.add_argument("--out", type=Path, default=None)
    d.set_defaults(func=cmd_dictionary)


def _add_ingest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap ingest``: the register, the outputs and the column flags."""
    i = sub.add_parser(
        "ingest",
        help="place your own asset register (CSV, Excel .xlsx, GeoJSON) in LSOAs",
        description="Read an asset register, locate every row by postcode, latitude/longitude or "
        "easting/northing, and write the mapped assets and a report of every row that was not "
        "mapped. Columns are detected from the headers; the flags below correct them (a column "
        "name or a position counted from 1; '' for none).",
    )
    i.add_argument("file", type=Path, help="the register (.csv/.tsv/.txt, .xlsx, .geojson/.json)")
    i.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the mapped assets (points) here: .csv, .parquet, .gpkg or .geojson",
    )
    i.add_argument(
        "--report",
        type=Path,
        default=None,
        help="write the reported rows here: .csv or .parquet (they have no geometry)",
    )
    for flag in _INGEST_COLUMNS:
        i.add_argument(f"--{flag}", dest=f"col_{flag}", metavar="COLUMN", default=None)
    _add_ingest_reading(i)
    i.set_defaults(func=cmd_ingest, tables=("out", "report"))


def _add_ingest_reading(i: argparse.ArgumentParser) -> None:
    """The options of ``assetmap ingest`` that say how to read the register."""
    i.add_argument(
        "--header",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether the first row is a header (default: decided from the file)",
    )
    i.add_argument(
        "--header-row",
        type=int,
        default=None,
        metavar="N",
        help="the row (line) that holds the column names, counted from 1; rows above it are "
        "skipped (default: guessed, title rows skipped)",
    )
    i.add_argument(
        "--sheet",
        default=None,
        metavar="SHEET",
        help="the Excel sheet to read: its name or position counted from 1 (default: the first)",
    )
    i.add_argument(
        "--sep",
        default=None,
        metavar="SEP",
        help="the separator of a text file: ',' ';' tab or '|' (or comma, semicolon, tab, pipe; "
        "default: sniffed from the file)",
    )
    i.add_argument(
        "--decimal",
        default=None,
        metavar="MARK",
        help="the decimal mark of numbers: '.' or ',' (default: sniffed from the values)",
    )
    i.add_argument(
        "--quoting",
        choices=("standard", "none"),
        default="standard",
        help="'none' reads quote marks as plain text, one row per line: for a file whose stray "
        "quote marks ran lines together (default: %(default)s)",
    )
    i.add_argument(
        "--no-quoting",
        dest="quoting",
        action="store_const",
        const="none",
        help="the same as --quoting none",
    )
    i.add_argument(
        "--default-type",
        default=ingest.DEFAULT_TYPE,
        help="asset type for rows without a category (default: %(default)s)",
    )


def _add_join(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap join``."""
    j = sub.add_parser(
        "join",
        help="place a large GeoParquet point set in LSOAs, on this machine or on Dask",
        description="Join points (GeoParquet file or folder, any CRS) to LSOA 2021 and write "
        "them with lsoa21cd, lsoa_method and distance_to_lsoa_m as GeoParquet. Both engines give "
        "identical answers; docs/DASK.md explains running on a cluster.",
    )
    j.add_argument("--points", type=Path, required=True, help="GeoParquet file or folder")
    j.add_argument(
        "--out",
        type=Path,
        required=True,
        help="a .parquet file, or a folder for partitioned GeoParquet",
    )
    j.add_argument("--engine", choices=["local", "dask"], default="local")
    j.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster)",
    )
    j.add_argument(
        "--workers",
        type=int,
        default=settings.DASK_WORKERS,
        help="workers of the local cluster (default: %(default)s)",
    )
    j.add_argument("--npartitions", type=int, default=None, help="output partitions (Dask)")
    j.add_argument(
        "--shuffle",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="sort the points along a Hilbert curve first (Dask; default: yes)",
    )
    j.add_argument(
        "--counts",
        type=Path,
        default=None,
        help="also write the points per LSOA of each asset_type: .csv, .parquet, .gpkg or .geojson",
    )
    j.add_argument("--quiet", action="store_true", help="no progress bar")
    j.set_defaults(func=cmd_join, tables=("counts",))


def _add_check_data(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap check-data``."""
    k = sub.add_parser(
        "check-data",
        help="check every file of data/ against the build's manifest, checksums included",
        description="Compare every file under data/ with data/manifest.json, which the build "
        "wrote: present, same size, same row count (Parquet) and same SHA-256. Every other "
        "command that reads data/ checks sizes and row counts only (a few milliseconds); this "
        "also catches a changed byte that keeps the size (about a tenth of a second). Exit "
        "status 1, with the file named, when anything differs: rebuild with: assetmap build.",
    )
    k.add_argument("--quiet", action="store_true", help="no progress bar")
    k.set_defaults(func=cmd_check_data)
