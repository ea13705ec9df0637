"""`rehearse report SESSION --html`: one self-contained page from a real session database, and how a real browser
engine (Qt WebEngine) shows it: every voice decodes and nothing is fetched."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

from rehearse.app.cli import main
from rehearse.store import SessionStore
from tests.store.helpers import TONE, add_turn

ROOT = Path(__file__).resolve().parents[2]
REPLY = "I'm really sorry, I'll book a technician <today>"
VERDICT = {
    "scores": {"empathy": 80.0, "clarity": 70.0, "pace": 90.0, "calm": 60.0},
    "moves": ["apologize", "next_step"],
    "tip": "Name what they feel.",
    "evidence": {
        "apologize": "i'm really sorry",
        "next_step": "i'll book",
        "warm and steady": {"why": "caring words in a calm voice", "words": "i'm really sorry", "seconds": [[0, 0.5]]},
    },
    "words": [[w, 0.1 * i, 0.1 * i + 0.08] for i, w in enumerate(REPLY.split())],
    "timing": {
        "response_gap_s": 0.52,
        "end_of_turn": {"rule": "model_finished", "silence_ms": 140, "probability": 0.93},
    },
}


@pytest.fixture()
def saved(tmp_path):
    """A two-turn session with audio, a rating and a comment, in a SQLite file; returns (folder, session id)."""
    store = SessionStore(folder=tmp_path / "data")
    sid = store.start_session("sam", "internet-outage", seed=0)
    first = add_turn(store, sid, 1, transcript=REPLY, verdict=VERDICT)
    add_turn(store, sid, 2, verdict={"scores": {"empathy": 20.0}}, step={"goto": "escalating", "condition": "blamed"})
    store.add_rating(first, "tess", "empathy", 55)
    store.add_comment(first, "tess", 0.4, "Good <b>apology</b>")
    store.end_session(sid, "finished", "resolved")
    store.close()
    return tmp_path / "data", sid


def _report(folder: Path, key: str, out: Path) -> str:
    assert main(["report", key, "--html", str(out), "--data-dir", str(folder)]) == 0
    return out.read_text()


def test_the_page_holds_everything_itself(saved, tmp_path):
    folder, sid = saved
    page = _report(folder, sid[:8], tmp_path / "report.html")
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o600  # it holds voice recordings
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)  # nothing loaded from elsewhere
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    voices = re.findall(r'src="data:audio/mpeg;base64,([^"]+)"', page)
    assert len(voices) == 4  # customer and reply of two turns
    samples, rate = sf.read(io.BytesIO(base64.b64decode(voices[1])))
    assert rate == 16_000 and abs(samples.size / rate - TONE.size / 16_000) < 0.1
    assert sum(len(v) for v in voices) < 4 * 16_000  # compressed: 1 s of 16-bit WAV alone is 32 kB
    assert "“<mark>I&#x27;m really sorry, I&#x27;ll book</mark> a technician" in page  # two phrases, one run
    assert "&lt;today&gt;" in page and "Good &lt;b&gt;apology&lt;/b&gt;" in page  # text is escaped
    assert page.count("<svg") == 3  # the scores chart and each reply's envelope
    assert "55 (tess)" in page and "Name what they feel." in page and "blamed → escalating" in page
    assert "Answered 0.52 s after the customer stopped.  Ended 0.14 s into your pause: you sounded finished" in page


def test_an_unknown_session_or_a_folder_as_output_is_refused(saved, tmp_path, capsys):
    folder, _ = saved
    assert main(["report", "nosuch", "--html", str(tmp_path / "r.html"), "--data-dir", str(folder)]) == 2
    assert "no saved session matches 'nosuch'" in capsys.readouterr().err
    assert main(["report", "last", "--html", str(tmp_path), "--data-dir", str(folder)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_a_real_browser_engine_plays_every_voice_and_fetches_nothing(saved, tmp_path):
    pytest.importorskip("PySide6.QtWebEngineWidgets", reason="Qt WebEngine (PySide6-Addons, the test extra)")
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (scripts/setup.sh installs it)")
    folder, sid = saved
    _report(folder, "last", tmp_path / "report.html")
    done = subprocess.run(
        [
            "xvfb-run",
            "-a",
            sys.executable,
            str(ROOT / "scripts/render_html.py"),
            str(tmp_path / "report.html"),
            str(tmp_path / "report.png"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, done.stderr[-2000:]
    assert summary["network_requests"] == []
    assert [round(a["duration"], 1) for a in summary["audio"]] == [
        round(TONE.size / r, 1) for r in (22_050, 16_000)
    ] * 2
    assert summary["height"] > 1000
    image = (tmp_path / "report.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 20_000
    # the same check notices what a page fetches from elsewhere and audio that does not decode
    page = tmp_path / "remote.html"
    page.write_text('<img src="http://example.com/x.png"><audio src="data:audio/mpeg;base64,AAAA"></audio>')
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, str(ROOT / "scripts/render_html.py"), str(page), str(tmp_path / "r.png")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 1
    assert summary["network_requests"] == ["http://example.com/x.png"] and "error" in summary["audio"][0]
