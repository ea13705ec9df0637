"""Importing one call file into the store (decode, speakers, words, verdicts, save), as a function that a
local loop or a Ray task runs alike; models load once per process."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.app.calls.analyze import CallModels, CallOptions, CallResult, analyze_call
from rehearse.audio.call_file import load_call
from rehearse.constants import SAMPLE_RATE

DEFAULT_LEARNER = "unknown agent"


@dataclass(frozen=True)
class ImportSettings:
    """Everything one import needs, picklable for a Ray task."""

    model: str = "tiny.en"
    device: str = "auto"
    diarization: str = "bundled"
    db: str | None = None
    data_dir: str | None = None
    learner: str = DEFAULT_LEARNER
    agent_channel: str | None = None
    swap: bool = False
    semantic: bool = True
    enrolled: tuple[float, ...] | None = None
    """The learner's voice print (see `enrollment`)."""


@functools.cache
def _models(model: str, device: str, diarization: str) -> CallModels:
    from rehearse.models.stt import SpeechToText

    return CallModels(SpeechToText(model, device=device), device=device, diarization=diarization)


def _store(settings: ImportSettings):
    from rehearse.store import SessionStore

    return SessionStore(url=settings.db, folder=Path(settings.data_dir) if settings.data_dir else None)


def import_file(path: str | Path, settings: ImportSettings, on_stage=None, store=None) -> dict:
    """Import one call: {"file", "status": "imported"|"skipped", "session", "result"}. A call already in the
    store (same bytes) is skipped. Raises `AudioFileError` (bad file) or `StoreError`; writes nothing then."""
    from rehearse.store.calls import find_call

    on_stage = on_stage or (lambda stage, share: None)
    store = store or _store(settings)
    started = time.perf_counter()
    on_stage("decode", 0.0)
    call = load_call(path)
    decode_s = time.perf_counter() - started
    existing = find_call(store, call.sha256)
    if existing is not None:
        return {"file": str(path), "status": "skipped", "session": existing["id"], "result": None, "note": call.note}
    enrolled = np.asarray(settings.enrolled, dtype=np.float32) if settings.enrolled else None
    options = CallOptions(settings.agent_channel, settings.swap, enrolled, settings.semantic)
    result = analyze_call(call, _models(settings.model, settings.device, settings.diarization), options, on_stage)
    on_stage("save", 0.0)
    saved = time.perf_counter()
    session_id = save(store, settings.learner, result)
    result.stage_s.update(decode=decode_s, save=time.perf_counter() - saved)
    data = result.to_dict()
    data["session"] = session_id
    return {"file": str(path), "status": "imported", "session": session_id, "result": data, "note": call.note}


def save(store, learner: str, result: CallResult) -> str:
    """The call as a "real call" session: one turn per agent turn, the agent's audio as the learner track."""
    from rehearse.store.calls import save_call

    agent_track, customer_track = result.track("agent"), result.track("customer")
    turns = []
    for turn in result.turns:
        calm = turn.customer_calm
        turns.append(
            {
                "node_id": "call",
                "customer_line": turn.customer_text or "(the customer said nothing before this turn)",
                "customer_mood": round(1.0 - calm / 100.0, 2) if calm is not None else 0.0,
                "transcript": turn.feedback.transcript,
                "verdict": turn.to_dict(),
                "customer_audio": _clip(customer_track, turn.customer_from, turn.start),
                "learner_audio": _clip(agent_track, turn.reply_from, turn.end),
            }
        )
    figures = {k: v for k, v in result.to_dict().items() if k not in ("segments", "turns")}
    figures["file_name"] = result.call.path.name
    figures["segments"] = [s.to_dict() for s in result.segments]
    return save_call(store, learner, result.call.sha256, figures, turns)


def _clip(track: np.ndarray, start: float, end: float) -> tuple[np.ndarray, int] | None:
    if end <= start:
        return None
    return track[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)], SAMPLE_RATE


def enrollment(store, learner: str, device: str = "auto") -> tuple[np.ndarray | None, str]:
    """The learner's voice print from their practice sessions, kept in the store and remade when they have
    practised since; (None, why) when they have no recorded practice."""
    from rehearse.audio.files import to_mono_16k
    from rehearse.models.device import torch_device
    from rehearse.models.speaker_embedding import voice_print
    from rehearse.store.calls import keep_voice_print, practice_speech, stored_voice_print

    kept = stored_voice_print(store, learner)
    clips, count = (
        practice_speech(store, learner) if kept is None or kept[1] != _practice_count(store, learner) else ([], kept[1])
    )
    if kept is not None and not clips:
        return kept[0], f"{learner}'s voice print from {kept[1]} practice session(s)"
    if not clips:
        return None, f"no recorded practice for {learner}"
    audio = np.concatenate([to_mono_16k(a, rate) for a, rate in clips])
    vector = voice_print(audio, torch_device(device)[0])
    if vector is None:
        return None, f"too little speech in {learner}'s practice to know their voice"
    if not store.read_only:
        keep_voice_print(store, learner, vector, audio.size / SAMPLE_RATE, count)
    return vector, f"{learner}'s voice print from {count} practice session(s)"


def _practice_count(store, learner: str) -> int:
    return sum(1 for s in store.sessions(learner) if s.get("kind") is None)
