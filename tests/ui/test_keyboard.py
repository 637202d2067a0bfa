"""Working without a mouse: Tab leaves register tables, Down from the quick filter selects the first
row, every view has a navigation shortcut, and the advice dialog and the wizard's decision page
give each field an Alt key of its own."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

from rsdesk.ui.views import available_views
from tests.ui.test_assets_view import _loaded, _seed

pytestmark = pytest.mark.ui


def _active(qtbot, window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window, 5000)


def test_down_from_the_quick_filter_selects_the_first_row(qtbot, main_window, db) -> None:
    _seed(db)
    _active(qtbot, main_window)
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    main_window.find_action.trigger()  # Ctrl+F
    assert main_window.focusWidget() is view.search_box
    qtbot.keyClicks(view.search_box, "lab")
    view._apply_query_now()
    qtbot.waitUntil(lambda: view.model.count == 1 and not view.model.loading, timeout=10_000)
    qtbot.keyClick(view.search_box, Qt.Key.Key_Down)
    assert main_window.focusWidget() is view.table
    assert [index.row() for index in view.table.selectionModel().selectedRows()] == [0]
    # The detail panel follows the selection, as it does for a click.
    qtbot.waitUntil(lambda: view.detail_id == view.model.row_id(0), timeout=10_000)


def test_tab_leaves_the_register_table_for_the_buttons(qtbot, main_window, db) -> None:
    lab = _seed(db)
    _active(qtbot, main_window)
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert view.select_id(lab)
    view.table.setFocus()
    assert main_window.focusWidget() is view.table
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert main_window.focusWidget() is not view.table
    # Within the detail panel, the safeguards table hands Tab on to its own buttons.
    table = view.safeguard_table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=10_000)
    table.setFocus()
    seen = []
    for _ in range(12):
        qtbot.keyClick(main_window.focusWidget(), Qt.Key.Key_Tab)
        seen.append(main_window.focusWidget())
        if main_window.focusWidget() is not table:
            break
    assert seen[-1] is not table
    # Arrows still move between rows.
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentRow() == 1


def test_no_table_in_a_view_traps_tab(qtbot, main_window) -> None:
    for key in main_window.view_keys():
        view = main_window.show_view(key)
        tables = view.findChildren(QAbstractItemView)
        trapping = [t.objectName() or type(t).__name__ for t in tables if t.tabKeyNavigation()]
        assert trapping == [], key


def test_every_view_has_its_own_navigation_shortcut(qtbot, main_window) -> None:
    entries = available_views()
    shortcuts = [entry.shortcut for entry in entries]
    assert all(shortcuts), [e.key for e in entries if not e.shortcut]
    assert len(set(shortcuts)) == len(shortcuts)
    titles = {entry.key: entry.shortcut for entry in entries}
    assert titles["assets"] == "Ctrl+9"
    assert titles["advice"] == "Ctrl+0"
    # The View menu shows each one, and no other action of the window takes the same keys.
    menu = {action.text(): action.shortcut() for action in main_window.view_menu.actions()}
    for entry in entries:
        assert menu[entry.title] == QKeySequence(entry.shortcut), entry.key
    others = [
        action.shortcut()
        for action in main_window.findChildren(type(main_window.new_action))
        if action not in main_window.view_actions and not action.shortcut().isEmpty()
    ]
    assert not {QKeySequence(s) for s in shortcuts} & set(others)
    _active(qtbot, main_window)
    qtbot.keyClick(main_window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_view() is main_window.view("advice")
    qtbot.keyClick(main_window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_view() is main_window.view("assets")


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt keys of the visible labels with a buddy and of buttons/check boxes: key -> texts."""
    keys: dict[str, list[str]] = {}
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else None
        if not isinstance(text, str):
            continue
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue
        match = re.search(r"&([^&\s])", text)
        if match:
            keys.setdefault(match.group(1).lower(), []).append(text)
    return keys


def unlabelled_fields(form_owner: QWidget, fields: list[QWidget]) -> list[str]:
    buddies = {label.buddy() for label in form_owner.findChildren(QLabel)}
    return [f.objectName() for f in fields if f not in buddies]


def test_the_advice_dialog_gives_each_field_an_alt_key(qtbot, context) -> None:
    from rsdesk.ui.views.advice import AdviceDialog

    dialog = AdviceDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    keys = mnemonics(dialog)
    clashes = {k: v for k, v in keys.items() if len(v) > 1}
    assert clashes == {}
    fields = [
        dialog.asked_edit,
        dialog.staff_combo,
        dialog.requester_edit,
        dialog.department_combo,
        dialog.partner_combo,
        dialog.choose_collaboration,
        dialog.question_edit,
        dialog.advice_edit,
    ]
    assert unlabelled_fields(dialog, fields) == []
    assert "&" in dialog.closed_box.text()
    for label in dialog.findChildren(QLabel):
        if label.buddy() is not None:
            assert "&" in label.text(), label.text()


def test_the_decision_page_gives_each_field_an_alt_key(qtbot, context, db) -> None:
    from tests.services.appraisal.helpers import benign_answers
    from tests.ui.test_wizard import MODEL, answer_all, collaboration_id, open_wizard

    target = collaboration_id.__wrapped__(db)
    wizard = open_wizard(qtbot, context, collaboration_id=target)
    answer_all(qtbot, wizard, benign_answers(MODEL), {}, check_justifications=False)
    wizard.next()
    wizard.next()
    page = wizard.decision_page
    assert wizard.currentPage() is page
    keys = mnemonics(wizard)
    assert {k: v for k, v in keys.items() if len(v) > 1} == {}
    assert unlabelled_fields(page, [page.signer, page.role, page.date, page.measures]) == []
    for button in page.decision_buttons.values():
        assert "&" in button.text(), button.text()
    wizard.dirty = False
    wizard.close()
