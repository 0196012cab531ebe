"""The browser's upload key: a random value in an HttpOnly cookie, set by the server.

:class:`UploadKeyCookie` is ASGI middleware (``serve.py`` installs it): on a page (HTML) response
to a browser that has no valid key it adds ``Set-Cookie`` with a fresh one. The cookie is
``HttpOnly`` (no script on the page can read it), ``SameSite=Strict`` (no other site's link sends
it) and lives until the browser is closed; over HTTPS it is ``Secure`` too. Streamlit then reads
it from the session's websocket request (:func:`current`), and :mod:`ui.upload` keeps the last
mapped upload under it (:mod:`assetmap.data.uploadstore`), so a reload or a server restart within
the age limit finds it again, and nothing in the URL ever names it.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import streamlit as st
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assetmap.data import uploadstore

#: Name of the cookie.
COOKIE = "assetmap_upload_key"


def _request_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header: treated as no key
                return None
            morsel = jar.get(COOKIE)
            if morsel is not None and uploadstore.is_key(morsel.value):
                return morsel.value
    return None


def set_cookie_header(key: str, secure: bool) -> bytes:
    """The ``Set-Cookie`` value that gives a browser ``key``."""
    parts = [f"{COOKIE}={key}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


class UploadKeyCookie:
    """ASGI middleware: give every browser without one a fresh upload key on its page response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _request_key(scope) is not None:
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                is_page = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                if is_page:
                    key = uploadstore.new_key()
                    headers.append((b"set-cookie", set_cookie_header(key, secure)))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def current() -> str | None:
    """This browser's upload key, or ``None`` (no cookie, a malformed one, or not served by
    ``serve.py``, as under ``AppTest``)."""
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no request context (a bare script run)
        return None
    return value if uploadstore.is_key(value) else None
