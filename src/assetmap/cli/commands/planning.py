"""Commands that plan sites: what if sites open or close (whatif), and the best k sites (sites)."""

from __future__ import annotations

import argparse
import sys

from assetmap.cli.output import _area, _emit, _residents
from assetmap.data import store
from assetmap.geography import areas


def cmd_whatif(args: argparse.Namespace) -> int:
    from assetmap.geography.geocode import PostcodeDirectory
    from assetmap.geography.spatial import LsoaLocator
    from assetmap.measures import near, whatif

    lsoas = store.load_lsoas(args.data_dir)
    area = _area(args, lsoas)
    inside = set(areas.select(lsoas, area)["lsoa21cd"])
    places: tuple[near.Place, ...] = ()
    locator = LsoaLocator.load(args.data_dir)
    if args.add:
        directory = PostcodeDirectory.load(args.data_dir)
        places = tuple(near.place_of_postcode(pc, directory) for pc in args.add)
        for place, code in zip(places, whatif.site_lsoas(places, locator), strict=True):
            if code not in inside:
                raise whatif.ScenarioError(f"the new site {place.label} is outside {area.label}")
    scenario = whatif.Scenario(args.type, add=places, close=tuple(args.close or ()))
    found = whatif.run(
        scenario,
        lsoas=lsoas,
        assets=store.load_assets(args.data_dir),
        residence=store.load_residence(args.data_dir),
        locator=locator,
        types=[args.type],
        distance_m=args.distance,
    )
    local = whatif.WhatIf(found.table[found.table["lsoa21cd"].isin(inside)], found.distance_m)
    people = whatif.by_decile(local)
    print(
        f"What if, {area.label}: {len(places)} new and {len(scenario.close)} closed "
        f"{args.type}; within {found.distance_m:,.0f} m, "
        f"{_residents(people, 'residents_gaining')} gain one and "
        f"{_residents(people, 'residents_losing')} lose theirs; "
        f"{len(local.table):,} of the area's LSOAs change",
        file=sys.stderr,
    )
    _emit(people if args.what == "deciles" else local.table, args, "what-if")
    return 0


def cmd_sites(args: argparse.Namespace) -> int:
    from assetmap.measures import access, sites

    lsoas = store.load_lsoas(args.data_dir)
    area = _area(args, lsoas)
    codes = areas.select(lsoas, area)["lsoa21cd"]
    residence = store.load_residence(args.data_dir)
    walk = access.access_metrics(
        residence,
        lsoas.set_index("lsoa21cd")["population"],
        store.load_assets(args.data_dir),
        types=[args.type],
        distance_m=args.distance,
    )
    demand = sites.core20_demand(lsoas, walk.table["walk_assets"], codes)
    cover = sites.coverage(
        sites.residence_candidates(residence, codes), demand, residence, walk.run.distance_m
    )
    chosen = sites.greedy(cover, args.k)
    naive = sites.covered(cover, sites.naive_rule(cover, lsoas, args.k))
    total = float(demand["weight"].sum())
    got = float(chosen["covered"].iloc[-1]) if len(chosen) else 0.0
    print(
        f"Best {args.k} {args.type} sites, {area.label} (greedy maximal covering, "
        f"{walk.run.distance_m:,.0f} m): {got:,.0f} of {total:,.0f} Core20 residents with none "
        f"within reach today brought within it; the {args.k} most deprived such LSOAs would "
        f"bring {naive:,.0f}",
        file=sys.stderr,
    )
    _emit(chosen, args, "sites")
    return 0
