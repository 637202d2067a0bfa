"""Two officers with the same record open in two rsdesk windows (two databases handles on one
file): the second save is refused, its editor stays open with the form as typed, and the first
officer's change is kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from rsdesk.db import Database, open_database
from rsdesk.services import collaborations, partners
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.partners import PartnerInput

pytestmark = pytest.mark.ui


@pytest.fixture
def two_windows(qapp, db_path) -> Iterator[tuple[object, object]]:
    from rsdesk.ui.context import AppContext

    handles: list[Database] = [
        open_database(db_path, actor="adm_ann"),
        open_database(db_path, actor="adm_bob"),
    ]
    contexts = [AppContext.create(handle) for handle in handles]
    yield contexts[0], contexts[1]
    for widget in _OPEN:
        if hasattr(widget, "done"):
            widget.done(0)  # without the unsaved-changes question, which nobody would answer
        widget.close()
        widget.deleteLater()
    _OPEN.clear()
    for context, handle in zip(contexts, handles):
        context.ops.wait()
        handle.dispose()


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _parent, _title, text, *a: shown.append(text))
    )
    return shown


_OPEN: list[object] = []


def _open(qtbot, dialog):
    _OPEN.append(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isEnabled, timeout=10_000)
    return dialog


def _save(qtbot, context, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    context.ops.wait()
    qtbot.waitUntil(lambda: not dialog._busy if hasattr(dialog, "_busy") else True)
    qtbot.wait(50)


def test_the_second_collaboration_save_is_refused_and_keeps_its_form(qtbot, two_windows, warnings):
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

    ann, bob = two_windows
    with ann.db.unit_of_work() as session:
        cid = collaborations.create(
            session, CollaborationInput("Quantum sensing", "joint_research", description="Start.")
        ).id
    ann_editor = _open(qtbot, CollaborationDialog(ann, cid))
    bob_editor = _open(qtbot, CollaborationDialog(bob, cid))

    ann_editor.fields["title"].selectAll()
    qtbot.keyClicks(ann_editor.fields["title"], "Ann's title")
    bob_editor.fields["description"].setFocus()
    qtbot.keyClicks(bob_editor.fields["description"], " Bob added this.")
    _save(qtbot, ann, ann_editor)
    qtbot.waitUntil(lambda: not ann_editor.isVisible(), timeout=10_000)
    _save(qtbot, bob, bob_editor)
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)

    assert warnings[0].startswith("adm_ann changed this collaboration on ")
    assert bob_editor.isVisible()
    assert bob_editor.status_label.text().startswith("Not saved: adm_ann changed")
    assert bob_editor.fields["description"].toPlainText() == " Bob added this.Start."
    assert bob_editor.is_dirty()
    with ann.db.read() as session:
        stored = collaborations.load(session, cid)
    assert (stored.title, stored.description) == ("Ann's title", "Start.")


def test_the_second_partner_save_is_refused_and_keeps_its_form(qtbot, two_windows, warnings):
    from rsdesk.ui.dialogs.partner_dialog import PartnerDialog

    ann, bob = two_windows
    with ann.db.unit_of_work() as session:
        pid = partners.create(session, PartnerInput("Kyoto Lab", "university", notes="N.")).id
    ann_editor = _open(qtbot, PartnerDialog(ann, pid))
    bob_editor = _open(qtbot, PartnerDialog(bob, pid))

    qtbot.keyClicks(ann_editor.fields["city"], "Kyoto")
    bob_editor.fields["notes"].setFocus()
    qtbot.keyClicks(bob_editor.fields["notes"], " Bob.")
    _save(qtbot, ann, ann_editor)
    qtbot.waitUntil(lambda: not ann_editor.isVisible(), timeout=10_000)
    _save(qtbot, bob, bob_editor)
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)

    assert warnings[0].startswith("adm_ann changed this partner on ")
    assert bob_editor.isVisible()
    assert bob_editor.status_label.text().startswith("Not saved: adm_ann changed")
    assert "Bob." in bob_editor.fields["notes"].toPlainText()
    with ann.db.read() as session:
        stored = partners.load(session, pid)
    assert (stored.city, stored.notes) == ("Kyoto", "N.")


def test_a_verdict_from_a_stale_screening_list_is_refused_and_the_list_reloaded(
    qtbot, two_windows, warnings
):
    from rsdesk.models import Partner
    from rsdesk.models.enums import PartnerKind
    from rsdesk.services.screening import lists, workflow
    from rsdesk.ui.itemmodels.register_table_model import SortRole
    from rsdesk.ui.views.screening import ScreeningView
    from tests.ui.test_screening_view import FIXTURES

    ann, bob = two_windows
    with ann.db.unit_of_work() as session:
        lists.load_file(session, FIXTURES / "us_csl.csv")
        partner = Partner(name="Harbin Institute of Technology", kind=PartnerKind.UNIVERSITY)
        session.add(partner)
        session.flush()
        workflow.screen_partner(session, partner.id)
    views = [ScreeningView(context) for context in (ann, bob)]
    for view in views:
        _OPEN.append(view)
        view.show()
        qtbot.waitUntil(lambda view=view: view.model.rowCount() == 1, timeout=10_000)
    ann_view, bob_view = views
    hit_id = ann_view.model.row_id(0)
    verdict_column = bob_view.model.column_keys().index("verdict")

    def bob_shows() -> str:
        return str(bob_view.model.index(0, verdict_column).data(SortRole))

    qtbot.waitUntil(lambda: bob_shows() == "pending", timeout=10_000)
    ann_view.decide(hit_id, "true_match", "Same body, confirmed by the registry")
    ann.ops.wait()
    bob_view.decide(hit_id, "false_positive", "Different city")
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)

    assert warnings[0].startswith("adm_ann marked this hit as a true match on ")
    qtbot.waitUntil(lambda: bob_shows() == "true_match", timeout=10_000)
    with ann.db.read() as session:
        (row,) = workflow.results_for_partner(session, partner.id)
    assert (row.verdict.value, row.decided_by) == ("true_match", "adm_ann")


def test_adding_an_attachment_does_not_make_a_stale_form_current(
    qtbot, two_windows, warnings, tmp_path
):
    """The editor reloads the record after an attachment without refilling the form: its save
    must still compare with the version the form was filled from."""
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

    ann, bob = two_windows
    with ann.db.unit_of_work() as session:
        cid = collaborations.create(session, CollaborationInput("Optics", "joint_research")).id
    bob_editor = _open(qtbot, CollaborationDialog(bob, cid))
    with ann.db.unit_of_work() as session:
        seen = collaborations.load(session, cid)
        collaborations.update(
            session,
            cid,
            CollaborationInput("Ann's title", "joint_research"),
            seen_version=seen.row_version,
        )
    document = tmp_path / "plan.txt"
    document.write_text("data management plan", encoding="utf-8")
    with qtbot.waitSignal(bob_editor.attachments_changed, timeout=10_000):
        bob_editor.add_attachment(document)
    bob_editor.fields["description"].setFocus()
    qtbot.keyClicks(bob_editor.fields["description"], "Bob's note")
    _save(qtbot, bob, bob_editor)
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)

    assert warnings[0].startswith("adm_ann changed this collaboration on ")
    with ann.db.read() as session:
        stored = collaborations.load(session, cid)
    assert (stored.title, stored.description) == ("Ann's title", None)


def test_an_appraisal_started_from_the_editor_is_not_a_conflict_but_one_elsewhere_is(
    qtbot, two_windows, warnings
):
    """Ann edits a proposal, appraises it from her editor and saves: her save goes through with
    the sign-off's status and review date. Bob's editor, open since before the sign-off, is
    refused instead of putting the old status back."""
    from rsdesk.services.appraisal.model import load_model
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog
    from rsdesk.ui.wizard import appraisal as wizard_module
    from tests.services.appraisal.helpers import benign_answers
    from tests.ui.test_wizard import answer_all, finish

    ann, bob = two_windows
    with ann.db.unit_of_work() as session:
        cid = collaborations.create(
            session, CollaborationInput("Quantum sensing", "joint_research", description="Start.")
        ).id
    editor = _open(qtbot, CollaborationDialog(ann, cid))
    bob_editor = _open(qtbot, CollaborationDialog(bob, cid))
    editor.fields["description"].setFocus()
    qtbot.keyClicks(editor.fields["description"], "Ann: ")
    qtbot.keyClick(editor.fields["description"], Qt.Key.Key_End)

    qtbot.mouseClick(editor.appraisal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cid in wizard_module._OPEN_WIZARDS, timeout=10_000)
    wizard = wizard_module._OPEN_WIZARDS[cid]
    answer_all(qtbot, wizard, benign_answers(load_model()), {}, check_justifications=False)
    with qtbot.waitSignal(editor.appraisal_outcome_taken, timeout=10_000):
        wizard.save_draft()
    assert editor.status_combo.currentData() == "under_appraisal"
    assert editor.is_dirty()  # the description, not the status the draft set

    wizard.next()
    wizard.next()
    wizard.decision_page.signer.setText("Robin Officer")
    wizard.decision_page.role.setText("Research-security officer")
    with qtbot.waitSignal(editor.appraisal_outcome_taken, timeout=10_000):
        finish(qtbot, wizard)
    assert editor.status_combo.currentData() == "approved"
    _save(qtbot, ann, editor)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=10_000)
    assert warnings == []

    # Bob's form still says "proposed": his save would undo the sign-off.
    bob_editor.fields["title"].setFocus()
    qtbot.keyClicks(bob_editor.fields["title"], "Bob: ")
    _save(qtbot, bob, bob_editor)
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert warnings[0].startswith("adm_ann changed this collaboration on ")
    with ann.db.read() as session:
        stored = collaborations.load(session, cid)
    assert stored.description == "Ann: Start."
    assert stored.title == "Quantum sensing"
    assert (stored.status, stored.risk_level) == ("approved", "low")
    assert stored.next_review_date is not None
