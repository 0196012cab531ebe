"""Keep a browser session's last mapped upload on the server's disk for a short time.

A reload of the page, or a server restart, starts a new Streamlit session with an empty memory.
So that the upload a user has just mapped survives that, the dashboard keeps it here under a
random key that only that user's browser holds (in a cookie), for at most
:data:`settings.UPLOAD_KEEP_MINUTES`, and deletes the oldest kept uploads once together they pass
:data:`settings.UPLOAD_KEEP_MAX_MB`. Nothing here is shared: a key is 256 random bits, and a key
that is not of that form is refused before any path is built from it.

Each kept upload is a folder named by its key, holding ``assets.parquet``, ``report.parquet`` and
``meta.json`` (file name, labels, family, row and line counts, the time it was kept). Data is
written as Parquet and JSON, never pickled, so reading a kept upload cannot run code.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from assetmap import settings
from assetmap.data.assets import FAMILY_COMMUNITY

#: Keys are :func:`secrets.token_urlsafe` of 32 bytes: 43 characters of the URL-safe alphabet.
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
_META = "meta.json"
_ASSETS = "assets.parquet"
_REPORT = "report.parquet"
_FORMAT = 1


@dataclass(frozen=True)
class KeptUpload:
    """A mapped upload as kept on disk.

    Attributes
    ----------
    digest
        SHA-256 of the file and of how it was read and mapped.
    filename
        Name as the user's browser gave it (shown, never used as a path).
    assets
        Mapped rows, ``asset_type`` prefixed as the dashboard counts them.
    labels
        Asset type -> label of each uploaded type.
    report
        Lines not mapped, with reasons.
    rows_read
        Rows in the file as read.
    family
        Family of every uploaded type.
    data_lines
        Data lines in the file: mapped + reported.
    kept_at
        Seconds since the epoch when it was kept.
    """

    digest: str
    filename: str
    assets: pd.DataFrame
    labels: dict[str, str]
    report: pd.DataFrame
    rows_read: int
    family: str = FAMILY_COMMUNITY
    data_lines: int = 0
    kept_at: float = 0.0


def new_key() -> str:
    """A fresh random key (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def is_key(value: object) -> bool:
    """Whether ``value`` has the form of a key from :func:`new_key` (and so is safe as a path)."""
    return isinstance(value, str) and _KEY_PATTERN.fullmatch(value) is not None


def store_dir() -> Path:
    """Folder of kept uploads: ``ASSETMAP_UPLOAD_DIR``, else one per user in the temp folder.

    Read at call time, so a test or a deployment can point it elsewhere.
    """
    configured = os.environ.get("ASSETMAP_UPLOAD_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"assetmap-uploads-{os.getuid()}"


def _root(root: Path | None) -> Path:
    found = store_dir() if root is None else root
    found.mkdir(mode=0o700, parents=True, exist_ok=True)
    return found


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def _kept_at(folder: Path) -> float | None:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        return float(meta["kept_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prune(
    root: Path | None = None,
    now: float | None = None,
    max_age_s: float | None = None,
    max_bytes: int | None = None,
    spare: str | None = None,
) -> list[str]:
    """Delete kept uploads older than the age limit, then the oldest until under the size cap.

    Parameters
    ----------
    root
        Folder of kept uploads (default :func:`store_dir`).
    now
        The time to judge age by (default: now).
    max_age_s, max_bytes
        Limits (default :data:`settings.UPLOAD_KEEP_MINUTES` and
        :data:`settings.UPLOAD_KEEP_MAX_MB`, read at call time).
    spare
        A key never deleted for the size cap (the upload just saved).

    Returns
    -------
    list of str
        Keys deleted. A folder that is not a kept upload (no readable ``meta.json``) is deleted too.
    """
    folder = _root(root)
    now = time.time() if now is None else now
    age = settings.UPLOAD_KEEP_MINUTES * 60 if max_age_s is None else max_age_s
    cap = settings.UPLOAD_KEEP_MAX_MB * 1_048_576 if max_bytes is None else max_bytes
    deleted = []
    alive: list[tuple[float, Path, int]] = []
    for entry in folder.iterdir():
        if not entry.is_dir() or not is_key(entry.name):
            continue
        kept_at = _kept_at(entry)
        if kept_at is None or now - kept_at > age:
            shutil.rmtree(entry, ignore_errors=True)
            deleted.append(entry.name)
        else:
            alive.append((kept_at, entry, _folder_bytes(entry)))
    total = sum(size for _, _, size in alive)
    for _, entry, size in sorted(alive, key=lambda item: item[0]):
        if total <= cap:
            break
        if entry.name == spare:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        deleted.append(entry.name)
        total -= size
    return deleted


def save(key: str, upload: KeptUpload, root: Path | None = None) -> Path:
    """Keep ``upload`` under ``key`` (replacing what that key held), then :func:`prune` the others
    (judging age from ``upload.kept_at``).

    Written to a temporary folder and renamed into place, so a reader never sees half an upload.

    Raises
    ------
    ValueError
        When ``key`` is not of the form :func:`new_key` gives.
    """
    if not is_key(key):
        raise ValueError("not an upload key")
    folder = _root(root)
    staging = Path(tempfile.mkdtemp(prefix=".saving-", dir=folder))
    upload.assets.to_parquet(staging / _ASSETS, index=False)
    upload.report.to_parquet(staging / _REPORT, index=False)
    meta: dict[str, Any] = {
        "format": _FORMAT,
        "digest": upload.digest,
        "filename": upload.filename,
        "labels": upload.labels,
        "rows_read": upload.rows_read,
        "family": upload.family,
        "data_lines": upload.data_lines,
        "kept_at": upload.kept_at,
    }
    (staging / _META).write_text(json.dumps(meta), encoding="utf-8")
    target = folder / key
    delete(key, folder)
    staging.rename(target)
    prune(folder, now=upload.kept_at, spare=key)
    return target


def load(key: object, root: Path | None = None, now: float | None = None) -> KeptUpload | None:
    """The upload kept under ``key``, or ``None`` (no such key, too old, unreadable, not a key).

    Every kept upload past the age limit is deleted first (:func:`prune`), so none outlives it
    by more than the time until the next session starts or an upload is kept.
    """
    if not is_key(key):
        return None
    assert isinstance(key, str)
    now = time.time() if now is None else now
    prune(root, now=now, max_bytes=sys.maxsize)
    folder = _root(root) / key
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT:
            return None
        kept_at = float(meta["kept_at"])
        if now - kept_at > settings.UPLOAD_KEEP_MINUTES * 60:
            delete(key, folder.parent)
            return None
        return KeptUpload(
            digest=str(meta["digest"]),
            filename=str(meta["filename"]),
            assets=pd.read_parquet(folder / _ASSETS),
            labels={str(k): str(v) for k, v in dict(meta["labels"]).items()},
            report=pd.read_parquet(folder / _REPORT),
            rows_read=int(meta["rows_read"]),
            family=str(meta["family"]),
            data_lines=int(meta["data_lines"]),
            kept_at=kept_at,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def delete(key: object, root: Path | None = None) -> None:
    """Forget the upload kept under ``key`` (nothing happens when there is none)."""
    if is_key(key):
        assert isinstance(key, str)
        shutil.rmtree(_root(root) / key, ignore_errors=True)
