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
