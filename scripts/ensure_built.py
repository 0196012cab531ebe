"""Run ``assetmap build`` unless data/ already holds an intact build of the current sources and
code (its files as its manifest lists them: sizes and row counts, a few milliseconds)."""

from __future__ import annotations

import sys

from assetmap import settings
from assetmap.cli import main
from assetmap.data import datacheck, store
from assetmap.data.build import code_digest


def is_current() -> bool:
    """True when the manifest matches today's SHA256SUMS and library code, and the files of
    data/ match the manifest (:func:`assetmap.data.datacheck.check`)."""
    try:
        manifest = store.load_manifest()
        result = datacheck.check()
    except store.NotBuiltError:
        return False
    except datacheck.DataCheckError as exc:
        print(f"setup: {exc}")
        print("setup: rebuilding data/")
        return False
    if not result.recorded:
        return False  # an older build that lists no files: rebuilt so that it does
    sums = settings.SOURCE_DIR / "SHA256SUMS"
    if not sums.is_file():
        return False  # let the build fail with its clear message
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            listed[name.strip()] = digest
    same_sources = all(listed.get(k) == v for k, v in manifest["checksums"].items())
    return same_sources and manifest.get("code_digest") == code_digest()


if __name__ == "__main__":
    if is_current():
        print("setup: data is up to date")
        sys.exit(0)
    sys.exit(main(["build"]))
