"""Commands that tabulate the LSOA metrics of an area: deciles, findings, gaps, summary, change
and bivariate."""

from __future__ import annotations

import argparse
import sys

from assetmap.cli.output import _area, _emit, _load_metrics, _types
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas
from assetmap.measures import metrics


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
