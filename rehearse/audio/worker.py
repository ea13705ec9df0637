"""A worker thread for requests where only the newest matters (a newer one replaces one not yet started)."""

from __future__ import annotations

import threading
from typing import Any


class NewestRequestWorker:
    """Runs one request at a time on its own thread. A subclass keeps its pending requests in attributes
    guarded by `self._lock` (a Condition: call `_wake()` after setting one) and says which comes next."""

    def __init__(self, name: str):
        self._lock = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _start(self) -> None:
        """Start the thread (a subclass calls it once its own state is set up)."""
        self._thread.start()

    def _wake(self) -> None:
        with self._lock:
            self._lock.notify()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join(timeout=5)

    def _take(self) -> Any | None:
        """The next request, removed from the pending ones, or None when there is none (called holding the lock)."""
        raise NotImplementedError

    def _handle(self, request: Any) -> None:
        """Run one request (without the lock)."""
        raise NotImplementedError

    def _loop(self) -> None:
        while True:
            with self._lock:
                request = None
                while not self._closed and (request := self._take()) is None:
                    self._lock.wait()
                if self._closed:
                    return
            self._handle(request)
