"""Many planners at once: 25 new sessions opening the Map page together, and the memory after.

Runs the real server (``streamlit run serve.py``), opens the Map page of the largest ICB once
(a warm server) and reads the server's resident set size (RSS, the process and its children,
``psutil``) when idle. Then 25 browser contexts (25 new Streamlit sessions, every request leaving
the machine blocked) open the same page at the same moment, each timed from its ``goto`` until
its map has painted every LSOA; the RSS is sampled throughout (the peak). The contexts are then
closed, Streamlit is given its session-cleanup time, and the RSS is read again.

Figures, each measured in this run: every session's time to usable (slowest and median; target
< 5 s each), the idle, peak and after-close RSS (target: after close within 10 % of idle), and,
for the ratio, one session alone on the same warm server.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assetmap import settings
from assetmap.data import store

sys.path.insert(0, str(settings.PROJECT_ROOT))
from bench.bench_memory import rss_mb
from bench.bench_startup import started
from bench.common import Result, report
from tests.e2e.harness import APP, CHROMIUM, CHROMIUM_ARGS, is_local

if TYPE_CHECKING:
    from playwright.async_api import Browser, Route

SESSIONS = 25
TARGET_S = 5.0
MEMORY_SLACK = 0.10
#: Seconds given after the sessions close for Streamlit to drop them and Python to free memory.
SETTLE_S = 30.0

#: True once streamlit-folium's map has painted at least ``n`` shapes (run in the iframe).
DRAWN_JS = """
(n) => {
  if (typeof L === "undefined" || !(window.map instanceof L.Map)) return false;
  let k = 0;
  window.map.eachLayer((l) => { k += (l.assetmapDrawn || []).length; });
  return k >= n;
}
"""


async def _one(browser: Browser, url: str, shapes: int) -> float:
    """Seconds from ``goto`` to the map painted, in a new context (closed after)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})

    async def route(r: Route) -> None:
        if is_local(r.request.url):
            await r.continue_()
        else:
            await r.abort("internetdisconnected")

    await context.route("**/*", route)
    try:
        page = await context.new_page()
        t = time.perf_counter()
        await page.goto(url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for frame in page.frames:
                if "streamlit_folium" in frame.url and not frame.is_detached():
                    try:
                        if await frame.evaluate(DRAWN_JS, shapes):
                            return time.perf_counter() - t
                    except Exception:  # the iframe went away in a rerun
                        pass
            await page.wait_for_timeout(25)
        return float("inf")
    finally:
        await context.close()


async def _sessions(url: str, shapes: int, n: int) -> tuple[float, list[float]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            await _one(browser, url, shapes)  # warm the server's caches for this page
            alone = await _one(browser, url, shapes)
            together = await asyncio.gather(*(_one(browser, url, shapes) for _ in range(n)))
            return alone, list(together)
        finally:
            await browser.close()


def main() -> int:
    store.load_manifest()
    lsoas = store.load_lsoas(columns=["lsoa21cd", "icb24cd", "icb24nm"])
    sizes = lsoas.groupby(["icb24cd", "icb24nm"]).size().sort_values()
    (icb, name), n_lsoas = sizes.index[-1], int(sizes.iloc[-1])
    with (
        tempfile.TemporaryDirectory(prefix="bench_sessions_") as tmp,
        started(APP, Path(tmp) / "serve.log") as (server, _),
    ):
        assert server.process is not None
        pid = server.process.pid
        url = f"{server.url}Map?area=icb:{icb}"
        idle = rss_mb(pid)
        peak = [idle]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak.append(rss_mb(pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        # The idle figure once one session has opened the page and closed (a warm server).
        alone_first, _ = asyncio.run(_sessions(url, n_lsoas, 0))
        time.sleep(SETTLE_S)
        idle = rss_mb(pid)
        sampler.start()
        alone, times = asyncio.run(_sessions(url, n_lsoas, SESSIONS))
        stop.set()
        sampler.join()
        time.sleep(SETTLE_S)
        after = rss_mb(pid)
    slowest, median = max(times), statistics.median(times)
    print(f"  one session alone {alone:.2f} s (first visit {alone_first:.2f} s)")
    print(f"  {SESSIONS} together: " + ", ".join(f"{t:.1f}" for t in sorted(times)) + " s")
    back = (after - idle) / idle
    results = [
        Result(
            f"{SESSIONS} new sessions opening the Map of {name} together: slowest to usable",
            f"{slowest:.2f} s (median {median:.2f} s)",
            baseline=f"one session alone {alone:.2f} s",
            ratio=f"{slowest / alone:.1f}x slower",
            target=f"< {TARGET_S:g} s each",
            ok=slowest < TARGET_S,
        ),
        Result(
            "server memory (RSS): idle, peak with them open, 30 s after they close",
            f"{idle:,.0f} / {max(peak):,.0f} / {after:,.0f} MB ({back:+.0%} of idle)",
            target=f"after close within {MEMORY_SLACK:.0%} of idle",
            ok=abs(back) <= MEMORY_SLACK,
        ),
    ]
    return report(results, f"{SESSIONS} sessions at once", source="bench_sessions")


if __name__ == "__main__":
    sys.exit(main())
