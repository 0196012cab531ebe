"""Helpers for the browser tests: Streamlit servers, the offline network log, waits, screenshots
and accessibility checks. The fixtures that use them are in ``conftest.py``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from assetmap import settings
from assetmap.presentation import offline

if TYPE_CHECKING:
    from playwright.sync_api import Frame, FrameLocator, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No name but localhost resolves, so even a request that slipped past the recording could
    # not reach the internet: the browser is as offline as a machine with no connection.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
SCREENSHOTS = settings.PROJECT_ROOT / "docs" / "screenshots"
#: What ``scripts/run.sh`` runs: the pages (``app.py``, ``pages/``) behind a warm-up.
APP = settings.PROJECT_ROOT / "serve.py"
PROBE = Path(__file__).with_name("probe_map.py")
FOLIUM_IFRAME = "iframe[title='streamlit_folium.st_folium']"
SERVER_START_S = 90.0
#: Playwright timeout (ms): a script run on the real data takes a few seconds, more when cold.
TIMEOUT_MS = 90_000


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (or inside the page: data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def require_browser_tools() -> None:
    """Fail (never skip) saying what to do when the browser tests cannot run here."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"{CHROMIUM} is missing (Debian package chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright pip package is missing (requirements.txt)")
    missing = offline.missing_files()
    if missing:
        problems.append(f"static/vendor is incomplete: {', '.join(missing)}")
    if problems:
        pytest.fail(
            f"browser tests cannot run: {'; '.join(problems)}. Run `bash scripts/setup.sh`.",
            pytrace=False,
        )


@dataclass
class StreamlitServer:
    """A ``streamlit run`` subprocess serving one script on a free local port."""

    script: Path
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    #: Folder of kept uploads (``ASSETMAP_UPLOAD_DIR``): beside the log unless given, so a test
    #: run never reads or leaves uploads in the machine's temp folder.
    upload_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    def start(self) -> None:
        """Start the server and wait until ``/_stcore/health`` answers."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        command = [
            sys.executable, "-m", "streamlit", "run", str(self.script),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.enableStaticServing", "true",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        if self.upload_dir is None:
            self.upload_dir = self.log.parent / "uploads"
        env = {**os.environ, "ASSETMAP_UPLOAD_DIR": str(self.upload_dir)}
        with self.log.open("ab") as log:
            # From the project root, so .streamlit/config.toml applies as it does for users.
            self.process = subprocess.Popen(
                command, cwd=settings.PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        health = f"http://127.0.0.1:{self.port}/_stcore/health"
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(health, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.fail(f"did not answer {health} within {SERVER_START_S:.0f} s")

    def fail(self, why: str) -> None:
        self.stop()
        tail = self.log.read_text(errors="replace")[-3000:]
        pytest.fail(f"streamlit run {self.script.name} {why}; its log:\n{tail}", pytrace=False)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


@dataclass
class NetworkLog:
    """What a page asked for: every request, and those to other hosts (all aborted)."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_local(self) -> None:
        """Fail when the page tried to reach any host other than this machine."""
        assert not self.blocked, f"{len(self.blocked)} request(s) left this machine:\n" + (
            "\n".join(self.blocked[:20])
        )


def wait_for_app(page: Page, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and has finished running the script."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms
    )
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )


def wait_for_map(page: Page, timeout_ms: float = TIMEOUT_MS) -> FrameLocator:
    """Wait for the st_folium map to draw; returns a locator inside its iframe.

    Drawn means a Leaflet container with at least one vector shape: an SVG ``path``, or for a
    map drawn with ``prefer_canvas=True`` a ``canvas`` in the overlay pane (it has no paths;
    count its shapes with :func:`count_features`).
    """
    page.wait_for_selector(FOLIUM_IFRAME, timeout=timeout_ms)
    # While a rerun swaps the map, the old iframe and the new one stand side by side for a
    # moment: wait until only one is left, so every locator below means that one.
    page.wait_for_function(
        f"document.querySelectorAll({json.dumps(FOLIUM_IFRAME)}).length === 1",
        timeout=timeout_ms,
    )
    frame = page.frame_locator(FOLIUM_IFRAME)
    frame.locator(".leaflet-container").wait_for(timeout=timeout_ms)
    shapes = frame.locator("path.leaflet-interactive, .leaflet-overlay-pane canvas")
    shapes.first.wait_for(timeout=timeout_ms)
    return frame


def map_frame(page: Page) -> Frame:
    """The st_folium iframe as a Playwright ``Frame``, for running JavaScript in it."""
    handle = page.wait_for_selector(FOLIUM_IFRAME)
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None, "the st_folium iframe has no document"
    return frame


#: The number of GeoJSON features on the window's Leaflet map (streamlit-folium's ``window.map``
#: or a folium page's ``map_<id>``): Leaflet makes one layer per feature, drawn as SVG or on a
#: canvas alike. -1 when there is no map.
COUNT_FEATURES_JS = """
() => {
  if (typeof L === "undefined") return -1;
  let map = window.map instanceof L.Map ? window.map : null;
  if (!map) {
    const key = Object.keys(window).find((k) => k.startsWith("map_") && window[k] instanceof L.Map);
    map = key ? window[key] : null;
  }
  if (!map) return -1;
  let n = 0;
  map.eachLayer((layer) => {
    if (layer.feature && !(layer instanceof L.LayerGroup)) n += 1;
  });
  return n;
}
"""


def count_features(target: Page | Frame) -> int:
    """How many GeoJSON features the map in a page or frame holds (-1: no Leaflet map)."""
    return int(target.evaluate(COUNT_FEATURES_JS))


def wait_for_features(target: Page | Frame, expected: int, timeout_ms: float = TIMEOUT_MS) -> int:
    """Wait until the map holds at least ``expected`` features; returns the last count."""
    deadline = time.monotonic() + timeout_ms / 1000
    count = count_features(target)
    # Wait inside Playwright, not with time.sleep: routed requests are only served while a
    # Playwright call is running, so a plain sleep would stall the page being waited for.
    while count < expected and time.monotonic() < deadline:
        target.wait_for_timeout(250)
        count = count_features(target)
    return count


def screenshot(page: Page, name: str) -> Path:
    """Save the visible page as ``docs/screenshots/<name>.png`` (shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def axe_violations(
    page: Page, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core (read from static/vendor) over the page and its iframes.

    Returns
    -------
    list of dict
        The violations of the given impacts: rule ``id``, ``impact``, ``help`` and the CSS
        targets of (up to ten of) the offending elements.
    """
    source = (offline.vendor_dir() / offline.AXE_JS).read_text()
    for frame in page.frames:
        # axe looks inside an iframe only when it is loaded there too.
        if frame.url.startswith("http") and not frame.is_detached():
            frame.add_script_tag(content=source)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations'], iframes: true}))"
        ".violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:10],
        }
        for v in found
        if v["impact"] in impacts
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as readable text for an assertion message."""
    return json.dumps(violations, indent=1)
