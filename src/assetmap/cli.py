"""The ``assetmap`` command.

Examples
--------
::

    assetmap build
    assetmap deciles --types sports_club library
    assetmap gaps --area icb:QYG --out gaps.csv
    assetmap summary --by icb
    assetmap dictionary --out docs/DATA_DICTIONARY.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from assetmap import areas, dictionary, export, metrics, settings, sources, store
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
