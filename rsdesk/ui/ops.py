"""One runner for all background work: queries, writes (one lane), and long jobs with progress.

Rules (Anki's operation runner, adapted): the job runs in a worker thread and gets its own
session; it never touches widgets. Its result (or error) comes back to the GUI thread through a
queued signal to a bound slot, where ``on_done`` runs. Writes go through a single-thread pool so
two writes never race. A progress dialog appears only if a job takes longer than ~600 ms.
Known errors are shown as a message; anything else is a bug and shows the traceback.
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled, CancelToken, Progress
from rsdesk.ui.garbage import MainThreadGarbageCollector
from rsdesk.ui.signals import AppSignals, Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rsdesk.db import Database

T = TypeVar("T")
PROGRESS_DELAY_MS = 600


class _JobProgressDialog(QProgressDialog):
    """A progress dialog whose every way of cancelling reaches the job: the Cancel button,
    Escape, closing it, and ``cancel()`` called directly (which Qt does without emitting
    ``canceled``, so the job used to run on, hidden, and write its file)."""

    cancel_requested = Signal()

    def cancel(self) -> None:
        super().cancel()
        self.cancel_requested.emit()

    def reject(self) -> None:  # Escape: QDialog hides the dialog without emitting ``canceled``
        self.cancel_requested.emit()
        super().reject()


class _Relay(QObject):
    """Lives on the GUI thread; workers emit, the runner's slots receive (queued)."""

    finished = Signal(int, object, object)  # task id, result, (exception, traceback text)
    progressed = Signal(int, int, int, str)  # task id, done, total, message


class _Task(QRunnable):
    def __init__(self, task_id: int, relay: _Relay, work: Callable[[], Any]) -> None:
        super().__init__()
        self.task_id = task_id
        self.relay = relay
        self.work = work
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as exc:  # reported on the GUI thread
            self.relay.finished.emit(self.task_id, None, (exc, traceback.format_exc()))
        else:
            self.relay.finished.emit(self.task_id, result, None)


