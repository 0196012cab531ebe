"""Cached loaders: every page reads the built data through these, keyed by plain values.

A built file that fails to read when a loader first reads it (a changed byte, a file deleted
since the session's data check) stops the page with one ``st.error`` naming the file and the
command that rebuilds it (:func:`shown_on_the_page`), instead of Streamlit's exception box.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from assetmap.data import datacheck, store
from assetmap.geography import areas
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import metrics
from assetmap.presentation.text import markdown_text
from ui import upload

if TYPE_CHECKING:
    import libpysal.graph as lpgraph

    from assetmap.measures.analysis import Neighbourhoods
    from ui.areafilter import Selection

_P = ParamSpec("_P")
_R = TypeVar("_R")


def shown_on_the_page(load: Callable[_P, _R]) -> Callable[_P, _R]:
    """A loader that, in a page, shows a damaged or missing built file as one ``st.error`` and
    stops the page; outside a session (the server's warm-up) the error is raised, to be logged.

    It goes outside the cache decorator: the cached function keeps its own signature and keys,
    and a failed load caches nothing.
    """

    @functools.wraps(load)
    def loader(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return load(*args, **kwargs)
        except (datacheck.DataCheckError, store.NotBuiltError) as exc:
            if get_script_run_ctx(suppress_warning=True) is None:
                raise
            st.error(markdown_text(exc))
            st.stop()

    return loader


@shown_on_the_page
@st.cache_data(show_spinner="Loading LSOAs…")
def lsoa_table() -> pd.DataFrame:
    """The LSOA table without geometry."""
    return store.load_lsoas()


@shown_on_the_page
@st.cache_data(show_spinner="Counting assets…")
def asset_counts() -> pd.DataFrame:
    """Assets of each open layer per LSOA."""
    return metrics.count_assets(store.load_assets(), lsoa_table()["lsoa21cd"])


# The cached metrics take every argument, with no defaults: Streamlit keys a call by the
# arguments as passed, so f(types, need) and f(types, need, "", None) would be two entries, each
# computed and each held in memory (as the Home and Map pages once did).
@shown_on_the_page
@st.cache_data(show_spinner="Computing metrics…", max_entries=64)
def lsoa_metrics(
    types: tuple[str, ...],
    need: str,
    upload_digest: str,
    _upload_assets: pd.DataFrame | None,
) -> pd.DataFrame:
    """National per-LSOA metrics for a choice of asset types (cached per choice).

    An uploaded register is keyed by ``upload_digest`` (the hash of its own content), so its
    counts are only ever served to a session holding that same upload; with none, ``""`` and
    ``None``.
    """
    counts = asset_counts()
    if _upload_assets is not None and len(_upload_assets):
        extra = metrics.count_assets(_upload_assets, lsoa_table()["lsoa21cd"])
        counts = counts.join(extra[[c for c in extra.columns if c not in counts.columns]])
    return metrics.lsoa_metrics(lsoa_table(), counts, types=list(types), need=need)


@shown_on_the_page
@st.cache_data
def area_catalogue() -> pd.DataFrame:
    """Every addressable area."""
    return areas.catalogue(lsoa_table())


@shown_on_the_page
@st.cache_data
def manifest() -> dict[str, object]:
    """The build manifest (vintages, counts, build time)."""
    return store.load_manifest()


@shown_on_the_page
@st.cache_resource(show_spinner="Loading boundaries…")
def lsoa_shapes() -> gpd.GeoDataFrame:
    """LSOA polygons (EPSG:4326), code and geometry only; shared, never modified."""
    return store.load_lsoas(geometry=True, columns=["lsoa21cd"])


@shown_on_the_page
@st.cache_resource(show_spinner="Loading boundaries…")
def layer(level: str) -> gpd.GeoDataFrame:
    """Area polygons and summaries of one level; shared, never modified."""
    return store.load_layer(level)


@shown_on_the_page
@st.cache_resource(show_spinner="Loading assets…")
def asset_points() -> gpd.GeoDataFrame:
    """Every located asset as points (EPSG:4326); shared, never modified."""
    return store.load_assets(geometry=True)


@shown_on_the_page
@st.cache_resource(show_spinner="Loading residence points…")
def residence() -> pd.DataFrame:
    """Each LSOA's residence point (mean location of its postcodes); shared, never modified."""
    return store.load_residence()


@shown_on_the_page
@st.cache_resource(show_spinner="Loading LSOA neighbours…")
def contiguity() -> lpgraph.Graph:
    """Queen contiguity between England's LSOAs (a libpysal graph); shared, never modified."""
    return store.load_contiguity()


@shown_on_the_page
@st.cache_data(
    show_spinner="Computing walking access, hot spots and change since 2019 for England "
    "(a few seconds, once for each choice of assets)…",
    max_entries=16,
)
def neighbourhood_metrics(
    types: tuple[str, ...],
    need: str,
    upload_digest: str,
    _upload_assets: pd.DataFrame | None,
) -> Neighbourhoods:
    """:func:`lsoa_metrics` plus access, clusters, change and the bivariate class (England),
    with the walking distances and the cluster test used
    (:class:`assetmap.measures.analysis.Neighbourhoods`)."""
    # libpysal and esda take over a second to import: only pages that show these pay for it.
    from assetmap.measures import analysis

    national = lsoa_metrics(types, need, upload_digest, _upload_assets)
    points = store.load_assets()
    if _upload_assets is not None and len(_upload_assets):
        points = pd.concat([points, _upload_assets], ignore_index=True)
    return analysis.neighbourhood_metrics(
        national, residence(), points, contiguity(), types=types, need=need
    )


#: The upload arguments of the cached metrics and maps for a session with no upload.
NO_UPLOAD: tuple[str, None] = ("", None)


def upload_key() -> tuple[str, pd.DataFrame | None]:
    """This session's upload as the cached metrics take it: its digest and its assets, or
    :data:`NO_UPLOAD`."""
    found = upload.current()
    return NO_UPLOAD if found is None else (found.digest, found.assets)


def selection_metrics(selection: Selection) -> pd.DataFrame:
    """National LSOA metrics for the selection's asset types and need measure."""
    return lsoa_metrics(selection.types, selection.need, *upload_key())


def selection_neighbourhood_metrics(selection: Selection) -> Neighbourhoods:
    """National neighbourhood metrics (access, clusters, change) for the selection's choices."""
    return neighbourhood_metrics(selection.types, selection.need, *upload_key())


def area_rows(selection: Selection) -> pd.DataFrame:
    """The selected area's LSOA metrics."""
    return areas.select(selection_metrics(selection), selection.area)


@shown_on_the_page
@st.cache_resource(show_spinner="Loading the ONS Postcode Directory…")
def postcode_directory() -> PostcodeDirectory:
    """The postcode directory (loaded only when a page geocodes: about 2 s, a few hundred MB)."""
    return PostcodeDirectory.load()


@shown_on_the_page
@st.cache_resource(show_spinner="Loading the LSOA index…")
def lsoa_locator() -> LsoaLocator:
    """The point-in-LSOA locator (loaded only when a page places points)."""
    return LsoaLocator.load()
