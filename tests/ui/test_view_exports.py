"""Export view writes what the view shows: each register view, the staff view and the training
matrix are filtered on screen, exported, and the workbook read back row by row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from rsdesk.db import Database
from rsdesk.services import demo, training
from tests.services.people.helpers import department, person

pytestmark = pytest.mark.ui

REGISTER_VIEWS = (
    "collaborations",
    "partners",
    "appraisals",
    "measures",
    "screening",
    "assets",
    "advice",
    "audit",
)


@pytest.fixture
def filled(db: Database) -> Database:
    demo.generate(db, size=60, seed=2)
    return db


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)


def _export(qtbot, context, view, out: Path) -> openpyxl.Workbook:
    view.export_to(out)
    qtbot.waitUntil(out.exists, timeout=20_000)
    context.ops.wait()
    return openpyxl.load_workbook(out)


def _cover(workbook: openpyxl.Workbook) -> dict[str, object]:
    return {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row}


def _narrow(qtbot, view) -> str:
    """Picks the first drop-down choice that shows some rows but not all; returns its label."""
    unfiltered = view.model.count
    for combo in view._filter_combos.values():
        for index in range(1, combo.count()):
            combo.setCurrentIndex(index)
            _loaded(qtbot, view)
            if 0 < view.model.count < unfiltered:
                return combo.currentText()
        combo.setCurrentIndex(0)
        _loaded(qtbot, view)
    raise AssertionError(f"no filter of {view.spec.name} narrows the demo data")


@pytest.mark.parametrize("key", REGISTER_VIEWS)
def test_each_register_view_exports_its_filtered_sorted_rows(
    qtbot, main_window, filled, tmp_path, key
) -> None:
    view = main_window.show_view(key)
    _loaded(qtbot, view)
    if key == "screening":  # opens on current hits; every hit, to have some to narrow
        view.apply_filters({})
        _loaded(qtbot, view)
    choice = _narrow(qtbot, view)
    # Sort by the second column, descending, as a click on its header would.
    view.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, view)
    shown = [view.model.row_id(row) for row in range(view.model.count)]

    workbook = _export(qtbot, main_window.context, view, tmp_path / f"{key}.xlsx")

    data = workbook.worksheets[0]
    exported = [row[0] for row in data.iter_rows(min_row=2, values_only=True) if row[0]]
    assert exported == shown
    cover = _cover(workbook)
    assert cover["Rows"] == len(shown)
    assert f" = {choice}" in str(cover["Filters"])
    assert str(cover["Sorted by"]).endswith("descending")


@pytest.fixture
def staff(db: Database) -> dict[str, int]:
    with db.unit_of_work() as session:
        training.sync_courses(session)
        physics = department(session, "Physics")
        chemistry = department(session, "Chemistry")
        ids = {
            "zoltan": person(session, full_name="Zoltán Szolcsányi", department_id=physics),
            "zola": person(session, full_name="Zola Zolcer", department_id=chemistry),
            "maria": person(session, full_name="María García", department_id=physics),
            "mario": person(session, full_name="Mario Garcia", department_id=chemistry),
            "ada": person(session, full_name="Ada Lovelace", department_id=physics),
            "jan": person(
                session,
                full_name="Jan de Vries",
                department_id=physics,
                start_date=dt.date(2020, 1, 6),
                end_date=dt.date.today() - dt.timedelta(days=1),
            ),
            "last_day": person(
                session, full_name="Lena Lastday", department_id=physics, end_date=dt.date.today()
            ),
        }
    ids["physics"] = physics
    return ids


def _staff_view(qtbot, context):
    from rsdesk.ui.views.staff import StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.department.count() > 1 and view._loading == 0, timeout=10_000)
    return view


def _shown_ids(view) -> list[int]:
    return [
        view.model.row_id(view.proxy.mapToSource(view.proxy.index(row, 0)).row())
        for row in range(view.proxy.rowCount())
    ]


def test_staff_view_exports_the_people_it_shows(qtbot, context, staff, tmp_path) -> None:
    view = _staff_view(qtbot, context)
    view.search.setText("zolc")
    view.department.setCurrentIndex(view.department.findData(staff["physics"]))
    qtbot.waitUntil(lambda: view._loading == 0 and view.model.rowCount() == 1, timeout=10_000)
    assert _shown_ids(view) == [staff["zoltan"]]

    workbook = _export(qtbot, context, view, tmp_path / "staff.xlsx")

    sheet = workbook.worksheets[0]
    assert sheet.title == "Staff"
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert [row[0] for row in rows] == [staff["zoltan"]]
    cover = _cover(workbook)
    assert cover["Filters"] == ('search "zolc"; Department = Physics; Employment = Current staff')
    assert cover["Rows"] == 1


def test_staff_view_export_follows_the_sort_on_screen(qtbot, context, staff, tmp_path) -> None:
    view = _staff_view(qtbot, context)
    view.department.setCurrentIndex(view.department.findData(staff["physics"]))
    qtbot.waitUntil(lambda: view._loading == 0 and view.model.rowCount() == 4, timeout=10_000)
    view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # name, Z to A
    shown = _shown_ids(view)

    workbook = _export(qtbot, context, view, tmp_path / "sorted.xlsx")

    exported = [r[0] for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert exported == shown
    assert _cover(workbook)["Sorted by"] == "Name, descending"


def test_show_people_who_left_hides_and_marks_leavers(qtbot, context, staff) -> None:
    view = _staff_view(qtbot, context)
    qtbot.waitUntil(lambda: view.model.rowCount() == 6, timeout=10_000)
    assert not view.show_left.isChecked()
    assert staff["jan"] not in _shown_ids(view)  # end date yesterday
    assert staff["last_day"] in _shown_ids(view)  # today is still a working day

    view.show_left.setChecked(True)
    qtbot.waitUntil(lambda: view.model.rowCount() == 7, timeout=10_000)
    row = view.model.row_of(staff["jan"])
    state = view.model.index(row, 2).data()
    assert state == "Left"
    on_last_day = view.model.index(view.model.row_of(staff["last_day"]), 2).data()
    assert on_last_day != "Left"


def test_training_export_writes_the_matrix_as_searched(qtbot, context, staff, tmp_path) -> None:
    from rsdesk.ui.views.training import TrainingView

    view = TrainingView(context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.loaded > 0, timeout=10_000)
    before = view.loaded
    view.search.setText("Garcia")
    qtbot.waitUntil(lambda: view.loaded > before, timeout=10_000)
    shown = {view.model.matrix.rows[r].full_name for r in range(view.model.rowCount())}
    assert shown
    assert len(shown) < 6

    out = tmp_path / "matrix.xlsx"
    view.export_to(out)
    qtbot.waitUntil(out.exists, timeout=20_000)
    context.ops.wait()

    workbook = openpyxl.load_workbook(out)
    names = {row[1] for row in workbook["Training matrix"].iter_rows(min_row=2, values_only=True)}
    assert names == shown
    assert _cover(workbook)["Filters"] == 'search "Garcia"'


def test_export_right_after_typing_shows_and_writes_the_same_rows(
    qtbot, context, staff, tmp_path
) -> None:
    """Ctrl+E within the search box's typing delay: the view applies the search at once, so
    the file and the screen agree."""
    view = _staff_view(qtbot, context)
    qtbot.waitUntil(lambda: view.model.rowCount() == 6, timeout=10_000)
    view.search.setText("garcia")  # the refresh waits for the typing delay ...
    assert view._search_timer.isActive()

    workbook = _export(qtbot, context, view, tmp_path / "typed.xlsx")  # ... or for Ctrl+E

    qtbot.waitUntil(lambda: view._loading == 0, timeout=10_000)
    exported = [r[0] for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(exported) == sorted(_shown_ids(view))
    assert staff["mario"] in exported
    assert staff["ada"] not in exported


def test_a_register_view_applies_a_pending_search_before_exporting(
    qtbot, main_window, filled, tmp_path
) -> None:
    view = main_window.show_view("partners")
    _loaded(qtbot, view)
    everyone = view.model.count
    view.search_box.setText("univ")
    assert view._search_timer.isActive()

    workbook = _export(qtbot, main_window.context, view, tmp_path / "typed.xlsx")

    _loaded(qtbot, view)
    shown = [view.model.row_id(row) for row in range(view.model.count)]
    assert 0 < len(shown) < everyone
    exported = [r[0] for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert exported == shown
