"""Golden outputs: record what assetmap produces today, then prove a restructure left it unchanged.

Issue 17 restructures the library without changing its behaviour. This script records the
outputs users see, from the current build in ``data/`` (``ASSETMAP_DATA_DIR``, as everywhere),
and later checks them byte for byte::

    .venv/bin/python scripts/golden.py record DIR   # DIR must be absent or empty
    .venv/bin/python scripts/golden.py check DIR    # exit status 1 on any difference

``check`` records everything again into a temporary folder and compares it with ``DIR``, file by
file: ``same``, ``different`` (with the first differing line of a text file), ``missing`` (in
``DIR`` only) or ``extra`` (new). The temporary folder is removed when everything is the same and
kept (its path printed) otherwise. Each takes about three minutes (two CPUs).

What is recorded
----------------
``cli/``
    Every ``assetmap`` subcommand that produces a table, run as ``python -m assetmap`` in a
    subprocess with ``--out <file>.csv``, for England (``*_england.csv``) and for
    ``--area icb:QYG`` (``*_qyg.csv``): deciles, gaps, summary (by ICB and by local authority),
    access (LSOAs and ``--compare``), change (``--what`` summary, distribution and lsoas),
    invest (by LSOA and by ward), hotspots, bivariate (LSOAs and ``--cells``); findings and
    the data dictionary (``dictionary --out .md``), which take no area; and ingest of two
    registers from ``tests/data/`` (one clean, one whose stray quote marks produce a report),
    mapped assets and report. ``join`` needs a GeoParquet point file, which ``tests/data/``
    lacks, so it is not recorded; ``build`` and ``check-data`` give no table. ``cli/log.txt``
    holds each command with its exit status and what it printed (stderr, stdout), in the order
    above.
``maps/``
    The HTML (``folium.Map.get_root().render()``, the document ``st_folium`` is given, scripts
    linked to ``static/vendor``) and the table behind it of three views built with
    :mod:`assetmap.presentation.mapviews`, as ``ui/mapview.py`` builds them for a new session
    (community organisations, need IMD, gap score, national bands): England by ICB, Cheshire and
    Merseyside (``icb:QYG``) by LSOA and Blackpool (``lad:Blackpool``) by LSOA, both with asset
    points, local authority borders and the Core20 outline.
``methods.txt``
    The Methods & data page run with ``streamlit.testing.v1.AppTest`` as ``tests/test_pages.py``
    runs it (``app.py`` first, then ``switch_page``): the text of every title, header,
    subheader, markdown, caption, LaTeX, notice and table element, sidebar then main body, in
    page order; tables as CSV.

Normalised before writing
-------------------------
- folium names elements with a random uuid4 hex (``map_3f2a...``): in the map HTML every
  distinct 32-digit hex id is replaced by a counter in order of first appearance
  (``uid0001``, ``uid0002``...), so two renders of the same map are identical.
- The output folder's path in ``cli/log.txt`` (``wrote ... to <path>``) is written as ``<OUT>``.

- The build time the Methods page shows (``Data built <time>``, from ``data/manifest.json``) is
  written as ``<BUILT>``: a change to the library's code rebuilds the data (its code digest is in
  the manifest), and the time of that rebuild is not behaviour.

Nothing else is normalised.
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The pages import ``ui`` from the project root; this script runs from ``scripts/``.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.element_tree import Block

#: The areas every area-taking command is run for: file-name suffix -> ``--area`` arguments.
AREAS: dict[str, tuple[str, ...]] = {"england": (), "qyg": ("--area", "icb:QYG")}

#: Area-taking commands: file-name stem -> subcommand and its options (``--area`` and ``--out``
#: are added).
AREA_COMMANDS: dict[str, tuple[str, ...]] = {
    "deciles": ("deciles",),
    "gaps": ("gaps",),
    "summary_icb": ("summary", "--by", "icb"),
    "summary_lad": ("summary", "--by", "lad"),
    "access": ("access",),
    "access_compare": ("access", "--compare"),
    "change_summary": ("change", "--what", "summary"),
    "change_distribution": ("change", "--what", "distribution"),
    "change_lsoas": ("change", "--what", "lsoas"),
    "invest_lsoa": ("invest", "--by", "lsoa"),
    "invest_ward": ("invest", "--by", "ward"),
    "hotspots": ("hotspots",),
    "bivariate_lsoas": ("bivariate",),
    "bivariate_cells": ("bivariate", "--cells"),
}

#: Registers from ``tests/data`` put through ``assetmap ingest``: file-name stem -> file.
INGEST_FILES: dict[str, str] = {
    "ingest_register_utf8": "tests/data/register_utf8.csv",
    "ingest_stray_quotes": "tests/data/stray_quotes.csv",
}

#: CLI runs at once (each is one process; the in-process maps and page run beside them).
CLI_WORKERS = 2

#: A folium/branca element id: a uuid4 as 32 lower-case hex digits.
_RANDOM_ID = re.compile(r"[0-9a-f]{32}")

#: AppTest element types whose text is recorded (tables separately).
_TEXT_ELEMENTS = frozenset(
    {
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "latex",
        "text",
        "code",
        "info",
        "warning",
        "error",
        "success",
        "exception",
    }
)
_TABLE_ELEMENTS = frozenset({"dataframe", "table"})

#: Streamlit's logger of "missing ScriptRunContext" (as ``ui/warmup.py`` names it).
_NO_SESSION_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"

#: Characters of context shown either side of the first difference in a long line.
_CONTEXT = 80


@dataclass(frozen=True)
class CliRun:
    """One ``assetmap`` command and the files it writes.

    Attributes
    ----------
    args
        The command line after ``assetmap``, without the output options.
    outputs
        Output option -> file name under ``cli/`` (e.g. ``--out`` -> ``gaps_qyg.csv``); with
        none, what the command prints on stdout is the output, written to ``stdout_file``.
    stdout_file
        File name under ``cli/`` for the printed table of a command with no output option.
    """

    args: tuple[str, ...]
    outputs: tuple[tuple[str, str], ...] = ()
    stdout_file: str | None = None

    def command(self, out_dir: Path) -> list[str]:
        """The full argument list, output files under ``out_dir``."""
        extra = [part for flag, name in self.outputs for part in (flag, str(out_dir / name))]
        return [sys.executable, "-m", "assetmap", *self.args, *extra]

    def shown(self) -> str:
        """The command as written in the log (output folder as ``<OUT>``)."""
        outs = " ".join(f"{flag} <OUT>/{name}" for flag, name in self.outputs)
        return " ".join(["assetmap", *self.args, outs]).strip()


def cli_runs() -> list[CliRun]:
    """Every recorded command, in log order."""
    runs = [
        CliRun((*args, *area_args), (("--out", f"{stem}_{area}.csv"),))
        for stem, args in AREA_COMMANDS.items()
        for area, area_args in AREAS.items()
    ]
    runs.append(CliRun(("findings",), (("--out", "findings_england.csv"),)))
    runs.append(CliRun(("dictionary",), (("--out", "dictionary.md"),)))
    runs.extend(
        CliRun(
            ("ingest", path),
            (("--out", f"{stem}_mapped.csv"), ("--report", f"{stem}_report.csv")),
        )
        for stem, path in INGEST_FILES.items()
    )
    return runs


def _run_cli(run: CliRun, out_dir: Path) -> str:
    """Run one command; its log entry (exit status and what it printed)."""
    done = subprocess.run(
        run.command(out_dir),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if run.stdout_file is not None:
        (out_dir / run.stdout_file).write_text(done.stdout, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"{run.shown()} failed ({done.returncode}):\n{done.stderr}")
    entry = [f"$ {run.shown()}", f"exit status {done.returncode}", "--- stderr", done.stderr]
    if run.stdout_file is None and done.stdout:
        entry += ["--- stdout", done.stdout]
    return "\n".join(entry).replace(str(out_dir), "<OUT>").rstrip("\n") + "\n"


def start_cli(out_dir: Path, pool: ThreadPoolExecutor) -> list[Future[str]]:
    """Start every command (they run while the maps and the page are made in this process)."""
    out_dir.mkdir(parents=True)
    return [pool.submit(_run_cli, run, out_dir) for run in cli_runs()]


def normalise_ids(html: str) -> str:
    """Replace each distinct random element id by ``uidNNNN``, numbered by first appearance."""
    seen: dict[str, str] = {}

    def stable(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(0), f"uid{len(seen) + 1:04d}")

    return _RANDOM_ID.sub(stable, html)


def record_maps(out_dir: Path) -> None:
    """The three map views' HTML (ids normalised) and tables, as ``ui/mapview.py`` builds them."""
    from assetmap.data import store
    from assetmap.data.assets import ASSET_SOURCES, selected_types
    from assetmap.geography import areas
    from assetmap.measures import metrics
    from assetmap.presentation import mapviews

    out_dir.mkdir(parents=True)
    types = list(selected_types())  # a new session: the community organisations
    lsoas = store.load_lsoas()
    counts = metrics.count_assets(store.load_assets(), lsoas["lsoa21cd"])
    national = metrics.lsoa_metrics(lsoas, counts, types=types, need="imd")
    catalogue = areas.catalogue(lsoas)
    shapes = store.load_lsoas(geometry=True, columns=["lsoa21cd"])
    points = store.load_assets(geometry=True)
    points = points[points["asset_type"].isin(types)]
    labels = {key: source.label for key, source in ASSET_SOURCES.items()}
    lads = store.load_layer("lad")
    measure, banding = "gap_score", "national"

    def lsoa_view(ref: str) -> mapviews.MapView:
        area = areas.resolve(ref, catalogue)
        return mapviews.lsoa_view(
            national,
            area,
            shapes,
            lads,
            measure,
            banding,
            points=points,
            asset_labels=labels,
            core20=True,
        )

    england = areas.resolve("england", catalogue)
    views = {
        "england_by_icb": mapviews.area_view(
            national, england, "icb", store.load_layer("icb"), measure, banding, types=types
        ),
        "icb_qyg_lsoas": lsoa_view("icb:QYG"),
        "lad_blackpool_lsoas": lsoa_view("lad:Blackpool"),
    }
    for name, view in views.items():
        html = normalise_ids(view.map.get_root().render())
        (out_dir / f"{name}.html").write_text(html, encoding="utf-8")
        view.table.to_csv(out_dir / f"{name}_table.csv", index=False, lineterminator="\n")


