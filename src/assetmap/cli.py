"""The ``assetmap`` command (also ``python -m assetmap``).

Each subcommand is a ``cmd_<name>`` function; :func:`parser` declares the arguments and
:func:`main` runs them. Every table goes through ``_emit``: printed, or written in the format of
the file's extension (:data:`assetmap.presentation.export.FORMATS`), with LSOA or area polygons or
asset points where the rows have them. ``assetmap --help`` lists examples.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from assetmap import ingest, settings
from assetmap.data import datacheck, dictionary, sources, store
from assetmap.data.assets import ASSET_SOURCES, FAMILIES, FAMILY_COMMUNITY, selected_types
from assetmap.data.build import BuildError, build
from assetmap.geography import areas
from assetmap.measures import access, metrics
from assetmap.presentation import export

#: ``assetmap --help``: plain text (argparse prints it as it is).
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
  assetmap dictionary --out docs/DATA_DICTIONARY.md
  assetmap ingest register.xlsx --out assets.gpkg --report report.csv
  assetmap join --points uprn.parquet --out joined/ --engine dask --scheduler tcp://host:8786
  assetmap change --area icb:QYG --what lsoas --out change.csv
  assetmap invest --area icb:QYG --weights deprivation=2 provision=1 --top 20 --by lsoa
  assetmap hotspots --area icb:QYG --out clusters.csv
  assetmap bivariate --area icb:QYG --bands national --out classes.csv

areas are named by ONS code (E54000008), NHS code (QYG, 01F) or name, with an optional level
prefix (england, region:, icb:, sicbl:, lad:, ward:).
"""

_OUT_HELP = "write the table here: .csv, .parquet (GeoParquet), .gpkg or .geojson"


def _load_metrics(args: argparse.Namespace) -> pd.DataFrame:
    lsoas = store.load_lsoas(args.data_dir)
    counts = metrics.count_assets(store.load_assets(args.data_dir), lsoas["lsoa21cd"])
    types = _types(args)
    print(f"counting: {', '.join(types)}", file=sys.stderr)
    return metrics.lsoa_metrics(lsoas, counts, types=list(types), need=args.need)


def _types(args: argparse.Namespace) -> tuple[str, ...]:
    """The asset types a command counts: ``--types`` and ``--family``."""
    return selected_types(args.types, args.family)


def _area(args: argparse.Namespace, lsoas: pd.DataFrame) -> areas.Area:
    return areas.resolve(args.area, areas.catalogue(lsoas))


def _geometry(args: argparse.Namespace, dest: str = "out") -> str | None:
    # What the rows written to ``args.<dest>`` are: "points" (BNG easting/northing), a key of
    # areas.LEVELS (their polygons), or None (a table without geometry).
    command = args.command
    if command == "ingest":
        return "points" if dest == "out" else None
    if command in ("summary", "invest"):
        return str(args.by)
    if command in ("gaps", "hotspots", "join"):
        return "lsoa"
    if command == "access":
        return None if args.compare else "lsoa"
    if command == "change":
        return "lsoa" if args.what == "lsoas" else None
    if command == "bivariate":
        return None if args.cells else "lsoa"
    return None  # deciles


def _check_outputs(args: argparse.Namespace) -> None:
    # Every table file named on the command line, checked before any slow work.
    for dest in getattr(args, "tables", ()):
        out = getattr(args, dest)
        if out is not None:
            export.table_format(out, geometry=_geometry(args, dest) is not None)


