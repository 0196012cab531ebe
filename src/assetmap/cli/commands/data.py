"""Commands about the data itself: build, check-data, dictionary, and placing points in LSOAs
(ingest for an asset register, join for a large GeoParquet point set)."""

from __future__ import annotations

import argparse
import sys

from assetmap import ingest, settings
from assetmap.cli.output import _emit
from assetmap.data import datacheck, dictionary, store
from assetmap.data.build import build
from assetmap.measures import metrics


def cmd_build(args: argparse.Namespace) -> int:
    result = build(args.source_dir, args.data_dir, progress=not args.quiet, log=print)
    print(f"build finished in {result.timings['total']:.1f} s")
    return 0


def cmd_check_data(args: argparse.Namespace) -> int:
    result = datacheck.check(args.data_dir, full=True, progress=not args.quiet)
    print(result.summary())
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
