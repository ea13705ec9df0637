"""The CUDA 12 libraries CTranslate2 (faster-whisper) needs, found in pip wheels without LD_LIBRARY_PATH.

CTranslate2 4.x is built against CUDA 12 and opens `libcublas.so.12` and cuDNN 9 (`libcudnn*.so.9`) by
name at its first GPU computation. The torch 2.11 wheel brings CUDA 13 cuBLAS (`nvidia/cu13/lib`) and a
cuDNN 9 (`nvidia/cudnn/lib`); the `gpu` extra adds CUDA 12 cuBLAS (`nvidia-cublas-cu12`, in
`nvidia/cublas/lib`). Loading those files here, by full path and with RTLD_GLOBAL, before CTranslate2
asks for them makes its later lookups by name find them (the loader matches an already loaded SONAME).
Why cuDNN comes from torch's wheel and not `nvidia-cudnn-cu12`: docs/gpu.md.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

NEEDED = ("libcublas.so.12", "libcudnn.so.9")
"""What CTranslate2 4.x opens at its first CUDA computation."""
_WHEEL_DIRS = (("cublas", "lib"), ("cudnn", "lib"))
"""Folders of the nvidia-* wheels under `nvidia/` in site-packages: CUDA 12 cuBLAS, and cuDNN 9."""
_PREFIXES = ("libcublasLt.so.12", "libcublas.so.12", "libcudnn")
"""Files loaded from those folders: cuBLAS 12 (Lt first: cuBLAS needs it) and every cuDNN 9 part."""
INSTALL_HINT = "install the CUDA 12 libraries with: pip install 'rehearse[gpu]' (scripts/setup.sh does it on a GPU)"


@dataclass(frozen=True)
class CudaLibraries:
    """Which of the libraries CTranslate2 needs could be loaded, and from where."""

    found: dict[str, str]
    """Library name → the file it was loaded from ("system" when the loader found it by name)."""
    missing: tuple[str, ...]
    """Names that could be loaded neither from a wheel nor by the system loader."""

    def describe(self) -> str:
        """One line for `rehearse doctor`."""
        parts = [f"{name} from {where}" for name, where in self.found.items()]
        if self.missing:
            parts.append(f"{', '.join(self.missing)} not found; {INSTALL_HINT}")
        return "; ".join(parts)


def wheel_dirs(paths: list[str] | None = None) -> list[Path]:
    """The nvidia-* wheel library folders (cuBLAS 12, cuDNN 9) in `paths` (default `sys.path`), first ones first."""
    out = []
    for entry in paths if paths is not None else sys.path:
        for parts in _WHEEL_DIRS:
            folder = Path(entry or ".", "nvidia", *parts)
            if folder.is_dir() and folder not in out:
                out.append(folder)
    return out


def _wheel_files(folders: list[Path]) -> list[Path]:
    files = []
    for folder in folders:
        files += sorted(p for p in folder.iterdir() if p.name.startswith(_PREFIXES) and ".so." in p.name)
    # cuBLASLt before cuBLAS, the cuDNN core before its parts (each needs the one before)
    return sorted(files, key=lambda p: (not p.name.startswith("libcublasLt"), p.name != "libcudnn.so.9"))


def _load(path: str) -> bool:
    try:
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        return True
    except OSError as exc:
        _LOGGER.debug("cannot load %s: %s", path, exc)
        return False


@functools.cache
def preload(paths: tuple[str, ...] | None = None) -> CudaLibraries:
    """Load the wheels' CUDA 12 libraries globally (once per process) and say what is there.

    `paths` replaces `sys.path` as the folders to look in (for tests); the system loader
    (LD_LIBRARY_PATH, ldconfig) is asked for whatever no wheel provides.
    """
    pending = _wheel_files(wheel_dirs(list(paths) if paths is not None else None))
    loaded: dict[str, str] = {}
    # cuDNN's parts need each other: retry what failed while each round loads something new
    while pending:
        failed = [p for p in pending if not _load(str(p))]
        loaded.update({p.name: str(p) for p in pending if p not in failed})
        if len(failed) == len(pending):
            break
        pending = failed
    found, missing = {}, []
    for name in NEEDED:
        if name in loaded:
            found[name] = loaded[name]
        elif _load(name):
            found[name] = "system"
        else:
            missing.append(name)
    return CudaLibraries(found, tuple(missing))


def locate(paths: list[str] | None = None) -> dict[str, str]:
    """Library name → the wheel file that provides it, for the names CTranslate2 needs (nothing is loaded)."""
    files = {p.name: str(p) for p in _wheel_files(wheel_dirs(paths))}
    return {name: files[name] for name in NEEDED if name in files}
