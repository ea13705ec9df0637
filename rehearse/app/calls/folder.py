"""A folder of calls: one Ray task per call (a local cluster of `workers` CPUs, or an existing cluster by
address), each importing its call into the store; one worker and no cluster runs them here, in order.
A call that fails is reported and the others carry on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rehearse.app.calls.importer import ImportSettings, import_file


def _import_or_fail(path: str, settings: ImportSettings) -> dict:
    """One call's outcome; a bad file, a model or a store error becomes a "failed" outcome with the message."""
    from rehearse.app.errors import UserError
    from rehearse.audio.files import AudioFileError
    from rehearse.models.errors import ModelLoadError
    from rehearse.store import StoreError

    try:
        return import_file(path, settings)
    except (AudioFileError, ModelLoadError, StoreError, UserError) as exc:
        return {"file": path, "status": "failed", "session": None, "result": None, "error": str(exc)}


def import_folder(
    files: list[Path],
    settings: ImportSettings,
    workers: int = 1,
    ray_address: str | None = None,
    on_done: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Import every file; returns their outcomes (imported, skipped or failed) in the order they finished."""
    on_done = on_done or (lambda outcome: None)
    if workers == 1 and ray_address is None:
        outcomes = []
        for path in files:
            outcomes.append(_import_or_fail(str(path), settings))
            on_done(outcomes[-1])
        return outcomes
    return _on_ray(files, settings, workers, ray_address, on_done)


def _on_ray(files, settings, workers: int, address: str | None, on_done) -> list[dict]:
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        if address in (None, "local"):
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        else:  # "auto" finds a running cluster (RAY_ADDRESS or this machine's), else starts one
            ray.init(address=None if address == "auto" else address, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(_import_or_fail)
        pending = [task.remote(str(path), settings) for path in files]
        outcomes = []
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            outcomes.append(ray.get(done[0]))
            on_done(outcomes[-1])
        return outcomes
    finally:
        if started_here:
            ray.shutdown()
