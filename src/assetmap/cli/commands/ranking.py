"""``assetmap invest``: where to invest first, with walking access and cold spots added to the
metrics when the build has what they need."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from assetmap.cli.output import _area, _emit, _load_metrics, _types
from assetmap.data import store


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
