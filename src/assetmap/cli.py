"""The ``assetmap`` command.

Examples
--------
::

    assetmap build
    assetmap deciles --types sports_club library
    assetmap gaps --area icb:QYG --out gaps.csv
    assetmap summary --by icb
    assetmap dictionary --out docs/DATA_DICTIONARY.md
    assetmap ingest register.xlsx --out assets.csv --report report.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from assetmap import areas, dictionary, export, ingest, metrics, settings, sources, store
from assetmap.assets import ASSET_SOURCES
from assetmap.build import BuildError, build


def _load_metrics(args: argparse.Namespace) -> pd.DataFrame:
    lsoas = store.load_lsoas(args.data_dir)
    counts = metrics.count_assets(store.load_assets(args.data_dir), lsoas["lsoa21cd"])
    return metrics.lsoa_metrics(lsoas, counts, types=args.types, need=args.need)


def _area(args: argparse.Namespace, lsoas: pd.DataFrame) -> areas.Area:
    return areas.resolve(args.area, areas.catalogue(lsoas))


def _emit(frame: pd.DataFrame, out: Path | None, what: str) -> None:
    if out is None:
        with pd.option_context("display.max_rows", 200, "display.width", 200):
            print(frame.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    else:
        export.write_csv(frame, out)
        print(f"wrote {len(frame):,} rows of {what} to {out}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    result = build(args.source_dir, args.data_dir, progress=not args.quiet, log=print)
    print(f"build finished in {result.timings['total']:.1f} s")
    return 0


def cmd_deciles(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    table = metrics.decile_table(areas.select(frame, area))
    print(f"Assets per 1,000 residents by IMD 2025 decile: {area.label}", file=sys.stderr)
    _emit(table, args.out, "decile table")
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    table = metrics.gap_table(frame, area)
    if args.limit:
        table = table.head(args.limit)
    print(f"Gap table (need: {args.need}): {area.label}", file=sys.stderr)
    _emit(table, args.out, "gap table")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    frame = _load_metrics(args)
    area = _area(args, frame)
    _emit(metrics.rollup(frame, args.by, area), args.out, f"{args.by} summary")
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

    from assetmap.geocode import PostcodeDirectory
    from assetmap.spatial import LsoaLocator

    store.load_manifest(args.data_dir)  # a clear NotBuiltError before loading anything
    try:
        table = ingest.read_table(args.file.read_bytes(), args.file.name, header=args.header)
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
    print(
        f"{result.rows_read:,} rows read: {len(result.assets):,} mapped "
        f"({result.warning_count:,} with a warning), {len(result.report):,} reported",
        file=sys.stderr,
    )
    for reason, count in result.reason_counts.items():
        print(f"  {count:>8,}  {reason}", file=sys.stderr)
    if args.out is not None:
        _emit(result.assets, args.out, "mapped assets")
    if args.report is not None:
        _emit(result.report, args.report, "reported rows")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the tests and ``--help``)."""
    p = argparse.ArgumentParser(prog="assetmap", description=__doc__.split("\n")[0])
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
            help="asset types (default: all open layers)",
        )
        a.add_argument(
            "--need",
            choices=metrics.NEED_MEASURES,
            default="imd",
            help="deprivation measure for the gap score",
        )
        a.add_argument("--out", type=Path, default=None, help="write CSV here")
        return a

    analysis("deciles", "assets per 1,000 residents by IMD decile").set_defaults(func=cmd_deciles)
    g = analysis("gaps", "LSOAs ranked by need-vs-provision gap")
    g.add_argument("--limit", type=int, default=0, help="only the first N rows")
    g.set_defaults(func=cmd_gaps)
    s = analysis("summary", "metrics rolled up to a level")
    s.add_argument("--by", choices=[k for k in areas.LEVELS if k != "lsoa"], default="icb")
    s.set_defaults(func=cmd_summary)

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
    i.add_argument("--out", type=Path, default=None, help="write the mapped assets (CSV) here")
    i.add_argument("--report", type=Path, default=None, help="write the reported rows (CSV) here")
    for flag in _INGEST_COLUMNS:
        i.add_argument(f"--{flag}", dest=f"col_{flag}", metavar="COLUMN", default=None)
    i.add_argument(
        "--header",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether the first row is a header (default: decided from the file)",
    )
    i.add_argument(
        "--default-type",
        default=ingest.DEFAULT_TYPE,
        help="asset type for rows without a category (default: %(default)s)",
    )
    i.set_defaults(func=cmd_ingest)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    if args.data_dir is None:
        args.data_dir = settings.DATA_DIR
    try:
        status: int = args.func(args)
    except (areas.AreaNotFoundError, areas.AmbiguousAreaError) as exc:
        print(f"assetmap: {exc.args[0]}", file=sys.stderr)
        return 2
    except (sources.SourceError, store.NotBuiltError, BuildError) as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
