"""Render an HTML file with a real browser engine (Qt WebEngine, Chromium inside) to a PNG, and check its media.

    .venv/bin/python scripts/render_html.py IN.html OUT.png [--width 900]

Prints one JSON line: the page's title, its height, every <audio>'s duration in seconds (or the media error the
engine met) and how many network requests the page made (it should make none). Exits 1 when the page did not
load, an audio element cannot be decoded, or something was fetched from outside the file. Needs the
`PySide6_Addons` wheel (the `render` extra) and a display: with none, run it under `xvfb-run -a`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

MEDIA_PROBE = """
window.__media = null;
new Promise(resolve => {
  const audio = [...document.querySelectorAll('audio')];
  const result = () => audio.map(a => a.error ? {error: a.error.code + ' ' + (a.error.message || '')}
                                              : {duration: isFinite(a.duration) ? a.duration : null});
  let waiting = audio.filter(a => a.readyState < 1 && !a.error).length;
  if (!waiting) { resolve(JSON.stringify(result())); return; }
  const done = () => { if (--waiting === 0) resolve(JSON.stringify(result())); };
  audio.forEach(a => { if (a.readyState < 1 && !a.error) {
    a.addEventListener('loadedmetadata', done, {once: true});
    a.addEventListener('error', done, {once: true});
    a.load();
  }});
  setTimeout(() => resolve(JSON.stringify(result())), 15000);
}).then(found => { window.__media = found; });
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=900)
    args = parser.parse_args()
    if not args.html.is_file():
        print(f"render_html: {args.html} is not a file", file=sys.stderr)
        return 2
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    # Chromium's sandbox refuses root and needs user namespaces that containers (CI) often lack; this tool
    # renders pages Rehearse wrote, with every request leaving the file blocked
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from PySide6.QtCore import QEventLoop, QTimer, QUrl
    from PySide6.QtWebEngineCore import QWebEngineSettings, QWebEngineUrlRequestInterceptor
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication

    class Requests(QWebEngineUrlRequestInterceptor):
        """Counts (and blocks) every request that leaves the file: http(s), ws, ftp and the like."""

        def __init__(self):
            super().__init__()
            self.outside: list[str] = []

        def interceptRequest(self, info):  # noqa: N802 (Qt's name)
            url = info.requestUrl()
            if url.scheme() not in ("file", "data", "blob", "qrc"):
                self.outside.append(url.toString())
                info.block(True)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    view = QWebEngineView()
    requests = Requests()
    view.page().profile().setUrlRequestInterceptor(requests)
    # a file may not reach remote URLs by default, so a remote reference would go unseen: let it try, and let
    # the interceptor record and block it
    view.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
    view.resize(args.width, 800)
    view.show()

    def wait(signal=None, ms: int = 0, timeout_ms: int = 30_000):
        loop = QEventLoop()
        got = []
        if signal is not None:
            signal.connect(lambda *values: (got.append(values), loop.quit()))
        QTimer.singleShot(ms if signal is None else timeout_ms, loop.quit)
        loop.exec()
        return got[0] if got else None

    def run_js(script: str):
        loop, result = QEventLoop(), []
        view.page().runJavaScript(script, 0, lambda value: (result.append(value), loop.quit()))
        QTimer.singleShot(20_000, loop.quit)
        loop.exec()
        return result[0] if result else None

    view.load(QUrl.fromLocalFile(str(args.html.resolve())))
    loaded = wait(view.loadFinished)
    if not loaded or not loaded[0]:
        print(json.dumps({"loaded": False}))
        return 1
    run_js(MEDIA_PROBE)  # runJavaScript does not await a promise: poll what it leaves behind
    for _ in range(100):
        if (found := run_js("window.__media")) is not None:
            break
        wait(ms=200)
    media = json.loads(found or "[]")
    height = int(run_js("document.documentElement.scrollHeight") or 800)
    view.resize(args.width, min(height, 16_000))
    wait(ms=1500)  # the engine paints the resized page
    view.grab().save(str(args.png))
    summary = {
        "loaded": True,
        "title": view.page().title(),
        "height": height,
        "audio": media,
        "network_requests": requests.outside,
        "png": str(args.png),
    }
    print(json.dumps(summary))
    ok = all("duration" in m and m["duration"] for m in media) and not requests.outside
    view.close()
    app.quit()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
