#!/usr/bin/env bash
# Set everything up (first run only) and start the dashboard on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run serve.py --server.headless true --browser.gatherUsageStats false "$@"
