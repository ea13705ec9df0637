"""Importing a list of call files one after another with progress, time left and cancelling, for a front end
(the window's import dialog) that runs `import_calls` off its GUI thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rehearse.app.calls.stages import STAGE_NAMES, call_done


class Cancelled(Exception):
    """The user cancelled; raised from the progress callback, so the call being imported is not saved."""


@dataclass(frozen=True)
class BatchOptions:
    """What the import dialog asks for."""

    learner: str
    agent_channel: str | None = None
    """"left", "right" or None (the importer decides)."""
    agent_sample: Path | None = None
    semantic: bool = True


@dataclass(frozen=True)
class BatchProgress:
    """Where the import stands: file `index` of `count`, its stage, the share of all files done, the time left."""

    index: int
    count: int
    file: str
    stage: str
    done: float
    seconds_left: float | None

    def text(self) -> str:
        left = f", about {clock(self.seconds_left)} left" if self.seconds_left is not None else ""
        return f"{self.file} ({self.index + 1} of {self.count}): {STAGE_NAMES.get(self.stage, self.stage)}{left}"


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def import_calls(
    files: list[Path],
    options: BatchOptions,
    on_progress: Callable[[BatchProgress], None],
    on_result: Callable[[dict], None],
    cancel: threading.Event,
) -> list[dict]:
    """Import each file in turn; each outcome (the importer's dict, or {"file", "status": "failed", "error"})
    goes to `on_result` as it is known. `cancel` is checked at every stage and between files: the call being
    imported is then dropped (nothing saved) and the rest are not started; returns the outcomes so far."""
    from rehearse.app.calls.importer import ImportSettings, import_file

    store = _open_store()
    started, outcomes = time.monotonic(), []
    on_progress(BatchProgress(0, len(files), files[0].name if files else "", "voice", 0.0, None))
    enrolled, why = _voice(store, options)
    settings = ImportSettings(
        learner=options.learner,
        agent_channel=options.agent_channel,
        semantic=options.semantic,
        enrolled=tuple(float(v) for v in enrolled) if enrolled is not None else None,
    )
    for index, path in enumerate(files):
        if cancel.is_set():
            break

        def stage(name: str, share: float, index=index, path=path) -> None:
            if cancel.is_set():
                raise Cancelled
            done = (index + call_done(name, share)) / len(files)
            elapsed = time.monotonic() - started
            left = elapsed / done - elapsed if done > 0.05 and elapsed > 3 else None
            on_progress(BatchProgress(index, len(files), path.name, name, done, left))

        try:
            outcome = import_file(path, settings, on_stage=stage, store=store)
        except Cancelled:
            break
        except Exception as exc:  # shown next to the file; the other files carry on
            outcome = {"file": str(path), "status": "failed", "error": _message(path, exc)}
        outcome["agent_voice"] = why
        outcomes.append(outcome)
        on_result(outcome)
    return outcomes


def _open_store():
    from rehearse.store import SessionStore

    return SessionStore()


def _voice(store, options: BatchOptions):
    """The agent's voice print and where it came from (None: whoever opens the call is the agent)."""
    from rehearse.app.calls.importer import enrollment
    from rehearse.app.errors import UserError
    from rehearse.audio.files import load_reply
    from rehearse.models.device import torch_device
    from rehearse.models.speaker_embedding import voice_print

    sample = options.agent_sample
    if sample is None:
        return enrollment(store, options.learner)
    vector = voice_print(load_reply(sample), torch_device("auto")[0])
    if vector is None:
        raise UserError(f"agent voice sample {sample}: too little speech in it to know the voice (give 5 s or more)")
    return vector, f"the voice in {sample.name}"


def _message(path: Path, exc: Exception) -> str:
    """The importer's messages name the file already; anything else gets the file's name in front."""
    from rehearse.app.errors import UserError
    from rehearse.audio.files import AudioFileError
    from rehearse.store.errors import StoreError

    text = str(exc) or type(exc).__name__
    if isinstance(exc, (UserError, AudioFileError, StoreError)) and path.name in text:
        return text
    return f"{path.name}: {text}"
