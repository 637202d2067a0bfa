"""Progress reporting and cancellation for long domain jobs, without Qt.

A job takes ``progress: Progress`` and ``cancel: CancelToken``; the UI adapts them to a progress
dialog in a worker thread, the command line ignores them or prints a counter.
"""

from __future__ import annotations

import threading
from typing import Protocol


class Cancelled(Exception):
    """Raised inside a job when the user pressed Cancel; the unit of work rolls back."""


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


def no_progress(done: int, total: int, message: str = "") -> None:
    """A Progress that does nothing."""


class CancelToken:
    """Thread-safe flag the UI sets and the job polls (``raise_if_cancelled``)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking at once when cancelled; returns whether it was."""
        return self._event.wait(seconds)


NEVER_CANCELLED = CancelToken()
