#!/usr/bin/env bash
# Render every screen of the window to PNG (1280x800, light and dark) under Xvfb with the real xcb platform.
#   scripts/screenshots.sh OUT_DIR
# The saved sessions and the learner's spoken replies are made once (real models) in a work folder; each
# colour scheme is then rendered by its own process (a fresh window and Qt application per scheme).
set -euo pipefail
out="${1:?usage: scripts/screenshots.sh OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d -t rehearse-shots-XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$root"
"$python" scripts/screenshots.py prepare "$work"
for scheme in light dark; do
    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
        "$python" scripts/screenshots.py shoot "$out" "$work" "$scheme"
done
ls "$out"/*.png