class OperationRunner(QObject):
    """Runs work off the GUI thread: reads on two workers, writes one at a time in order.

    Created without a database while the window opens from the start-up preview: work asked
    for meanwhile waits, in order, until ``attach`` hands over the opened database.
    """

    def __init__(
        self, db: Database | None, signals: AppSignals, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        #: Tasks asked for before the database was open, with the pool each goes to.
        self._waiting: list[tuple[QThreadPool, _Task]] = []
        self.signals = signals
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]
        ] = {}
        self._dialogs: dict[int, QProgressDialog] = {}
        self._cancels: dict[int, CancelToken] = {}
        self._cancelled_messages: dict[int, str] = {}
        #: Cancelled when the main window closes: background work that need not finish (the
        #: start-up check and daily backup) watches it, so that closing never waits for it.
        self.stopping = CancelToken()
        #: How many tasks have been put on the write lane: an editor asked to close started a
        #: save when this grew (the main window waits for that save before quitting).
        self.writes_started = 0
        #: Queries whose result has not reached its callback yet (``deliver_reads``).
        self._read_ids: set[int] = set()
        self._relay = _Relay()
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._relay.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(2)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self.dialog_parent: QWidget | None = None
        # Workers must never run the cyclic collector (see rsdesk.ui.garbage).
        self._collector = MainThreadGarbageCollector(self)

    # -- public API ---------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is still opening")
        return self._db

    def attach(self, db: Database) -> None:
        """The database is open: run what was asked for meanwhile, in the order asked."""
        self._db = db
        waiting, self._waiting = self._waiting, []
        for pool, task in waiting:
            pool.start(task)

    def query(
        self,
        work: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Run ``work(session)`` on a read session in the background."""

        def job() -> T:
            with self.db.read() as session:
                return work(session)

        return self._start(self._reads, job, on_done, on_error)

    def write(
        self,
        work: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Run ``work(session)`` in one unit of work on the write lane; emits data_changed."""

        def job() -> tuple[T, frozenset[str]]:
            with self.db.unit_of_work() as session:
                result = work(session)
                session.flush()
                touched = frozenset(session.info.get("touched_tables", ()))
            return result, touched

        def done(value: tuple[T, frozenset[str]]) -> None:
            result, touched = value
            if touched:
                self.signals.data_changed.emit(Changes(touched))
            if on_done is not None:
                on_done(result)

        return self._start(self._writes, job, done, on_error)

    def serial(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Run ``work()`` on the write lane, without a session or a dialog.

        The lane runs one task at a time, in order, and every change goes through it: no write
        queued after ``work`` starts before it has ended (the start-up check, rsdesk.ui.app).
        """
        return self._start(self._writes, work, on_done, on_error)

    def job(
        self,
        title: str,
        work: Callable[[Progress, CancelToken], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        touches: frozenset[str] = frozenset(),
        cancelled_message: str | None = None,
    ) -> int:
        """A long job with a delayed progress dialog and Cancel.

        ``work(progress, cancel)`` opens its own sessions (usually ``db.unit_of_work()``);
        ``touches`` names the tables it may change, for the data_changed signal.
        ``cancelled_message`` is what the status bar says when the user cancelled (an export
        says that no file was written); without ``on_error`` only.
        """
        task_id = next(self._ids)
        cancel = CancelToken()
        dialog = _JobProgressDialog(title, self.tr("Cancel"), 0, 0, self.dialog_parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        # Connected to a slot of the runner, not to ``cancel.cancel``: PySide would tie that
        # connection to the token's lifetime, and the token dies with the task on the worker
        # thread, where disconnecting from the dialog deadlocks against the GUI thread (GIL
        # against Qt's connection mutex).
        dialog.canceled.connect(self._on_cancel_clicked)
        dialog.cancel_requested.connect(self._on_cancel_clicked)
        self._dialogs[task_id] = dialog
        self._cancels[task_id] = cancel

        def progress(done: int, total: int, message: str = "") -> None:
            self._relay.progressed.emit(task_id, done, total, message)

        def done(result: T) -> None:
            if touches:
                self.signals.data_changed.emit(Changes(touches))
            if on_done is not None and _receiver_alive(on_done):
                on_done(result)

        self._callbacks[task_id] = (done, on_error)
        if cancelled_message is not None:
            self._cancelled_messages[task_id] = cancelled_message
        self.writes_started += 1
        self._launch(self._writes, _Task(task_id, self._relay, lambda: work(progress, cancel)))
        return task_id

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until all background work is done (tests, shutdown). Callbacks run later."""
        return self._reads.waitForDone(timeout_ms) and self._writes.waitForDone(timeout_ms)

    def deliver_reads(self, timeout_ms: int = 10_000) -> None:
        """Block until every query started so far, and any its result starts, has reached its
        callback. Quitting closes editors one after another: a wizard's save makes the editor
        that opened it reload the collaboration's new version, which must arrive before that
        editor saves in turn, or its own save would be refused as stale."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._reads_pending() and time.monotonic() < deadline:
            self._reads.waitForDone(max(1, int((deadline - time.monotonic()) * 1000)))
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    def _reads_pending(self) -> bool:
        return bool(self._read_ids & self._callbacks.keys())

    # -- internals ----------------------------------------------------------------------------

    def _start(
        self,
        pool: QThreadPool,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> int:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        if pool is self._writes:
            self.writes_started += 1
        else:
            self._read_ids.add(task_id)
        self._launch(pool, _Task(task_id, self._relay, work))
        return task_id

    def _launch(self, pool: QThreadPool, task: _Task) -> None:
        if self._db is None:
            self._waiting.append((pool, task))
        else:
            pool.start(task)

    @Slot(int, int, int, str)
    def _on_progress(self, task_id: int, done: int, total: int, message: str) -> None:
        dialog = self._dialogs.get(task_id)
        if dialog is None:
            return
        if dialog.wasCanceled() and task_id in self._cancels:  # however it was cancelled
            self._cancels[task_id].cancel()
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if message:
            dialog.setLabelText(message)

    @Slot()
    def _on_cancel_clicked(self) -> None:
        dialog = self.sender()
        for task_id, candidate in self._dialogs.items():
            if candidate is dialog and task_id in self._cancels:
                self._cancels[task_id].cancel()

    @Slot(int, object, object)
    def _on_finished(self, task_id: int, result: object, failure: object) -> None:
        on_done, on_error = self._callbacks.pop(task_id, (None, None))
        self._read_ids.discard(task_id)
        self._cancels.pop(task_id, None)
        cancelled_message = self._cancelled_messages.pop(task_id, None)
        dialog = self._dialogs.pop(task_id, None)
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        if failure is None:
            if on_done is not None and _receiver_alive(on_done):
                on_done(result)
            return
        assert isinstance(failure, tuple)
        exc, trace = failure
        if on_error is not None:
            if _receiver_alive(on_error):
                on_error(exc)
        elif isinstance(exc, Cancelled):
            self.signals.status_message.emit(
                cancelled_message or self.tr("Cancelled; nothing was changed.")
            )
        else:
            show_error(self.dialog_parent, exc, trace)


def _receiver_alive(callback: Callable[..., Any]) -> bool:
    """False for a method of a Qt object deleted while its work ran (a view closed, a model
    replaced): the result has nobody left to show it to."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


def show_error(parent: QWidget | None, exc: BaseException, trace: str = "") -> None:
    """A known error as a plain message; anything else as a bug report with its traceback."""
    from rsdesk.db.errors import environment_error

    message = str(exc) if isinstance(exc, KnownError) else environment_error(exc)
    if message is not None:
        QMessageBox.warning(parent, "rsdesk", message)
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "rsdesk",
        "Something went wrong inside rsdesk. Nothing was saved by the failed "
        "action. Please send the details below to your support contact.",
        parent=parent,
    )
    box.setDetailedText(trace or repr(exc))
    box.exec()
