"""Rough edges a tester found in the registers: why an empty table is empty, amounts with
thousands separators, and a filter row that lets the window be made narrow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from rsdesk.services import collaborations
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.ui.itemmodels.register_table_model import SortRole, number_locale
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)


def _painted_colours(image: QImage) -> set[int]:
    """The colours along the middle line of the image."""
    y = image.height() // 2
    return {image.pixel(x, y) for x in range(0, image.width(), 2)}


def test_a_search_that_finds_nothing_says_so_over_the_table(qtbot, main_window, db) -> None:
    add_collaborations(db, 5)
    view = main_window.show_view("collaborations")
    _loaded(qtbot, view)
    blank = _painted_colours(view.table.viewport().grab().toImage())  # rows, no message
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.search_box.setText("no such title anywhere")
        view._apply_query_now()
    assert view.model.count == 0
    assert view.count_label.text() == "0 of 5"
    assert view.table.empty_text() == "No collaborations match the search and filters"
    painted = _painted_colours(view.table.viewport().grab().toImage())
    base = view.table.palette().color(view.table.viewport().backgroundRole()).rgb()
    assert painted - {base}, "the message is painted across the middle of the empty table"
    assert painted != blank
    # The line is painted, not a row: the model stays empty.
    assert view.model.rowCount() == 0


def test_an_empty_register_says_how_to_add_a_record(qtbot, main_window, db) -> None:
    view = main_window.show_view("partners")
    _loaded(qtbot, view)
    assert view.model.count == 0
    assert view.table.empty_text() == "No partners yet — New (Ctrl+N) adds one"
    appraisals = main_window.show_view("appraisals")
    _loaded(qtbot, appraisals)
    assert appraisals.table.empty_text() == "No appraisals yet"  # no New here


def test_funding_reads_with_thousands_separators_and_sorts_as_a_number(
    qtbot, main_window, db
) -> None:
    with db.unit_of_work() as session:
        for title, amount in (("Large", 323_000), ("Small", 9_500), ("Huge", 1_250_000)):
            collaborations.create(
                session,
                CollaborationInput(title, "joint_research", funding_amount_eur=amount),
            )
    view = main_window.show_view("collaborations")
    _loaded(qtbot, view)
    column = view.spec.column_index("funding_amount_eur")
    separator = number_locale().groupSeparator()
    assert separator, "the separator is on even in the C locale"
    shown = {
        view.model.data(view.model.index(row, column), SortRole): view.model.data(
            view.model.index(row, column)
        )
        for row in range(view.model.count)
    }
    assert shown == {
        323_000: f"323{separator}000",
        9_500: f"9{separator}500",
        1_250_000: f"1{separator}250{separator}000",
    }
    alignment = view.model.data(view.model.index(0, column), Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
    in_order = [
        view.model.data(view.model.index(row, column), SortRole) for row in range(view.model.count)
    ]
    assert in_order == [9_500, 323_000, 1_250_000]  # numeric, not "1,250,000" < "323,000"


def test_the_count_line_groups_thousands_too(qtbot, main_window, db) -> None:
    add_collaborations(db, 1_001)
    view = main_window.show_view("collaborations")
    _loaded(qtbot, view)
    separator = number_locale().groupSeparator()
    assert view.count_label.text() == f"1{separator}001 records"


@pytest.mark.parametrize("register", ["collaborations", "partners", "assets"])
def test_the_window_narrows_to_1000_pixels_with_a_register_open(
    qtbot, main_window, db, register
) -> None:
    add_collaborations(db, 3)
    view = main_window.show_view(register)
    _loaded(qtbot, view)
    assert main_window.minimumSizeHint().width() <= 1000
    main_window.resize(1000, 700)
    qtbot.waitUntil(lambda: main_window.width() == 1000, timeout=5_000)
    QApplication.processEvents()
    combos = list(view._filter_combos.values())
    assert combos
    for combo in combos:
        # Whole, inside the view and not covering the table (the row wrapped instead).
        left = combo.mapTo(view, combo.rect().topLeft())
        right = combo.mapTo(view, combo.rect().bottomRight())
        assert combo.isVisible()
        assert combo.width() >= combo.sizeHint().width()
        assert left.x() >= 0, combo.objectName()
        assert right.x() < view.width(), combo.objectName()
        assert right.y() < view.table.geometry().top(), combo.objectName()


def test_the_staff_view_lets_the_window_narrow_too(qtbot, main_window, db) -> None:
    view = main_window.show_view("staff")
    assert main_window.minimumSizeHint().width() <= 1000
    main_window.resize(1000, 700)
    qtbot.waitUntil(lambda: main_window.width() == 1000, timeout=5_000)
    QApplication.processEvents()
    for control in (view.search, view.department, view.anonymise_button):
        right = control.mapTo(view, control.rect().bottomRight())
        assert right.x() < view.width()
        assert control.width() >= min(control.sizeHint().width(), 180)
