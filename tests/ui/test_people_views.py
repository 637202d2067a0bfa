"""Staff & onboarding and training views: click through them on a real database."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialogButtonBox

from rsdesk.models.enums import CheckStatus
from rsdesk.services import onboarding, training
from rsdesk.services.training import TrainingStatus
from rsdesk.ui.widgets.badges import badge_colours, contrast, is_dark
from tests.services.people.helpers import department, person


@pytest.fixture
def people(db):
    with db.unit_of_work() as session:
        training.sync_courses(session)
        physics = department(session, "Physics")
        office = department(session, "Office")
        ada = person(session, full_name="Ada Lovelace", department_id=physics, dual_use_code="4",
                     start_date=dt.date(2025, 1, 6))  # fmt: skip
        bob = person(session, full_name="Bob Builder", department_id=physics)
        cyd = person(session, full_name="Cyd Clerk", department_id=office,
                     role_category="administrative")  # fmt: skip
    return {"ada": ada, "bob": bob, "cyd": cyd, "physics": physics}


def test_complete_a_check_in_the_staff_view(qtbot, context, db, people, qtmodeltester):
    from rsdesk.ui.views.staff import StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    qtmodeltester.check(view.model)
    assert view.select_staff(people["ada"])
    qtbot.waitUntil(lambda: view.checklist_model.rowCount() > 0)
    qtmodeltester.check(view.checklist_model)
    assert "Ada Lovelace" in view.person_label.text()
    row = next(
        r for r in range(view.checklist_model.rowCount())
        if view.checklist_model.item(r).check_code == "export_control_check"
    )  # fmt: skip
    view.checklist.selectRow(row)
    assert view.complete_button.isEnabled()
    qtbot.keyClicks(view.note, "No licence needed (ticket 42)")
    qtbot.mouseClick(view.complete_button, Qt.MouseButton.LeftButton)

    def completed() -> bool:
        with db.read() as session:
            items = {i.check_code: i for i in onboarding.checklist(session, people["ada"])}
        return items["export_control_check"].status == CheckStatus.DONE

    qtbot.waitUntil(completed)
    with db.read() as session:
        item = {i.check_code: i for i in onboarding.checklist(session, people["ada"])}[
            "export_control_check"
        ]
    assert item.evidence_note == "No licence needed (ticket 42)"
    assert item.completed_by == db.actor
    # The panel reloads and shows the check as done.
    qtbot.waitUntil(lambda: view.checklist_model.index(row, 2).data() == "Done", timeout=5000)

    # A waiver without a reason is refused by the service and changes nothing.
    view.checklist.selectRow((row + 1) % view.checklist_model.rowCount())
    errors = []
    context.ops.write(
        lambda s: onboarding.waive(s, view._selected_check(), ""), None, errors.append
    )
    qtbot.waitUntil(lambda: bool(errors))
    assert "reason" in str(errors[0])


def test_staff_view_filters_by_onboarding_state(qtbot, context, people):
    from rsdesk.ui.views.staff import StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.onboarding_filter.setCurrentIndex(view.onboarding_filter.findData("complete"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.row_id(0) == people["cyd"]


def test_bulk_completion_changes_the_matrix_colour(qtbot, context, db, people, qtmodeltester):
    from rsdesk.ui.views.training import TrainingView

    view = TrainingView(context)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.compliance_model)
    with db.read() as session:
        course = training.course_by_code(session, "rs_awareness")
    column = view.model.course_column(course.id)

    def cell(staff_id):
        return view.model.index(view.model.row_of(staff_id), column)

    missing = badge_colours(TrainingStatus.MISSING.value)[0].name()
    current = badge_colours(TrainingStatus.CURRENT.value)[0].name()
    assert missing != current
    before = cell(people["ada"]).data(Qt.ItemDataRole.BackgroundRole)
    assert before.color().name() == missing
    assert cell(people["cyd"]).data() == ""  # not required for an administrative role

    dialog = view.open_completion_dialog()
    dialog.set_course(course.id)
    dialog.select_needing()
    assert set(dialog.selected_ids()) == {people["ada"], people["bob"]}
    assert "Counts until" in dialog.expiry_label.text()
    with qtbot.waitSignal(dialog.recorded, timeout=10_000) as recorded:
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert recorded.args == [2]
    qtbot.waitUntil(
        lambda: cell(people["ada"]).data(Qt.ItemDataRole.BackgroundRole).color().name() == current,
        timeout=10_000,
    )
    assert cell(people["bob"]).data() == "Current"
    with db.read() as session:
        statuses = {s.course.code: s.status for s in training.person_status(session, people["ada"])}
    assert statuses["rs_awareness"] == TrainingStatus.CURRENT


def _palette(window: str, base: str, text: str) -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.WindowText, text),
    ):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.mark.parametrize(
    "palette_colours",
    [("#efefef", "#ffffff", "#000000"), ("#2b2b2b", "#1e1e1e", "#f0f0f0")],
    ids=["light", "dark"],
)
def test_training_colours_follow_the_palette(qtbot, qapp, context, people, palette_colours):
    """Matrix cells, legend and the staff panel's strip take their tints from the palette: each
    status its own colour, text readable on it, and no pale tint glaring on a dark theme."""
    from rsdesk.ui.views.staff import StaffView
    from rsdesk.ui.views.training import TrainingView

    original = qapp.palette()
    palette = _palette(*palette_colours)
    qapp.setPalette(palette)
    try:
        dark = is_dark(palette)
        view = TrainingView(context)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.model.rowCount() == 3)
        seen: dict[str, str] = {}
        for row in range(view.model.rowCount()):
            for column in range(2, view.model.columnCount()):
                index = view.model.index(row, column)
                background = index.data(Qt.ItemDataRole.BackgroundRole)
                if background is None:
                    continue
                text = index.data(Qt.ItemDataRole.ForegroundRole).color()
                assert contrast(background.color(), text) >= 4.5
                assert (background.color().lightness() < 128) == dark
                seen.setdefault(index.data(), background.color().name())
        assert {"Missing"} <= set(seen)
        statuses = [status.value for status in TrainingStatus]
        backgrounds = {badge_colours(status, palette)[0].name() for status in statuses}
        assert len(backgrounds) == len(statuses)
        chip = view.legend[TrainingStatus.EXPIRED].styleSheet()
        assert badge_colours("expired", palette)[0].name() in chip

        staff = StaffView(context)
        qtbot.addWidget(staff)
        qtbot.waitUntil(lambda: staff.model.rowCount() == 3)
        assert staff.select_staff(people["ada"])
        qtbot.waitUntil(lambda: "Missing" in staff.training_label.text())
        assert badge_colours("missing", palette)[0].name() in staff.training_label.text()
    finally:
        qapp.setPalette(original)


def test_training_strip_is_redrawn_when_the_palette_changes(qtbot, qapp, context, people):
    from rsdesk.ui.views.staff import StaffView

    original = qapp.palette()
    light = _palette("#efefef", "#ffffff", "#000000")
    dark = _palette("#2b2b2b", "#1e1e1e", "#f0f0f0")
    qapp.setPalette(light)
    try:
        staff = StaffView(context)
        qtbot.addWidget(staff)
        qtbot.waitUntil(lambda: staff.model.rowCount() == 3)
        assert staff.select_staff(people["ada"])
        qtbot.waitUntil(lambda: "Missing" in staff.training_label.text())
        qapp.setPalette(dark)
        dark_missing = badge_colours("missing", dark)[0].name()
        qtbot.waitUntil(lambda: dark_missing in staff.training_label.text())
        assert badge_colours("missing", light)[0].name() not in staff.training_label.text()
    finally:
        qapp.setPalette(original)


def test_matrix_filters_by_department(qtbot, context, people):
    from rsdesk.ui.views.training import TrainingView

    view = TrainingView(context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and view.department.count() == 3)
    view.department.setCurrentIndex(view.department.findData(people["physics"]))
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    assert view.compliance_model.rowCount() == 1


def test_rules_dialog_validates_and_stores_an_edited_catalogue(qtbot, context, db, people):
    from rsdesk.ui.views.staff import StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    dialog = view.open_rules()
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.retention.value() == 24
    good = dialog.catalogue.toPlainText()
    dialog.catalogue.setPlainText(
        good + "\n[[course]]\ncode = 'x'\nname = 'X'\n[course.audience]\nreligion=['y']\n"
    )
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.error_label.text()))
    assert "never who the person is" in dialog.error_label.text()
    with db.read() as session:
        assert training.load_catalogue(session).source == "shipped"

    dialog.catalogue.setPlainText(good.replace("refresh_months = 12", "refresh_months = 6"))
    dialog.retention.setValue(36)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.accept()
    with db.read() as session:
        assert training.course_by_code(session, "infosec").refresh_months == 6
        assert training.load_catalogue(session).source == "edited"
        from rsdesk.services import privacy

        assert privacy.retention_months(session) == 36
    # Opening the editor again shows the stored text, comments included.
    again = view.open_rules()
    qtbot.waitUntil(lambda: again.loaded)
    assert "refresh_months = 6" in again.catalogue.toPlainText()
    assert again.catalogue.toPlainText().startswith("# The training catalogue")


def test_add_a_person_by_hand_creates_their_checklist(qtbot, context, db, people):
    from rsdesk.ui.views.staff import StaffView

    view = StaffView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    dialog = view.new_record()
    qtbot.waitUntil(lambda: dialog.loaded)
    qtbot.keyClicks(dialog.staff_number, "N-1")
    qtbot.keyClicks(dialog.full_name, "Nadia New")
    dialog.role.setCurrentIndex(dialog.role.findData("postdoc"))
    dialog.facility.setChecked(True)
    qtbot.keyClicks(dialog.email, "not an address")
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.error_label.text()))
    assert "e-mail" in dialog.error_label.text()
    dialog.email.setText("nadia@example.org")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.accept()
    change = saved.args[0]
    assert "facility_briefing" in change.checks_added
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
    with db.read() as session:
        codes = {i.check_code for i in onboarding.checklist(session, change.staff.id)}
    assert codes == set(change.checks_added)


def test_anonymise_former_staff_from_the_staff_view(qtbot, context, db, people, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from rsdesk.models import StaffMember
    from rsdesk.ui.views.staff import StaffView

    with db.unit_of_work() as session:
        gone = person(session, full_name="Gone Long Ago", start_date=dt.date(2015, 1, 1),
                      end_date=dt.date(2019, 12, 31))  # fmt: skip
    asked = []

    def answer_yes(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    # Only the modal question is replaced; the service runs for real.
    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    view = StaffView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)  # who left is hidden ...
    view.show_left.setChecked(True)
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)  # ... until asked for
    qtbot.mouseClick(view.anonymise_button, Qt.MouseButton.LeftButton)

    def anonymised() -> bool:
        with db.read() as session:
            return session.get(StaffMember, gone).anonymised_at is not None

    qtbot.waitUntil(anonymised, timeout=10_000)
    assert asked
    assert asked[0].startswith("1 people left more than 24 months ago")
    with db.read() as session:
        assert session.get(StaffMember, gone).full_name == f"Former staff {gone:04d}"
        assert session.get(StaffMember, people["ada"]).anonymised_at is None