def _nodes(block: Block) -> Iterator[Any]:
    """The elements under an AppTest block, depth first, in page order."""
    from streamlit.testing.v1.element_tree import Block

    for index in sorted(block.children):
        child = block.children[index]
        if isinstance(child, Block):
            yield from _nodes(child)
        else:
            yield child


def _element_text(element: Any) -> str | None:
    kind = str(element.type)
    if kind in _TEXT_ELEMENTS:
        return f"[{kind}]\n{element.value}"
    if kind in _TABLE_ELEMENTS:
        table = element.value.to_csv(lineterminator="\n")
        return f"[{kind}]\n{table}"
    return None


def page_text(at: AppTest) -> str:
    """The text of the page's elements: the sidebar, then the main body."""
    parts = []
    for where, block in (("sidebar", at.sidebar), ("main", at.main)):
        parts.append(f"===== {where}")
        parts.extend(t for t in map(_element_text, _nodes(block)) if t is not None)
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


#: The build time as the page writes it (with Markdown escapes and word joiners), up to ``;``.
_BUILT: Final = re.compile(r"(Data built )[^;]+")


def record_methods(out_file: Path) -> None:
    """The Methods & data page's text, run as ``tests/test_pages.py`` runs it."""
    from streamlit.testing.v1 import AppTest

    # What the pages' cached loaders say when first called outside a session: expected here.
    logging.getLogger(_NO_SESSION_LOGGER).setLevel(logging.ERROR)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/4_Methods_and_data.py").run()
    if at.exception:
        raise RuntimeError(f"the Methods page failed: {[e.value for e in at.exception]}")
    text = _BUILT.sub(r"\1<BUILT>", page_text(at))
    out_file.write_text(text, encoding="utf-8")


