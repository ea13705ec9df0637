"""CPU/GPU selection for CTranslate2 (faster-whisper) and torch, with the reason for each choice."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from rehearse.models import cuda_libs
from rehearse.models.errors import ModelLoadError

_LOGGER = logging.getLogger(__name__)

_GPU_ERROR_WORDS = ("cuda", "cublas", "cudnn", "out of memory", "nvidia", "gpu", "device-side")


@dataclass(frozen=True)
class DeviceChoice:
    """Where a model runs and why."""

    device: str
    """"cuda" or "cpu"."""
    compute_type: str
    """CTranslate2 compute type, e.g. "int8" on CPU or "float16" on CUDA."""
    threads: int
    """CPU threads for inference (`cpu_threads`); 0 lets the library decide."""
    reason: str
    """One sentence a user can read in `rehearse doctor`."""


def physical_cores() -> int:
    """Number of physical CPU cores (hyper-threads not counted), at least 1."""
    try:
        cores = set()
        physical = core = None
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "physical id":
                physical = value.strip()
            elif key == "core id":
                core = value.strip()
            elif not line.strip():
                if core is not None:
                    cores.add((physical, core))
                physical = core = None
        if core is not None:
            cores.add((physical, core))
        if cores:
            return len(cores)
    except OSError:
        pass
    return max(1, os.cpu_count() or 1)


def cpu_threads(cores: int) -> int:
    """Whisper's threads on a CPU: every physical core but one, which stays free for the live loop (VAD, meters,
    Smart Turn) and the window. On 2 cores one thread decoded 3 s of speech in 239-293 ms against 318-368 ms with
    two (tiny.en int8, idle), and live end of speech -> scores fell from 859-1025 ms to 728-748 ms median."""
    return max(1, cores - 1)


def is_gpu_failure(exc: BaseException) -> bool:
    """True for an error a failing GPU raises mid-computation (out of memory, driver or CUDA library error)."""
    if not isinstance(exc, RuntimeError | OSError) or isinstance(exc, ModelLoadError):
        return False
    text = str(exc).lower()
    return any(word in text for word in _GPU_ERROR_WORDS)


@functools.cache
def ctranslate2_device(requested: str = "auto") -> DeviceChoice:
    """Choose the device for faster-whisper.

    "auto" picks CUDA only when a GPU is visible *and* the CUDA 12 libraries CTranslate2 needs can
    be loaded; otherwise CPU int8 on all physical cores but one (`cpu_threads`). The caller still verifies
    CUDA with a first real computation (see `models.stt`), because some failures only show there.
    """
    cores = physical_cores()
    threads = cpu_threads(cores)
    cpu = DeviceChoice("cpu", "int8", threads, f"CPU int8, {threads} thread(s) on {cores} physical core(s)")
    if requested == "cpu":
        return DeviceChoice(cpu.device, cpu.compute_type, cpu.threads, cpu.reason + " (asked for CPU)")
    import ctranslate2

    try:
        gpus = ctranslate2.get_cuda_device_count()
    except Exception as exc:  # a broken driver raises here
        gpus = 0
        _LOGGER.debug("CUDA device count failed: %s", exc)
    if gpus == 0:
        reason = "no CUDA GPU visible to CTranslate2"
    else:
        libraries = cuda_libs.preload()
        if not libraries.missing:
            return DeviceChoice("cuda", "float16", 0, f"CUDA GPU found ({gpus}); {libraries.describe()}")
        reason = f"a GPU is present but CTranslate2 needs CUDA 12 libraries: {libraries.describe()}"
    if requested == "cuda":
        raise ModelLoadError(f"--device cuda was asked for but {reason}; use --device auto or cpu")
    return DeviceChoice(cpu.device, cpu.compute_type, cpu.threads, f"{cpu.reason}: {reason}")


def torch_device(requested: str = "auto") -> tuple[str, str]:
    """Device for torch models (pyannote, embeddings) and the reason. Imports torch lazily."""
    if requested == "cpu":
        return "cpu", "asked for CPU"
    import torch

    if torch.cuda.is_available():
        return "cuda", f"torch sees {torch.cuda.get_device_name(0)}"
    if requested == "cuda":
        raise ModelLoadError("--device cuda was asked for but torch sees no CUDA GPU; use --device auto or cpu")
    return "cpu", "torch sees no CUDA GPU"
