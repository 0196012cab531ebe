"""Browser tests: the dashboard in Debian's chromium, driven by Playwright, with no internet.

One Streamlit server per script and one headless chromium per session (each started on first
use); every test gets a fresh browser context in which each request to a host other than this
machine is aborted and recorded, and a test that caused one fails even if it did not check
(unless it said it expected that request: ``expected_remote``, for the background map's tiles).

Needs ``/usr/bin/chromium`` (Debian package ``chromium``), the ``playwright`` pip package (its
own browsers are never installed) and ``static/vendor`` (``scripts/fetch_static.py``);
``bash scripts/setup.sh`` sets up all three. When one is missing every test here fails and says
what to do; nothing is skipped.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from assetmap import settings
from tests.e2e.harness import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    PROBE,
    TIMEOUT_MS,
    NetworkLog,
    StreamlitServer,
    is_local,
    require_browser_tools,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route, WebSocketRoute


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The dashboard, started as users start it (``streamlit run serve.py``)."""
    require_browser_tools()
    server = StreamlitServer(APP, tmp_path_factory.mktemp("streamlit") / "app.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def probe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The map probe page (``probe_map.py``).

    Streamlit serves ``static/`` from the folder of the script it runs, so the probe runs from
    a temporary folder holding a copy of it and a link to the project's ``static/``.
    """
    require_browser_tools()
    folder = tmp_path_factory.mktemp("probe")
    (folder / "static").symlink_to(settings.PROJECT_ROOT / "static", target_is_directory=True)
    script = folder / PROBE.name
    shutil.copyfile(PROBE, script)
    server = StreamlitServer(script, folder / "probe.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium; Playwright starts it with a new, empty profile folder."""
    require_browser_tools()
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as exc:
            pytest.fail(f"{CHROMIUM} did not start under Playwright: {exc}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def network() -> NetworkLog:
    """The requests of the test's page (see the ``page`` fixture)."""
    return NetworkLog()


@pytest.fixture
def expected_remote() -> list[re.Pattern[str]]:
    """Requests the test expects to leave this machine, as patterns of ``"METHOD URL"``.

    Empty unless the test adds to it (the background map's tiles, once it turned the map on):
    such requests are still aborted and recorded in ``network.blocked``, but the ``page``
    fixture's final check lets those that match a pattern (all of the string) through.
    """
    return []


@pytest.fixture
def page(
    browser: Browser,
    network: NetworkLog,
    expected_remote: list[re.Pattern[str]],
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A page in a fresh context that aborts and records every request leaving this machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            network.blocked.append(f"{route.request.method} {route.request.url}")
            route.abort("internetdisconnected")

    def web_socket(ws: WebSocketRoute) -> None:
        network.blocked.append(f"WEBSOCKET {ws.url}")
        ws.close()

    context.route("**/*", route)
    context.route_web_socket(lambda url: not is_local(url), web_socket)
    context.on("request", lambda req: network.requests.append(req.url))
    context.on(
        "console",
        lambda msg: network.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
    # The check every test gets, whether or not it called network.assert_local() itself (a
    # test that already failed keeps its own failure).
    call = getattr(request.node, "rep_call", None)
    unexpected = [
        blocked
        for blocked in network.blocked
        if not any(pattern.fullmatch(blocked) for pattern in expected_remote)
    ]
    if unexpected and not (call is not None and call.failed):
        pytest.fail(
            f"{request.node.name} let {len(unexpected)} request(s) leave this machine:\n"
            + "\n".join(unexpected[:20]),
            pytrace=False,
        )


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """Uncaught JavaScript errors in the page and its frames (the map's iframe included)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keeps each phase's report on the test, so the page fixture knows if the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
