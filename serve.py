"""The dashboard's server: ``streamlit run serve.py`` (``scripts/run.sh`` runs it).

It serves ``app.py`` and ``pages/`` exactly as ``streamlit run app.py`` would, but first fills the
caches (:func:`ui.warmup.warm`), so it only answers, its health check included, once the first
visitor can be served as fast as any later one. It gives each browser a random upload key in an
HttpOnly cookie (:mod:`ui.sessionkey`), under which its last mapped upload is kept for a reload.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from ui import sessionkey


@asynccontextmanager
async def _warm_first(app: st.App) -> AsyncIterator[None]:
    # Imported once the runtime has started (as it is for this hook): the loaders' cache
    # decorators look for the runtime when they are defined, and warn when there is none.
    from ui import warmup

    # In a worker thread: the event loop stays free while the data loads.
    seconds = await asyncio.to_thread(warmup.warm)
    if seconds is not None:
        print(f"assetmap: caches filled in {seconds:.1f} s", flush=True)
    yield


app = st.App("app.py", lifespan=_warm_first, middleware=[Middleware(sessionkey.UploadKeyCookie)])
