"""Partners, measures, appraisals and audit-log views on a real database: filters, drill-downs,
column chooser and remembered columns, the partner editor, the audit chain check."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from rsdesk.models import MitigationMeasure
from rsdesk.services import audit, collaborations
from rsdesk.services import partners as partner_service
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.partners import PartnerInput
from rsdesk.ui.widgets import form
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)


def test_filter_combo_and_drill_down(qtbot, main_window, db) -> None:
    add_collaborations(db, 50)
    view = main_window.show_view("collaborations")
    _loaded(qtbot, view)
    combo = view._filter_combos["status"]
    qtbot.waitUntil(lambda: combo.count() > 2, timeout=10_000)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findData("active"))
    assert view.model.count == sum(1 for n in range(1, 51) if n % 4 == 1)
    assert view.count_label.text() == f"{view.model.count} of 50"
    # A dashboard drill-down: a filter without a drop-down shows with "Show all".
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        main_window.context.signals.navigate.emit(
            "collaborations", {"review": "overdue", "risk_level": "high"}
        )
    assert view._filter_combos["risk_level"].currentData() == "high"
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.clear_filters()
    assert view.model.count == 50


def test_column_chooser_and_state_survive_restart(qtbot, context, db) -> None:
    from rsdesk.ui.views.collaborations import CollaborationsView

    add_collaborations(db, 5)
    view = CollaborationsView(context)
    qtbot.addWidget(view)
    _loaded(qtbot, view)
    header = view.table.horizontalHeader()
    partners = view.spec.column_index("partners")
    menu = view.column_menu()
    action = next(a for a in menu.actions() if a.text() == "Partners")
    assert action.isChecked()
    action.trigger()
    assert header.isSectionHidden(partners)
    header.resizeSection(view.spec.column_index("title"), 333)
    header.setSortIndicator(view.spec.column_index("start_date"), Qt.SortOrder.DescendingOrder)
    view.save_state()
    again = CollaborationsView(context)
    qtbot.addWidget(again)
    _loaded(qtbot, again)
    header = again.table.horizontalHeader()
    assert header.isSectionHidden(partners)
    assert header.sectionSize(again.spec.column_index("title")) == 333
    assert again.model.query.sort_key == "start_date"
    assert again.model.query.descending


def test_partner_editor_creates_and_refuses_bad_country(qtbot, main_window, db) -> None:
    view = main_window.show_view("partners")
    _loaded(qtbot, view)
    main_window.new_action.trigger()
    dialog = view.editor
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    qtbot.keyClicks(dialog.name_edit, "Instituto de Prueba")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("research_institute"))
    qtbot.keyClicks(dialog.country_edit, "C1")
    dialog.add_other_name("IdP", "abbreviation")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["country"].isVisible(), timeout=10_000)
    dialog.country_edit.setText("CL")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save()
    partner = saved.args[0]
    assert [(n.name, n.kind) for n in partner.other_names] == [("IdP", "abbreviation")]
    qtbot.waitUntil(lambda: view.model.count == 1, timeout=10_000)
    assert view.model.data(view.model.index(0, 0)) == "Instituto de Prueba"
    with db.read() as session:
        assert partner_service.search(session, "idp")[0].id == partner.id


def test_measure_editor_marks_done(qtbot, main_window, db, monkeypatch) -> None:
    with db.unit_of_work() as session:
        collaboration = collaborations.create(
            session, CollaborationInput("Shared data", "data_sharing")
        )
        measure = MitigationMeasure(
            collaboration_id=collaboration.id,
            description="Export-control check of the data set",
            due_date=dt.date.today(),
        )
        session.add(measure)
        session.flush()
        measure_id = measure.id
    view = main_window.show_view("measures")
    _loaded(qtbot, view)
    assert not main_window.new_action.isEnabled()
    view.open_record(measure_id)
    dialog = view.editor
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("done"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["evidence"].isVisible(), timeout=10_000)
    dialog.evidence_edit.setPlainText("Licence check memo 2026-14")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save()
    assert saved.args[0].completed_on == dt.date.today()


def test_audit_log_filters_and_verifies(qtbot, main_window, db) -> None:
    with db.read() as session:
        opening = audit.entry_count(session)  # the training catalogue, put in on opening
    add_collaborations(db, 30)
    with db.unit_of_work() as session:
        partner_service.create(session, PartnerInput("Audited Partner", "company"))
    view = main_window.show_view("audit")
    _loaded(qtbot, view)
    assert view.model.count == opening + 31
    combo = view._filter_combos["table"]
    qtbot.waitUntil(lambda: combo.findData("partner") >= 0, timeout=10_000)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findData("partner"))
    assert view.model.count == 1
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.since_edit.set_value(dt.date.today() + dt.timedelta(days=1))
    assert view.model.count == 0
    with qtbot.waitSignal(view.verify_button.clicked, timeout=1000):
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_result is not None, timeout=20_000)
    assert view.last_result.ok
    assert view.last_result.entries_checked == opening + 31


def test_audit_log_shows_field_labels_and_finds_tables_by_words(qtbot, main_window, db) -> None:
    """The Fields column reads "Department, Lead staff", not "department_id, lead_staff_id", and
    the quick filter finds staff entries typed either as the label shows or as stored."""
    from rsdesk.ui.itemmodels.register_table_model import SortRole
    from tests.services.people.helpers import person

    add_collaborations(db, 3)
    with db.unit_of_work() as session:
        person(session, full_name="Audited Person")
    view = main_window.show_view("audit")
    _loaded(qtbot, view)
    fields = view.spec.column_index("changes")
    tables = view.spec.column_index("table_name")
    qtbot.waitUntil(lambda: view.model.row_loaded(0), timeout=10_000)
    shown = {}
    for row in range(view.model.count):
        qtbot.waitUntil(lambda row=row: view.model.row_loaded(row), timeout=10_000)
        table = view.model.index(row, tables).data(SortRole)
        shown[table] = view.model.index(row, fields).data()
    assert "Full name" in shown["staff_member"]
    assert "full_name" not in shown["staff_member"]
    assert "_" not in shown["collaboration"]
    counts = {}
    for text in ("staff member", "Staff_Member"):
        with qtbot.waitSignal(view.model.loaded, timeout=10_000):
            view.apply_filters({"text": text})
        _loaded(qtbot, view)
        counts[text] = view.model.count
        for row in range(view.model.count):
            qtbot.waitUntil(lambda row=row: view.model.row_loaded(row), timeout=10_000)
            assert view.model.index(row, tables).data(SortRole) == "staff_member"
    assert counts["staff member"] == counts["Staff_Member"] >= 1


def test_open_record_signal_reaches_the_editor(qtbot, main_window, db, monkeypatch) -> None:
    ids = add_collaborations(db, 3)
    monkeypatch.setattr(
        form, "ask_discard_changes", lambda _p: form.QMessageBox.StandardButton.Discard
    )
    main_window.context.signals.open_record.emit("collaborations", ids[1])
    view = main_window.current_view()
    assert view.spec.name == "collaborations"
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isEnabled(), timeout=10_000)
    assert view.editor.title_edit.text() == "Study 00002"
    view.editor.reject()


def test_export_writes_the_filtered_rows(qtbot, main_window, db, tmp_path) -> None:
    from rsdesk.ui.views.register_view import xlsx_export_available

    assert xlsx_export_available()  # a test environment always has it
    import openpyxl

    add_collaborations(db, 25)
    view = main_window.show_view("collaborations")
    _loaded(qtbot, view)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.apply_filters({"text": "study 0002"})
    expected = {f"Study {n:05d}" for n in range(1, 26) if "0002" in f"{n:05d}"}
    assert view.model.count == len(expected)
    out = tmp_path / "view.xlsx"
    view.export_to(out)
    qtbot.waitUntil(out.exists, timeout=20_000)
    main_window.context.ops.wait()
    workbook = openpyxl.load_workbook(out, read_only=True)
    titles = {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and cell.startswith("Study ")
    }
    assert titles == expected


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popup
def test_filter_combos_keep_one_modest_width_and_open_wide(qtbot, main_window, db) -> None:
    """One long department name no longer widens the asset register's filter row: every filter
    combo there (and in the staff and training views) asks for the same width, and the open list
    is wide enough to read the long name."""
    from tests.services.people.helpers import department

    long_name = "Department of Electrical Engineering, Computer Science and Applied Mathematics"
    with db.unit_of_work() as session:
        department(session, long_name)
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    combo = view._filter_combos["department"]
    qtbot.waitUntil(lambda: combo.findText(long_name) >= 0, timeout=10_000)
    name_width = combo.fontMetrics().horizontalAdvance(long_name)
    widths = {c.sizeHint().width() for c in view._filter_combos.values()}
    assert len(widths) == 1
    assert widths.pop() < name_width / 2
    combo.showPopup()
    try:
        assert combo.view().width() >= name_width
    finally:
        combo.hidePopup()
    combo.setCurrentIndex(combo.findText(long_name))
    assert combo.sizeHint().width() < name_width / 2
    for key in ("staff", "training"):
        people_view = main_window.show_view(key)
        assert people_view.department.sizeHint().width() == combo.sizeHint().width()
