"""One saved session as a single self-contained HTML page: scores over the turns (inline SVG), each turn's
customer line and reply with both voices embedded (MP3 data URIs: every browser plays MP3, and a voice
takes ~3 kB a second against 32 kB for 16-bit WAV), the reply with its evidence words highlighted, scores beside the
trainers' ratings, tone labels, the tip, why the conversation branched, and trainer comments pinned on the
reply's timeline. Nothing is fetched from a network: no scripts, fonts or images from elsewhere."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime
from html import escape

import numpy as np
import soundfile as sf

from rehearse import __version__
from rehearse.app.svg_plots import DIMENSION_COLOURS, reply_envelope, scores_chart
from rehearse.app.turn_timing import timing_sentences
from rehearse.store import StoreError

AUDIO_FORMAT = ("MP3", "audio/mpeg") if "MP3" in sf.available_formats() else ("OGG", "audio/ogg")
"""What the voices are embedded as: MP3 where libsndfile (1.1 and later) writes it, else Ogg Vorbis."""

VOICE_COMPRESSION = 0.7
"""libsndfile's compression level (0 best quality, 1 smallest): ~25 kbps for a 16 kHz voice, 40 kbps by default."""

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:760px;margin:2em auto;padding:0 1em;
color:#212529;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin:0 0 .4em}.meta{color:#495057;margin-top:0}
section.turn{border:1px solid #dee2e6;border-radius:8px;padding:1em;margin:1.2em 0}
.who{font-weight:600;color:#495057}.line{margin:.2em 0 .5em}audio{width:100%;height:36px}
mark{background:#ffe066;border-radius:3px;padding:0 2px}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px 2px 0;text-align:left}
th{font-weight:600;color:#495057}.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:5px}
.tip{background:#e7f5ff;border-left:4px solid #1971c2;padding:.4em .7em;margin:.6em 0}
.branch{color:#495057;font-size:.92em}.note{color:#c92a2a}
.comments li{margin:.2em 0}.pin{display:inline-block;min-width:1.4em;text-align:center;background:#c92a2a;color:#fff;
border-radius:9px;font-size:.8em;margin-right:4px}svg{max-width:100%;height:auto}
footer{color:#868e96;font-size:.85em;margin-top:2em}
"""


def session_html(store, session_id: str) -> str:
    """The page for the session `session_id` of `store` (a `SessionStore`)."""
    from rehearse.scenarios.library import played

    session = store.session(session_id)
    if session is None:
        raise StoreError(f"no saved session has the id {session_id}")
    every = store.turns(session_id, every_take=True)
    turns = [t for t in every if t["active"]]
    scenario = played(session["scenario_id"], store.scenario_text(session_id), session.get("difficulty"))
    title = scenario.title if scenario else session["scenario_id"]
    ratings, comments = _by_turn(store.ratings_for(session_id)), _by_turn(store.comments_for(session_id))
    ending = f", {session['outcome'].replace('_', ' ')}" if session["outcome"] else ""
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(session["learner"])} · {session["started_at"]:%Y-%m-%d %H:%M} UTC · '
        f"{escape(session['status'])}{escape(ending)} · {len(turns)} turn(s)"
        + (f" · level {session['difficulty']}" if session.get("difficulty") else "")
        + f" · session {escape(session['id'])}</p>",
    ]
    if session.get("note"):
        body.append(f'<p class="note">{escape(session["note"])}</p>')
    if turns:
        body += ["<h2>Scores per turn</h2>", scores_chart(turns), _averages(turns)]
    body += [_turn(store, t, ratings.get(t["id"], []), comments.get(t["id"], [])) for t in turns]
    replaced = len(every) - len(turns)
    if replaced:
        body.append(f'<p class="meta">{replaced} take(s) replaced by a retake are not shown.</p>')
    if turns and turns[-1]["next_line"]:
        label = f"Ending ({turns[-1]['outcome'].replace('_', ' ')})" if turns[-1]["outcome"] else "Customer's next line"
        body.append(f'<p><span class="who">{label}:</span> “{escape(turns[-1]["next_line"])}”</p>')
    body.append(
        f"<footer>Rehearse {__version__} session report, made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        "It holds voice recordings: share it only with the learner's consent.</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — {escape(session['learner'])}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _by_turn(rows: list[dict]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["turn_id"], []).append(row)
    return grouped


def _averages(turns: list[dict]) -> str:
    cells = []
    for name, colour in DIMENSION_COLOURS.items():
        values = [s[name] for t in turns if (s := t["feedback"].get("scores") or {}).get(name) is not None]
        if values:
            cells.append(f'<td><span class="dot" style="background:{colour}"></span>{name} {np.mean(values):.0f}</td>')
    return f"<table><tr><th>Average</th>{''.join(cells)}</tr></table>" if cells else ""


def _turn(store, turn: dict, ratings: list[dict], comments: list[dict]) -> str:
    fb = turn["feedback"]
    take = f" (take {turn['take']})" if turn["take"] > 1 else ""
    words = [w[0] for w in fb.get("words") or []] or turn["transcript"].split()
    marked = _marked_words(words, _evidence_phrases(fb))
    reply = _highlighted(words, marked)
    parts = [
        f'<section class="turn" id="turn-{turn["index"]}"><h2>Turn {turn["index"]}{take}</h2>',
        f'<div class="who">Customer (mood {turn["customer_mood"]:.2f})</div>',
        f'<p class="line">“{escape(turn["customer_line"])}”</p>',
        _audio(store, turn, "customer"),
        '<div class="who">Reply</div>',
        f'<p class="line">{"“" + reply + "”" if reply else "(no answer)"}</p>',
        _audio(store, turn, "learner"),
        _envelope(store, turn, fb, marked, comments),
        _scores(fb, ratings),
        f"<p><b>Moves:</b> {escape(', '.join(fb.get('moves') or []) or 'none detected')}</p>",
    ]
    for name, evidence in (fb.get("evidence") or {}).items():
        if isinstance(evidence, dict):  # a tone label
            parts.append(f"<p><b>Tone:</b> {escape(name)}: {escape(evidence.get('why', ''))}</p>")
    if fb.get("tip"):
        parts.append(f'<p class="tip">{escape(fb["tip"])}</p>')
    parts += [f'<p class="note">{escape(reason)}</p>' for reason in fb.get("not_judged") or []]
    timing = timing_sentences(fb.get("timing"))
    if timing:
        parts.append(f'<p class="note"><b>Timing:</b> {escape(timing)}</p>')
    step = turn.get("step")
    if step:
        parts.append(
            f'<p class="branch"><b>Branch:</b> {escape(str(step.get("condition")))} → {escape(str(step.get("goto")))} '
            f"(mood {step.get('mood_before', 0):.2f} → {step.get('mood_after', 0):.2f})"
            + (f"<br>because {escape(step['facts'])}" if step.get("facts") else "")
            + "</p>"
        )
    if comments:
        items = "".join(
            f'<li><span class="pin">{n}</span>{c["at_seconds"]:.1f} s — <b>{escape(c["author"])}</b>: '
            f"{escape(c['text'])}</li>"
            for n, c in enumerate(comments, start=1)
        )
        parts.append(f'<p><b>Trainer comments</b></p><ol class="comments">{items}</ol>')
    parts.append("</section>")
    return "".join(parts)


def _scores(fb: dict, ratings: list[dict]) -> str:
    coach = {k: v for k, v in (fb.get("scores") or {}).items() if v is not None}
    rated: dict[str, list[str]] = {}
    for r in ratings:
        rated.setdefault(r["dimension"], []).append(f"{r['score']:.0f} ({escape(r['author'])})")
    names = list(coach) + [d for d in rated if d not in coach]
    if not names:
        return "<p><b>Scores:</b> not judged</p>"
    header = "<tr><th></th>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    row = "<tr><th>coach</th>" + "".join(f"<td>{coach[n]:.0f}</td>" if n in coach else "<td>–</td>" for n in names)
    table = header + row + "</tr>"
    if rated:
        table += "<tr><th>trainer</th>" + "".join(f"<td>{', '.join(rated.get(n, ['–']))}</td>" for n in names)
        table += "</tr>"
    return f"<table>{table}</table>"


def _audio(store, turn: dict, track: str) -> str:
    try:
        audio = store.audio(turn, track)
    except StoreError as exc:
        return f'<p class="note">{escape(str(exc))}</p>'
    if audio is None:
        return '<p class="meta">(no recording saved)</p>'
    fmt, mime = AUDIO_FORMAT
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(audio[0], -1.0, 1.0), audio[1], format=fmt, compression_level=VOICE_COMPRESSION)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    label = "the customer's line" if track == "customer" else "the reply"
    return f'<audio controls preload="metadata" aria-label="{label}" src="data:{mime};base64,{data}"></audio>'


def _envelope(store, turn: dict, fb: dict, marked: set[int], comments: list[dict]) -> str:
    try:
        audio = store.audio(turn, "learner")
    except StoreError:
        return ""  # said once already, by the audio player
    if audio is None:
        return ""
    spans = [tuple(w[1:3]) for i, w in enumerate(fb.get("words") or []) if i in marked]
    for evidence in (fb.get("evidence") or {}).values():
        if isinstance(evidence, dict):
            spans += [tuple(s) for s in evidence.get("seconds") or []]
    pins = [(c["at_seconds"], f"{c['author']}: {c['text']}") for c in comments]
    return reply_envelope(audio[0], audio[1], spans, pins)


def _evidence_phrases(fb: dict) -> list[str]:
    phrases = []
    for evidence in (fb.get("evidence") or {}).values():
        text = evidence.get("words", "") if isinstance(evidence, dict) else str(evidence)
        phrases += [p for p in text.split(";") if p.strip()]
    return phrases


def _highlighted(words: list[str], marked: set[int]) -> str:
    """The words as HTML, each run of marked words in one <mark>."""
    out = []
    for i, word in enumerate(words):
        opens, closes = i in marked and i - 1 not in marked, i in marked and i + 1 not in marked
        out.append(("<mark>" if opens else "") + escape(word) + ("</mark>" if closes else ""))
    return " ".join(out)


def _token(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower().replace("’", "'"))


def _marked_words(words: list[str], phrases: list[str]) -> set[int]:
    """Indices of the words that make up any of the evidence `phrases` (matched ignoring case and punctuation)."""
    tokens = [_token(w) for w in words]
    marked: set[int] = set()
    for phrase in phrases:
        wanted = [t for t in (_token(w) for w in phrase.split()) if t]
        if not wanted or len(wanted) >= len(tokens):  # the whole reply is no evidence worth marking
            continue
        for start in range(len(tokens) - len(wanted) + 1):
            if tokens[start : start + len(wanted)] == wanted:
                marked.update(range(start, start + len(wanted)))
    return marked
