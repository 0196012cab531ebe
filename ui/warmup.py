"""Fill the caches before the first visitor arrives.

``serve.py`` runs :func:`warm` while the server starts, before it answers its first request. A
server started by ``streamlit run app.py`` imports the pages' libraries, reads the built data and
computes the national metrics during its first visitor's first page: about a second and a half on
top of the page itself. Started by ``streamlit run serve.py``, the first visitor finds all of that
done, as every later visitor does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from assetmap.data import datacheck, store
from ui import areafilter, data
from ui.mapview import OVERVIEW_LEVELS

log = logging.getLogger(__name__)

#: Streamlit warns on each cached call made outside a session's script run; a warm-up is made of
#: nothing else, so those warnings say nothing here.
_NO_SESSION_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


@contextmanager
def _outside_a_session() -> Iterator[None]:
    logger = logging.getLogger(_NO_SESSION_LOGGER)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def warm() -> float | None:
    """Import what the pages import and fill the loaders a new session calls first.

    That is: the Home page's chart library, the area catalogue, the national metrics of
    :func:`ui.areafilter.default_selection` (called as :func:`ui.data.selection_metrics` calls
    it with no upload, so the page's call is a cache hit), and the shapes and points the Map
    page draws.

    First the data folder is checked against its build's manifest
    (:func:`assetmap.data.datacheck.check`: sizes and row counts, a few milliseconds).

    Returns
    -------
    float or None
        Seconds taken; ``None`` when the data is not built, or does not match its manifest, or
        a file of it cannot be read (logged with the file and the command that rebuilds it;
        the pages then say so).
    """
    start = time.perf_counter()
    with _outside_a_session():
        try:
            datacheck.check()
            data.manifest()
        except store.NotBuiltError:
            log.warning("assetmap: the data is not built, so there is nothing to warm")
            return None
        except datacheck.DataCheckError as exc:
            log.error("assetmap: nothing warmed: %s", exc)
            return None
        import altair  # noqa: F401  # the Home page's chart: a fifth of a second to import

        try:
            selection = areafilter.default_selection()
            data.area_catalogue()
            data.lsoa_metrics(data.Counting(selection.types, selection.need))
            data.lsoa_shapes()
            for level in OVERVIEW_LEVELS:
                data.layer(level)
            data.asset_points()
        except datacheck.DataCheckError as exc:  # a file that fails to read (a changed byte)
            log.error("assetmap: warm-up stopped: %s", exc)
            return None
    return time.perf_counter() - start
