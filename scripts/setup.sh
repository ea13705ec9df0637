#!/usr/bin/env bash
# Set up Rehearse on a fresh Debian/Ubuntu machine: system packages (when missing), a virtual
# environment in .venv, and the Python packages with the bundled models. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  python3-venv
  libportaudio2 libsndfile1                 # sounddevice / soundfile
  pulseaudio pulseaudio-utils libasound2-plugins  # audio server; PortAudio reaches it through ALSA's pulse plugin
  espeak-ng sox                             # synthesizing and measuring test replies
  strace                                    # the offline test watches for network calls
  postgresql                                # a team's shared store; the store tests start their own server
  xvfb xauth libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libegl1 libgl1
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libgbm1  # Qt WebEngine: rendering the HTML report in tests
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# On an NVIDIA GPU, the CUDA 12 libraries faster-whisper's CTranslate2 needs (found at run time, no LD_LIBRARY_PATH)
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  echo "setup: NVIDIA GPU found, installing the gpu extra"
  .venv/bin/python -m pip install -q -e ".[test,gpu]"
fi
# librosa compiles its numba kernels on first use (about 25 s on a 2-core CPU) and caches them beside
# itself: do it here, once, rather than while a learner waits for the first customer line
.venv/bin/python -c "from rehearse.coach.feedback import warm_up; warm_up()"
echo "setup: ready (.venv/bin/rehearse)"
