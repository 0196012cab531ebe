"""The home page (app.py, served by serve.py) in chromium: it loads offline and passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.harness import (
    NetworkLog,
    StreamlitServer,
    axe_violations,
    describe,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def test_home_loads_offline_and_passes_axe(
    app_server: StreamlitServer, page: Page, network: NetworkLog
) -> None:
    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_role("heading", level=1).wait_for()
    page.locator("[data-testid='stDataFrame']").wait_for()
    chart = page.locator(
        "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
    )
    chart.first.wait_for()
    screenshot(page, "home")
    network.assert_local()
    violations = axe_violations(page)
    assert not violations, f"serious or critical accessibility problems:\n{describe(violations)}"


def test_the_server_fills_its_caches_before_it_answers(app_server: StreamlitServer) -> None:
    # The harness waits for the health check, which serve.py answers only after warming up.
    assert "assetmap: caches filled in" in app_server.log.read_text()
