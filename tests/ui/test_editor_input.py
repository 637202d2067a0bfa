"""The collaboration editor driven by keyboard and mouse: funding amounts written the way people
write them, and Tab moving through empty date fields. Results are checked in the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from rsdesk.models import Collaboration
from rsdesk.services import collaborations

pytestmark = pytest.mark.ui


@pytest.fixture
def view(qtbot, main_window):
    view = main_window.show_view("collaborations")
    main_window.context.ops.wait()
    return view


def _count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Collaboration))


def _new_editor(qtbot, main_window, view):
    main_window.new_action.trigger()
    dialog = view.editor
    assert dialog is not None
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    return dialog


def _fill_required(qtbot, dialog, title: str) -> None:
    qtbot.keyClicks(dialog.title_edit, title)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("joint_research"))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.234.567", 1_234_567),
        ("1,234,567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("250000", 250_000),
        ("250.000,00", 250_000),
        ("250,000.00", 250_000),
    ],
)
def test_funding_written_with_separators_is_stored_as_written(
    qtbot, main_window, view, db, typed, stored
):
    dialog = _new_editor(qtbot, main_window, view)
    _fill_required(qtbot, dialog, "Funding " + typed)
    qtbot.keyClicks(dialog.amount_edit, typed)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as blocker:
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with db.read() as session:
        assert collaborations.load(session, blocker.args[0].id).funding_amount_eur == stored


@pytest.mark.parametrize("typed", ["250000.50", "1,5", "1.5", "1.234,567", "12.34", "1,2,3"])
def test_funding_with_cents_or_unclear_separators_is_refused_next_to_the_field(
    qtbot, main_window, view, db, typed
):
    dialog = _new_editor(qtbot, main_window, view)
    _fill_required(qtbot, dialog, "Refused " + typed)
    qtbot.keyClicks(dialog.amount_edit, typed)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.errors["funding_amount_eur"]
    qtbot.waitUntil(error.isVisible, timeout=5_000)
    assert "must be a whole number of euros" in error.text()
    assert dialog.isVisible()
    assert QApplication.focusWidget() is dialog.amount_edit
    main_window.context.ops.wait()
    assert _count(db) == 0
    dialog.amount_edit.setText("250000")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        assert collaborations.load(session, blocker.args[0].id).funding_amount_eur == 250_000


def _tab(qtbot, backwards: bool = False) -> QWidget:
    """Press Tab (or Shift+Tab) on whatever has the focus, as a keyboard user does."""
    widget = QApplication.focusWidget()
    assert widget is not None
    if backwards:
        qtbot.keyClick(widget, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is not None
    return focused


def _owner(widget: QWidget, candidates: list[QWidget]) -> QWidget | None:
    """The candidate that is ``widget`` or holds it (a date field's inner line edit)."""
    return next((c for c in candidates if c is widget or c.isAncestorOf(widget)), None)


def test_tab_leaves_an_empty_date_field_both_ways(qtbot, main_window, view):
    dialog = _new_editor(qtbot, main_window, view)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    dates = [dialog.start_edit, dialog.end_edit, dialog.review_edit]
    assert all(d.value() is None for d in dates)
    dialog.start_edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: _owner(QApplication.focusWidget(), dates) is dialog.start_edit)

    after_start = _tab(qtbot)
    assert _owner(after_start, [dialog.start_edit]) is None
    # Shift+Tab from the next field comes back to Start date, and Shift+Tab leaves it again.
    assert _owner(_tab(qtbot, backwards=True), [dialog.start_edit]) is dialog.start_edit
    before_start = _tab(qtbot, backwards=True)
    assert _owner(before_start, [dialog.start_edit]) is None

    # Tabbing on from Start date reaches every empty date field, Funding and Save.
    dialog.start_edit.setFocus(Qt.FocusReason.TabFocusReason)
    reached: set[QWidget] = set()
    for _ in range(40):
        focused = _tab(qtbot)
        reached.add(_owner(focused, [*dates, dialog.amount_edit, dialog.save_button]) or focused)
    assert {dialog.end_edit, dialog.amount_edit, dialog.save_button} <= reached


def test_tab_steps_through_a_set_date_then_moves_on(qtbot, main_window, view):
    dialog = _new_editor(qtbot, main_window, view)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    dialog.start_edit.setDate(QDate(2026, 6, 1))
    dialog.start_edit.setFocus(Qt.FocusReason.TabFocusReason)
    sections = dialog.start_edit.sectionCount()
    for _ in range(sections - 1):
        assert _owner(_tab(qtbot), [dialog.start_edit]) is dialog.start_edit
    assert _owner(_tab(qtbot), [dialog.start_edit]) is None
    assert dialog.start_edit.value() is not None


def test_every_problem_is_marked_at_once_and_nothing_is_saved(qtbot, main_window, view, db):
    """A tester had to save four times to learn of four problems: now one Save marks them all,
    the focus goes to the first, and fixing them all saves."""
    import datetime as dt

    dialog = _new_editor(qtbot, main_window, view)
    dialog.start_edit.set_value(dt.date(2026, 5, 1))
    dialog.end_edit.set_value(dt.date(2026, 4, 30))
    qtbot.keyClicks(dialog.amount_edit, "1,5")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    marked = {key for key, label in dialog.errors.items() if label.isVisible()}
    assert marked == {"title", "kind", "end_date", "funding_amount_eur"}
    assert "Title is required" in dialog.errors["title"].text()
    assert "before start date 2026-05-01" in dialog.errors["end_date"].text()
    assert dialog.status_label.text() == "Not saved: 4 problems, marked by their fields."
    assert QApplication.focusWidget() is dialog.title_edit
    main_window.context.ops.wait()
    assert _count(db) == 0
    _fill_required(qtbot, dialog, "All fixed")
    dialog.end_edit.set_value(dt.date(2026, 6, 30))
    dialog.amount_edit.setText("15000")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        saved = collaborations.load(session, blocker.args[0].id)
    assert (saved.title, saved.end_date, saved.funding_amount_eur) == (
        "All fixed",
        dt.date(2026, 6, 30),
        15_000,
    )
