"""While a register re-reads after its query changed, its rows are old: the row-count line says
"Loading…" and the rows dim (a drill-down showed every person under "Overdue checks" for 0.9 s)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTableView, QWidget

from rsdesk.ui.widgets.stale_rows import DIM_AFTER_MS, StaleRows
from tests.services.people.helpers import department, person
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui


def _text(table: QTableView) -> object:
    return table.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text)


def test_rows_dim_after_a_moment_and_come_back(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    table = QTableView(parent)
    normal = _text(table)
    stale = StaleRows(table)
    stale.start()
    assert not stale.dimmed  # a quick answer does not flicker
    qtbot.waitUntil(lambda: stale.dimmed, timeout=DIM_AFTER_MS * 10)
    assert table.property("stale") is True
    grey = table.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert _text(table) == grey != normal
    stale.stop()
    assert not stale.dimmed
    assert _text(table) == normal
    stale.start()
    stale.stop()  # answered before the delay: never dimmed
    qtbot.wait(DIM_AFTER_MS * 2)
    assert not stale.dimmed
    assert _text(table) == normal


def test_a_register_says_loading_until_the_new_rows_arrive(qtbot, main_window, db) -> None:
    add_collaborations(db, 30)
    view = main_window.show_view("collaborations")
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)
    combo = view._filter_combos["status"]
    qtbot.waitUntil(lambda: combo.count() > 2, timeout=10_000)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findData("active"))
        assert view.count_label.text() == "Loading…"
        assert view.stale_rows._timer.isActive()
    assert not view.stale_rows.dimmed
    assert view.count_label.text() == f"{view.model.count} of 30"


def test_the_staff_list_says_loading_until_the_filtered_people_arrive(qtbot, context, db) -> None:
    from rsdesk.ui.views.staff import StaffView

    with db.unit_of_work() as session:
        physics = department(session, "Physics")
        for name in ("Ada Lovelace", "Bob Builder"):
            person(session, full_name=name, department_id=physics)
    view = StaffView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2 and view._loading == 0)
    view.onboarding_filter.setCurrentIndex(view.onboarding_filter.findData("complete"))
    assert view.count_label.text() == "Loading…"
    qtbot.waitUntil(lambda: view._loading == 0, timeout=10_000)
    assert "people" in view.count_label.text() or "person" in view.count_label.text()
    assert not view.stale_rows.dimmed
