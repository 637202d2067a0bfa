"""The assets view: register, detail panel with safeguards (missing, overdue) and the access list
flagged without a current briefing; the asset editor; the advice log. Screenshots saved for review
when RSDESK_SCREENSHOT_DIR is set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from rsdesk.models import AdviceRequest, SensitiveAsset
from rsdesk.services import advice, assets, training
from rsdesk.services.advice import AdviceInput
from rsdesk.services.assets import AssetInput
from tests.services.people.helpers import person


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)


def _shot(widget, name: str) -> None:
    folder = os.environ.get("RSDESK_SCREENSHOT_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _seed(db) -> int:
    today = dt.date.today()
    with db.unit_of_work() as session:
        training.sync_courses(session)
        courses = {c.code: c for c in training.courses(session)}
        briefed = person(session, full_name="Ada Briefed")
        lapsed = person(session, full_name="Ben Lapsed")
        training.record_completion(session, briefed, courses["rs_awareness"].id, today)
        training.record_completion(
            session, lapsed, courses["rs_awareness"].id, today - dt.timedelta(days=800)
        )
        lab = assets.create_asset(
            session,
            AssetInput(
                name="Cryogenic quantum lab",
                kind="lab",
                sensitivity_level="sensitive",
                location="Building 7, B-112",
            ),
        ).id
        assets.create_asset(
            session,
            AssetInput(name="Public sensor data", kind="dataset", sensitivity_level="public"),
        )
        assets.set_safeguard(
            session, lab, "mfa", "verified", last_verified_on=today - dt.timedelta(days=400)
        )
        assets.set_safeguard(
            session, lab, "encryption", "verified", last_verified_on=today - dt.timedelta(days=30)
        )
        assets.grant_access(
            session, lab, briefed, today - dt.timedelta(days=60), "Runs the cryostat"
        )
        assets.grant_access(session, lab, lapsed, today - dt.timedelta(days=60), "Visiting postdoc")
        return lab


def test_detail_panel_flags_missing_overdue_and_lapsed_briefing(qtbot, main_window, db) -> None:
    lab = _seed(db)
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert view.model.count == 2
    main_window.resize(1200, 760)
    assert view.select_id(lab)
    qtbot.waitUntil(lambda: view.access_table.rowCount() == 2, timeout=10_000)
    safeguards = {
        view.safeguard_table.item(r, 0).text(): view.safeguard_table.item(r, 5).text()
        for r in range(view.safeguard_table.rowCount())
    }
    assert safeguards["Multi-factor sign-in"] == "Overdue for verification"
    assert safeguards["Encryption at rest and in transit"] == ""
    assert safeguards["Access-controlled zone (badges)"] == "Missing (expected)"
    access = {
        view.access_table.item(r, 0).text(): view.access_table.item(r, 4).text()
        for r in range(view.access_table.rowCount())
    }
    assert access["Ada Briefed"] == "Current"
    assert access["Ben Lapsed"].startswith("Not current: ")
    assert "1 overdue for verification" in view.summary.text()
    assert "1 of 2 people with access lack a current briefing" in view.summary.text()
    _shot(main_window, "assets-view")
    view.detail.setCurrentIndex(1)
    _shot(view, "assets-access")


def test_asset_editor_creates_and_refuses_a_blank_name(qtbot, main_window, db) -> None:
    with db.unit_of_work() as session:
        owner = person(session, full_name="Olga Owner")
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    view.new_record()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.level_combo.count() == 4, timeout=10_000)
    _shot(dialog, "asset-dialog")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "name" in dialog.error.text()
    qtbot.keyClicks(dialog.name_edit, "Genome cohort data")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("dataset"))
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData("highly_sensitive"))
    dialog.owner_combo.setCurrentIndex(dialog.owner_combo.findData(owner))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        [row] = session.query(SensitiveAsset).all()
        assert (row.name, row.kind.value, row.sensitivity_level, row.owner_staff_id) == (
            "Genome cohort data",
            "dataset",
            "highly_sensitive",
            owner,
        )
    # Reopened, the editor shows what was saved and saving again changes nothing.
    view.open_record(row.id)
    again = view.editor
    qtbot.waitUntil(lambda: again.name_edit.text() == "Genome cohort data", timeout=10_000)
    assert again.owner_combo.currentData() == owner
    assert again.level_combo.currentData() == "highly_sensitive"
    with qtbot.waitSignal(again.saved, timeout=10_000):
        again.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        assert session.get(SensitiveAsset, row.id).owner_staff_id == owner


def test_advice_log_records_and_closes_a_request(qtbot, main_window, db) -> None:
    with db.unit_of_work() as session:
        advice.log_request(
            session,
            AdviceInput(
                asked_on=dt.date.today() - dt.timedelta(days=3),
                requester_name="Dr Quinn",
                question="May we accept equipment from this company?",
            ),
        )
    view = main_window.show_view("advice")
    _loaded(qtbot, view)
    assert view.model.count == 1
    view.new_record()
    dialog = view.editor
    qtbot.keyClicks(dialog.requester_edit, "Prof. Ito")
    dialog.question_edit.setPlainText("Can a visiting student use the clean room?")
    dialog.advice_edit.setPlainText("Yes, after the facility briefing")
    dialog.closed_box.setChecked(True)
    _shot(dialog, "advice-dialog")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: view.model.count == 2, timeout=10_000)
    _shot(main_window, "advice-view")
    with db.read() as session:
        rows = {r.requester_name: r for r in session.query(AdviceRequest)}
        assert rows["Prof. Ito"].closed_on == dt.date.today()
        assert rows["Dr Quinn"].closed_on is None


def test_responsibilities_dialog_saves_and_refuses_bad_text(qtbot, context, db) -> None:
    from rsdesk.services import responsibilities
    from rsdesk.ui.dialogs.responsibilities_dialog import ResponsibilitiesDialog

    dialog = ResponsibilitiesDialog(context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "[sign_off.high]" in dialog.editor.toPlainText(), timeout=10_000)
    assert "defaults" in dialog.state.text()
    dialog.resize(720, 620)
    _shot(dialog, "responsibilities-dialog")
    dialog.editor.setPlainText("[sign_off.extreme]\nroles = ['Board']\n")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert dialog.error.text() == "Central contact: give a role or a name"
    with db.read() as session:
        assert not responsibilities.load(session).enforced
    text = responsibilities.shipped_text().replace(
        '[sign_off.very_high]\nroles = ["Research-security committee", "Executive board"]',
        '[sign_off.very_high]\nroles = ["University board"]',
    )
    assert "University board" in text
    dialog.editor.setPlainText(text)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        data = responsibilities.load(session)
        assert data.enforced
        assert data.allowed_signers("very_high") == (("University board",), ())


def test_recording_a_safeguard_and_granting_access_from_the_panel(qtbot, main_window, db) -> None:
    lab = _seed(db)
    with db.unit_of_work() as session:
        newcomer = person(session, full_name="Cleo Newcomer")
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert not view.access_button.isEnabled()
    assert view.select_id(lab)
    qtbot.waitUntil(lambda: view.access_table.rowCount() == 2, timeout=10_000)
    assert view.access_button.isEnabled()

    view.record_safeguard()
    dialog = view.editor
    dialog.code_combo.setCurrentIndex(dialog.code_combo.findData("access_controlled_zone"))
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("verified"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "needs the date it was verified" in dialog.error.text()
    dialog.verified_edit.set_value(dt.date.today())
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    view.grant_access()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.staff_combo.count() == 3, timeout=10_000)
    dialog.staff_combo.setCurrentIndex(dialog.staff_combo.findData(newcomer))
    qtbot.keyClicks(dialog.reason_edit, "Joins the quantum project")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: view.access_table.rowCount() == 3, timeout=10_000)
    rows = {
        view.access_table.item(r, 0).text(): view.access_table.item(r, 4).text()
        for r in range(view.access_table.rowCount())
    }
    assert rows["Cleo Newcomer"].startswith("Not current")  # no training recorded yet
    with db.read() as session:
        state = {s.code: s for s in assets.safeguards(session, lab)}["access_controlled_zone"]
        assert state.last_verified_on == dt.date.today()
        assert not state.missing


def test_linking_a_collaboration_with_partner_access_feeds_the_appraisal(
    qtbot, main_window, db
) -> None:
    from rsdesk.services.appraisal import workflow
    from tests.services.appraisal.helpers import make_collaboration

    lab = _seed(db)
    with db.unit_of_work() as session:
        collaboration_id = make_collaboration(session, "Quantum sensing with Harbour").id
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert view.select_id(lab)
    qtbot.waitUntil(lambda: view.link_button.isEnabled(), timeout=10_000)
    view.link_collaboration()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.collaboration_combo.count() == 1, timeout=10_000)
    dialog.partner_box.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: view.link_table.rowCount() == 1, timeout=10_000)
    assert view.link_table.item(0, 2).text() == "Yes"
    with db.read() as session:
        prefill = workflow.prefill_answers(session, collaboration_id)
    assert prefill["form_access"].option == "sensitive"
    assert "Cryogenic quantum lab" in prefill["form_access"].note


def test_asset_editor_edits_technology_areas_dual_use_licence_and_location(
    qtbot, main_window, db
) -> None:
    from PySide6.QtCore import Qt

    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    view.new_record()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.technology_list.count() > 0, timeout=10_000)
    assert dialog.dual_use_combo.count() > 1
    assert dialog.technology_codes() == ()
    qtbot.keyClicks(dialog.name_edit, "Quantum key distribution testbed")
    for row in range(dialog.technology_list.count()):
        item = dialog.technology_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in ("quantum", "semiconductors"):
            item.setCheckState(Qt.CheckState.Checked)
    dialog.dual_use_combo.setCurrentIndex(dialog.dual_use_combo.findData("5"))
    assert dialog.dual_use_combo.currentData() == "5"
    dialog.export_box.setFocus()
    qtbot.keyClick(dialog.export_box, Qt.Key.Key_Space)
    assert dialog.export_box.isChecked()
    qtbot.keyClicks(dialog.location_edit, "Building 3, cleanroom")
    _shot(dialog, "asset-dialog-technology")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        [row] = session.query(SensitiveAsset).all()
        info = assets.get_asset(session, row.id)
    assert set(info.technology_areas) == {"quantum", "semiconductors"}
    assert info.dual_use_code == "5"
    assert info.export_licence_possible
    assert info.location == "Building 3, cleanroom"

    # Reopened: what was saved is shown; clearing it all and saving clears it in the database.
    view.open_record(row.id)
    again = view.editor
    qtbot.waitUntil(lambda: again.technology_list.count() > 0, timeout=10_000)
    assert set(again.technology_codes()) == {"quantum", "semiconductors"}
    assert again.dual_use_combo.currentData() == "5"
    assert again.export_box.isChecked()
    assert again.location_edit.text() == "Building 3, cleanroom"
    for index in range(again.technology_list.count()):
        again.technology_list.item(index).setCheckState(Qt.CheckState.Unchecked)
    again.dual_use_combo.setCurrentIndex(0)
    again.export_box.setChecked(False)
    with qtbot.waitSignal(again.saved, timeout=10_000):
        again.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with db.read() as session:
        info = assets.get_asset(session, row.id)
    assert info.technology_areas == ()
    assert info.dual_use_code is None
    assert not info.export_licence_possible


def test_detail_panel_explains_itself_until_an_asset_is_chosen(qtbot, main_window, db) -> None:
    lab = _seed(db)
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert view.current_id() is None
    assert view.detail_stack.currentWidget() is view.detail_hint
    assert view.detail_hint.isVisible()
    assert "Choose an asset" in view.detail_hint.text()
    assert not view.safeguard_button.isEnabled()
    assert view.select_id(lab)
    qtbot.waitUntil(lambda: view.detail_stack.currentWidget() is view.detail, timeout=10_000)
    assert view.detail.isVisible()
    assert "Cryogenic quantum lab" in view.summary.text()
