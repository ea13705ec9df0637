#!/usr/bin/env bash
# Set up (as scripts/setup.sh), check lint and formatting (ruff), and run the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
