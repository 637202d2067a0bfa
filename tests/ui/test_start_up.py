"""Starting the GUI (rsdesk.ui.app.start): the window first, then the file's integrity check and
the daily backup on the write lane, which no change can overtake."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from rsdesk.db import Database
from rsdesk.db.backup import integrity_problems
from rsdesk.models import Department
from rsdesk.services import backup
from rsdesk.services import settings as settings_service
from rsdesk.services.errors import ReadOnlyError
from rsdesk.ui import app as app_module
from rsdesk.ui.main_window import MainWindow
from tests.ui.modal import when_modal


@pytest.fixture
def started(qtbot) -> Iterator[list[MainWindow]]:
    """Windows made by start(), closed and their databases released after the test."""
    windows: list[MainWindow] = []
    yield windows
    for window in windows:
        window.context.ops.wait()
        window.close()
        window.context.db.dispose()
        window.deleteLater()
    gc.unfreeze()  # start() froze what existed, this test's objects among them


def _set_up(db: Database) -> Path:
    """A database that needs no first-run set-up, closed, with its path."""
    with db.unit_of_work() as session:
        settings_service.save(session, institution_name="Start-up University")
        session.add(Department(name="Geology"))
    path = db.path
    assert path is not None
    db.dispose()
    return path


def _damage_unread_pages(path: Path) -> None:
    """Damage pages that nothing on the screen reads, so the window opens and only the
    integrity check can find out: a scratch table's pages at the end of the file."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE scratch (payload BLOB)")
        connection.executemany("INSERT INTO scratch VALUES (randomblob(1000))", [()] * 600)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(len(data) - page * 40, len(data), page):
        data[offset : offset + 8] = b"\xff" * 8  # no valid b-tree page type
    path.write_bytes(bytes(data))
    assert integrity_problems(path, quick=True)


def test_the_window_shows_then_the_file_is_checked_and_backed_up(qtbot, db, started) -> None:
    path = _set_up(db)
    window = app_module.start(str(path))
    assert isinstance(window, MainWindow)
    started.append(window)
    assert window.isVisible()
    # The check waits on the write lane: it has not run before the window was shown.
    assert window.statusBar().currentMessage() == "Checking the database file…"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Database checked"))
    written = backup.backups_of(path)
    assert len(written) == 1
    assert written[0].name in window.statusBar().currentMessage()
    assert not window.context.db.read_only


def test_closing_the_window_stops_the_check_and_leaves_no_backup(qtbot, db, started) -> None:
    """Quitting during the day's first start does not wait for the whole file to be read and
    copied: the check stops, writes nothing and complains about nothing."""
    path = _set_up(db)
    window = app_module.start(str(path))
    assert isinstance(window, MainWindow)
    started.append(window)
    assert window.statusBar().currentMessage() == "Checking the database file…"
    window.close()  # while the check waits its turn
    assert window.context.ops.wait(10_000)
    QApplication.processEvents()
    assert backup.backups_of(path) == []
    assert QApplication.activeModalWidget() is None
    assert not window.context.db.read_only
    assert window.property(app_module.EXIT_CODE_PROPERTY) is None


def test_a_damaged_file_closes_the_window_before_any_change_is_written(qtbot, db, started) -> None:
    path = _set_up(db)
    _damage_unread_pages(path)
    seen: list[str] = []

    def read_and_close(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox)
        seen.append(widget.text())
        widget.accept()

    when_modal(read_and_close)
    window = app_module.start(str(path))
    assert isinstance(window, MainWindow)
    started.append(window)
    refused: list[BaseException] = []
    # Saved while the check still runs: it must wait for the check, then be refused.
    window.context.ops.write(
        lambda session: session.add(Department(name="Written to a damaged file")),
        on_error=refused.append,
    )
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    assert len(seen) == 1
    assert "is damaged" in seen[0]
    assert window.context.db.read_only
    assert window.property(app_module.EXIT_CODE_PROPERTY) == 1  # rsdesk exits with 1
    qtbot.waitUntil(lambda: bool(refused))
    assert isinstance(refused[0], ReadOnlyError)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM department")]
    connection.close()
    assert names == ["Geology"]
    assert not backup.backups_of(path)


def test_a_cancelled_start_leaves_the_collector_as_it_was(qtbot, tmp_path: Path) -> None:
    """start() switches the cyclic collector off while it imports; without a window (whose
    runner collects on the GUI thread) it must switch it on again for whoever runs next."""
    before = gc.isenabled()
    gc.enable()
    try:
        path = tmp_path / "not-a-database.sqlite3"
        path.write_bytes(b"this is not SQLite" * 100)

        def close_message(widget: QWidget) -> None:
            widget.close()

        when_modal(close_message)
        with pytest.raises(Exception, match="not an rsdesk database|not a database"):
            app_module.start(str(path))
        assert gc.isenabled()
    finally:
        if not before:
            gc.disable()
