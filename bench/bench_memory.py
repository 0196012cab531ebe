"""The dashboard server's resident memory with all England loaded, and what each session adds.

Runs the real server (``streamlit run serve.py``, as tests/e2e/harness.py starts it; ``--app
app.py`` for the server without its warm-up) and drives it from Debian's chromium (every request
leaving this machine blocked). One *session* is a new browser context that opens the Map page for
England (areas coloured by gap score) and then for Cheshire and Merseyside ICB (``icb:E54000008``:
its LSOAs, Core20 outlines and asset points), waiting each time until the map is drawn; its tab is
then left open. After the first session every cached table and layer the Map page uses is loaded:
all of England's LSOA polygons, area layers, metrics and asset points.

The server process's resident set size (RSS, ``psutil``) is read after the first session and
again after ``--sessions`` more (5 by default), all still open. The per-session figure is the
growth divided by the number of sessions added. Targets (issue 7): RSS < 1.5 GB with all
England loaded; < 50 MB per added session.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

import psutil

from assetmap import settings
from assetmap.data import store

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.bench_startup import chromium, offline_context  # the root is on the path from here
from bench.common import Result, report
from tests.e2e.harness import APP, StreamlitServer, wait_for_app, wait_for_map

TARGET_RSS_MB = 1500.0
TARGET_SESSION_MB = 50.0
VIEWS = ("Map", "Map?area=icb:E54000008")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (10^6 bytes)."""
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 1e6


def settled_rss_mb(pid: int, seconds: float = 3.0) -> float:
    """RSS once the server has been idle a moment (a rerun may still be finishing)."""
    time.sleep(seconds)
    return rss_mb(pid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5, help="sessions added after the first")
    parser.add_argument(
        "--app",
        type=Path,
        default=APP,
        help="the script the server runs (default: serve.py; app.py: no warm-up at start)",
    )
    args = parser.parse_args()
    store.load_manifest()  # the data must be built: NotBuiltError otherwise

    contexts = []
    with chromium() as browser, tempfile.TemporaryDirectory(prefix="bench_memory_") as tmp:
        server = StreamlitServer(args.app.resolve(), Path(tmp) / "app.log")
        server.start()
        assert server.process is not None
        pid = server.process.pid
        try:
            idle = rss_mb(pid)

            def session() -> None:
                context = offline_context(browser)
                contexts.append(context)
                page = context.new_page()
                for view in VIEWS:
                    page.goto(server.url + view)
                    wait_for_app(page)
                    wait_for_map(page)

            session()
            first = settled_rss_mb(pid)
            for _ in range(args.sessions):
                session()
            more = settled_rss_mb(pid)
        finally:
            for context in contexts:
                context.close()
            server.stop()
    gc.collect()
    per_session = (more - first) / args.sessions
    results = [
        Result("server RSS before any session", f"{idle:,.0f} MB"),
        Result(
            "server RSS, 1 session, all England loaded",
            f"{first:,.0f} MB",
            target=f"< {TARGET_RSS_MB:,.0f} MB",
            ok=first < TARGET_RSS_MB,
        ),
        Result(f"server RSS, {1 + args.sessions} sessions open", f"{more:,.0f} MB"),
        Result(
            "RSS added per session",
            f"{per_session:,.1f} MB",
            target=f"< {TARGET_SESSION_MB:.0f} MB",
            ok=per_session < TARGET_SESSION_MB,
        ),
    ]
    title = (
        f"Server memory, {args.app.name} (Map: England, then Cheshire and Merseyside, per session)"
    )
    return report(results, title, source="bench_memory")


if __name__ == "__main__":
    sys.exit(main())
