"""Quitting while an editor holds unsaved changes: the editor's question decides, for File > Quit
and for the window's own close button alike. Cancel keeps everything open; Discard quits without
writing; Save writes the record and then quits. Checked against the real database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from rsdesk.models import Collaboration

pytestmark = pytest.mark.ui

QUESTION = "This record has changes that are not saved. Save them?"


class Answerer:
    """Answers the next message box with ``button`` as soon as it is shown, noting its text."""

    def __init__(self, button: QMessageBox.StandardButton) -> None:
        self.button = button
        self.questions: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._answer)
        self.timer.start()

    def _answer(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.questions.append(box.text())
            box.button(self.button).click()

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture
def draft(qtbot, main_window):
    view = main_window.show_view("collaborations")
    main_window.context.ops.wait()
    main_window.new_action.trigger()
    dialog = view.editor
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    qtbot.keyClicks(dialog.title_edit, "Draft kept on quit")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("joint_research"))
    assert dialog.is_dirty()
    return dialog


def _titles(db) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Collaboration.title)))


QUIT_WAYS: dict[str, Callable[[object], object]] = {
    "file-quit": lambda window: window.quit_action.trigger(),
    "close-button": lambda window: window.close(),
}


@pytest.mark.parametrize("quit_way", QUIT_WAYS)
def test_cancel_keeps_the_window_and_the_draft(qtbot, main_window, draft, db, quit_way):
    answerer = Answerer(QMessageBox.StandardButton.Cancel)
    QUIT_WAYS[quit_way](main_window)
    answerer.stop()
    assert answerer.questions == [QUESTION]
    assert main_window.isVisible()
    assert draft.isVisible()
    assert draft.title_edit.text() == "Draft kept on quit"
    assert not main_window.context.ops.stopping.cancelled
    assert _titles(db) == []


@pytest.mark.parametrize("quit_way", QUIT_WAYS)
def test_discard_quits_without_writing(qtbot, main_window, draft, db, quit_way):
    answerer = Answerer(QMessageBox.StandardButton.Discard)
    QUIT_WAYS[quit_way](main_window)
    answerer.stop()
    assert answerer.questions == [QUESTION]
    assert not main_window.isVisible()
    assert not draft.isVisible()
    assert main_window.context.ops.stopping.cancelled
    assert _titles(db) == []


@pytest.mark.parametrize("quit_way", QUIT_WAYS)
def test_save_writes_the_record_then_quits(qtbot, main_window, draft, db, quit_way):
    answerer = Answerer(QMessageBox.StandardButton.Save)
    QUIT_WAYS[quit_way](main_window)
    answerer.stop()
    assert answerer.questions == [QUESTION]
    assert _titles(db) == ["Draft kept on quit"]
    assert not main_window.isVisible()
    assert main_window.context.ops.stopping.cancelled


def test_save_refused_by_a_rule_keeps_the_window_and_shows_why(qtbot, main_window, draft, db):
    draft.amount_edit.setText("-5")
    answerer = Answerer(QMessageBox.StandardButton.Save)
    main_window.quit_action.trigger()
    answerer.stop()
    assert main_window.isVisible()
    assert draft.isVisible()
    assert "cannot be negative" in draft.errors["funding_amount_eur"].text()
    assert not main_window.context.ops.stopping.cancelled
    assert _titles(db) == []


def test_closing_the_editor_itself_asks_once(qtbot, main_window, draft, db):
    answerer = Answerer(QMessageBox.StandardButton.Discard)
    draft.close()
    answerer.stop()
    assert answerer.questions == [QUESTION]
    assert not draft.isVisible()
    assert main_window.isVisible()
    assert _titles(db) == []


def test_save_on_quit_saves_an_appraisal_opened_from_the_editor_first(qtbot, main_window, db):
    from PySide6.QtCore import QPoint, Qt

    from rsdesk.models.enums import CollaborationKind, PartnerKind
    from rsdesk.services.appraisal import workflow
    from rsdesk.ui.wizard import appraisal as wizard_module
    from tests.services.appraisal.helpers import make_collaboration, make_partner

    with db.unit_of_work() as session:
        partner = make_partner(session, "Lakeside University", PartnerKind.UNIVERSITY)
        record_id = make_collaboration(
            session, "Summer school on soil ecology", CollaborationKind.EXCHANGE, [partner]
        ).id
    view = main_window.show_view("collaborations")
    main_window.context.ops.wait()
    view.open_record(record_id)
    editor = view.editor
    qtbot.waitUntil(editor.isEnabled, timeout=10_000)
    editor.title_edit.setText("Summer school on soil ecology, 2027")
    # Appraise… in the editor: the wizard's first save makes the collaboration "under
    # appraisal" and raises its version, which this editor takes in before its own save.
    qtbot.mouseClick(editor.appraisal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record_id in wizard_module._OPEN_WIZARDS, timeout=10_000)
    wizard = wizard_module._OPEN_WIZARDS[record_id]
    wizard.next()
    button = wizard.question_pages[0].questions["research_maturity"].buttons["applied"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))
    assert wizard.dirty
    assert editor.is_dirty()

    answerer = Answerer(QMessageBox.StandardButton.Save)
    main_window.quit_action.trigger()
    answerer.stop()
    assert answerer.questions == ["Save the answers as a draft before closing?", QUESTION]
    assert not main_window.isVisible()
    assert _titles(db) == ["Summer school on soil ecology, 2027"]
    with db.read() as session:
        draft = workflow.current_draft(session, record_id)
        status = session.get(Collaboration, record_id).status.value
    assert draft is not None
    assert draft.answers["research_maturity"] == "applied"
    assert status == "under_appraisal"  # the draft's status, not the editor's stale "proposed"


def test_closing_the_partner_editor_asks_once_and_cancel_keeps_it(qtbot, main_window, db):
    view = main_window.show_view("partners")
    main_window.context.ops.wait()
    main_window.new_action.trigger()
    editor = view.editor
    qtbot.waitUntil(editor.isEnabled, timeout=10_000)
    qtbot.keyClicks(editor.name_edit, "Kyoto Quantum Institute")
    assert editor.is_dirty()

    answerer = Answerer(QMessageBox.StandardButton.Cancel)
    assert not editor.close()
    answerer.stop()
    assert answerer.questions == [QUESTION]
    assert editor.isVisible()

    answerer = Answerer(QMessageBox.StandardButton.Discard)
    editor.close()
    answerer.stop()
    assert answerer.questions == [QUESTION]
    assert not editor.isVisible()
    assert main_window.isVisible()
