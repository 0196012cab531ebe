"""``assetmap report``: an area's evidence pack, the PDF and (with ``--data``) the zip of its data.

:func:`add_report` declares the command (``assetmap.cli.arguments.parser`` calls it);
:func:`cmd_report` runs it with a progress bar, through
:mod:`assetmap.presentation.report` as the dashboard's download buttons do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assetmap.cli.output import _area, _types
from assetmap.data import store
from assetmap.measures import metrics

REPORT_HELP = "an area's evidence pack: an A4 PDF and a zip of its data"


def add_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``assetmap report``."""
    from assetmap.data.assets import ASSET_SOURCES, FAMILIES, FAMILY_COMMUNITY

    r = sub.add_parser(
        "report",
        help=REPORT_HELP,
        description="Write an area's evidence pack: an A4 PDF (key figures beside England, the "
        "map, the decile chart and reading per asset family, the largest gaps, where to invest "
        "first, hot and cold spots, deprivation x provision, change since 2019, methods and "
        "sources, and a link that reopens the view) and, with --data, a zip of its tables as "
        "Excel-safe CSV with the data dictionary and the area's LSOAs as a GeoPackage "
        "(EPSG:4326).",
    )
    r.add_argument(
        "--area",
        default="england",
        help="area as level:code or a code or name, e.g. icb:QYG; own:E01…,E01… or "
        "file:patch.geojson for your own",
    )
    r.add_argument("--types", nargs="+", choices=list(ASSET_SOURCES), default=None)
    r.add_argument(
        "--family",
        nargs="+",
        choices=list(FAMILIES),
        default=None,
        help=f"count every type of these families (default, with no --types: {FAMILY_COMMUNITY})",
    )
    r.add_argument("--need", choices=metrics.NEED_MEASURES, default="imd")
    r.add_argument("--out", type=Path, required=True, help="the PDF file (.pdf)")
    r.add_argument("--data", type=Path, default=None, help="also write the data zip (.zip)")
    r.add_argument(
        "--base-url",
        default=None,
        help="the dashboard's address, for the link that reopens the view (default: "
        "$ASSETMAP_DASHBOARD_URL, else http://localhost:8501/)",
    )
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_report)


def _suffix_problem(path: Path | None, suffix: str, flag: str) -> str | None:
    if path is None or path.suffix.lower() == suffix:
        return None
    return f"cannot write {path}: {flag} needs a {suffix} file"


def cmd_report(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from assetmap.presentation import report

    for problem in (
        _suffix_problem(args.out, ".pdf", "--out"),
        _suffix_problem(args.data, ".zip", "--data"),
    ):
        if problem:
            print(f"assetmap: {problem}", file=sys.stderr)
            return 2
    # The area first: an unknown one fails before the slow part.
    area = _area(args, store.load_lsoas(args.data_dir))
    bar = tqdm(
        total=100,
        disable=args.quiet,
        bar_format="assetmap report {percentage:3.0f}%|{bar:20}| {elapsed} {desc}",
    )
    done = 0

    def progress(share: float, what: str) -> None:
        nonlocal done
        step = round(100 * share) - done
        bar.set_description_str(what, refresh=False)
        bar.update(max(step, 0))
        done += max(step, 0)

    try:
        inputs = report.load_inputs(_types(args), args.need, args.data_dir, progress)
        made = report.make_files(
            area,
            inputs,
            base_url=args.base_url,
            data=args.data is not None,
            progress=progress,
        )
    finally:
        bar.close()
    args.out.write_bytes(made.pdf)
    size = len(made.pdf) / 1e6
    print(f"wrote the evidence pack of {area.label} to {args.out} ({size:.1f} MB)", file=sys.stderr)
    if args.data is not None and made.data is not None:
        args.data.write_bytes(made.data)
        print(f"wrote its data to {args.data} ({len(made.data) / 1e6:.1f} MB)", file=sys.stderr)
    return 0
