"""One recorded call judged as practice judges a reply: speakers, words, every agent turn scored, call figures.

    result = analyze_call(load_call("call.wav"), CallModels(stt), CallOptions(), on_stage)

Stages (for progress): diarize (or split channels), transcribe, score. Saving is `store.calls.save_call`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rehearse.app.calls.figures import Segment, call_figures
from rehearse.app.calls.speakers import (
    CHANNELS,
    AgentChoice,
    channel_turns,
    choose_agent,
    parties,
    speech_of,
    swapped,
    voice_prints,
)
from rehearse.audio.call_file import CallAudio
from rehearse.constants import SAMPLE_RATE
from rehearse.models.stt import Transcript, Word

MIN_CUSTOMER_TURN_S = 1.0
"""Customer speech shorter than this inside an agent's turn ("mm-hmm") does not end the agent's turn."""
MAX_RESPONSE_GAP_S = 10.0
"""A reply's audio starts at most this long before the agent's first word (its response gap)."""

Stage = Callable[[str, float], None]
"""on_stage(stage name, share done 0..1)."""


@dataclass
class CallModels:
    """The models a call needs; the diarizer loads on the first mono call."""

    stt: object
    device: str = "auto"
    diarization: str = "bundled"
    _diarizer: object = None

    @property
    def diarizer(self):
        if self._diarizer is None:
            from rehearse.models.diarization import Diarizer

            self._diarizer = Diarizer(self.diarization, device=self.device)
        return self._diarizer


@dataclass(frozen=True)
class CallOptions:
    agent_channel: str | None = None
    """"left" or "right": the agent's channel in a stereo call."""
    swap: bool = False
    enrolled: np.ndarray | None = None
    """The learner's voice print from practice (None: decide by who opens the call)."""
    semantic: bool = True
    """Judge wording with the embedding layers too, as practice does (False: phrase rules only)."""


@dataclass(frozen=True)
class AgentTurn:
    """One agent turn judged, with the customer speech it answered."""

    index: int
    start: float
    end: float
    reply_from: float
    """Where the judged audio starts (the customer's last words before it, or the turn itself)."""
    customer_text: str
    customer_from: float
    customer_calm: float | None
    feedback: object

    def to_dict(self) -> dict:
        data = self.feedback.to_dict()
        data.update(
            turn=self.index,
            start=round(self.start, 3),
            end=round(self.end, 3),
            customer_line=self.customer_text,
            customer_calm=None if self.customer_calm is None else round(self.customer_calm, 1),
        )
        return data


@dataclass(frozen=True)
class CallResult:
    call: CallAudio
    method: str
    """"stereo split" or "diarized"."""
    agent: AgentChoice
    segments: tuple[Segment, ...]
    turns: tuple[AgentTurn, ...]
    figures: dict
    customer_tension: dict
    stage_s: dict[str, float] = field(default_factory=dict)

    def track(self, role: str) -> np.ndarray:
        """The audio a role is heard on: its own channel in a stereo call, else the mix."""
        if len(self.call.tracks) == 1:
            return self.call.tracks[0]
        agent_index = CHANNELS.index(self.agent.speaker)
        return self.call.tracks[agent_index if role == "agent" else 1 - agent_index]

    def to_dict(self) -> dict:
        return {
            "file": str(self.call.path),
            "sha256": self.call.sha256,
            "duration_s": round(self.call.duration_s, 2),
            "method": self.method,
            "agent": self.agent.to_dict(),
            "segments": [s.to_dict() for s in self.segments],
            "turns": [t.to_dict() for t in self.turns],
            **self.figures,
            "customer_tension": self.customer_tension,
            "stage_s": {k: round(v, 2) for k, v in self.stage_s.items()},
        }


def analyze_call(
    call: CallAudio, models: CallModels, options: CallOptions, on_stage: Stage | None = None
) -> CallResult:
    """Diarize (or split), pick the agent, transcribe, and judge every agent turn. Raises `AudioFileError`
    for a call without two voices; writes nothing."""
    on_stage = on_stage or (lambda stage, share: None)
    clock = _Clock()
    stereo = len(call.tracks) == 2
    on_stage("speakers", 0.0)
    if stereo:
        diarization = channel_turns(call.tracks)
    else:
        diarization = models.diarizer(call.mono, on_progress=lambda share: on_stage("speakers", share))
    speakers = parties(diarization, call.path)
    by_speaker = {
        s: speech_of(diarization, s, call.tracks[CHANNELS.index(s)] if stereo else call.mono) for s in speakers
    }
    enrolled = options.enrolled if options.agent_channel is None else None
    prints = voice_prints(by_speaker, _torch_device(models)) if enrolled is not None else {}
    agent = choose_agent(diarization, speakers, enrolled, prints, options.agent_channel if stereo else None)
    if options.swap:
        agent = swapped(agent, speakers)
    role = {s: "agent" if s == agent.speaker else "customer" for s in diarization.speakers}
    clock.lap("speakers")

    on_stage("transcribe", 0.0)
    words = _words(call, models.stt, diarization, stereo, lambda share: on_stage("transcribe", share))
    segments = tuple(
        Segment(t.speaker, role[t.speaker], t.start, t.end, " ".join(w.text for w in _within(words[t.speaker], t)))
        for t in diarization.turns
        if t.speaker in role
    )
    clock.lap("transcribe")

    on_stage("score", 0.0)
    result_track = {
        "agent": call.tracks[CHANNELS.index(agent.speaker)] if stereo else call.mono,
        "customer": call.tracks[1 - CHANNELS.index(agent.speaker)] if stereo else call.mono,
    }
    tension = _customer_tension(segments, result_track["customer"])
    turns = _judge_turns(segments, words[agent.speaker], result_track, tension, options, on_stage)
    clock.lap("score")
    return CallResult(
        call,
        "stereo split" if stereo else "diarized",
        agent,
        segments,
        turns,
        call_figures(segments),
        tension,
        clock.laps,
    )


