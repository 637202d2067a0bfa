"""The advice editor files a request under who asked (from the staff list: their department
follows), a partner and a collaboration, so the advice register's department filter finds
requests logged in the GUI; reopened it shows them; unsaved text is not dropped on Escape."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from rsdesk.models import AdviceRequest
from rsdesk.services import registers
from rsdesk.services.registers import RegisterQuery
from rsdesk.ui.widgets import form
from tests.services.appraisal.helpers import make_collaboration, make_partner
from tests.services.people.helpers import department, person

pytestmark = pytest.mark.ui


@pytest.fixture
def people(db):
    with db.unit_of_work() as session:
        physics = department(session, "Physics")
        department(session, "Chemistry")
        ada = person(session, full_name="Ada Lovelace", department_id=physics)
        partner = make_partner(session, "Lakeside University")
        collaboration = make_collaboration(session, "Quantum sensing", partners=[partner]).id
        partner_id = partner.id
    return physics, ada, partner_id, collaboration


def _dialog(qtbot, context, request_id=None):
    from rsdesk.ui.views.advice import AdviceDialog

    dialog = AdviceDialog(context, request_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    return dialog


def test_requester_department_partner_and_collaboration_are_saved(qtbot, context, db, people):
    physics, ada, partner, collaboration = people
    dialog = _dialog(qtbot, context)
    dialog.staff_combo.setCurrentIndex(dialog.staff_combo.findData(ada))
    assert dialog.requester_edit.text() == "Ada Lovelace"
    assert dialog.department_combo.currentData() == physics
    dialog.partner_combo.setCurrentIndex(dialog.partner_combo.findData(partner))
    dialog.set_collaboration(collaboration, "Quantum sensing")
    dialog.question_edit.setPlainText("May a visiting student from Lakeside use the lab?")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        row = session.query(AdviceRequest).one()
        assert (row.requester_staff_id, row.department_id, row.partner_id) == (
            ada,
            physics,
            partner,
        )
        assert row.collaboration_id == collaboration
        assert row.requester_name == "Ada Lovelace"
        spec = registers.get("advice")
        found = registers.count(session, spec, RegisterQuery(filters={"department": physics}))
        assert found == 1
        request_id = row.id

    again = _dialog(qtbot, context, request_id)
    assert again.staff_combo.currentData() == ada
    assert again.department_combo.currentData() == physics
    assert again.partner_combo.currentData() == partner
    assert "Quantum sensing" in again.collaboration_label.text()
    # Someone outside the staff list, filed under another department; the collaboration dropped.
    again.staff_combo.setCurrentIndex(0)
    again.requester_edit.setText("Dr Visiting Fellow")
    again.department_combo.setCurrentIndex(again.department_combo.findText("Chemistry"))
    again.clear_collaboration.click()
    with qtbot.waitSignal(again.saved, timeout=10_000):
        again.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        row = session.get(AdviceRequest, request_id)
        assert row.requester_staff_id is None
        assert row.requester_name == "Dr Visiting Fellow"
        assert row.department_id != physics
        assert row.collaboration_id is None
        assert row.row_version == 2


def test_escape_asks_before_typed_text_is_lost(qtbot, context, db, monkeypatch):
    asked = []

    def ask(parent):
        asked.append(parent)
        if len(asked) == 1:
            return QMessageBox.StandardButton.Cancel
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(form, "ask_discard_changes", ask)
    dialog = _dialog(qtbot, context)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert asked == []
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.question_edit, "Can we share the data set?")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.question_edit.toPlainText() == "Can we share the data set?"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert len(asked) == 2
    with db.read() as session:
        assert session.query(AdviceRequest).count() == 0
