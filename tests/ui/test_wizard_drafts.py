"""The wizard's drafts as an officer meets them: opening writes nothing, one window per
collaboration, a stale save is refused, a draft can be discarded, and the decision page keeps
to the sign-off rules (no plain approval at High, no date before the draft)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from shiboken6 import isValid
from sqlalchemy import func, select

from rsdesk.models import Appraisal, AuditEntry, Collaboration
from rsdesk.models.enums import CollaborationKind, CollaborationStatus, PartnerKind
from rsdesk.services.appraisal import load_model, workflow
from rsdesk.ui.wizard import appraisal as wizard_module
from tests.services.appraisal.helpers import (
    benign_answers,
    justify_all,
    make_collaboration,
    make_partner,
)
from tests.ui.test_wizard import answer_all, click, close_wizards, finish, open_wizard

pytestmark = pytest.mark.ui
MODEL = load_model()
__all__ = ["close_wizards"]  # the fixture closing wizards a test left open


def new_collaboration(db, status=CollaborationStatus.PROPOSED) -> int:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Lakeside University", PartnerKind.UNIVERSITY)
        return make_collaboration(
            session,
            "Summer school on soil ecology",
            CollaborationKind.EXCHANGE,
            [partner],
            status=status,
        ).id


def written(db) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Appraisal)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def status_of(db, collaboration_id: int) -> str:
    with db.read() as session:
        return session.get(Collaboration, collaboration_id).status.value


def save(qtbot, wizard) -> None:
    saved: list[object] = []
    wizard.draft_saved.connect(saved.append)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CustomButton1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)


def test_opening_and_discarding_the_answers_writes_nothing(qtbot, context, db, monkeypatch):
    collaboration_id = new_collaboration(db)
    before = written(db)
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert not wizard.appraisal.saved
    assert not wizard.button(QWizard.WizardButton.CustomButton3).isEnabled()
    wizard.next()
    click(qtbot, wizard.question_pages[0].questions["research_dual_use"].buttons["listed"])
    monkeypatch.setattr(
        wizard_module,
        "ask_save_changes",
        lambda _p: wizard_module.QMessageBox.StandardButton.Discard,
    )
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=10_000)
    context.ops.wait()
    assert written(db) == before
    assert status_of(db, collaboration_id) == "proposed"


def test_reopening_a_signed_off_collaboration_writes_no_new_version(qtbot, context, db):
    collaboration_id = new_collaboration(db)
    answers = benign_answers(MODEL)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id, answers=answers)
        workflow.sign_off(
            session,
            draft.id,
            workflow.SignOff("approve", "Robin Officer", "Research-security officer"),
        )
    before = written(db)
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert wizard.appraisal.version == 2
    assert not wizard.appraisal.saved
    context.ops.wait()
    assert written(db) == before
    # The first save creates version 2; the collaboration (approved) keeps its status.
    save(qtbot, wizard)
    with db.read() as session:
        assert [h.version for h in workflow.history(session, collaboration_id)] == [2, 1]
    assert status_of(db, collaboration_id) == "approved"


def test_appraise_twice_shows_the_open_wizard(qtbot, context, db):
    collaboration_id = new_collaboration(db)
    first = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    second = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert second is first
    first.dirty = False
    first.close()
    third = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert third is not first


def test_a_draft_saved_elsewhere_is_not_overwritten(qtbot, context, db, monkeypatch):
    collaboration_id = new_collaboration(db)
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    wizard.next()
    question = wizard.question_pages[0].questions["research_dual_use"]
    click(qtbot, question.buttons["listed"])
    qtbot.keyClicks(question.justification, "3E001 per export office")
    save(qtbot, wizard)
    draft = wizard.appraisal
    # Another officer (another session) saves the same draft.
    with db.unit_of_work() as session:
        workflow.save_draft(
            session,
            draft.id,
            {**draft.answers, "research_knowhow": "core"},
            {**draft.justifications, "research_knowhow": "Our core method"},
            seen_version=draft.row_version,
        )
    warnings: list[str] = []
    monkeypatch.setattr(
        wizard_module.QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text)
    )
    click(qtbot, wizard.question_pages[0].questions["research_maturity"].buttons["applied"])
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CustomButton1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert "since you opened it; your changes were not saved" in warnings[0]
    assert wizard.dirty
    with db.read() as session:
        kept = workflow.get_appraisal(session, draft.id)
    assert kept.answers["research_knowhow"] == "core"
    assert kept.answers["research_dual_use"] == "listed"
    assert "research_maturity" not in kept.answers


def test_discard_draft_asks_then_undoes_the_draft(qtbot, context, db, monkeypatch):
    collaboration_id = new_collaboration(db)
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    wizard.next()
    click(qtbot, wizard.question_pages[0].questions["research_maturity"].buttons["applied"])
    save(qtbot, wizard)
    assert status_of(db, collaboration_id) == "under_appraisal"
    discard = wizard.button(QWizard.WizardButton.CustomButton3)
    assert discard.isEnabled()

    monkeypatch.setattr(wizard_module, "ask_discard_draft", lambda _p: False)
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    context.ops.wait()
    assert wizard.isVisible()
    with db.read() as session:
        assert workflow.current_draft(session, collaboration_id) is not None

    monkeypatch.setattr(wizard_module, "ask_discard_draft", lambda _p: True)
    discarded: list[str] = []
    wizard.draft_discarded.connect(discarded.append)
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(discarded), timeout=10_000)
    assert "proposed again" in discarded[0]
    qtbot.waitUntil(lambda: not isValid(wizard) or not wizard.isVisible(), timeout=10_000)
    with db.read() as session:
        assert workflow.current_draft(session, collaboration_id) is None
    assert status_of(db, collaboration_id) == "proposed"


def test_decision_page_offers_no_plain_approval_at_high_risk(qtbot, context, db):
    collaboration_id = new_collaboration(db)
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    answers = {**benign_answers(MODEL), "form_kind": "exchange", "partner_military_links": "direct"}
    answer_all(
        qtbot,
        wizard,
        answers,
        {"partner_military_links": "Ministry owns 60%"},
        check_justifications=False,
    )
    wizard.next()
    wizard.next()
    page = wizard.decision_page
    assert wizard.live_result.level == "high"
    approve = page.decision_buttons["approve"]
    assert not approve.isEnabled()
    assert "approve with conditions" in approve.toolTip()
    assert page.decision_buttons["approve_with_conditions"].isChecked()


def test_sign_off_date_cannot_go_before_the_draft(qtbot, context, db):
    collaboration_id = new_collaboration(db)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=5)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id, answers=benign_answers(MODEL))
        session.get(Appraisal, draft.id).created_at = started
        session.get(Collaboration, collaboration_id).created_at = started
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    page = wizard.decision_page
    earliest = workflow.local_date(started)
    assert page.date.minimumDate().toPython() == earliest
    assert earliest.isoformat() in page.date_note.text()
    page.date.setDate(page.date.minimumDate().addDays(-400))
    assert page.date.date().toPython() == earliest
    # The service's refusal is shown next to the field.
    page.show_error("The sign-off date cannot be before ...", "signed_on")
    assert page.date_note.text().startswith("The sign-off date cannot be before")


def test_rejecting_a_running_collaboration_says_it_stays_active(qtbot, context, db, monkeypatch):
    collaboration_id = new_collaboration(db, CollaborationStatus.ACTIVE)
    told: list[str] = []
    monkeypatch.setattr(wizard_module, "tell_after_sign_off", lambda _p, text: told.append(text))
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    answers = {**benign_answers(MODEL), "form_kind": "exchange"}
    answer_all(qtbot, wizard, answers, {}, check_justifications=False)
    for question_id, note in justify_all(wizard.live_result.justifications_missing).items():
        wizard.set_justification(question_id, note)
    wizard.next()
    wizard.next()
    page = wizard.decision_page
    click(qtbot, page.decision_buttons["reject"])
    qtbot.keyClicks(page.note, "Partner broke the data agreement")
    page.role.setText("Research-security officer")
    signed = finish(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(signed), timeout=10_000)
    assert status_of(db, collaboration_id) == "active"
    assert len(told) == 1
    assert "stays active" in told[0]