def _torch_device(models: CallModels) -> str:
    from rehearse.models.device import torch_device

    return torch_device(models.device)[0]


class _Clock:
    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def _within(words: list[Word], turn) -> list[Word]:
    return [w for w in words if turn.start <= (w.start + w.end) / 2 < turn.end]


def _words(call: CallAudio, stt, diarization, stereo: bool, progress) -> dict[str, list[Word]]:
    """Each speaker's recognised words, in seconds from the start of the call."""
    if stereo:
        out = {}
        for i, name in enumerate(CHANNELS):
            out[name] = list(
                stt.transcribe(
                    call.tracks[i], on_progress=lambda done, total, i=i: progress((i + done / total) / 2)
                ).words
            )
        return out
    transcript = stt.transcribe(call.mono, on_progress=lambda done, total: progress(done / total))
    out = {s: [] for s in diarization.speakers}
    exclusive = diarization.exclusive or diarization.turns
    for word in transcript.words:
        middle = (word.start + word.end) / 2
        nearest = min(
            exclusive,
            key=lambda t: 0.0 if t.start <= middle < t.end else min(abs(t.start - middle), abs(t.end - middle)),
        )
        out[nearest.speaker].append(word)
    return out


def _groups(segments, role: str) -> list[tuple[float, float]]:
    """`role`'s turns: their segments joined until the other party speaks for `MIN_CUSTOMER_TURN_S` or more."""
    other = [s for s in segments if s.role != role and s.end - s.start >= MIN_CUSTOMER_TURN_S]
    out: list[list[float]] = []
    for seg in sorted((s for s in segments if s.role == role), key=lambda s: s.start):
        if out and not any(out[-1][1] <= o.start < seg.start for o in other):
            out[-1][1] = max(out[-1][1], seg.end)
        else:
            out.append([seg.start, seg.end])
    return [(a, b) for a, b in out]


def _customer_tension(segments, track: np.ndarray) -> dict:
    """The customer's calm (0-100, as the coach scores a voice) over each of their turns, against their own
    first turn; with the mean and the change from the first third of the call to the last."""
    from rehearse.audio import prosody
    from rehearse.coach.feedback import measure_baseline
    from rehearse.coach.verdict import MIN_VOICED_S, tension

    baseline, turns = None, []
    for start, end in _groups(segments, "customer"):
        audio = track[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        summary = prosody.summarize(audio)
        if summary.voiced_s < MIN_VOICED_S:
            turns.append({"start": round(start, 2), "end": round(end, 2), "calm": None, "why": []})
            continue
        if baseline is None:
            baseline = measure_baseline(None, audio)
        strain = tension(summary, baseline)
        calm = float(np.clip(100.0 - strain.points, 0.0, 100.0))
        turns.append(
            {"start": round(start, 2), "end": round(end, 2), "calm": round(calm, 1), "why": list(strain.reasons)}
        )
    calms = [t["calm"] for t in turns if t["calm"] is not None]
    third = max(1, len(calms) // 3)
    return {
        "turns": turns,
        "mean_calm": round(float(np.mean(calms)), 1) if calms else None,
        "change": round(float(np.mean(calms[-third:]) - np.mean(calms[:third])), 1) if len(calms) >= 2 else None,
        "against": "the customer's own first turn",
    }


def _calm_at(tension: dict, start: float, end: float) -> float | None:
    values = [t["calm"] for t in tension["turns"] if t["calm"] is not None and t["start"] < end and start < t["end"]]
    return values[-1] if values else None


def _judge_turns(segments, agent_words, tracks, tension, options: CallOptions, on_stage: Stage):
    from rehearse.coach.feedback import baseline_from, judge

    customer = sorted((s for s in segments if s.role == "customer"), key=lambda s: s.start)
    groups = _groups(segments, "agent")
    baseline, turns, previous_end = None, [], 0.0
    for index, (start, end) in enumerate(groups, 1):
        said = [s for s in customer if previous_end <= s.start < start]
        before = [s.end for s in said if s.end <= start]
        reply_from = max(max(before, default=start), start - MAX_RESPONSE_GAP_S, previous_end)
        first_word = min((w.start for w in agent_words if start <= (w.start + w.end) / 2 < end), default=start)
        reply_from = min(reply_from, start, first_word)
        words = tuple(
            Word(w.text, w.start - reply_from, w.end - reply_from, w.probability)
            for w in agent_words
            if start <= (w.start + w.end) / 2 < end
        )
        audio = tracks["agent"][int(reply_from * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        overlap = sum(max(0.0, min(end, c.end) - max(start, c.start)) for c in customer if c.start < start < c.end)
        transcript = Transcript(" ".join(w.text for w in words), words, "en", audio.size / SAMPLE_RATE)
        feedback = judge(transcript, audio, baseline=baseline, semantic=options.semantic, talk_over_s=overlap or None)
        if baseline is None and feedback.transcript:
            baseline = baseline_from(feedback)
        customer_from = said[0].start if said else start
        turns.append(
            AgentTurn(
                index,
                start,
                end,
                reply_from,
                " ".join(s.text for s in said if s.text),
                customer_from,
                _calm_at(tension, customer_from, start) if said else None,
                feedback,
            )
        )
        previous_end = end
        on_stage("score", index / len(groups))
    return tuple(turns)
