"""The background runner: Cancel reaches the job, and finished jobs never hang the GUI thread."""

from __future__ import annotations

import threading

import pytest

from rsdesk.services.progress import CancelToken, Progress

pytestmark = pytest.mark.ui


def test_cancel_in_the_progress_dialog_stops_the_job(qtbot, context) -> None:
    runner = context.ops
    started = threading.Event()
    outcome: list[str] = []
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)

    def work(progress: Progress, cancel: CancelToken) -> str:
        started.set()
        while True:
            cancel.raise_if_cancelled()
            threading.Event().wait(0.01)

    task_id = runner.job("Waiting for Cancel", work, on_done=outcome.append)
    assert started.wait(10)
    runner._dialogs[task_id].canceled.emit()  # what a click on its Cancel button emits
    qtbot.waitUntil(lambda: task_id not in runner._dialogs, timeout=10_000)
    assert outcome == []
    assert messages == ["Cancelled; nothing was changed."]


def test_jobs_with_a_shown_progress_dialog_finish_without_deadlock(qtbot, context) -> None:
    """The dialog is shown, closed and forgotten with its token on the GUI thread. (The deadlock
    this guards against, a token dropped on the worker thread disconnecting from the dialog the
    GUI thread was closing, hung the reports view test once; it is too rare to reproduce here.)"""
    runner = context.ops
    results: list[int] = []

    def slow(number: int) -> int:
        threading.Event().wait(0.7)  # longer than the dialog's delay, so that it is shown
        return number

    for number in range(4):
        runner.job("Slow", lambda progress, cancel, n=number: slow(n), on_done=results.append)
    qtbot.waitUntil(lambda: len(results) == 4, timeout=60_000)
    assert results == list(range(4))
    assert runner._dialogs == {}
    assert runner._cancels == {}
