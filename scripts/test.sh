#!/usr/bin/env bash
# Set everything up (first run only), then lint (Python and JavaScript), type-check and run the
# whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff check";        .venv/bin/ruff check .
echo "== ruff format";       .venv/bin/ruff format --check .
echo "== mypy";              .venv/bin/mypy
echo "== eslint";            node_modules/.bin/eslint .
echo "== prettier";          node_modules/.bin/prettier --check --log-level warn .
echo "== pytest";            .venv/bin/pytest "$@"
