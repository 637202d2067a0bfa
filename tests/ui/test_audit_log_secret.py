"""The in-app audit log never shows the pseudonym secret: not in a cell, a tooltip or an entry's
details, which read "[redacted]" as every export does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from rsdesk.models import AuditEntry, Setting
from rsdesk.services import pseudonyms
from rsdesk.services.reports.xlsx.audit_privacy import REDACTED

pytestmark = pytest.mark.ui


def test_the_audit_log_view_never_shows_the_secret(qtbot, main_window, context, db, monkeypatch):
    from rsdesk.ui.views import audit_log

    with db.unit_of_work() as session:
        first = pseudonyms.ensure_secret(session).hex()
    with db.unit_of_work() as session:
        # A rotated secret: the update names only "value", not the key.
        setting = session.query(Setting).filter_by(key=pseudonyms.SECRET_KEY).one()
        setting.value = second = "ab" * 32
        session.add(Setting(key="ui.greeting", value="hello"))
    with db.read() as session:
        entries = {
            e.id: e.record_id
            for e in session.query(AuditEntry).filter(AuditEntry.table_name == "setting")
        }
    secret_record = next(iter(sorted(entries.items())))[1]

    view = main_window.show_view("audit")
    qtbot.waitUntil(lambda: view.model.rowCount() >= len(entries), timeout=10_000)
    qtbot.waitUntil(
        lambda: all(view.model.row_loaded(r) for r in range(view.model.rowCount())),
        timeout=10_000,
    )
    for row in range(view.model.rowCount()):
        for column in range(view.model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                text = str(view.model.data(view.model.index(row, column), role))
                assert first not in text
                assert second not in text

    shown: dict[int, str] = {}
    monkeypatch.setattr(
        audit_log.QMessageBox,
        "information",
        lambda _parent, title, text: shown.__setitem__(int(title.split()[-1]), text),
    )
    for entry_id in entries:
        view.open_record(entry_id)
    qtbot.waitUntil(lambda: len(shown) == len(entries), timeout=10_000)
    for entry_id, text in shown.items():
        assert first not in text
        assert second not in text
        if entries[entry_id] == secret_record:
            assert REDACTED in text
        else:
            assert "'hello'" in text  # other settings stay as stored
