"""Fetch the map's front-end files from the npm registry into ``static/vendor`` (git-ignored).

Run by ``scripts/setup.sh``; safe to run again: when ``static/vendor/.stamp`` matches the
package list in :data:`assetmap.presentation.offline.PACKAGES` and every file's checksum, nothing is
fetched.

    .venv/bin/python -m scripts.fetch_static            # fetch when missing or changed
    .venv/bin/python -m scripts.fetch_static --force    # fetch again

npm is the only client used for front-end code: ``npm pack <name>@<version>`` downloads each
package tarball from the registry (checking the registry's integrity hash) without installing
anything; the files listed for each package are copied out of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from assetmap.presentation import offline
from assetmap.presentation.offline import NpmPackage

STAMP = ".stamp"
#: Bump when the way files are laid out or generated changes, so old copies are refetched.
LAYOUT = 1


def spec_digest() -> str:
    """A digest of what should be in ``static/vendor``: the package list and layout version."""
    spec = [LAYOUT, offline.GLYPHICONS_CSS, *(repr(p) for p in offline.PACKAGES)]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` but the stamp, by POSIX path relative to it."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != STAMP
    }


def up_to_date(folder: Path) -> bool:
    """Whether ``folder`` holds exactly what its stamp says, for the current package list."""
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return (
        stamp.get("spec") == spec_digest()
        and not offline.missing_files()
        and stamp.get("files") == checksums(folder)
    )


def npm_pack(packages: Sequence[NpmPackage], dest: Path) -> dict[str, Path]:
    """Download the tarballs with ``npm pack``; returns the tarball of each ``name@version``."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "fetch_static: npm is not installed. Install the Debian packages nodejs and npm "
            "(`bash scripts/setup.sh` does), then run `.venv/bin/python -m scripts.fetch_static`."
        )
    specs = list(dict.fromkeys(p.spec for p in packages))
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    result = subprocess.run(
        [npm, "pack", "--json", "--pack-destination", str(dest), *specs],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"fetch_static: `npm pack {' '.join(specs)}` failed (is the npm registry "
            f"reachable?):\n{result.stderr.strip()}"
        )
    packed = {
        f"{item['name']}@{item['version']}": dest / item["filename"]
        for item in json.loads(result.stdout)
    }
    absent = [spec for spec in specs if spec not in packed or not packed[spec].is_file()]
    if absent:
        raise SystemExit(f"fetch_static: npm pack did not produce {', '.join(absent)}")
    return packed


def _wanted(name: str, keep: Sequence[str]) -> str | None:
    """The path inside the package of a tarball member, when it is one of the kept files."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or parts[0] != "package" or ".." in parts:
        return None
    inner = PurePosixPath(*parts[1:]).as_posix()
    if any(inner == k or inner.startswith(k.rstrip("/") + "/") for k in keep):
        return inner
    return None


def unpack(package: NpmPackage, tarball: Path, dest: Path) -> None:
    """Copy the package's kept files out of its tarball into ``dest/<folder>``."""
    found: set[str] = set()
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            inner = _wanted(member.name, package.files)
            if inner is None or not member.isfile():
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            target = dest / package.folder / inner
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
            found.update(k for k in package.files if inner == k or inner.startswith(k + "/"))
    missing = sorted(set(package.files) - found)
    if missing:
        raise SystemExit(f"fetch_static: {package.spec} has no {', '.join(missing)}")


def glyphicons_css(bootstrap_css: str) -> str:
    """The glyphicon rules of a Bootstrap 3 stylesheet, and nothing else.

    Keeps the ``Glyphicons Halflings`` font face (woff2 and woff only: every current browser
    reads one of them) and every top-level rule whose selectors are all ``.glyphicon...``.
    """
    css = re.sub(r"/\*.*?\*/", "", bootstrap_css, flags=re.DOTALL)
    rules: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(css):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                rules.append(css[start : i + 1].strip())
                start = i + 1
    kept: list[str] = []
    for rule in rules:
        selector = rule.split("{", 1)[0].strip()
        if selector.startswith("@font-face") and "Glyphicons Halflings" in rule:
            fonts = ", ".join(
                f'url("../fonts/glyphicons-halflings-regular.{ext}") format("{ext}")'
                for ext in ("woff2", "woff")
            )
            kept.append(
                f'@font-face {{\n  font-family: "Glyphicons Halflings";\n  src: {fonts};\n}}'
            )
        elif all(s.strip().startswith(".glyphicon") for s in selector.split(",")):
            kept.append(rule)
    if len(kept) < 100:
        raise SystemExit(f"fetch_static: found only {len(kept)} glyphicon rules in Bootstrap 3")
    header = (
        "/* The glyphicon rules of Bootstrap 3.4.1 (MIT), cut out by scripts/fetch_static.py */"
    )
    return "\n".join([header, *kept]) + "\n"


def fetch(dest: Path) -> None:
    """Fetch every package into a staging folder, then swap it in for ``dest`` in one step."""
    staging = dest.parent / ".vendor.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory(prefix="assetmap-npm-") as tmp:
            tarballs = npm_pack(offline.PACKAGES, Path(tmp))
            for package in offline.PACKAGES:
                unpack(package, tarballs[package.spec], staging)
            with tarfile.open(tarballs["bootstrap@3.4.1"], "r:gz") as tar:
                source = tar.extractfile("package/dist/css/bootstrap.css")
                if source is None:
                    raise SystemExit("fetch_static: bootstrap@3.4.1 has no dist/css/bootstrap.css")
                css = glyphicons_css(source.read().decode("utf-8"))
        glyphicons = staging / offline.GLYPHICONS_CSS
        glyphicons.parent.mkdir(parents=True, exist_ok=True)
        glyphicons.write_text(css)
        stamp = {"spec": spec_digest(), "files": checksums(staging)}
        (staging / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch ``static/vendor`` when it is missing, incomplete or out of date."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="fetch even when up to date")
    args = parser.parse_args(argv)
    dest = offline.vendor_dir()
    if not args.force and up_to_date(dest):
        return 0
    print(f"fetch_static: fetching {len(offline.PACKAGES)} npm packages into {dest}")
    fetch(dest)
    missing = offline.missing_files()
    if missing:
        print(f"fetch_static: still missing {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
