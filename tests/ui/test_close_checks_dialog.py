"""Close a check for selected… in Staff & onboarding: select several people, close one check for
all of them, and see the checklist and the staff rows change; by mouse and by keyboard alone."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from rsdesk.models.enums import CheckStatus
from rsdesk.services import onboarding
from rsdesk.ui.widgets import form
from tests.services.people.helpers import person
from tests.ui.test_keyboard import mnemonics

pytestmark = pytest.mark.ui

BRIEFING = "security_briefing"
TODAY = dt.date.today()


@pytest.fixture
def team(db) -> dict[str, int]:
    """Three technicians (the briefing is their only check), a researcher with the briefing
    open, and an administrator who has no checks."""
    with db.unit_of_work() as session:
        ids = {
            name: person(session, full_name=name, role_category="technician", start_date=TODAY)
            for name in ("Tech Alpha", "Tech Beta", "Tech Gamma")
        }
        ids["Researcher"] = person(session, full_name="Rita Researcher", start_date=TODAY)
        ids["Admin"] = person(session, full_name="Adam Admin", role_category="administrative")
    return ids


def _view(qtbot, context, rows: int):
    from rsdesk.ui.views.staff import StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == rows, timeout=10_000)
    return view


def _state(view, staff_id: int) -> str:
    from rsdesk.ui.views.staff import KEYS

    row = view.model.row_of(staff_id)
    return str(view.model.index(row, KEYS.index("onboarding")).data())


def _checklist_status(view, code: str) -> str:
    model = view.checklist_model
    rows = [r for r in range(model.rowCount()) if model.item(r).check_code == code]
    return str(model.index(rows[0], 2).data()) if rows else ""  # "": reloading


def _briefing(db, staff_id: int) -> onboarding.CheckItem:
    with db.read() as session:
        return next(i for i in onboarding.checklist(session, staff_id) if i.check_code == BRIEFING)


def test_close_the_briefing_for_three_selected_people(qtbot, context, db, team) -> None:
    view = _view(qtbot, context, rows=5)
    techs = [team["Tech Alpha"], team["Tech Beta"], team["Tech Gamma"]]
    view.table.clearSelection()
    assert not view.close_checks_button.isEnabled()
    assert not view.close_checks_action.isEnabled()
    view.select_staff_ids(techs)
    assert sorted(view.selected_staff_ids()) == sorted(techs)
    # The checklist follows the current row: the first person selected.
    qtbot.waitUntil(lambda: "Tech Alpha" in view.person_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: view.checklist_model.rowCount() == 1, timeout=10_000)
    assert _checklist_status(view, BRIEFING) == "Open"
    assert {_state(view, i) for i in techs} == {"Open"}
    assert view.close_checks_button.isEnabled()

    qtbot.mouseClick(view.close_checks_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(view, "close_checks_dialog", None) is not None, timeout=10_000)
    dialog = view.close_checks_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.check_combo.currentData() == BRIEFING
    assert dialog.check_combo.currentText() == "Research-security briefing (3 open)"
    assert dialog.summary.text() == "Closes 3 open checks."
    assert dialog.on_date.date().toPython() == TODAY
    qtbot.keyClicks(dialog.note, "Group briefing, attendance list 2026-11")
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
        )
    result = saved.args[0]
    assert (result.closed, result.already_closed, result.without_check) == (3, 0, 0)
    assert not dialog.isVisible()
    for staff_id in techs:
        item = _briefing(db, staff_id)
        assert item.status == CheckStatus.DONE
        assert item.evidence_note == "Group briefing, attendance list 2026-11"
        assert (item.completed_on, item.completed_by) == (TODAY, db.actor)
    assert _briefing(db, team["Researcher"]).status == CheckStatus.OPEN
    # The view refreshes: the rows read Complete, the checklist Done, the people stay selected.
    qtbot.waitUntil(lambda: {_state(view, i) for i in techs} == {"Complete"}, timeout=10_000)
    assert _state(view, team["Researcher"]) == "Open"
    qtbot.waitUntil(lambda: _checklist_status(view, BRIEFING) == "Done", timeout=10_000)
    assert sorted(view.selected_staff_ids()) == sorted(techs)
    assert messages[-1] == "3 checks closed."


def test_summary_counts_and_a_refused_waiver(qtbot, context, db, team) -> None:
    view = _view(qtbot, context, rows=5)
    with db.unit_of_work() as session:
        done = _briefing(db, team["Tech Alpha"])
        onboarding.complete(session, done.id, by="earlier")
    selected = [team["Tech Alpha"], team["Tech Beta"], team["Researcher"], team["Admin"]]
    view.select_staff_ids(selected)
    view.close_checks_action.trigger()
    qtbot.waitUntil(lambda: getattr(view, "close_checks_dialog", None) is not None, timeout=10_000)
    dialog = view.close_checks_dialog
    # Only the checks somebody selected has; the technicians' briefing is open for 2 of them.
    codes = {dialog.check_combo.itemData(i) for i in range(dialog.check_combo.count())}
    with db.read() as session:
        held = {i.check_code for i in onboarding.checklist(session, team["Researcher"])}
    assert codes == held
    dialog.set_check(BRIEFING)
    assert dialog.summary.text() == (
        "Closes 2 open checks; 1 already closed; 1 person does not have this check."
    )
    # A waiver without a reason: refused under the note, the dialog stays, nothing written.
    dialog.set_action("waive")
    assert "required" in dialog.note.placeholderText()
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(dialog.note_error.isVisible, timeout=10_000)
    assert "reason" in dialog.note_error.text()
    assert dialog.isVisible()
    assert _briefing(db, team["Tech Beta"]).status == CheckStatus.OPEN
    qtbot.keyClicks(dialog.note, "Briefed at the previous employer")
    assert not dialog.note_error.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    waived = _briefing(db, team["Tech Beta"])
    assert (waived.status, waived.waiver_reason) == (
        CheckStatus.WAIVED,
        "Briefed at the previous employer",
    )
    assert _briefing(db, team["Tech Alpha"]).completed_by == "earlier"


def test_the_dialog_asks_before_dropping_a_typed_note(qtbot, context, db, team, monkeypatch):
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]

    def ask(parent):
        asked.append(type(parent).__name__)
        return answers.pop(0) if answers else QMessageBox.StandardButton.Discard

    monkeypatch.setattr(form, "ask_discard_changes", ask)
    from rsdesk.ui.dialogs.close_checks_dialog import CloseChecksDialog

    with db.read() as session:
        plan = onboarding.plan_close_checks(session, [team["Tech Alpha"], team["Tech Beta"]])
    dialog = CloseChecksDialog(context, plan)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not dialog.isVisible()
    assert asked == []
    dialog = CloseChecksDialog(context, plan)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.note, "Briefing")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.note.text() == "Briefing"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert asked == ["CloseChecksDialog", "CloseChecksDialog"]
    assert _briefing(db, team["Tech Alpha"]).status == CheckStatus.OPEN


def test_close_checks_by_keyboard_alone(qtbot, main_window, db, team) -> None:
    main_window.show()
    main_window.activateWindow()
    assert QTest.qWaitForWindowActive(main_window, 5000)
    qtbot.keyClick(main_window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    view = main_window.view("staff")
    assert main_window.current_view() is view
    qtbot.waitUntil(lambda: view.model.rowCount() == 5, timeout=10_000)
    # The shortcut is the view's own and no other action of the window takes it.
    keys = QKeySequence("Ctrl+Shift+C")
    assert view.close_checks_action.shortcut() == keys
    others = [
        action
        for action in main_window.findChildren(type(view.close_checks_action))
        if action is not view.close_checks_action and action.shortcut() == keys
    ]
    assert others == []
    # Sorted by name: Adam Admin, Rita Researcher, Tech Alpha, Tech Beta, Tech Gamma.
    view.table.setFocus()
    assert view.selected_staff_ids() == [team["Admin"]]  # the first row, selected on loading
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.selected_staff_ids() == [team["Tech Alpha"]]
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    techs = [team["Tech Alpha"], team["Tech Beta"], team["Tech Gamma"]]
    assert view.selected_staff_ids() == techs
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    qtbot.waitUntil(lambda: getattr(view, "close_checks_dialog", None) is not None, timeout=10_000)
    dialog = view.close_checks_dialog
    qtbot.waitUntil(dialog.isVisible)
    # Every field has its own Alt key, and Tab walks check, action, date, note, then the buttons.
    keys_used = mnemonics(dialog)
    assert {k: v for k, v in keys_used.items() if len(v) > 1} == {}
    assert {"h", "a", "d", "n"} <= set(keys_used)
    dialog.check_combo.setFocus()
    order = [dialog.check_combo]
    for _ in range(8):  # the date takes a Tab per section (year, month, day) before moving on
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        while focus is not None and focus.parentWidget() is dialog.on_date:
            focus = focus.parentWidget()  # the date edit's inner line edit
        if focus is not order[-1]:
            order.append(focus)
        if focus is dialog.note:
            break
    assert order == [dialog.check_combo, dialog.action_combo, dialog.on_date, dialog.note]
    qtbot.keyClick(dialog.note, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(dialog.note, "Toolbox talk")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Save is the default button
    assert all(_briefing(db, i).status == CheckStatus.DONE for i in techs)


def test_a_future_date_is_named_next_to_the_field_and_save_waits(qtbot, context, db, team) -> None:
    """Typing 2027 into the date used to be ignored without a word (the widget's maximum), so
    the date seemed to snap back to today; now the hint says the rule and a future date is
    shown, named as the problem, and not saved."""
    from PySide6.QtWidgets import QDateEdit

    view = _view(qtbot, context, rows=5)
    techs = [team["Tech Alpha"], team["Tech Beta"], team["Tech Gamma"]]
    view.select_staff_ids(techs)
    qtbot.mouseClick(view.close_checks_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(view, "close_checks_dialog", None) is not None, timeout=10_000)
    dialog = view.close_checks_dialog
    qtbot.waitUntil(dialog.isVisible)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert dialog.date_hint.isVisible()
    assert dialog.date_hint.text() == "No later than today"
    assert not dialog.date_error.isVisible()
    assert save.isEnabled()

    next_year = TODAY.year + 1
    dialog.on_date.setFocus()
    dialog.on_date.setSelectedSection(QDateEdit.Section.YearSection)
    qtbot.keyClicks(dialog.on_date, str(next_year))
    typed = dialog.on_date.date().toPython()
    assert typed.year == next_year  # kept as typed, not silently put back
    assert dialog.date_error.isVisible()
    assert dialog.date_error.text() == (
        f"⚠ {typed.isoformat()} is later than today; choose today or an earlier day."
    )
    assert not save.isEnabled()
    qtbot.keyClick(dialog.on_date, Qt.Key.Key_Return)  # Enter does not save it either
    assert dialog.isVisible()
    assert {_briefing(db, i).status for i in techs} == {CheckStatus.OPEN}

    dialog.on_date.setSelectedSection(QDateEdit.Section.YearSection)
    qtbot.keyClicks(dialog.on_date, str(TODAY.year))
    assert dialog.on_date.date().toPython() == TODAY
    assert not dialog.date_error.isVisible()
    assert save.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert all(_briefing(db, i).completed_on == TODAY for i in techs)
