"""How register tables draw: a badge as wide as its text even in a stretched last column, and a
right-aligned heading clear of its sort arrow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyleOptionHeader, QTableView

from rsdesk.ui.views.register_view import WORD_JOINER, RegisterHeader
from rsdesk.ui.widgets.badges import BadgeDelegate

pytestmark = pytest.mark.ui

BADGE = QColor("#c8e6c9")


def _table(qtbot, model: QStandardItemModel) -> QTableView:
    table = QTableView()
    qtbot.addWidget(table)
    table.setHorizontalHeader(RegisterHeader(Qt.Orientation.Horizontal, table))
    table.setItemDelegate(BadgeDelegate(table))
    table.setModel(model)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().hide()
    table.resize(700, 160)
    table.show()
    qtbot.waitExposed(table)
    return table


def test_a_badge_in_the_stretched_last_column_is_as_wide_as_its_text(qtbot) -> None:
    model = QStandardItemModel(2, 2)
    model.setItem(0, 0, QStandardItem("Partner A"))
    clear = QStandardItem("Clear")
    clear.setData(BADGE, Qt.ItemDataRole.BackgroundRole)
    clear.setData(QColor("#111111"), Qt.ItemDataRole.ForegroundRole)
    model.setItem(0, 1, clear)
    model.setItem(1, 1, QStandardItem("no badge"))
    table = _table(qtbot, model)
    cell = table.visualRect(model.index(0, 1))
    assert cell.width() > 400  # the last column stretched
    image = table.viewport().grab().toImage()
    middle = cell.center().y()
    width = table.fontMetrics().horizontalAdvance("Clear")
    inside = image.pixelColor(cell.left() + 8, middle)
    beyond = image.pixelColor(cell.left() + width + 60, middle)
    assert inside.name() == BADGE.name()
    assert beyond.name() != BADGE.name()
    assert beyond.name() == image.pixelColor(cell.right() - 4, middle).name()


def test_a_sorted_right_aligned_heading_leaves_room_for_the_arrow(qtbot) -> None:
    model = QStandardItemModel(1, 2)
    for column, label in enumerate(["Entry", "Who"]):
        item = QStandardItem(label)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        model.setHorizontalHeaderItem(column, item)
    model.horizontalHeaderItem(1).setTextAlignment(Qt.AlignmentFlag.AlignLeft)
    table = _table(qtbot, model)
    header = table.horizontalHeader()
    header.setSortIndicatorShown(True)
    header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)

    def option(section: int) -> QStyleOptionHeader:
        found = QStyleOptionHeader()
        header.initStyleOptionForIndex(found, section)
        return found

    sorted_entry = option(0)
    metrics = sorted_entry.fontMetrics
    padding = metrics.horizontalAdvance(sorted_entry.text) - metrics.horizontalAdvance("Entry")
    assert sorted_entry.text.startswith("Entry")
    assert sorted_entry.text.endswith(WORD_JOINER)
    assert padding >= 8  # at least the arrow's width
    assert option(1).text == "Who"  # left-aligned headings are left alone
    header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    unsorted = option(0)
    assert 0 < metrics.horizontalAdvance(unsorted.text) - metrics.horizontalAdvance("Entry") < 8


def test_a_narrow_quick_filter_drops_the_shortcut_from_its_placeholder(qtbot, main_window) -> None:
    view = main_window.show_view("audit")
    box = view.search_box
    box.setFixedWidth(180)
    qtbot.waitUntil(lambda: "(Ctrl+F)" not in box.placeholderText(), timeout=5_000)
    assert box.placeholderText() == "Search who and which table"
    assert box.toolTip() == "Search who and which table (Ctrl+F)"
    box.setFixedWidth(420)
    qtbot.waitUntil(lambda: box.placeholderText().endswith("(Ctrl+F)"), timeout=5_000)
