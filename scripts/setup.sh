#!/usr/bin/env bash
# Set up a fresh clone: system packages (Debian), a virtual environment with the pinned
# requirements, and the built data. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

apt_install() {
  # Install the Debian packages given, only those missing.
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# A Debian python3 needs python3-venv before it can make a virtual environment.
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  apt_install python3-venv
fi

# npm fetches the map's front-end files (scripts/fetch_static.py); the browser tests drive Debian's
# chromium. A NodeSource nodejs brings its own npm, so Debian's npm is only needed without one.
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
apt_install chromium
# The evidence pack's PDF: WeasyPrint lays it out with Debian's pango and its fonts; the tests
# render its pages with poppler's pdftoppm.
apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core
apt_install poppler-utils

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pinned requirements"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi

# Leaflet, Bootstrap, Font Awesome, d3... from npm into static/vendor, so maps draw offline.
.venv/bin/python -m scripts.fetch_static

# ESLint and Prettier for the project's own JavaScript (src/assetmap/*.js), pinned in
# package-lock.json, into node_modules/ (git-ignored); the test command runs both.
npm_stamp=node_modules/.package-lock.sha256
npm_want=$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
  echo "setup: installing the JavaScript linters (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$npm_want" > "$npm_stamp"
fi

# Build the data when it is missing or the sources changed since the last build.
.venv/bin/python -m scripts.ensure_built
