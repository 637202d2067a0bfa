"""Starting the GUI on a file whose audit trail is broken, or was rewritten so that it verifies:
a red banner says so (with the Audit log's Verify a click away), the status bar never says
"Database checked", and the day's backup is marked as made from a broken trail."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QToolBar

from rsdesk.db import Database, auditlog
from rsdesk.db.backup import is_marked_audit_broken
from rsdesk.models import Department
from rsdesk.services import audit_watch, backup
from rsdesk.services import settings as settings_service
from rsdesk.ui import app as app_module
from rsdesk.ui.main_window import MainWindow
from rsdesk.ui.views.audit_log import AuditLogView

pytestmark = pytest.mark.ui


@pytest.fixture
def started(qtbot) -> Iterator[list[MainWindow]]:
    windows: list[MainWindow] = []
    yield windows
    for window in windows:
        window.context.ops.wait()
        window.close()
        window.context.db.dispose()
        window.deleteLater()
    gc.unfreeze()  # start() froze what existed


def _set_up(db: Database) -> Path:
    with db.unit_of_work() as session:
        settings_service.save(session, institution_name="Audit University")
        for name in ("Geology", "Physics", "Chemistry"):
            session.add(Department(name=name))
    path = db.path
    assert path is not None
    db.dispose()
    return path


def _execute(path: Path, statement: str, parameters: tuple[object, ...] = ()) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(statement, parameters)
        connection.commit()
    finally:
        connection.close()


def _start(path: Path, started: list[MainWindow]) -> MainWindow:
    window = app_module.start(str(path))
    assert isinstance(window, MainWindow)
    started.append(window)
    return window


def _banner_text(window: MainWindow) -> str | None:
    banner = window.findChild(QToolBar, "auditWarningBanner")
    if banner is None:
        return None
    label = banner.findChild(QLabel, "auditWarningLabel")
    assert label is not None
    return label.text()


def test_a_tampered_file_gets_a_banner_and_a_marked_backup(qtbot, db, started, monkeypatch):
    path = _set_up(db)
    _execute(path, "UPDATE department SET name = 'Edited in the shell' WHERE name = 'Physics'")
    window = _start(path, started)
    qtbot.waitUntil(lambda: _banner_text(window) is not None, timeout=30_000)
    text = _banner_text(window)
    assert text is not None
    assert text.startswith("Audit trail warning: The audit trail is broken: department ")
    assert "was changed outside rsdesk" in text
    message = window.statusBar().currentMessage()
    assert "BROKEN" in message
    assert "checked" not in message
    written = backup.backups_of(path)
    assert len(written) == 1
    assert is_marked_audit_broken(written[0])
    assert written[0].name in message
    assert not window.context.db.read_only  # the office can still work, warned
    # The banner's button runs the Audit log's Verify, which names the entry.
    warnings: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warnings.append(text))
    )
    button = window.findChild(QPushButton, "auditWarningVerifyButton")
    assert button is not None
    button.click()
    view = window.current_view()
    assert isinstance(view, AuditLogView)
    qtbot.waitUntil(lambda: view.last_result is not None, timeout=20_000)
    result = view.last_result
    assert result is not None
    assert warnings == [f"The audit trail is broken: {result.problem}"]


def test_an_intact_file_is_checked_and_its_hash_remembered(qtbot, db, started):
    path = _set_up(db)
    window = _start(path, started)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Database checked"),
        timeout=30_000,
    )
    assert "audit trail intact" in window.statusBar().currentMessage()
    assert _banner_text(window) is None
    assert not is_marked_audit_broken(backup.backups_of(path)[0])
    assert audit_watch.remembered_head(window.context.db) is not None


def test_a_rewritten_history_that_verifies_is_named_at_the_next_open(qtbot, db, started):
    path = _set_up(db)
    first = _start(path, started)
    qtbot.waitUntil(
        lambda: first.statusBar().currentMessage().startswith("Database checked"),
        timeout=30_000,
    )
    remembered = audit_watch.remembered_head(first.context.db)
    assert remembered is not None
    first.context.ops.wait()
    first.close()
    first.context.db.dispose()
    started.remove(first)
    # Rewrite the last entry's actor and rehash it with rsdesk's own functions.
    connection = sqlite3.connect(path)
    try:
        entry_id, at, table, record, action, changes, state_hash, prev_hash = connection.execute(
            "SELECT id, at, table_name, record_id, action, changes, state_hash, prev_hash "
            "FROM audit_entry ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    at_text = dt.datetime.fromisoformat(at).replace(microsecond=0).isoformat()
    forged = auditlog.entry_hash(
        prev_hash,
        entry_id,
        at_text,
        "mallory",
        table,
        record,
        action,
        json.loads(changes),
        state_hash,
    )
    _execute(
        path, "UPDATE audit_entry SET actor = 'mallory', hash = ? WHERE id = ?", (forged, entry_id)
    )
    _execute(path, "UPDATE audit_head SET last_hash = ?", (forged,))
    second = _start(path, started)  # the same day: no backup, no full verify, one query
    qtbot.waitUntil(lambda: _banner_text(second) is not None, timeout=30_000)
    assert _banner_text(second) == (
        f"Audit trail warning: The audit trail was rewritten: entry {remembered[0]} had hash "
        f"{remembered[1]} when this computer last saw it (now {forged})."
    )
    assert "checked" not in second.statusBar().currentMessage()
