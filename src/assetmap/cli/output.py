"""What the commands share: the metrics they count, the area asked for, and ``_emit``.

``_emit`` prints a table, or writes it in the format of the file's extension
(:data:`assetmap.presentation.export.FORMATS`) with the geometry :func:`_geometry` chooses for the
command: LSOA or area polygons, asset points, or none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from assetmap.data import dictionary, store
from assetmap.data.assets import selected_types
from assetmap.geography import areas
from assetmap.measures import metrics
from assetmap.presentation import export


def _load_metrics(args: argparse.Namespace) -> pd.DataFrame:
    lsoas = store.load_lsoas(args.data_dir)
    counts = metrics.count_assets(store.load_assets(args.data_dir), lsoas["lsoa21cd"])
    types = _types(args)
    print(f"counting: {', '.join(types)}", file=sys.stderr)
    return metrics.lsoa_metrics(lsoas, counts, types=list(types), need=args.need)


def _types(args: argparse.Namespace) -> tuple[str, ...]:
    """The asset types a command counts: ``--types`` and ``--family``."""
    return selected_types(args.types, args.family)


#: ``--area`` prefixes that are not levels: LSOA codes, and a boundary file.
FILE_PREFIX = "file"


def _area(args: argparse.Namespace, lsoas: pd.DataFrame) -> areas.Area:
    """The area ``--area`` names: ``level:code``, a code or name, ``own:E01…,E01…`` (LSOA codes)
    or ``file:patch.geojson`` (a boundary file, LSOAs counted by residence point)."""
    from assetmap.geography import ownarea

    prefix, _, rest = args.area.partition(":")
    prefix = prefix.strip().lower()
    if prefix == areas.OWN:
        return ownarea.own_area(ownarea.parse_ref(args.area), lsoas)
    if prefix != FILE_PREFIX:
        return areas.resolve(args.area, areas.catalogue(lsoas))
    from assetmap.ingest.read import size_message

    path = Path(rest.strip()).expanduser()
    if not path.is_file():
        raise ownarea.OwnAreaError(f"no boundary file {str(path)!r}")
    too_big = size_message(path.stat().st_size, path.name)
    if too_big:
        raise ownarea.OwnAreaError(too_big)
    boundary = ownarea.read_boundary(path.read_bytes(), path.name)
    fitted = ownarea.from_boundary(
        boundary,
        lsoas,
        store.load_lsoas(args.data_dir, geometry=True, columns=["lsoa21cd"]),
        store.load_residence(args.data_dir),
    )
    notes = "; ".join([*boundary.notes, fitted.note]) if boundary.shape else boundary.notes[0]
    print(f"{fitted.area.label}: {notes}", file=sys.stderr)
    return fitted.area


def _residents(people: pd.DataFrame, column: str) -> str:
    """Residents in ``column`` of a by-decile table, and how many are Core20 (deciles 1-2)."""
    total = int(people[column].sum())
    core20 = int(people.loc[people["imd_decile"] <= 2, column].sum())
    return f"{total:,} residents ({core20:,} in the most deprived 20%)"


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
    if command == "sites":
        return "points"
    if command == "whatif":
        return "lsoa" if args.what == "lsoas" else None
    if command == "near":
        return {"assets": "points", "lsoas": "lsoa"}.get(args.what)
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