def record(dest: Path) -> None:
    """Write every golden output under ``dest`` (absent or empty)."""
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"golden: {dest} is not empty; remove it or name another folder")
    dest.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(CLI_WORKERS) as pool:
        jobs = start_cli(dest / "cli", pool)
        record_maps(dest / "maps")
        record_methods(dest / "methods.txt")
        log = [job.result() for job in jobs]
    (dest / "cli" / "log.txt").write_text("\n".join(log), encoding="utf-8")


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _snippet(line: str, at: int) -> str:
    start = max(0, at - _CONTEXT)
    text = line[start : at + _CONTEXT]
    return ("..." if start else "") + text + ("..." if at + _CONTEXT < len(line) else "")


def first_difference(expected: bytes, actual: bytes) -> str:
    """Where two files first differ: the line (and column) of a text file, else the byte."""
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        at = next(
            (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
            min(len(expected), len(actual)),
        )
        return f"first differing byte at offset {at:,} ({len(expected):,} vs {len(actual):,})"
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            col = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
            col = min(len(a), len(b)) if col is None else col
            return (
                f"first difference at line {number:,}, column {col + 1:,}\n"
                f"      golden: {_snippet(a, col)}\n"
                f"      now:    {_snippet(b, col)}"
            )
    if len(old_lines) != len(new_lines):
        number = min(len(old_lines), len(new_lines)) + 1
        return (
            f"golden has {len(old_lines):,} lines, now {len(new_lines):,}: "
            f"first difference at line {number:,}"
        )
    return "the same lines, different line endings"


def compare(golden: Path, fresh: Path) -> bool:
    """Print same/different for every file; True when all are the same."""
    old, new = _files(golden), _files(fresh)
    same = True
    for name in sorted(old | new):
        if name not in new:
            print(f"missing    {name} (recorded, not produced now)")
            same = False
        elif name not in old:
            print(f"extra      {name} (produced now, not recorded)")
            same = False
        else:
            expected, actual = (golden / name).read_bytes(), (fresh / name).read_bytes()
            if expected == actual:
                print(f"same       {name}")
            else:
                print(f"different  {name}: {first_difference(expected, actual)}")
                same = False
    return same


def check(golden: Path) -> int:
    """Record afresh into a temporary folder and compare with ``golden``; the exit status."""
    if not golden.is_dir():
        raise SystemExit(f"golden: {golden} is not a folder of golden outputs")
    fresh = Path(tempfile.mkdtemp(prefix="assetmap-golden-"))
    record(fresh)
    if compare(golden, fresh):
        shutil.rmtree(fresh)
        print(f"all {len(_files(golden)):,} files the same")
        return 0
    print(f"differences found; this run's outputs are kept in {fresh}")
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and record or check."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=["record", "check"])
    p.add_argument("dir", type=Path, help="folder of golden outputs")
    args = p.parse_args(argv)
    start = time.perf_counter()
    if args.mode == "record":
        record(args.dir)
        print(f"recorded {len(_files(args.dir)):,} files in {args.dir}")
        status = 0
    else:
        status = check(args.dir)
    print(f"{args.mode} took {time.perf_counter() - start:.0f} s")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
