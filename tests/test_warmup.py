"""The server's warm-up (``serve.py`` -> ``ui.warmup.warm``) fills what a new session asks for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from assetmap import areas, metrics, store
from assetmap.assets import ASSET_SOURCES
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
    assert computed == [(tuple(ASSET_SOURCES), "imd")]
    # The Home page's own call, for the selection a session without a link starts with: served
    # from the cache the warm-up filled, so computed no second time.
    selection = areafilter.default_selection()
    assert selection == areafilter.Selection(areas.ENGLAND, tuple(ASSET_SOURCES), "imd")
    national = data.selection_metrics(selection)
    assert len(computed) == 1
    assert len(national) == len(store.load_lsoas(columns=["lsoa21cd"])) == 33_755


@pytest.mark.usefixtures("empty_caches")
def test_the_warm_up_leaves_an_unbuilt_project_to_the_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_built() -> dict[str, object]:
        raise store.NotBuiltError("no manifest")

    monkeypatch.setattr(store, "load_manifest", not_built)
    assert warmup.warm() is None
