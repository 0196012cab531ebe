"""Kept uploads (``assetmap.data.uploadstore``) and the cookie that keys them
(``ui.sessionkey``)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import uploadstore
from ui import sessionkey


def _upload(kept_at: float, rows: int = 3) -> uploadstore.KeptUpload:
    assets = pd.DataFrame(
        {
            "asset_id": [f"u{i}" for i in range(rows)],
            "name": ["<img src=x onerror=1>", "=1+1", "Hub"][:rows] + ["x"] * max(0, rows - 3),
            "asset_type": ["upload_hub"] * rows,
            "lsoa21cd": ["E01000001"] * rows,
        }
    )
    report = pd.DataFrame({"line": [7], "reason": ["postcode ZZ9 9ZZ not found"]})
    return uploadstore.KeptUpload(
        digest="d" * 64,
        filename="register <b>.csv",
        assets=assets,
        labels={"upload_hub": "Hub (your upload)"},
        report=report,
        rows_read=rows + 1,
        family="community",
        data_lines=rows + 1,
        kept_at=kept_at,
    )


def test_a_kept_upload_reads_back_as_it_was(tmp_path: Path) -> None:
    key = uploadstore.new_key()
    kept = _upload(kept_at=1_000.0)
    uploadstore.save(key, kept, tmp_path)
    found = uploadstore.load(key, tmp_path, now=1_000.0 + 60)
    assert found is not None
    pd.testing.assert_frame_equal(found.assets, kept.assets)
    pd.testing.assert_frame_equal(found.report, kept.report)
    assert (found.digest, found.filename, found.labels) == (kept.digest, kept.filename, kept.labels)
    assert (found.rows_read, found.family, found.data_lines, found.kept_at) == (
        4,
        "community",
        4,
        1000.0,
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".saving-")]


def test_another_key_finds_nothing(tmp_path: Path) -> None:
    uploadstore.save(uploadstore.new_key(), _upload(kept_at=1_000.0), tmp_path)
    assert uploadstore.load(uploadstore.new_key(), tmp_path, now=1_001.0) is None


def test_past_the_age_limit_it_is_gone(tmp_path: Path) -> None:
    key = uploadstore.new_key()
    uploadstore.save(key, _upload(kept_at=1_000.0), tmp_path)
    limit = settings.UPLOAD_KEEP_MINUTES * 60
    assert uploadstore.load(key, tmp_path, now=1_000.0 + limit) is not None
    assert uploadstore.load(key, tmp_path, now=1_000.0 + limit + 1) is None
    assert not (tmp_path / key).exists()  # deleted, not just hidden


def test_a_new_session_deletes_every_upload_past_its_age(tmp_path: Path) -> None:
    stale, fresh = uploadstore.new_key(), uploadstore.new_key()
    uploadstore.save(stale, _upload(kept_at=0.0), tmp_path)
    uploadstore.save(fresh, _upload(kept_at=10_000.0), tmp_path)
    assert uploadstore.load(uploadstore.new_key(), tmp_path, now=10_001.0) is None
    assert [p.name for p in tmp_path.iterdir()] == [fresh]


def test_prune_keeps_the_newest_under_the_size_cap(tmp_path: Path) -> None:
    keys = [uploadstore.new_key() for _ in range(4)]
    for i, key in enumerate(keys):
        uploadstore.save(key, _upload(kept_at=float(10_000 + i)), tmp_path)
    one = sum(p.stat().st_size for p in (tmp_path / keys[0]).iterdir())
    deleted = uploadstore.prune(tmp_path, now=10_010.0, max_bytes=2 * one + one // 2)
    assert deleted == keys[:2]  # the two oldest
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keys[2:])


def test_prune_deletes_what_is_too_old_or_unreadable(tmp_path: Path) -> None:
    old, fresh, broken = (uploadstore.new_key() for _ in range(3))
    uploadstore.save(fresh, _upload(kept_at=100_000.0), tmp_path)
    uploadstore.save(old, _upload(kept_at=0.0), tmp_path)  # prunes as of its own time: both stay
    assert len(list(tmp_path.iterdir())) == 2
    (tmp_path / broken).mkdir()
    (tmp_path / broken / "meta.json").write_text("{not json")
    deleted = uploadstore.prune(tmp_path, now=100_001.0)
    assert sorted(deleted) == sorted([old, broken])
    assert [p.name for p in tmp_path.iterdir()] == [fresh]


@pytest.mark.parametrize(
    "hostile",
    ["../../etc", "..", "", "a" * 42, "a" * 44, "a/" * 22, "é" * 43, None, 12, ["x"]],
)
def test_a_value_that_is_not_a_key_is_never_a_path(tmp_path: Path, hostile: Any) -> None:
    assert not uploadstore.is_key(hostile)
    assert uploadstore.load(hostile, tmp_path) is None
    uploadstore.delete(hostile, tmp_path)  # nothing happens
    with pytest.raises(ValueError, match="not an upload key"):
        uploadstore.save(hostile, _upload(kept_at=1.0), tmp_path)


def test_the_folder_is_private_and_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kept"
    monkeypatch.setenv("ASSETMAP_UPLOAD_DIR", str(target))
    assert uploadstore.store_dir() == target
    uploadstore.save(uploadstore.new_key(), _upload(kept_at=1.0))
    assert target.stat().st_mode & 0o077 == 0
    monkeypatch.delenv("ASSETMAP_UPLOAD_DIR")
    assert uploadstore.store_dir().name == f"assetmap-uploads-{os.getuid()}"


def _response_headers(request_headers: list[tuple[bytes, bytes]], content_type: bytes) -> list:
    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type)]})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    scope = {"type": "http", "scheme": "http", "headers": request_headers}
    # In a thread of its own: after the browser tests, Playwright's loop runs in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, sessionkey.UploadKeyCookie(app)(scope, receive, send)).result()
    return [v for k, v in sent[0]["headers"] if k == b"set-cookie"]


def test_a_page_without_a_key_gets_an_httponly_strict_cookie() -> None:
    (cookie,) = _response_headers([], b"text/html; charset=utf-8")
    name, _, rest = cookie.decode().partition("=")
    value, *flags = rest.split("; ")
    assert name == sessionkey.COOKIE
    assert uploadstore.is_key(value)
    assert set(flags) == {"Path=/", "HttpOnly", "SameSite=Strict"}


def test_a_browser_with_a_key_keeps_it_and_other_files_get_none() -> None:
    key = uploadstore.new_key()
    header = [(b"cookie", f"other=1; {sessionkey.COOKIE}={key}".encode())]
    assert _response_headers(header, b"text/html") == []
    assert _response_headers([], b"application/javascript") == []


@pytest.mark.parametrize("value", ["../../etc/passwd", "x" * 5000, '"quoted"', ""])
def test_a_forged_or_malformed_cookie_is_replaced(value: str) -> None:
    header = [(b"cookie", f"{sessionkey.COOKIE}={value}".encode())]
    (cookie,) = _response_headers(header, b"text/html")
    assert uploadstore.is_key(cookie.decode().split(";")[0].split("=", 1)[1])
