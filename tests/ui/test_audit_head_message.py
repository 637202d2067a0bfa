"""A save refused because the audit head was changed outside rsdesk: one clear message, not
"Something went wrong"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select, text

from rsdesk.db import Database
from rsdesk.models import Partner
from rsdesk.models.enums import PartnerKind

pytestmark = pytest.mark.ui


@pytest.fixture
def context(qapp, db: Database) -> Iterator[object]:
    from rsdesk.ui.context import AppContext

    app_context = AppContext.create(db)
    yield app_context
    app_context.ops.wait()


def test_the_partner_editor_says_the_audit_head_is_damaged(qtbot, context, monkeypatch):
    from rsdesk.ui.dialogs.partner_dialog import PartnerDialog

    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _parent, _title, text, *a: shown.append(text))
    )
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append("bug: " + self.text()))
    # Closing the editor with its unsaved form at the end: discard without asking.
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a: QMessageBox.StandardButton.Discard)
    )
    with context.db.unit_of_work() as session:
        session.add(Partner(name="Universität Stuttgart", kind=PartnerKind.UNIVERSITY))
    with context.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_head SET last_entry_id = 0, last_hash = 'garbage'"))

    dialog = PartnerDialog(context, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    dialog.fields["name"].setText("Universität Tübingen")
    kind = dialog.fields["kind"]
    kind.setCurrentIndex(kind.findData(PartnerKind.UNIVERSITY.value))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    context.ops.wait()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)

    (message,) = shown
    assert "audit trail's head does not match its last entry" in message
    assert "rsdesk audit verify" in message
    assert dialog.isVisible()
    with context.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Partner)) == 1
