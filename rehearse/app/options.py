"""What a practice session is built from: one dataclass that every front end fills in its own way
(the terminal from its arguments, the window from its settings, tests and benches directly)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from rehearse.audio.endpoint import EndpointConfig
from rehearse.models.registry import DEFAULT_WHISPER


@dataclass(frozen=True)
class PracticeOptions:
    """Everything that chooses how a practice session runs."""

    scenario: str = "internet-outage"
    """A scenario id from the library (`rehearse scenarios list`) or a path to a scenario YAML file."""
    model: str = DEFAULT_WHISPER
    """Speech-to-text: "tiny.en", "base", "auto" (best for the device), a model folder, or a cached hub name."""
    device: str = "auto"
    """Where models run: "auto", "cpu" or "cuda"."""
    voice: str | None = None
    """Piper voice for the customer (a name or a .onnx path); None: the persona's own voice."""
    data_dir: Path | None = None
    """Where sessions, turn audio and device choices are saved; None: the user data folder."""
    db_url: str | None = None
    """A database URL; None: SQLite in `data_dir`."""
    input_device: str | int | None = None
    """Microphone by name or index; None: the one chosen last time, else the system default."""
    output_device: str | int | None = None
    """Headphones or speakers for the customer, as `input_device`."""
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    """When a spoken reply starts and ends (silence, maximum length, no answer)."""
    rules_only: bool = False
    """Judge wording with the phrase rules alone (starts sooner, misses more paraphrases)."""
    learner: str = "learner"
    """Whose session this is."""
    seed: int = 0
    """Chooses line variants: same seed, same conversation for the same replies."""
    difficulty: int | None = None
    """Play the scenario at this level (1-5); None: as the file says."""
    baseline: Path | None = None
    """A calm read in the learner's normal voice; None: their first reply sets the baseline."""

    @classmethod
    def from_dict(cls, data: dict) -> PracticeOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if isinstance(values.get("endpoint"), dict):
            values["endpoint"] = EndpointConfig.from_dict(values["endpoint"])
        for key in ("data_dir", "baseline"):
            if values.get(key) is not None:
                values[key] = Path(values[key])
        return cls(**values)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("data_dir", "baseline"):
            data[key] = None if data[key] is None else str(data[key])
        return data
