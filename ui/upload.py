"""The session's own uploaded asset register: this browser's, never another's.

An upload lives in ``st.session_state`` (memory of this session) and, unless the user says not
to, on the server's disk for :data:`assetmap.settings.UPLOAD_KEEP_MINUTES` under this browser's
random key (:mod:`ui.sessionkey`, an HttpOnly cookie; :mod:`assetmap.data.uploadstore`), so a reload
or a server restart within that time restores it. It is never in a cache shared with other
sessions except under the digest of its own content, so one user's register is never visible to
another session.
"""

from __future__ import annotations

import hashlib
import time

import pandas as pd
import streamlit as st

from assetmap import settings
from assetmap.data import uploadstore
from assetmap.data.assets import FAMILY_COMMUNITY
from assetmap.data.uploadstore import KeptUpload
from ui import sessionkey

#: Uploaded categories become asset types with this prefix, so they never clash with open layers.
PREFIX = "upload_"
_KEY = "session_upload"
_TRIED = "session_upload_restore_tried"
_RESTORED = "session_upload_restored"

#: A mapped upload (see :class:`assetmap.data.uploadstore.KeptUpload`).
SessionUpload = KeptUpload


def can_keep() -> bool:
    """Whether this browser has a key to keep an upload under (and keeping is switched on)."""
    return settings.UPLOAD_KEEP_MINUTES > 0 and sessionkey.current() is not None


def current() -> SessionUpload | None:
    """This session's upload, if any; the first call of a session restores a kept one."""
    found = st.session_state.get(_KEY)
    if isinstance(found, KeptUpload):
        return found
    if not st.session_state.get(_TRIED):
        st.session_state[_TRIED] = True
        key = sessionkey.current()
        kept = uploadstore.load(key) if key is not None and can_keep() else None
        if kept is not None:
            st.session_state[_KEY] = kept
            st.session_state[_RESTORED] = True
            return kept
    return None


def restored() -> bool:
    """Whether this session's upload was restored from disk (a reload or a server restart)."""
    return bool(st.session_state.get(_RESTORED)) and current() is not None


def keep(
    data: bytes,
    mapping_text: str,
    filename: str,
    assets: pd.DataFrame,
    categories: dict[str, str],
    report: pd.DataFrame,
    rows_read: int,
    family: str = FAMILY_COMMUNITY,
    data_lines: int | None = None,
    *,
    remember: bool = True,
) -> SessionUpload:
    """Store an ingest result as this session's upload (replacing any earlier one).

    ``mapping_text`` says how the file was read and mapped (it is part of the digest). With
    ``remember`` (and a key, :func:`can_keep`) it is kept on disk too; without, any copy kept
    earlier under this browser's key is deleted.
    """
    digest = hashlib.sha256(data + b"\0" + mapping_text.encode()).hexdigest()
    frame = assets.copy()
    frame["asset_type"] = PREFIX + frame["asset_type"].astype(str)
    labels = {PREFIX + slug: f"{label} (your upload)" for slug, label in categories.items()}
    for kind in frame["asset_type"].unique():
        labels.setdefault(kind, f"{kind.removeprefix(PREFIX)} (your upload)")
    lines = rows_read if data_lines is None else data_lines
    found = KeptUpload(
        digest, filename, frame, labels, report, rows_read, family, lines, time.time()
    )
    st.session_state[_KEY] = found
    st.session_state.pop(_RESTORED, None)
    key = sessionkey.current()
    if key is not None:
        try:
            if remember and can_keep():
                uploadstore.save(key, found)
            else:
                uploadstore.delete(key)
        except OSError as exc:  # a full or read-only disk: the upload still serves this session
            st.warning(
                "Your upload could not be kept on the server for a reload "
                f"({exc.strerror or type(exc).__name__}); it serves this session until the tab "
                "is closed."
            )
    return found


def clear() -> None:
    """Forget this session's upload, and the copy kept on disk under this browser's key."""
    st.session_state.pop(_KEY, None)
    st.session_state.pop(_RESTORED, None)
    key = sessionkey.current()
    if key is not None:
        uploadstore.delete(key)


def privacy_note() -> str:
    """What happens to an upload, as the Upload page tells it (plain text)."""
    if can_keep():
        return (
            "Your upload is for this browser only: other users never see it. The mapped rows are "
            f"kept on this server for {settings.UPLOAD_KEEP_MINUTES} minutes under a random key "
            "that only this browser holds (a cookie), so a reload or a server restart restores "
            "them; untick the box below not to keep them, and Remove my upload deletes them at "
            "once. Download the mapped file to keep it longer."
        )
    return (
        "Your upload stays in this browser session only: other users never see it and nothing "
        "is written to the server's disk. Closing the tab forgets it; download the mapped file "
        "to keep it."
    )


def restored_note(found: SessionUpload) -> str:
    """Plain text saying a kept upload was restored and until when it is kept."""
    ends = found.kept_at + settings.UPLOAD_KEEP_MINUTES * 60
    until = time.strftime("%H:%M", time.localtime(ends))
    return f"Restored from this server after a reload; kept until {until} (server time)."


def labels() -> dict[str, str]:
    """Labels of this session's uploaded asset types."""
    found = current()
    return dict(found.labels) if found else {}


def families() -> dict[str, str]:
    """Family of each of this session's uploaded asset types."""
    found = current()
    return dict.fromkeys(found.labels, found.family) if found else {}
