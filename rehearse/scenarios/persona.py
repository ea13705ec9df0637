"""Who the learner talks to: the persona, its voice (a Piper voice plus pitch and rate), the context card."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rehearse.scenarios.source import Problems


@dataclass(frozen=True)
class VoicePreset:
    """A named persona voice made from a Piper voice by shifting its pitch and rate."""

    base: str = "joe"
    pitch: float = 0.0
    """Semitones above (+) or below (-) the Piper voice."""
    rate: float = 1.0
    """Speaking-rate factor: 0.9 is 10 % slower."""


VOICE_PRESETS = {
    "joe": VoicePreset(),
    "deep": VoicePreset(pitch=-3.0, rate=0.95),
    "bright": VoicePreset(pitch=3.5, rate=1.05),
    "elder": VoicePreset(pitch=-1.5, rate=0.82),
    "brisk": VoicePreset(pitch=1.5, rate=1.12),
}


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    voice: str = "joe"
    """The Piper voice to load: a bundled name ("joe") or an absolute path to a `.onnx` voice."""
    mood: float = 0.5
    """Starting mood, 0 calm to 1 furious."""
    patience: int = 3
    """Poor replies in a row the persona tolerates before hanging up."""
    pitch: float = 0.0
    """Persona pitch in semitones relative to the Piper voice (added to the mood's pitch)."""
    rate: float = 1.0
    """Persona speaking-rate factor (multiplies the mood's rate)."""


@dataclass(frozen=True)
class ContextCard:
    """What the learner reads before the call."""

    caller: str
    facts: tuple[str, ...]
    goal: str

    def text(self) -> str:
        facts = "".join(f"\n- {fact}" for fact in self.facts)
        return f"Who: {self.caller}\nFacts:{facts}\nYour goal: {self.goal}\n"


def _number(
    raw: dict, key: str, default: float, low: float, high: float, path: tuple, problems: Problems, what: str
) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        problems.add(path + (key,), f"must be {what} from {low:g} to {high:g}, not {value!r}")
        return default
    return float(value)


def _voice(raw, folder: Path, problems: Problems) -> VoicePreset:
    path = ("persona", "voice")
    known = ", ".join(sorted(VOICE_PRESETS))
    if isinstance(raw, str):
        if raw in VOICE_PRESETS:
            return VOICE_PRESETS[raw]
        if raw.endswith(".onnx"):
            return VoicePreset(base=_voice_file(raw, folder, path, problems))
        problems.add(
            path,
            f"unknown voice {raw!r}: use one of {known}, a mapping "
            "{base, pitch, rate}, or a path to a Piper .onnx voice",
        )
        return VoicePreset()
    if not isinstance(raw, dict):
        problems.add(path, f"must be a voice name ({known}) or a mapping with base, pitch and rate")
        return VoicePreset()
    for key in raw:
        if key not in ("base", "pitch", "rate"):
            problems.add(path + (key,), "unknown field (known: base, pitch, rate)")
    base = raw.get("base", "joe")
    if not isinstance(base, str):
        problems.add(path + ("base",), "must be a voice name or a path to a Piper .onnx voice")
        base = "joe"
    start = VOICE_PRESETS.get(base)
    if start is None:
        if base.endswith(".onnx"):
            start = VoicePreset(base=_voice_file(base, folder, path + ("base",), problems))
        else:
            problems.add(
                path + ("base",), f"unknown voice {base!r}: use one of {known} or a path to a Piper .onnx voice"
            )
            start = VoicePreset()
    pitch = _number(raw, "pitch", 0.0, -6.0, 6.0, path, problems, "semitones")
    rate = _number(raw, "rate", 1.0, 0.6, 1.5, path, problems, "a rate factor")
    return VoicePreset(start.base, start.pitch + pitch, start.rate * rate)


def _voice_file(raw: str, folder: Path, path: tuple, problems: Problems) -> str:
    try:
        file = (folder / Path(raw).expanduser()).resolve()
        found = file.is_file()
    except (OSError, RuntimeError, ValueError) as exc:  # ~nosuchuser, a name too long for the file system, ...
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        problems.add(path, f"cannot use the voice path {raw!r}: {reason}")
        return raw
    if not found:
        problems.add(path, f"voice file not found: {file}")
    elif not _is_file(Path(f"{file}.json")):
        problems.add(path, f"the Piper voice {file.name} needs its config {file.name}.json beside it")
    return str(file)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def parse_persona(raw: dict, folder: Path, problems: Problems) -> Persona:
    """The `persona:` mapping of a scenario file; `folder` resolves relative voice paths."""
    path = ("persona",)
    for key in raw:
        if key not in ("name", "role", "voice", "mood", "patience"):
            problems.add(path + (key,), "unknown field (known: name, role, voice, mood, patience)")
    name, role = raw.get("name"), raw.get("role")
    for key, value in (("name", name), ("role", role)):
        if not isinstance(value, str) or not value.strip():
            problems.add(path + (key,), "missing: a short text" if value is None else "must be a short text")
    voice = _voice(raw.get("voice", "joe"), folder, problems)
    mood = _number(raw, "mood", 0.5, 0.0, 1.0, path, problems, "a starting mood")
    patience = raw.get("patience", 3)
    if isinstance(patience, bool) or not isinstance(patience, int) or not 1 <= patience <= 10:
        problems.add(path + ("patience",), f"must be a whole number of poor replies from 1 to 10, not {patience!r}")
        patience = 3
    return Persona(
        str(name or "Customer"), str(role or "customer"), voice.base, mood, patience, voice.pitch, voice.rate
    )


def parse_context(raw, problems: Problems) -> ContextCard:
    """The `context:` card: a mapping with caller, facts and goal."""
    path = ("context",)
    if not isinstance(raw, dict):
        problems.add(
            path,
            "missing: a card with caller, facts and goal"
            if raw is None
            else "must be a mapping with caller, facts and goal",
        )
        return ContextCard("", (), "")
    for key in raw:
        if key not in ("caller", "facts", "goal"):
            problems.add(path + (key,), "unknown field (known: caller, facts, goal)")
    texts = {}
    for key in ("caller", "goal"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add(path + (key,), "missing: one or two sentences" if value is None else "must be text")
            value = ""
        texts[key] = value.strip()
    facts = raw.get("facts") or []
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        problems.add(path + ("facts",), "must be a list of short facts")
        facts = []
    return ContextCard(texts["caller"], tuple(f.strip() for f in facts), texts["goal"])
