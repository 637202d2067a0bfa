"""Driving the real collaborations view and editor: create, validate, edit, filter, sort, archive,
and the history tab showing each step. Asserts go through the services on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from rsdesk.services import collaborations, registers
from rsdesk.services import partners as partner_service
from rsdesk.services.partners import PartnerInput
from rsdesk.services.registers import RegisterQuery
from rsdesk.ui.widgets import form
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui


@pytest.fixture
def view(qtbot, main_window, db):
    with db.unit_of_work() as session:
        partner_service.create(
            session, PartnerInput("Kyoto Quantum Institute", "research_institute", "JP")
        )
        partner_service.create(session, PartnerInput("Universidad de Ejemplo", "university", "CL"))
    add_collaborations(db, 40)
    view = main_window.show_view("collaborations")
    qtbot.waitUntil(lambda: view.model.count == 40, timeout=10_000)
    return view


def _editor(qtbot, view, action):
    action()
    dialog = view.editor
    assert dialog is not None
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    return dialog


def _pick_partner(qtbot, dialog, text: str) -> None:
    picker = dialog.partner_picker
    before = len(picker.partner_ids())
    picker.search_box.clear()
    qtbot.keyClicks(picker.search_box, text)
    # Enter right away: the picker adds the first match of this text once its search is done.
    qtbot.keyClick(picker.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(picker.partner_ids()) == before + 1, timeout=10_000)


def _save(qtbot, dialog):
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def _history_texts(qtbot, view, record_id: int) -> list[str]:
    view.select_id(record_id)
    dialog = _editor(qtbot, view, lambda: view.open_record(record_id))
    dialog.tabs.setCurrentIndex(3)
    texts = [
        dialog.history_list.topLevelItem(i).text(2)
        for i in range(dialog.history_list.topLevelItemCount())
    ]
    dialog.reject()
    return texts


def test_collaboration_lifecycle_through_the_widgets(qtbot, main_window, view, db, monkeypatch):
    # -- create with two partners; a bad date range is refused next to the field --------------
    dialog = _editor(qtbot, view, main_window.new_action.trigger)
    qtbot.keyClicks(dialog.title_edit, "Quantum sensing with two partners")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("joint_research"))
    _pick_partner(qtbot, dialog, "kyoto")
    _pick_partner(qtbot, dialog, "ejemplo")
    assert len(dialog.partner_picker.partner_ids()) == 2
    dialog.start_edit.setDate(QDate(2026, 6, 1))
    dialog.end_edit.setDate(QDate(2026, 5, 1))
    qtbot.keyClicks(dialog.amount_edit, "250000")
    assert dialog.is_dirty()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors["end_date"].isVisible(), timeout=10_000)
    assert "before start date" in dialog.errors["end_date"].text()
    assert dialog.isVisible()
    with db.read() as session:
        assert collaborations.ids_by_reference(session, []) == {}
        assert registers.count(session, registers.get("collaborations"), RegisterQuery()) == 40
    dialog.end_edit.setDate(QDate(2028, 5, 31))
    created = _save(qtbot, dialog)
    with db.read() as session:
        stored = collaborations.load(session, created.id)
    assert stored.title == "Quantum sensing with two partners"
    assert [p.name for p in stored.partners] == [
        "Kyoto Quantum Institute",
        "Universidad de Ejemplo",
    ]
    assert (stored.start_date, stored.end_date) == (dt.date(2026, 6, 1), dt.date(2028, 5, 31))
    assert stored.funding_amount_eur == 250_000
    qtbot.waitUntil(lambda: view.model.count == 41, timeout=10_000)

    # -- filter the register down to it, open it with Enter, edit it --------------------------
    view.focus_search()
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        qtbot.keyClicks(view.search_box, "quantum sensing")
    assert view.model.count == 1
    assert view.count_label.text() == "1 of 41"
    qtbot.keyClick(view.search_box, Qt.Key.Key_Down)
    assert view.current_id() == created.id
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    dialog = view.editor
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    assert dialog.title_edit.text() == stored.title
    assert not dialog.is_dirty()
    dialog.title_edit.setText("Quantum sensing with two partners, phase 2")
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData("active"))
    _save(qtbot, dialog)
    with db.read() as session:
        assert collaborations.load(session, created.id).status == "active"

    # -- sort: the database order, by funding, descending --------------------------------------
    view.clear_filters()
    qtbot.waitUntil(lambda: view.model.count == 41 and not view.model.loading, timeout=10_000)
    funding = view.spec.column_index("funding_amount_eur")
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.table.horizontalHeader().setSortIndicator(funding, Qt.SortOrder.DescendingOrder)
    assert view.model.query.sort_key == "funding_amount_eur"
    with db.read() as session:
        expected = registers.fetch(session, view.spec, view.model.query, 0, 5)
    shown = [view.model.row_id(row) for row in range(5)]
    assert shown == [row[0] for row in expected]
    assert shown[0] == created.id  # 250,000 is more than any bulk row's funding

    # -- archive, with confirmation; it leaves the register but stays under "Include archived" -
    monkeypatch.setattr(form, "ask_confirm", lambda *args: True)
    qtbot.waitUntil(lambda: view.select_id(created.id), timeout=10_000)
    dialog = _editor(qtbot, view, lambda: view.open_record(created.id))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.count == 40, timeout=10_000)
    view.archived_box.setChecked(True)
    qtbot.waitUntil(lambda: view.model.count == 41, timeout=10_000)

    # -- the history tab shows each step ------------------------------------------------------
    qtbot.waitUntil(lambda: view.select_id(created.id), timeout=10_000)
    history = _history_texts(qtbot, view, created.id)
    assert history == [
        "Collaboration: created",
        "Partner Kyoto Quantum Institute: added",
        "Partner Universidad de Ejemplo: added",
        "Collaboration: changed",
        "Collaboration: archived",
    ]


def test_unsaved_changes_guard(qtbot, main_window, view, db, monkeypatch):
    dialog = _editor(qtbot, view, main_window.new_action.trigger)
    qtbot.keyClicks(dialog.title_edit, "Half typed")
    asked: list[bool] = []

    def cancel(_parent):
        asked.append(True)
        return form.QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(form, "ask_discard_changes", cancel)
    dialog.reject()
    assert asked == [True]
    assert dialog.isVisible()
    monkeypatch.setattr(
        form, "ask_discard_changes", lambda _p: form.QMessageBox.StandardButton.Discard
    )
    dialog.reject()
    assert not dialog.isVisible()
    with db.read() as session:
        assert registers.count(session, registers.get("collaborations"), RegisterQuery()) == 40


def test_attachments_add_and_save_out(qtbot, main_window, view, db, tmp_path):
    record_id = view.model.row_id(0)
    dialog = _editor(qtbot, view, lambda: view.open_record(record_id))
    source = tmp_path / "agreement.pdf"
    source.write_bytes(b"%PDF-1.4 signed agreement")
    with qtbot.waitSignal(dialog.attachments_changed, timeout=10_000):
        dialog.add_attachment(source)
    assert dialog.attachment_list.topLevelItemCount() == 1
    assert dialog.attachment_list.topLevelItem(0).text(0) == "agreement.pdf"
    out = tmp_path / "copy.pdf"
    with qtbot.waitSignal(dialog.attachments_changed, timeout=10_000):
        dialog.save_attachment_to(out)
    assert out.read_bytes() == source.read_bytes()
    dialog.reject()


def test_attachment_buttons_of_an_archived_collaboration(qtbot, main_window, view, db, monkeypatch):
    """Add and Remove are off on an archived record, saying why; Remove's question says the
    content goes for good and only the name and fingerprint stay."""
    record_id = view.model.row_id(0)
    with db.unit_of_work() as session:
        collaborations.add_attachment(session, record_id, "agreement.pdf", b"%PDF-1.4 signed")
    dialog = _editor(qtbot, view, lambda: view.open_record(record_id))
    assert dialog.remove_attachment_button.isEnabled()
    assert dialog.add_attachment_button.isEnabled()
    assert dialog.remove_attachment_button.toolTip() == ""
    questions = []
    monkeypatch.setattr(form, "ask_confirm", lambda _parent, _title, text: questions.append(text))
    dialog.remove_attachment()
    assert "deleted for good" in questions[0]
    assert "only its name and fingerprint (SHA-256) stay in the audit trail" in questions[0]
    dialog.reject()
    with db.unit_of_work() as session:
        collaborations.archive(session, record_id)
    dialog = _editor(qtbot, view, lambda: view.open_record(record_id))
    assert dialog.open_attachment_button.isEnabled()
    assert dialog.save_attachment_button.isEnabled()
    for button in (dialog.add_attachment_button, dialog.remove_attachment_button):
        assert not button.isEnabled()
        assert "archived and kept as evidence" in button.toolTip()
    dialog.reject()
    with db.read() as session:
        assert [a.file_name for a in collaborations.attachments(session, record_id)] == [
            "agreement.pdf"
        ]


def test_appraise_from_the_register_opens_the_wizard_for_the_selected_row(qtbot, view, db):
    from rsdesk.services.appraisal import workflow

    view.table.clearSelection()
    view.table.setCurrentIndex(view.model.index(-1, -1))
    assert not view.appraise_button.isEnabled()
    assert view.appraise_button.isVisible()
    menu = view.row_menu()
    assert view.appraise_action in menu.actions()
    assert view.open_action in menu.actions()

    record_id = view.model.row_id(3)
    assert view.select_id(record_id)
    view.table.setCurrentIndex(view.model.index(3, 0))
    assert view.appraise_button.isEnabled()
    qtbot.mouseClick(view.appraise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.wizard is not None, timeout=10_000)
    wizard = view.wizard
    assert wizard.state.appraisal.collaboration_id == record_id
    assert wizard.isVisible()
    # Opening the wizard writes nothing: the draft is stored by its first save.
    with db.read() as session:
        draft = workflow.current_draft(session, record_id)
    assert draft is None
    assert not wizard.state.appraisal.saved
    wizard.dirty = False
    wizard.close()


def test_appraise_without_the_mouse(qtbot, main_window, view) -> None:
    """Ctrl+F, type, Down into the table, Ctrl+Shift+A: the wizard opens for that row."""
    main_window.activateWindow()
    view.focus_search()
    target = view.model.row_id(5)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        qtbot.keyClicks(view.search_box, view.model.data(view.model.index(5, 0)))
    assert view.model.count == 1
    qtbot.keyClick(view.search_box, Qt.Key.Key_Down)
    assert view.table.hasFocus()
    assert view.current_id() == target
    qtbot.keyClick(
        view.table,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: view.wizard is not None, timeout=10_000)
    assert view.wizard.state.appraisal.collaboration_id == target
    view.wizard.dirty = False
    view.wizard.close()
