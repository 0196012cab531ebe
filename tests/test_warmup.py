"""The server's warm-up (``serve.py`` -> ``ui.warmup.warm``) fills what a new session asks for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.data import store
from assetmap.data.assets import FAMILY_COMMUNITY, family_types
from assetmap.geography import areas
from assetmap.measures import metrics
from ui import areafilter, data, warmup


@pytest.fixture
def empty_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.usefixtures("empty_caches")
def test_a_new_sessions_metrics_are_computed_by_the_warm_up_not_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    computed: list[tuple[tuple[str, ...], str]] = []
    real = metrics.lsoa_metrics

    def counting(*args: Any, **kwargs: Any) -> pd.DataFrame:
        computed.append((tuple(kwargs["types"]), kwargs["need"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(metrics, "lsoa_metrics", counting)
    seconds = warmup.warm()
    assert seconds is not None
    assert seconds > 0
    community = family_types(FAMILY_COMMUNITY)
    assert computed == [(community, "imd")]
    # The Home page's own call, for the selection a session without a link starts with: served
    # from the cache the warm-up filled, so computed no second time.
    selection = areafilter.default_selection()
    assert selection == areafilter.Selection(areas.ENGLAND, community, "imd")
    national = data.selection_metrics(selection)
    assert len(computed) == 1
    assert len(national) == len(store.load_lsoas(columns=["lsoa21cd"])) == 33_755


@pytest.mark.usefixtures("empty_caches")
def test_every_page_a_new_session_opens_finds_the_national_metrics_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Home, then the Map of England and of an ICB: after the warm-up none computes the national
    metrics again (a call spelled with fewer arguments is another cache entry, computed and held
    a second time)."""
    warmup.warm()
    computed: list[tuple[str, ...]] = []
    real = metrics.lsoa_metrics

    def counting(*args: Any, **kwargs: Any) -> pd.DataFrame:
        computed.append(tuple(kwargs["types"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(metrics, "lsoa_metrics", counting)
    for params in ({}, {"area": "icb:E54000008"}):
        at = AppTest.from_file(str(settings.PROJECT_ROOT / "app.py"), default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        at.switch_page("pages/1_Map.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value.startswith("Map: ")
    assert computed == []


@pytest.mark.usefixtures("empty_caches")
def test_the_warm_up_leaves_an_unbuilt_project_to_the_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_built() -> dict[str, object]:
        raise store.NotBuiltError("no manifest")

    monkeypatch.setattr(store, "load_manifest", not_built)
    assert warmup.warm() is None
