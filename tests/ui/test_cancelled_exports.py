"""Cancel reaches an export or report however the progress dialog is cancelled, and a
cancelled export leaves no file and a cancelled report no file and no archive row.

A tester cancelled an Excel export with ``QProgressDialog.cancel()``, which Qt does without
emitting ``canceled``: the job ran on, hidden, and wrote the whole file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton
from sqlalchemy import func, select

from rsdesk.models import ArchivedReport
from rsdesk.services import demo
from rsdesk.services.progress import CancelToken, Progress

pytestmark = pytest.mark.ui


def _click_cancel(dialog: QProgressDialog) -> None:
    button = dialog.findChild(QPushButton)
    assert button is not None
    assert button.text() == "Cancel"
    button.click()


WAYS_TO_CANCEL: dict[str, Callable[[QProgressDialog], object]] = {
    "its Cancel button": _click_cancel,
    "cancel() called directly": lambda dialog: dialog.cancel(),
    "Escape": lambda dialog: dialog.reject(),
    "closing it": lambda dialog: dialog.close(),
}


@pytest.mark.parametrize("way", WAYS_TO_CANCEL)
def test_every_way_of_cancelling_the_dialog_stops_the_job(qtbot, context, way) -> None:
    runner = context.ops
    started = threading.Event()
    outcome: list[str] = []
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)

    def work(progress: Progress, cancel: CancelToken) -> str:
        started.set()
        for _ in range(2000):  # 20 s at most: a Cancel that never arrives fails the test
            cancel.raise_if_cancelled()
            threading.Event().wait(0.01)
        return "ran to the end"

    task_id = runner.job(
        "Waiting for Cancel", work, on_done=outcome.append, cancelled_message="Stopped."
    )
    assert started.wait(10)
    WAYS_TO_CANCEL[way](runner._dialogs[task_id])
    qtbot.waitUntil(lambda: task_id not in runner._dialogs, timeout=10_000)
    assert outcome == []
    assert messages == ["Stopped."]


@pytest.fixture
def filled(db):
    demo.generate(db, size=60, seed=2)
    return db


@pytest.fixture
def held_lane(context) -> Iterator[threading.Event]:
    """Keeps the write lane busy until the event is set, so that a job started meanwhile
    can be cancelled at a known moment: before it has read a row."""
    release = threading.Event()
    context.ops.job("Holding the lane", lambda progress, cancel: release.wait(30))
    yield release
    release.set()


def _cancel_queued_job(qtbot, context, task_id: int, release: threading.Event) -> list[str]:
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)
    context.ops._dialogs[task_id].cancel()  # as the tester's script did
    release.set()
    qtbot.waitUntil(lambda: task_id not in context.ops._dialogs, timeout=30_000)
    context.ops.wait()
    return messages


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_a_cancelled_view_export_writes_no_file(
    qtbot, main_window, filled, held_lane, tmp_path
) -> None:
    context = main_window.context
    view = main_window.show_view("collaborations")
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading)
    view.apply_filters({"status": "active"})
    qtbot.waitUntil(lambda: not view.model.loading)
    folder = _folder(tmp_path)

    task_id = view.export_to(folder / "cancelled.xlsx")
    messages = _cancel_queued_job(qtbot, context, task_id, held_lane)

    assert list(folder.iterdir()) == []
    assert messages == ["Export cancelled; no file was written."]


@pytest.fixture
def reports_view(qtbot, context):
    from rsdesk.ui.views.reports import ReportsView

    view = ReportsView(context)
    view.open_after.setChecked(False)
    view.open_file = lambda path: None  # type: ignore[method-assign]
    qtbot.addWidget(view)
    view.show()
    return view


def _archived(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(ArchivedReport)) or 0


@pytest.mark.parametrize("report", ["listing", "annual"])
def test_a_cancelled_report_saves_and_archives_nothing(
    qtbot, context, filled, reports_view, held_lane, tmp_path, report
) -> None:
    folder = _folder(tmp_path)
    out = folder / f"{report}.pdf"
    if report == "listing":
        reports_view.generate_listing("collaborations", "", out)
    else:
        reports_view.generate_annual(reports_view.year.value(), out)
    task_id = max(context.ops._dialogs)

    messages = _cancel_queued_job(qtbot, context, task_id, held_lane)

    assert list(folder.iterdir()) == []
    assert _archived(filled) == 0
    assert messages == ["Report cancelled; no PDF was saved and nothing was archived."]
    assert reports_view.last_written is None


def test_an_uncancelled_report_still_saves_and_archives(
    qtbot, context, filled, reports_view, tmp_path
) -> None:
    folder = _folder(tmp_path)
    out = folder / "listing.pdf"
    reports_view.generate_listing("collaborations", "", out)
    qtbot.waitUntil(out.exists, timeout=60_000)
    context.ops.wait()
    assert out.read_bytes().startswith(b"%PDF")
    assert [path.name for path in folder.iterdir()] == ["listing.pdf"]  # no partial left
    assert _archived(filled) == 1
