"""The session's own uploaded asset register: kept in this browser session only.

An upload lives in ``st.session_state`` (memory of this session), never on the server's disk and
never in a cache shared with other sessions except under the digest of its own content, so one
user's register is never visible to another session.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from assetmap.assets import FAMILY_COMMUNITY

#: Uploaded categories become asset types with this prefix, so they never clash with open layers.
PREFIX = "upload_"
_KEY = "session_upload"


@dataclass(frozen=True)
class SessionUpload:
    """A mapped upload.

    Attributes
    ----------
    digest
        SHA-256 of the file and of how it was read and mapped: the cache key of anything derived.
    filename
        Name as the user's browser gave it (shown, never used as a path).
    assets
        Mapped rows (:data:`assetmap.assets.ASSET_COLUMNS`), ``asset_type`` prefixed.
    labels
        Asset type -> label for the uploaded categories (the type as the file spells it).
    report
        Lines not mapped, with reasons.
    rows_read
        Rows in the file as read (a row whose values hold line breaks counts once).
    family
        Family of every uploaded type (community organisations unless the user chose another).
    data_lines
        Data lines in the file: mapped + reported.
    """

    digest: str
    filename: str
    assets: pd.DataFrame
    labels: dict[str, str]
    report: pd.DataFrame
    rows_read: int
    family: str = FAMILY_COMMUNITY
    data_lines: int = 0


def current() -> SessionUpload | None:
    """This session's upload, if any."""
    found = st.session_state.get(_KEY)
    return found if isinstance(found, SessionUpload) else None


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
) -> SessionUpload:
    """Store an ingest result as this session's upload (replacing any earlier one).

    ``mapping_text`` says how the file was read and mapped (it is part of the digest).
    """
    digest = hashlib.sha256(data + b"\0" + mapping_text.encode()).hexdigest()
    frame = assets.copy()
    frame["asset_type"] = PREFIX + frame["asset_type"].astype(str)
    labels = {PREFIX + slug: f"{label} (your upload)" for slug, label in categories.items()}
    for kind in frame["asset_type"].unique():
        labels.setdefault(kind, f"{kind.removeprefix(PREFIX)} (your upload)")
    lines = rows_read if data_lines is None else data_lines
    found = SessionUpload(digest, filename, frame, labels, report, rows_read, family, lines)
    st.session_state[_KEY] = found
    return found


def clear() -> None:
    """Forget this session's upload."""
    st.session_state.pop(_KEY, None)


def labels() -> dict[str, str]:
    """Labels of this session's uploaded asset types."""
    found = current()
    return dict(found.labels) if found else {}


def families() -> dict[str, str]:
    """Family of each of this session's uploaded asset types."""
    found = current()
    return dict.fromkeys(found.labels, found.family) if found else {}
