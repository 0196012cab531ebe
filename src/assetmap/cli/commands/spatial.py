"""Commands that look past an LSOA's boundary: walking access to assets (access), what is near a
postcode (near) and gap-score clusters over the LSOA contiguity (hotspots)."""

from __future__ import annotations

import argparse
import sys

from assetmap.cli.output import _area, _emit, _load_metrics, _residents, _types
from assetmap.data import store
from assetmap.geography import areas
from assetmap.measures import access


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
    d, d0 = found.run.distance_m, found.run.fca_distance_m
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


def cmd_near(args: argparse.Namespace) -> int:
    from assetmap import settings
    from assetmap.geography.geocode import PostcodeDirectory
    from assetmap.measures import near

    distance = near.check_distance(
        settings.WALK_DISTANCE_M if args.distance is None else args.distance
    )
    place = near.place_of_postcode(args.postcode, PostcodeDirectory.load(args.data_dir))
    types = list(_types(args))
    points = store.load_assets(args.data_dir)
    among = near.Searchable.build(
        points[points["asset_type"].isin(types)],
        store.load_residence(args.data_dir),
        store.load_lsoas(args.data_dir),
    )
    found = near.nearby(place, distance, among)
    counts = near.assets_by_type(found, types)
    people = near.residents_by_decile(found)
    print(
        f"Within {distance:,.0f} m of {place.label} (straight line): "
        + ", ".join(f"{r.assets} {r.asset_type}" for r in counts.itertuples())
        + f"; {len(found.lsoas):,} LSOAs whose residence point is within it, "
        + _residents(people, "population"),
        file=sys.stderr,
    )
    table = {"assets": found.assets, "lsoas": found.lsoas, "deciles": people}[args.what]
    _emit(table, args, args.what)
    return 0


#: Identifying columns put before the hot-spot results.
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
