#!/usr/bin/env bash
# Render every screen of the window to PNG (1280x800, light and dark) under Xvfb with the real xcb platform.
#   scripts/screenshots.sh OUT_DIR
set -euo pipefail
out="${1:?usage: scripts/screenshots.sh OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
mkdir -p "$out"
cd "$root"
QT_QPA_PLATFORM=xcb exec xvfb-run -a -s "-screen 0 1280x800x24" "$python" scripts/screenshots.py "$out"
