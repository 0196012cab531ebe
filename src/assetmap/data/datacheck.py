"""Check the built data folder against the manifest its build wrote.

Every build lists each file it writes in ``manifest.json`` under ``files``: its path relative to
the data folder, its size in bytes, its SHA-256, its row count when it is a table, and the source
files (with their checksums) and packages it was built from (:func:`describe`). :func:`check`
compares the folder with that list and raises :class:`DataCheckError`, with one message that
names the file, says what is wrong and gives the command that rebuilds it, on the first problem.

What is checked when:

- **whenever data/ is loaded** (every ``assetmap`` command that reads it, the dashboard's data
  check on a session's first page, the server's warm-up, ``scripts/ensure_built.py``): each
  listed file is there, has its size, and a Parquet file has its row count (read from its
  footer). A few milliseconds: ``check(full=False)``.
- **``assetmap check-data`` and the end of every build**: the same, and every file's SHA-256,
  which also catches a changed byte that keeps the size (about a tenth of a second for the
  45 MB of a build): ``check(full=True)``.
- **on reading** (:mod:`assetmap.data.store`): the Parquet files carry page checksums, which the
  readers verify; a file that cannot be read is then checked against its SHA-256 here
  (:func:`check_file`), so a damaged file is reported as such and a reader's own bug is not
  blamed on the data. The LSOA grid index (an ``.npz``, whose zip CRC-32s cover its arrays but
  not its listing of them) is compared with its SHA-256 before it is read (:func:`verify_file`,
  about 15 ms).

A manifest written before the build recorded its files (no ``files`` key) passes the quick check
with nothing to compare, and fails ``check-data``: rebuilding records them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from assetmap import settings

MANIFEST_FILE: Final = "manifest.json"

#: The commands that rebuild the data folder, as every message gives them.
REBUILD: Final = "`assetmap build` (or `bash scripts/setup.sh`)"

#: What is checked when, in the words every failure message ends with.
CHECKED_WHEN: Final = (
    "assetmap checks each file's size and Parquet row count against data/manifest.json "
    "whenever it loads data/; `assetmap check-data` also compares every file's SHA-256"
)

#: What can be wrong with a file (the words of :attr:`Problem.what`).
MISSING: Final = "missing"
SIZE_DIFFERS: Final = "size differs"
ROWS_DIFFER: Final = "rows differ"
CHECKSUM_DIFFERS: Final = "checksum differs"
UNREADABLE: Final = "unreadable"
NOT_RECORDED: Final = "not recorded"

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Problem:
    """One file that does not match the manifest.

    Attributes
    ----------
    path
        Relative to the data folder (``postcodes.parquet``, ``boundaries/lsoa21.parquet``).
    what
        One of :data:`MISSING`, :data:`SIZE_DIFFERS`, :data:`ROWS_DIFFER`,
        :data:`CHECKSUM_DIFFERS`, :data:`UNREADABLE`, :data:`NOT_RECORDED`.
    detail
        The numbers or the reader's error, in words.
    """

    path: str
    what: str
    detail: str = ""


class DataCheckError(RuntimeError):
    """The data folder does not match its build's manifest; the message names the file."""

    def __init__(self, message: str, data_dir: Path, problems: Iterable[Problem]) -> None:
        super().__init__(message)
        self.data_dir = data_dir
        self.problems = tuple(problems)


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` compared.

    Attributes
    ----------
    data_dir
        The folder checked.
    files
        Files compared with the manifest.
    size_bytes
        Their total size.
    full
        Whether their SHA-256 checksums were compared too.
    seconds
        Time taken.
    built_at
        When the build was made (the manifest's ``built_at``).
    recorded
        False for a manifest of an older build that lists no files (nothing was compared).
    """

    data_dir: Path
    files: int
    size_bytes: int
    full: bool
    seconds: float
    built_at: str | None
    recorded: bool = True

    def summary(self) -> str:
        """One line for ``assetmap check-data``."""
        what = "sizes, row counts and SHA-256 checksums" if self.full else "sizes and row counts"
        return (
            f"{self.data_dir} is intact: {self.files} files ({self.size_bytes / 1e6:,.1f} MB), "
            f"{what} as recorded by the build of {self.built_at} ({self.seconds:.2f} s)"
        )


def sha256(path: Path, progress: Any = None) -> str:
    """SHA-256 of a file, read in 1 MB chunks; ``progress`` (a tqdm bar) is advanced by bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
            if progress is not None:
                progress.update(len(chunk))
    return digest.hexdigest()


def count_rows(path: Path) -> int | None:
    """Rows of a table file: a Parquet file's from its footer, a CSV file's data rows (quoted
    line breaks allowed); ``None`` for a file that is not a table."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    return None


def describe(
    folder: Path, built_from: Mapping[str, Mapping[str, Mapping[str, str]]]
) -> dict[str, dict[str, Any]]:
    """The manifest's ``files``: every file under ``folder`` except the manifest itself.

    Parameters
    ----------
    folder
        A build's output folder.
    built_from
        Relative path -> what it was built from, e.g. ``{"sources": {file: sha256},
        "packages": {name: version}}``; merged into the file's entry.

    Returns
    -------
    dict
        Relative path (POSIX) -> ``size`` (bytes), ``sha256``, ``rows`` (tables only) and the
        entries of ``built_from``; sorted by path.
    """
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel == MANIFEST_FILE or path.name.startswith("."):
            continue
        entry: dict[str, Any] = {"size": path.stat().st_size, "sha256": sha256(path)}
        rows = count_rows(path)
        if rows is not None:
            entry["rows"] = rows
        entry |= {k: dict(v) for k, v in built_from.get(rel, {}).items()}
        files[rel] = entry
    return files


def _words(problem: Problem, data_dir: Path) -> str:
    path = data_dir / problem.path
    if problem.what == MISSING:
        return f"{path} is missing"
    return f"{path}: {problem.what}" + (f" ({problem.detail})" if problem.detail else "")


def error(data_dir: Path, problems: list[Problem]) -> DataCheckError:
    """The one message for a list of problems: the first in full, the others by name."""
    first = problems[0]
    text = _words(first, data_dir)
    others = [p.path for p in problems[1:]]
    if others:
        listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        text += f"; {len(others)} other file{'s' * (len(others) > 1)} too ({listed})"
    if first.path == MANIFEST_FILE and first.what == NOT_RECORDED:
        advice = f"Rebuild it with {REBUILD} to record them"
    else:
        advice = f"The data folder is damaged or incomplete: rebuild it with {REBUILD}"
    return DataCheckError(f"{text}. {advice}. ({CHECKED_WHEN}.)", data_dir, problems)


def read_manifest(data_dir: Path | None = None) -> dict[str, Any]:
    """The manifest, or :class:`DataCheckError` when it is missing or not a manifest."""
    folder = data_dir or settings.DATA_DIR
    path = folder / MANIFEST_FILE
    if not path.is_file():
        if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*.parquet")):
            raise DataCheckError(
                f"{folder} has no build yet ({path} does not exist): run `assetmap build` "
                f"first (or `bash scripts/setup.sh`; it reads the source folder "
                f"{settings.SOURCE_DIR}).",
                folder,
                [Problem(MANIFEST_FILE, MISSING)],
            )
        raise error(folder, [Problem(MANIFEST_FILE, MISSING)])
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(folder, [Problem(MANIFEST_FILE, UNREADABLE, f"not valid JSON: {exc}")]) from exc
    files = manifest.get("files") if isinstance(manifest, dict) else None
    bad_files = files is not None and not (
        isinstance(files, dict)
        and all(isinstance(e, dict) and isinstance(e.get("size"), int) for e in files.values())
    )
    if not isinstance(manifest, dict) or bad_files:
        raise error(folder, [Problem(MANIFEST_FILE, UNREADABLE, "not a build manifest")])
    return manifest


def _compare(
    data_dir: Path, rel: str, entry: Mapping[str, Any], *, full: bool, progress: Any = None
) -> Problem | None:
    path = data_dir / rel
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Problem(rel, MISSING)
    if size != entry["size"]:
        return Problem(rel, SIZE_DIFFERS, f"{entry['size']:,} bytes built, {size:,} found")
    if "rows" in entry and path.suffix == ".parquet":
        try:
            rows = count_rows(path)
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            return Problem(rel, UNREADABLE, f"not a readable Parquet file: {exc}")
        if rows != entry["rows"]:
            return Problem(rel, ROWS_DIFFER, f"{entry['rows']:,} built, {rows:,} found")
    if full:
        found = sha256(path, progress)
        if found != entry.get("sha256"):
            return Problem(
                rel,
                CHECKSUM_DIFFERS,
                f"SHA-256 {str(entry.get('sha256'))[:12]}... built, {found[:12]}... found, "
                "at the same size: some bytes were changed",
            )
    return None


def check(
    data_dir: Path | None = None, *, full: bool = False, progress: bool = False
) -> CheckResult:
    """Compare the data folder with its manifest.

    Parameters
    ----------
    data_dir
        The build folder; defaults to ``settings.DATA_DIR``.
    full
        Also compare every file's SHA-256 (``assetmap check-data``; about a tenth of a second);
        otherwise only presence, size and Parquet row counts (a few milliseconds).
    progress
        Show a progress bar (bytes hashed) on stderr; only with ``full``.

    Returns
    -------
    CheckResult

    Raises
    ------
    DataCheckError
        The manifest is missing or unreadable, a listed file is missing, or its size, row count
        or (``full``) checksum differs. One message names the first such file, what is wrong and
        the command that rebuilds the folder; ``problems`` lists them all.
    """
    start = time.perf_counter()
    folder = data_dir or settings.DATA_DIR
    manifest = read_manifest(folder)
    files: dict[str, dict[str, Any]] | None = manifest.get("files")
    built_at = manifest.get("built_at")
    if files is None:
        if full:
            raise error(
                folder,
                [
                    Problem(
                        MANIFEST_FILE,
                        NOT_RECORDED,
                        "it lists no file sizes or checksums: the build was made by an older "
                        "assetmap, so nothing can be compared",
                    )
                ],
            )
        return CheckResult(folder, 0, 0, full, time.perf_counter() - start, built_at, False)
    total = sum(int(e["size"]) for e in files.values())
    bar = None
    if full and progress:
        from tqdm import tqdm

        bar = tqdm(
            total=total, desc="assetmap check-data", unit="B", unit_scale=True, unit_divisor=1024
        )
    try:
        problems = [
            p
            for rel, entry in files.items()
            if (p := _compare(folder, rel, entry, full=full, progress=bar)) is not None
        ]
    finally:
        if bar is not None:
            bar.close()
    if problems:
        raise error(folder, problems)
    return CheckResult(folder, len(files), total, full, time.perf_counter() - start, built_at)


def check_file(path: Path, data_dir: Path | None = None) -> Problem | None:
    """Compare one file with its manifest entry, SHA-256 included.

    A reader that fails calls this to tell a damaged file from any other failure.

    Returns
    -------
    Problem or None
        ``None`` when the file matches; a problem when it does not, when it is not listed
        (:data:`NOT_RECORDED`) or when the manifest cannot be read.
    """
    folder = data_dir or settings.DATA_DIR
    rel = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name
    try:
        files = read_manifest(folder).get("files")
    except DataCheckError as exc:
        return exc.problems[0]
    if not files or rel not in files:
        return Problem(rel, NOT_RECORDED, f"{MANIFEST_FILE} has no record of it")
    return _compare(folder, rel, files[rel], full=True)


def verify_file(path: Path, data_dir: Path | None = None) -> None:
    """Compare one built file with its manifest entry, SHA-256 included, before reading it.

    For a file whose reader cannot tell a changed byte itself (about 15 ms for 14 MB).

    Raises
    ------
    DataCheckError
        The file is missing or its size or checksum differs from its entry. A file the manifest
        does not list, or a folder whose manifest cannot be read, passes: the start-up check
        (:func:`check`) reports the manifest.
    """
    folder = data_dir or settings.DATA_DIR
    problem = check_file(path, folder)
    if problem is not None and problem.path != MANIFEST_FILE and problem.what != NOT_RECORDED:
        raise error(folder, [problem])


def read_failure(
    path: Path, exc: BaseException, data_dir: Path | None = None
) -> DataCheckError | None:
    """What a reader that failed on a built file should raise instead, if anything.

    Parameters
    ----------
    path
        The file that could not be read.
    exc
        The reader's error.
    data_dir
        The build folder; defaults to ``settings.DATA_DIR``.

    Returns
    -------
    DataCheckError or None
        An error naming the file and what differs from its manifest entry (with the reader's
        error in words) when it does not match; ``None`` when it matches or is not recorded, so
        the failure is not the data's (or cannot be told) and the reader's own error stands.
    """
    folder = data_dir or settings.DATA_DIR
    problem = check_file(path, folder)
    if problem is None or problem.what == NOT_RECORDED:
        return None
    reason = f"{type(exc).__name__}: {exc}".strip()
    if problem.path != MANIFEST_FILE:
        detail = "; ".join(d for d in (problem.detail, f"reading it: {reason}") if d)
        problem = Problem(problem.path, problem.what, detail)
    return error(folder, [problem])


@contextmanager
def reading(path: Path, data_dir: Path | None = None) -> Iterator[None]:
    """Read a built file inside this: a failure becomes :func:`read_failure`'s error when the
    file differs from its manifest entry; any other failure stands.

    Examples
    --------
    >>> with reading(folder / "postcodes.parquet", folder):  # doctest: +SKIP
    ...     frame = pd.read_parquet(folder / "postcodes.parquet", page_checksum_verification=True)
    """
    try:
        yield
    except DataCheckError:
        raise  # already the clear message (of a reader inside this one)
    except Exception as exc:
        clear = read_failure(path, exc, data_dir)
        if clear is None:
            raise
        raise clear from exc
