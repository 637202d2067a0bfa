"""What an officer sees on opening the collaborations register (issue #3): the newest first, a
sort they chose remembered, and "Not appraised" where a collaboration has no risk level yet."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from rsdesk.ui.itemmodels.register_table_model import BadgeRole, SortRole
from rsdesk.ui.widgets.badges import contrast, muted_text
from tests.ui.bulk import RISKS, add_collaborations

pytestmark = pytest.mark.ui


def _open(qtbot, context):
    from rsdesk.ui.views.collaborations import CollaborationsView

    view = CollaborationsView(context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)
    return view


def _titles(view, rows: int) -> list[str]:
    title = view.spec.column_index("title")
    return [view.model.index(row, title).data() for row in range(rows)]


def test_the_register_opens_newest_first(qtbot, context, db) -> None:
    add_collaborations(db, 30)
    view = _open(qtbot, context)
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == view.spec.column_index("reference")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert _titles(view, 3) == ["Study 00030", "Study 00029", "Study 00028"]


def test_a_layout_saved_with_the_old_default_opens_newest_first(qtbot, context, db) -> None:
    add_collaborations(db, 10)
    view = _open(qtbot, context)
    header = view.table.horizontalHeader()
    header.resizeSection(view.spec.column_index("title"), 321)
    # What an earlier release saved: the header with the then default, reference ascending.
    header.blockSignals(True)
    header.setSortIndicator(view.spec.column_index("reference"), Qt.SortOrder.AscendingOrder)
    header.blockSignals(False)
    context.settings.set_value("registers/collaborations/header", header.saveState())
    again = _open(qtbot, context)
    assert again.table.horizontalHeader().sectionSize(again.spec.column_index("title")) == 321
    assert again.model.query.sort_key == "reference"
    assert again.model.query.descending
    assert _titles(again, 1) == ["Study 00010"]


def test_a_chosen_sort_is_remembered_and_reset_forgets_it(qtbot, context, db) -> None:
    add_collaborations(db, 10)
    view = _open(qtbot, context)
    reference = view.spec.column_index("reference")
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.table.horizontalHeader().setSortIndicator(reference, Qt.SortOrder.AscendingOrder)
    view.save_state()
    again = _open(qtbot, context)
    assert (again.model.query.sort_key, again.model.query.descending) == ("reference", False)
    assert _titles(again, 1) == ["Study 00001"]
    with qtbot.waitSignal(again.model.loaded, timeout=10_000):
        again.reset_columns()
    again.save_state()
    third = _open(qtbot, context)
    assert (third.model.query.sort_key, third.model.query.descending) == ("reference", True)


def test_a_collaboration_never_appraised_reads_not_appraised(qtbot, context, db) -> None:
    add_collaborations(db, 10)  # numbers 5 and 10 have no risk level
    view = _open(qtbot, context)
    model = view.model
    risk = view.spec.column_index("risk_level")
    muted = muted_text()
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    assert contrast(muted, base) >= 4.5  # muted, yet legible
    # The column is wide enough to say it in full, not "Not apprais…".
    text_width = view.table.fontMetrics().horizontalAdvance("Not appraised")
    assert view.table.horizontalHeader().sectionSize(risk) >= text_width + 12
    shown = {}
    for row in range(model.rowCount()):
        number = int(_titles(view, row + 1)[row].split()[-1])
        index = model.index(row, risk)
        shown[number] = index.data()
        if RISKS[number % len(RISKS)] is None:
            assert index.data() == "Not appraised"
            assert index.data(Qt.ItemDataRole.ForegroundRole) == muted
            assert index.data(Qt.ItemDataRole.BackgroundRole) is None
            assert index.data(SortRole) is None
            assert index.data(BadgeRole) is None
        else:
            assert index.data() != "Not appraised"
            assert index.data(Qt.ItemDataRole.ForegroundRole) != muted
    assert [n for n, text in shown.items() if text == "Not appraised"] == [10, 5]
    # Filtering and sorting still see an empty value: "none" finds them, they sort last.
    combo = view._filter_combos["risk_level"]
    qtbot.waitUntil(lambda: combo.findData("none") >= 0, timeout=10_000)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findData("none"))
    assert model.count == 2
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        combo.setCurrentIndex(0)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        view.table.horizontalHeader().setSortIndicator(risk, Qt.SortOrder.AscendingOrder)
    last = [model.index(row, risk).data() for row in range(model.rowCount())][-2:]
    assert last == ["Not appraised", "Not appraised"]
