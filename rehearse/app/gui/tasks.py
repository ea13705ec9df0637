"""Run a callable off the GUI thread and get its result (or exception) back on the GUI thread as a signal."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

_LOGGER = logging.getLogger(__name__)

_RUNNING: set[Task] = set()
"""Tasks whose result has not been delivered yet (kept alive until then)."""


class Task(QObject):
    """One background call. `done(result)` or `failed(exception)` is delivered queued on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(
        self, fn: Callable, args: tuple, parent: QObject | None, on_done: Callable | None, on_error: Callable | None
    ):
        super().__init__()  # no Qt parent: the worker may still emit after `parent` is gone
        self.fn, self.args, self.owner = fn, args, parent
        self._on_done, self._on_error = on_done, on_error
        self.finished = False
        # The receiver (self) lives on the GUI thread, so these connections are queued.
        self.done.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    def _owner_alive(self) -> bool:
        if self.owner is None:
            return True
        from shiboken6 import isValid

        return isValid(self.owner)

    @Slot(object)
    def _deliver_result(self, result) -> None:
        self._finish()
        if self._owner_alive() and self._on_done is not None:
            self._on_done(result)

    @Slot(object)
    def _deliver_error(self, exc) -> None:
        self._finish()
        if not self._owner_alive():
            return
        if self._on_error is not None:
            self._on_error(exc)
        else:
            _LOGGER.error("background task failed: %s", exc, exc_info=exc)

    def _finish(self) -> None:
        self.finished = True
        _RUNNING.discard(self)


class _Runner(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task

    def run(self) -> None:
        lower_priority()
        task = self.task
        try:
            result = task.fn(*task.args)
        except BaseException as exc:  # delivered to on_error; the worker thread must not die with it
            _LOGGER.debug("background task %s failed", getattr(task.fn, "__name__", task.fn), exc_info=True)
            _emit(task, task.failed, exc)
        else:
            _emit(task, task.done, result)


def _emit(task: Task, signal, value) -> None:
    """Deliver unless the application is already gone: at exit, PySide deletes the C++ side of every
    QObject when the QApplication is destroyed, and a worker that finishes later must not emit from it
    ("Signal source has been deleted")."""
    from shiboken6 import isValid

    if _closing or not isValid(task):
        return
    try:
        signal.emit(value)
    except RuntimeError:  # deleted between the check and the emit
        _LOGGER.debug("background task finished after the window closed")


_closing = False


def _about_to_quit() -> None:
    """The event loop is ending: give running tasks a moment to finish, and let later ones end silently."""
    global _closing
    pool().waitForDone(3000)
    _closing = True


BACKGROUND_NICE = 5
"""How much nicer than the GUI thread the engine's and the background tasks' threads are (Linux: per thread,
inherited by the threads they start, e.g. the models' inference pools). On a busy machine the scheduler then
runs the GUI thread first, and a heartbeat is not late because transcription or synthesis took the cores."""


def lower_priority() -> None:
    """Make the calling thread (and every thread it starts from now on) nicer than the GUI thread."""
    import os
    import threading

    if not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:  # not allowed here: keep the default priority
        pass


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def run_in_background(
    fn: Callable,
    *args,
    on_done: Callable | None = None,
    on_error: Callable | None = None,
    parent: QObject | None = None,
) -> Task:
    """Call `fn(*args)` on a pool thread; `on_done(result)` / `on_error(exc)` run on the GUI thread,
    unless `parent` was deleted meanwhile. Errors without `on_error` are logged."""
    _watch_quit()
    task = Task(fn, args, parent, on_done, on_error)
    _RUNNING.add(task)
    pool().start(_Runner(task))
    return task


_watching: object | None = None
"""The application whose end is watched."""


def _watch_quit() -> None:
    global _watching, _closing
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is None:
        return
    _closing = False
    if app is not _watching:
        app.aboutToQuit.connect(_about_to_quit)
        app.destroyed.connect(_set_closing)
        _watching = app


def _set_closing(*_args) -> None:
    global _closing
    _closing = True


def busy() -> int:
    """How many background tasks have not delivered their result yet."""
    return len(_RUNNING)
