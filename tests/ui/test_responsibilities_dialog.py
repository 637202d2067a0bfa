"""Tools › Responsibilities: an adviser for a department that does not exist is refused in one
line naming the adviser, the line and the closest department; edited text is not dropped on
Escape without asking."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from rsdesk.services import responsibilities
from rsdesk.ui.widgets import form
from tests.services.people.helpers import department

pytestmark = pytest.mark.ui

TYPO = """[central_contact]
role = "Research-security officer"

[[adviser]]
department = "Department of Phyiscs"
name = "Pat Adviser"
"""


def test_a_misspelt_department_is_refused_with_the_closest_name(qtbot, context, db, monkeypatch):
    from rsdesk.ui.dialogs.responsibilities_dialog import ResponsibilitiesDialog

    with db.unit_of_work() as session:
        department(session, "Department of Physics")
        department(session, "Department of Chemistry")
    dialog = ResponsibilitiesDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    dialog.editor.setPlainText(TYPO)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert dialog.error.text() == (
        "Adviser 1 (line 5): there is no department 'Department of Phyiscs'; "
        "did you mean 'Department of Physics'?"
    )
    assert dialog.isVisible()
    with db.read() as session:
        assert responsibilities.load(session).source == "shipped"

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(form, "ask_discard_changes", lambda _parent: answers.pop(0))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.editor.toPlainText() == TYPO
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert answers == []
