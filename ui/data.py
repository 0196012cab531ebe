"""Cached loaders: every page reads the built data through these, keyed by plain values.

A built file that fails to read when a loader first reads it (a changed byte, a file deleted
since the session's data check) stops the page with one ``st.error`` naming the file and the
command that rebuilds it (:func:`shown_on_the_page`), instead of Streamlit's exception box.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from assetmap.data import datacheck, store
from assetmap.data.assets import to_geodataframe
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
    from ui.upload import SessionUpload

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


@dataclass(frozen=True)
class Counting:
    """What the figures count: the one key of every cached table and map that depends on it.

    Built once per page from the sidebar's choice and the session's upload (:func:`counting`),
    and passed whole to the cached loaders, so every cache is keyed the same way. Streamlit
    hashes a dataclass by its fields; an upload enters by its digest (the hash of its own
    content), so its counts are only ever served to a session holding that same upload.
    """

    #: Asset types counted, in the sidebar's order (the upload's own types included).
    types: tuple[str, ...]
    #: Need measure of the gap score: a key of :data:`assetmap.measures.metrics.NEED_MEASURES`.
    need: str
    #: The session's upload (:attr:`ui.upload.SessionUpload.digest`), or ``""`` for none.
    upload_digest: str = ""


def counting(selection: Selection) -> Counting:
    """What the selection counts, with this session's upload."""
    found = upload.current()
    return Counting(selection.types, selection.need, found.digest if found else "")


def counted_upload(key: Counting) -> SessionUpload | None:
    """The session's upload that ``key`` names, or ``None`` when it names none.

    Raises ``LookupError`` when the session no longer holds that upload (it was removed or
    replaced after ``key`` was made), rather than count the wrong register.
    """
    if not key.upload_digest:
        return None
    found = upload.current()
    if found is None or found.digest != key.upload_digest:
        raise LookupError("the upload these figures count is no longer this session's")
    return found


def counted_points(key: Counting, found: SessionUpload | None, *, geometry: bool) -> pd.DataFrame:
    """The assets ``key`` counts: the open layers' points of its types plus the upload's.

    The one place an upload is merged into the points; ``found`` is
    :func:`counted_upload` of ``key``. ``geometry=True`` gives a GeoDataFrame in EPSG:4326 (for
    the map), else the stored table (BNG easting/northing).
    """
    points = asset_points() if geometry else store.load_assets()
    if found is not None and len(found.assets):
        extra = to_geodataframe(found.assets) if geometry else found.assets
        points = pd.concat([points, extra], ignore_index=True)
    return points[points["asset_type"].isin(key.types)]


@shown_on_the_page
@st.cache_data(show_spinner="Computing metrics…", max_entries=64)
def _lsoa_metrics(key: Counting, _upload: SessionUpload | None) -> pd.DataFrame:
    counts = asset_counts()
    if _upload is not None and len(_upload.assets):
        extra = metrics.count_assets(_upload.assets, lsoa_table()["lsoa21cd"])
        counts = counts.join(extra[[c for c in extra.columns if c not in counts.columns]])
    return metrics.lsoa_metrics(lsoa_table(), counts, types=list(key.types), need=key.need)


def lsoa_metrics(key: Counting) -> pd.DataFrame:
    """National per-LSOA metrics for what ``key`` counts (cached per key)."""
    return _lsoa_metrics(key, counted_upload(key))


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
def _neighbourhood_metrics(key: Counting, _upload: SessionUpload | None) -> Neighbourhoods:
    # libpysal and esda take over a second to import: only pages that show these pay for it.
    from assetmap.measures import analysis

    return analysis.neighbourhood_metrics(
        _lsoa_metrics(key, _upload),
        residence(),
        counted_points(key, _upload, geometry=False),
        contiguity(),
        types=key.types,
        need=key.need,
    )


def neighbourhood_metrics(key: Counting) -> Neighbourhoods:
    """:func:`lsoa_metrics` plus access, clusters, change and the bivariate class (England),
    with the walking distances and the cluster test used
    (:class:`assetmap.measures.analysis.Neighbourhoods`); cached per key."""
    return _neighbourhood_metrics(key, counted_upload(key))


def selection_metrics(selection: Selection) -> pd.DataFrame:
    """National LSOA metrics for the selection's asset types and need measure."""
    return lsoa_metrics(counting(selection))


def selection_neighbourhood_metrics(selection: Selection) -> Neighbourhoods:
    """National neighbourhood metrics (access, clusters, change) for the selection's choices."""
    return neighbourhood_metrics(counting(selection))


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