def _emit(frame: pd.DataFrame, args: argparse.Namespace, what: str, dest: str = "out") -> None:
    out: Path | None = getattr(args, dest)
    if out is None:
        with pd.option_context("display.max_rows", 200, "display.width", 200):
            print(frame.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
        return
    kind = _geometry(args, dest)
    geometry = None
    if kind is not None and export.table_format(out) != ".csv":
        if kind == "points":
            geometry = export.point_geometry(frame)
        else:
            code = areas.LEVELS[kind].code
            if code not in frame.columns:  # invest --labels spells the headings out
                code = dictionary.label(code)
            geometry = export.area_geometry(frame[code], kind, args.data_dir)
    export.write_table(frame, out, geometry=geometry)
    print(f"wrote {len(frame):,} rows of {what} to {out}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    result = build(args.source_dir, args.data_dir, progress=not args.quiet, log=print)
    print(f"build finished in {result.timings['total']:.1f} s")
    return 0


def cmd_deciles(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    table = metrics.decile_table(areas.select(frame, area), _types(args))
    print(f"Assets per 1,000 residents by IMD 2025 decile: {area.label}", file=sys.stderr)
    _emit(table, args, "decile table")
    return 0


def cmd_findings(args: argparse.Namespace) -> int:
    from assetmap.data import charities
    from assetmap.presentation import reading

    lsoas = store.load_lsoas(args.data_dir)
    counts = metrics.count_assets(store.load_assets(args.data_dir), lsoas["lsoa21cd"])
    every = metrics.lsoa_metrics(lsoas, counts, types=list(ASSET_SOURCES))
    table = reading.decile_contrast(metrics.decile_table(every, list(ASSET_SOURCES)))
    relation = charities.deprivation_relation(store.load_layer("lad", args.data_dir))
    print(
        "What the data says, England: assets per 1,000 residents in the most deprived 10% of "
        "neighbourhoods (IMD 2025 decile 1) against the least deprived 10% (decile 10)",
        file=sys.stderr,
    )
    _emit(table, args, "findings")
    print(
        f"Charities per 1,000 residents by local authority ({charities.CREDIT}): median "
        f"{relation.median_most_deprived_fifth:.2f} in the most deprived fifth of authorities, "
        f"{relation.median_least_deprived_fifth:.2f} in the least deprived fifth "
        f"({relation.ratio:.1f}x); Spearman's rho with the IMD 2025 rank of average score "
        f"{relation.rho:.2f} (n = {relation.n}, p = {relation.p_value:.1g})",
        file=sys.stderr,
    )
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    table = metrics.gap_table(frame, area, types=_types(args), need=args.need)
    if args.left_behind:
        table = table[table["left_behind"]]
    if args.more_deprived_few_assets:
        from assetmap.measures import change

        flags = change.more_deprived_few_assets(frame).set_axis(frame["lsoa21cd"])
        table = table[table["lsoa21cd"].map(flags).to_numpy(dtype=bool)]
    if args.limit:
        table = table.head(args.limit)
    print(f"Gap table (need: {args.need}): {area.label}", file=sys.stderr)
    _emit(table, args, "gap table")
    return 0


def cmd_access(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    subset = areas.select(frame, area)
    residence = store.load_residence(args.data_dir)
    found = access.access_metrics(
        residence,
        frame.set_index("lsoa21cd")["population"],
        store.load_assets(args.data_dir),
        types=list(_types(args)),
        distance_m=args.distance,
        codes=subset["lsoa21cd"],
    )
    d, d0 = found.distance_m, found.fca_distance_m
    if args.compare:
        table = access.compare_with_counts(subset.join(found.table, on="lsoa21cd"))
        print(f"Counts vs walking-distance access ({d:,.0f} m): {area.label}", file=sys.stderr)
        _emit(table, args, "comparison")
        return 0
    print(
        f"Walking-distance access ({d:,.0f} m straight line, 2SFCA catchment {d0:,.0f} m): "
        f"{area.label}",
        file=sys.stderr,
    )
    table = access.access_table(subset, found.table, residence)
    _emit(table, args, "LSOA access")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    _emit(metrics.rollup(frame, args.by, area, types=_types(args)), args, f"{args.by} summary")
    return 0


def cmd_change(args: argparse.Namespace) -> int:
    from assetmap.measures import change

    frame = change.decile_change(_load_metrics(args))
    area = _area(args, frame)
    what = {
        "summary": lambda: change.change_summary(frame, area),
        "distribution": lambda: change.change_distribution(frame, area),
        "lsoas": lambda: change.change_table(frame, area),
    }[args.what]
    print(f"IMD decile change since 2019 ({args.what}): {area.label}", file=sys.stderr)
    _emit(what(), args, f"change {args.what}")
    return 0


def _with_access(frame: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    # Walking access for all of England (its criterion percentile is national); skipped with a
    # note when the build has no residence points.
    from assetmap.measures import analysis

    try:
        residence = store.load_residence(args.data_dir)
    except (FileNotFoundError, store.NotBuiltError):
        print("no residence points in the build: walking access skipped", file=sys.stderr)
        return frame
    types = list(_types(args))
    return analysis.with_access(
        frame, residence, store.load_assets(args.data_dir), types=types
    ).table


def _with_cold_spots(frame: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    # National gap-score clusters (a few seconds); skipped with a note without the contiguity.
    from assetmap.measures import analysis

    try:
        graph = store.load_contiguity(args.data_dir)
    except (FileNotFoundError, store.NotBuiltError):
        print("no LSOA contiguity in the build: cold spots skipped", file=sys.stderr)
        return frame
    return analysis.with_clusters(frame, graph).table


def cmd_invest(args: argparse.Namespace) -> int:
    from assetmap.measures import invest

    try:
        weights = invest.parse_weights(args.weights or [])
    except ValueError as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 2
    frame = _with_access(_load_metrics(args), args)
    if args.cold_spots:
        frame = _with_cold_spots(frame, args)
    area = _area(args, frame)
    try:
        ranked = invest.rank(
            frame, area, weights, need=args.need, by=args.by, top_n=args.top or None
        )
    except ValueError as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 2
    used = ", ".join(f"{k} {w:.2f}" for k, w in ranked.weights.items())
    print(f"Where to invest first ({args.by}, weights {used}): {area.label}", file=sys.stderr)
    for note in ranked.skipped:
        print(f"  {note}", file=sys.stderr)
    table = ranked.table.head(args.top) if args.top else ranked.table
    shown = invest.invest_table(table, ranked.labels) if args.labels else table
    _emit(shown, args, "invest-first rows")
    return 0


#: Identifying columns put before the hot-spot and bivariate results.
_LSOA_ID_COLUMNS = ["lsoa21cd", "lsoa21nm", "lad24nm", "imd_decile", "population", "assets"]


def cmd_hotspots(args: argparse.Namespace) -> int:
    from assetmap.measures import hotspots

    frame = _load_metrics(args)
    area = _area(args, frame)
    graph = store.load_contiguity(args.data_dir)
    # National by default: a cluster then means the same wherever one looks.
    subset = areas.select(frame, area)
    tested = frame if args.scope == "england" else subset
    found = hotspots.local_gap_clusters(
        tested, graph, permutations=args.permutations, seed=args.seed
    )
    ids = subset[_LSOA_ID_COLUMNS].set_index("lsoa21cd")
    table = ids.join(found.table.loc[subset["lsoa21cd"]], how="inner")
    table = table.sort_values(["gap_cluster", "gap_cluster_p", "lsoa21cd"]).reset_index()
    test = found.test
    print(
        f"Gap-score clusters (need: {args.need}; tested on {test.scope}, {test.tests:,} LSOAs, "
        f"{test.permutations:,} permutations, FDR {test.alpha:.0%}: p < "
        f"{test.fdr_threshold:.4f}): {area.label}",
        file=sys.stderr,
    )
    untested = [code for code in test.islands if code in set(subset["lsoa21cd"])]
    if untested:
        print(f"  not tested (no neighbour): {', '.join(untested)}", file=sys.stderr)
    summary = hotspots.cluster_summary(found.table.loc[subset["lsoa21cd"]])
    for label, count in zip(summary["gap_cluster"], summary["lsoa_count"], strict=True):
        print(f"  {count:>8,}  {label}", file=sys.stderr)
    _emit(table, args, "LSOA clusters")
    return 0


def cmd_bivariate(args: argparse.Namespace) -> int:
    from assetmap.measures import bivariate

    frame = _load_metrics(args)
    area = _area(args, frame)
    classes = bivariate.classify(frame, area, need=args.need, bands=args.bands).table
    cells = bivariate.cell_counts(classes)
    print(
        f"Deprivation ({args.need}) x provision thirds ({args.bands} bands): {area.label}",
        file=sys.stderr,
    )
    grid = cells.pivot(
        index="deprivation_tertile", columns="provision_tertile", values="lsoa_count"
    )
    print(grid.to_string(), file=sys.stderr)
    if args.cells:
        _emit(cells, args, "bivariate cells")
    else:
        ids = ["lsoa21cd", "lsoa21nm", "lad24nm", f"{args.need}_rank", "assets", "assets_per_1k"]
        table = areas.select(frame, area)[list(dict.fromkeys(ids))].join(classes, on="lsoa21cd")
        _emit(table, args, "LSOA classes")
    return 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    text = dictionary.to_markdown()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


#: ``assetmap ingest`` flags that set one column of the mapping (flag -> ColumnMapping field).
_INGEST_COLUMNS = {
    "name": "name",
    "postcode": "postcode",
    "latitude": "latitude",
    "longitude": "longitude",
    "easting": "easting",
    "northing": "northing",
    "category": "category",
    "id": "identifier",
    "address": "address",
}


def cmd_ingest(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from assetmap.geography.geocode import PostcodeDirectory
    from assetmap.geography.spatial import LsoaLocator

    store.load_manifest(args.data_dir)  # a clear NotBuiltError before loading anything
    try:
        if not args.file.is_file():
            raise ingest.UploadError(f"{args.file} is not a file.")
        # The size first, with the dashboard's message, before a byte is read.
        ingest.check_size(args.file.stat().st_size, args.file.name)
        table = ingest.read_table(
            args.file.read_bytes(),
            args.file.name,
            header=args.header,
            delimiter=args.sep,
            decimal=args.decimal,
            quoting=args.quoting != "none",
            sheet=args.sheet,
            header_row=args.header_row,
        )
        overrides = {
            field: getattr(args, f"col_{flag}")
            for flag, field in _INGEST_COLUMNS.items()
            if getattr(args, f"col_{flag}") is not None
        }
        mapping = replace(ingest.detect_table(table), **overrides)
        # Check the columns before the few seconds of loading the postcode directory.
        mapping = ingest.resolve_mapping(mapping, list(table.frame.columns), table.filename)
        result = ingest.ingest_table(
            table,
            PostcodeDirectory.load(args.data_dir),
            LsoaLocator.load(args.data_dir),
            mapping=mapping,
            default_type=args.default_type,
        )
    except ingest.UploadError as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 2
    for message in result.messages:
        print(message, file=sys.stderr)
    unit = "data lines" if result.format == ingest.FORMAT_CSV else "rows"
    read_as = (
        f" (read as {result.rows_read:,} rows)" if result.data_lines != result.rows_read else ""
    )
    print(
        f"{result.data_lines:,} {unit} read{read_as}: {len(result.assets):,} mapped "
        f"({result.warning_count:,} with a warning), {len(result.report):,} reported",
        file=sys.stderr,
    )
    for reason, count in result.reason_counts.items():
        print(f"  {count:>8,}  {reason}", file=sys.stderr)
    if result.merged_lines and result.quoting:
        print(
            f"hint: {len(result.merged_lines):,} lines ran into other rows; --no-quoting reads "
            "quote marks as plain text, one row per line",
            file=sys.stderr,
        )
    if args.out is not None:
        _emit(result.labelled_assets(), args, "mapped assets")
    if args.report is not None:
        _emit(result.report, args, "reported rows", dest="report")
    return 0


def cmd_check_data(args: argparse.Namespace) -> int:
    result = datacheck.check(args.data_dir, full=True, progress=not args.quiet)
    print(result.summary())
    return 0


#: Commands that do not read the built data, so run without its start-up check.
_NO_DATA_CHECK = frozenset({"build", "dictionary", "check-data"})


def cmd_join(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from assetmap.geography.spatial import LsoaLocator
    from assetmap.measures import distributed

    if not args.points.exists():
        print(f"assetmap: {args.points} does not exist", file=sys.stderr)
        return 2
    locator = LsoaLocator.load(args.data_dir)
    dask = args.engine == "dask"
    clients = (
        distributed.dask_client(args.scheduler, n_workers=args.workers) if dask else nullcontext()
    )
    with clients as client:
        try:
            summary = distributed.join_file(
                args.points,
                args.out,
                engine=args.engine,
                npartitions=args.npartitions,
                shuffle=args.shuffle,
                locator=locator,
                progress=dask and not args.quiet,
                client=client,
            )
        except ValueError as exc:
            print(f"assetmap: {exc}", file=sys.stderr)
            return 2
        print(
            f"{summary.n_points:,} points joined ({args.engine}, {summary.n_partitions} "
            f"partition(s)) in {summary.seconds:.1f} s: {summary.n_within:,} within an LSOA, "
            f"{summary.n_nearest:,} in the nearest (<= {settings.NEAREST_LSOA_MAX_M:g} m), "
            f"{summary.n_unassigned:,} in none; written to {summary.out}",
            file=sys.stderr,
        )
        if args.counts is not None:
            joined = distributed.read_points(summary.out, engine=args.engine)
            if "asset_type" not in joined.columns:
                print("assetmap: --counts needs an asset_type column", file=sys.stderr)
                return 2
            codes = store.load_lsoas(args.data_dir, columns=[])["lsoa21cd"]
            counter = distributed.count_assets if dask else metrics.count_assets
            _emit(counter(joined, codes).reset_index(), args, "LSOA counts", dest="counts")
    return 0


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

    b = sub.add_parser("build", help="verify the sources and build data/")
    b.add_argument("--source-dir", type=Path, default=None, help="raw inputs (SHA256SUMS)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)

    def analysis(name: str, help_text: str) -> argparse.ArgumentParser:
        a = sub.add_parser(name, help=help_text)
        a.add_argument(
            "--area",
            default="england",
            help="area as level:code or a code or name, e.g. icb:QYG, E08000003, 'lad:Leeds'",
        )
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
        a.add_argument(
            "--need",
            choices=metrics.NEED_MEASURES,
            default="imd",
            help="deprivation measure for the gap score",
        )
        a.add_argument("--out", type=Path, default=None, help=_OUT_HELP)
        a.set_defaults(tables=("out",))
        return a

    analysis("deciles", "assets per 1,000 residents by IMD decile").set_defaults(func=cmd_deciles)
    f = sub.add_parser(
        "findings",
        help="what the data says: every asset type and family, most against least deprived",
        description="England's assets per 1,000 residents in IMD 2025 decile 1 against decile "
        "10, for every open asset type and family, and how charities per 1,000 residents go "
        "with local authority deprivation.",
    )
    f.add_argument("--out", type=Path, default=None, help=_OUT_HELP)
    f.set_defaults(func=cmd_findings, tables=("out",))
    g = analysis("gaps", "LSOAs ranked by need-vs-provision gap")
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
    s = analysis("summary", "metrics rolled up to a level")
    s.add_argument("--by", choices=[k for k in areas.LEVELS if k != "lsoa"], default="icb")
    s.set_defaults(func=cmd_summary)
    w = analysis("access", "assets within walking distance of each LSOA's homes, and 2SFCA")
    w.add_argument(
        "--distance",
        type=float,
        default=None,
        help=f"walking distance in metres, straight line (default {settings.WALK_DISTANCE_M:g})",
    )
    w.add_argument(
        "--compare",
        action="store_true",
        help="print counts inside LSOAs against walking access by IMD decile instead",
    )
    w.set_defaults(func=cmd_access)

    c = analysis("change", "IMD decile change since 2019, by how 2019 was mapped")
    c.add_argument(
        "--what",
        choices=["summary", "distribution", "lsoas"],
        default="summary",
        help="moved up/down per match type, LSOAs per decile change, or one row per LSOA",
    )
    c.set_defaults(func=cmd_change)
    v = analysis("invest", "where to invest first: a ranked short list with reasons")
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
    h = analysis("hotspots", "hot and cold spots of the gap score (local Moran's I, FDR)")
    h.add_argument(
        "--scope",
        choices=["england", "area"],
        default="england",
        help="test on England's whole graph (default) or on the area's LSOAs alone",
    )
    h.add_argument("--permutations", type=int, default=settings.HOTSPOT_PERMUTATIONS)
    h.add_argument("--seed", type=int, default=settings.HOTSPOT_SEED)
    h.set_defaults(func=cmd_hotspots)
    bv = analysis("bivariate", "deprivation third x provision third of each LSOA (3 x 3)")
    bv.add_argument(
        "--bands",
        choices=["national", "area"],
        default="national",
        help="thirds of England's LSOAs (default) or of the area's",
    )
    bv.add_argument("--cells", action="store_true", help="write the 9 cells, not the LSOAs")
    bv.set_defaults(func=cmd_bivariate)

    d = sub.add_parser("dictionary", help="print or write the data dictionary (Markdown)")
    d.add_argument("--out", type=Path, default=None)
    d.set_defaults(func=cmd_dictionary)

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
    i.set_defaults(func=cmd_ingest, tables=("out", "report"))

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
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    if args.data_dir is None:
        args.data_dir = settings.DATA_DIR
    try:
        _check_outputs(args)
        if args.command not in _NO_DATA_CHECK:
            datacheck.check(args.data_dir)  # sizes and row counts: a few milliseconds
        status: int = args.func(args)
    except (areas.AreaNotFoundError, areas.AmbiguousAreaError) as exc:
        print(f"assetmap: {exc.args[0]}", file=sys.stderr)
        return 2
    except export.FormatError as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 2
    except (sources.SourceError, store.NotBuiltError, BuildError) as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 1
    except datacheck.DataCheckError as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
