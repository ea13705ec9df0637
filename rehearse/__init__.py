"""Rehearse: voice role-play practice for hard conversations."""

import os

__version__ = "0.1.0"

# Rehearse runs offline: onnxruntime's telemetry client (1DS) otherwise looks up its collector's host
# in DNS from a native thread as soon as a session runs, and disable_telemetry_events() does not stop
# it. Set before any model library is imported (every entry point imports this package first).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
