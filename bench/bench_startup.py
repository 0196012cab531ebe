"""How long until the dashboard is usable, once the data is built.

Runs the real server (``streamlit run serve.py``, as ``scripts/run.sh`` and the browser tests
start it) and opens the Home page in Debian's chromium (every request leaving this machine
blocked). "Usable" means the Home page has finished its script run and shows its four key figures
(``stMetric``) for England. Figures, each measured in this run:

- **server start to health check**: ``serve.py`` fills the caches (``ui.warmup``) before it
  answers anything, so this includes the warm-up;
- **server start to first page usable** (for the record): Python and Streamlit starting, the
  warm-up, then a browser that opened the page as soon as the server answered;
- **first session on a just-started server**: from that first ``page.goto`` to usable;
- **new session on a warm server**: a new browser context (a new Streamlit session) from
  ``page.goto`` to usable, best of 3.

Baseline, in the same run: the first session on a server started as ``streamlit run app.py``,
with no warm-up, whose first visitor's script run imports the libraries and fills the caches.

Target (issue 7): a new session's first page is usable in < 3 s after the data is built. Both
session figures are held to it (the first visitor of a just-started server and any later
visitor). The browser start is not counted (a user's browser is already open).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from assetmap import settings
from assetmap.data import store

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.common import Result, report  # the project root is on the path only from here
from tests.e2e.harness import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    StreamlitServer,
    is_local,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

TARGET_S = 3.0
#: Key figures the Home page shows once it is usable.
KEY_FIGURES = 4


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Browser) -> BrowserContext:
    """A fresh context (so a new Streamlit session) whose non-local requests are aborted."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(r: Route) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            r.abort("internetdisconnected")

    context.route("**/*", route)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def wait_usable(page: Page) -> None:
    """Wait until the script run has finished and the Home page's key figures are drawn."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT_MS
    )
    page.locator("[data-testid='stMetric']").nth(KEY_FIGURES - 1).wait_for(timeout=TIMEOUT_MS)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT_MS
    )


def open_session(browser: Browser, url: str) -> float:
    """Seconds from ``page.goto`` to usable, in a new session; the context is closed after."""
    context = offline_context(browser)
    try:
        page = context.new_page()
        t = time.perf_counter()
        page.goto(url)
        wait_usable(page)
        return time.perf_counter() - t
    finally:
        context.close()


@contextmanager
def started(script: Path, log: Path) -> Iterator[tuple[StreamlitServer, float]]:
    """A just-started server for ``script`` and the seconds it took to answer its health check
    (for serve.py, the warm-up included); stopped after."""
    server = StreamlitServer(script, log)
    t = time.perf_counter()
    server.start()
    try:
        yield server, time.perf_counter() - t
    finally:
        server.stop()


def first_session(browser: Browser, script: Path, log: Path) -> float:
    """Seconds to usable for the first session of a just-started server for ``script``, opened
    as soon as the server answers its health check."""
    with started(script, log) as (server, _):
        return open_session(browser, server.url)


def main() -> int:
    store.load_manifest()  # the data must be built: NotBuiltError otherwise
    with chromium() as browser, tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        with started(APP, Path(tmp) / "serve.log") as (server, answered):
            first = open_session(browser, server.url)
            total = answered + first
            warm = [open_session(browser, server.url) for _ in range(3)]
        # The baseline last, so that if the browser's own first page costs anything, ours pays.
        unwarmed = first_session(browser, settings.PROJECT_ROOT / "app.py", Path(tmp) / "app.log")
    best_warm = min(warm)
    results = [
        # For the record: these include starting Python and Streamlit and the warm-up, which
        # happen once per deployment, before the server answers anyone.
        Result("server start to health check (warm-up included)", f"{answered:.2f} s"),
        Result("server start to first page usable (Home, England)", f"{total:.2f} s"),
        Result(
            "first session on a just-started server, open to usable",
            f"{first:.2f} s",
            baseline=f"{unwarmed:.2f} s",
            ratio=f"{unwarmed / first:.2f}x faster",
            target=f"< {TARGET_S:g} s",
            ok=first < TARGET_S,
        ),
        Result(
            "new session on a warm server, open to usable (best of 3)",
            f"{best_warm:.2f} s (runs " + ", ".join(f"{w:.2f}" for w in warm) + ")",
            target=f"< {TARGET_S:g} s",
            ok=best_warm < TARGET_S,
        ),
    ]
    title = (
        "Startup: Home page usable in chromium (baseline: the first session of "
        "`streamlit run app.py`, no warm-up)"
    )
    return report(results, title, source="bench_startup")


if __name__ == "__main__":
    sys.exit(main())
