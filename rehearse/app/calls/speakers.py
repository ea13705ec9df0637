"""Who spoke when in a call, and which speaker is the agent.

Stereo calls with one party per channel are split by channel (Silero VAD finds each party's speech);
mono calls are diarized with pyannote (`models.diarization`). The agent is the speaker whose voice is
closest to the learner's practice voice (an enrollment voice print kept in the store) when there is one,
else whoever opens the call; `--agent-channel` and `--swap` override.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.audio.files import AudioFileError
from rehearse.constants import SAMPLE_RATE
from rehearse.models.diarization import Diarization, SpeakerTurn

CHANNELS = ("left", "right")
MIN_PARTY_SPEECH_S = 1.5
"""A party with less speech than this is not in the call (a click, a cough, crosstalk)."""
MAX_PRINT_S = 60.0
"""Seconds of one speaker's speech that make their voice print."""
FRAME = 1600
"""100 ms at 16 kHz: the frame of the crosstalk check."""
CROSSTALK_DB = 15.0
"""A channel this much quieter than the other at the same moment only carries the other party leaking in."""
MIN_TURN_S = 0.2


@dataclass(frozen=True)
class AgentChoice:
    """Which speaker is the agent, how it was decided, and how sure that is (0-1)."""

    speaker: str
    method: str
    """"channel" (given), "voice" (matched the learner's voice print) or "opens the call"."""
    confidence: float
    why: str

    def to_dict(self) -> dict:
        return {
            "speaker": self.speaker,
            "method": self.method,
            "confidence": round(self.confidence, 2),
            "why": self.why,
        }


def channel_turns(tracks: tuple[np.ndarray, ...]) -> Diarization:
    """Each channel's speech as one speaker's turns ("left", "right"): Silero VAD, without the stretches where
    the channel only carries the other party's voice leaking in (crosstalk, `CROSSTALK_DB` quieter)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=400, speech_pad_ms=100)
    levels = [_frame_levels(track) for track in tracks]
    turns = []
    for i, (name, track) in enumerate(zip(CHANNELS, tracks, strict=True)):
        own = levels[i] > levels[1 - i] - CROSSTALK_DB
        for span in get_speech_timestamps(track, options):
            for start, end in _runs(own, span["start"] // FRAME, -(-span["end"] // FRAME)):
                if (end - start) * FRAME >= MIN_TURN_S * SAMPLE_RATE:
                    turns.append(SpeakerTurn(name, start * FRAME / SAMPLE_RATE, end * FRAME / SAMPLE_RATE))
    turns.sort(key=lambda t: (t.start, t.end))
    return Diarization(tuple(turns), tuple(turns), {})


def _frame_levels(track: np.ndarray) -> np.ndarray:
    """Level of each `FRAME` of the track in dB."""
    frames = track[: track.size // FRAME * FRAME].reshape(-1, FRAME)
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-10)


def _runs(mask: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of True in mask[start:end], as frame indices, with gaps under 0.3 s bridged."""
    on = np.flatnonzero(mask[start:end]) + start
    if not on.size:
        return []
    breaks = np.flatnonzero(np.diff(on) > round(0.3 * SAMPLE_RATE / FRAME))
    firsts = np.r_[on[0], on[breaks + 1]]
    lasts = np.r_[on[breaks], on[-1]] + 1
    return list(zip(firsts.tolist(), lasts.tolist(), strict=True))


def parties(diarization: Diarization, path) -> list[str]:
    """The speakers with enough speech to be a party of the call, most talkative first; refuses one or none."""
    speech = {s: diarization.speech_s(s) for s in diarization.speakers}
    found = sorted((s for s, seconds in speech.items() if seconds >= MIN_PARTY_SPEECH_S), key=lambda s: -speech[s])
    if not found:
        raise AudioFileError(f"{path}: no speech was found in it (music, silence or noise only?); give a recorded call")
    if len(found) == 1:
        raise AudioFileError(
            f"{path}: only one voice was found in it ({speech[found[0]]:.0f} s of speech); a call needs the agent "
            "and the customer: if each party was recorded on its own channel, import the stereo original"
        )
    return found


def voice_prints(audio_by_speaker: dict[str, np.ndarray], device: str) -> dict[str, np.ndarray]:
    """A CAM++ voice print per speaker from (up to `MAX_PRINT_S` of) their speech."""
    from rehearse.models.speaker_embedding import voice_print

    out = {}
    for speaker, audio in audio_by_speaker.items():
        vector = voice_print(audio[: int(MAX_PRINT_S * SAMPLE_RATE)], device)
        if vector is not None:
            out[speaker] = vector
    return out


def speech_of(diarization: Diarization, speaker: str, track: np.ndarray) -> np.ndarray:
    """The speaker's speech (exclusive turns: no one else talking) cut from `track` and joined."""
    pieces = [
        track[int(t.start * SAMPLE_RATE) : int(t.end * SAMPLE_RATE)]
        for t in diarization.exclusive
        if t.speaker == speaker
    ]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def choose_agent(
    diarization: Diarization,
    speakers: list[str],
    enrolled: np.ndarray | None,
    prints: dict[str, np.ndarray],
    agent_channel: str | None = None,
) -> AgentChoice:
    """The agent among `speakers` (see the module docstring)."""
    from rehearse.models.speaker_embedding import similarity

    if agent_channel is not None:
        return AgentChoice(agent_channel, "channel", 1.0, f"the {agent_channel} channel, as given")
    if enrolled is not None and all(s in prints for s in speakers[:2]):
        scores = sorted(((similarity(enrolled, prints[s]), s) for s in speakers), reverse=True)
        (best, who), (second, _) = scores[0], scores[1]
        confidence = float(np.clip(0.5 + (best - second), 0.0, 1.0))
        return AgentChoice(
            who,
            "voice",
            confidence,
            f"closest to the learner's practice voice (similarity {best:.2f} against {second:.2f})",
        )
    firsts = {s: min(t.start for t in diarization.turns if t.speaker == s) for s in speakers}
    order = sorted(speakers, key=lambda s: firsts[s])
    lead = firsts[order[1]] - firsts[order[0]]
    confidence = 0.7 if lead >= 1.0 else 0.55
    return AgentChoice(
        order[0],
        "opens the call",
        confidence,
        f"spoke first ({lead:.1f} s before the other party); agents usually open the call",
    )


def swapped(choice: AgentChoice, speakers: list[str]) -> AgentChoice:
    """The other main party as the agent (the user said the choice was wrong)."""
    other = next(s for s in speakers[:2] if s != choice.speaker)
    return AgentChoice(other, "swapped", 1.0, f"{choice.why}; swapped on request")
