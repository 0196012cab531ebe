"""The ``assetmap`` command (also ``python -m assetmap``).

Each subcommand is a ``cmd_<name>`` function; :func:`parser` declares the arguments and
:func:`main` runs them. Every table goes through ``_emit``: printed, or written in the format of
the file's extension (:data:`assetmap.presentation.export.FORMATS`), with LSOA or area polygons or
asset points where the rows have them. ``assetmap --help`` lists examples.

The modules:

* :mod:`~assetmap.cli.arguments`: :func:`parser`, one function per subcommand's arguments
* :mod:`~assetmap.cli.output`: ``_emit``, the geometry of each command's rows, and the helpers
  the commands share (the metrics counted, the asset types, the area asked for)
* :mod:`~assetmap.cli.commands`: the ``cmd_<name>`` functions, grouped by concern
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from assetmap import settings
from assetmap.cli.arguments import parser
from assetmap.cli.output import _check_outputs
from assetmap.data import datacheck, sources, store
from assetmap.data.build import BuildError
from assetmap.geography import areas
from assetmap.geography.ownarea import OwnAreaError
from assetmap.measures.near import PlaceError
from assetmap.measures.whatif import ScenarioError
from assetmap.presentation import export

__all__ = ["main", "parser"]


#: Commands that do not read the built data, so run without its start-up check.
_NO_DATA_CHECK = frozenset({"build", "dictionary", "check-data"})


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
    except (export.FormatError, PlaceError, ScenarioError, OwnAreaError) as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 2
    except (sources.SourceError, store.NotBuiltError, BuildError) as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 1
    except datacheck.DataCheckError as exc:
        print(f"assetmap: {exc}", file=sys.stderr)
        return 1
    return status
