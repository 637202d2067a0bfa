"""The appraisal wizard driven like a user: click answers, type justifications, sign off."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QRadioButton, QWizard
from shiboken6 import isValid

from rsdesk.models import Collaboration
from rsdesk.models.enums import CollaborationKind, PartnerKind
from rsdesk.services.appraisal import load_model, workflow
from rsdesk.services.errors import ReadOnlyError
from rsdesk.ui.wizard import appraisal as wizard_module
from rsdesk.ui.wizard.appraisal import AppraisalWizard, open_appraisal_wizard
from tests.services.appraisal.helpers import (
    benign_answers,
    make_collaboration,
    make_partner,
    make_staff,
)

pytestmark = pytest.mark.ui
MODEL = load_model()


@pytest.fixture
def collaboration_id(db) -> int:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Lakeside University", PartnerKind.UNIVERSITY)
        make_staff(session, "Sam Owner")
        return make_collaboration(
            session, "Summer school on soil ecology", CollaborationKind.EXCHANGE, [partner]
        ).id


def click(qtbot, button) -> None:
    """Click a radio button on its indicator, where a user clicks (its centre may be empty)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))
    assert button.isChecked()


_OPENED: list[AppraisalWizard] = []


@pytest.fixture(autouse=True)
def close_wizards(qtbot):
    """Wizards delete themselves when finished; close the ones a test left open."""
    yield
    while _OPENED:
        wizard = _OPENED.pop()
        if isValid(wizard):
            wizard.dirty = False
            wizard.close()


def open_wizard(qtbot, context, **target) -> AppraisalWizard:
    opened: list[AppraisalWizard] = []
    open_appraisal_wizard(context, on_open=opened.append, **target)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    _OPENED.append(opened[0])
    return opened[0]


def answer_all(
    qtbot,
    wizard: AppraisalWizard,
    answers: dict[str, str],
    notes: dict[str, str],
    *,
    check_justifications: bool = True,
) -> None:
    """Walk the question pages clicking each answer and typing the justifications asked for."""
    assert wizard.currentPage() is wizard.start_page
    for page in wizard.question_pages:
        wizard.next()
        assert wizard.currentPage() is page
        for question_id, widget in page.questions.items():
            click(qtbot, widget.buttons[answers[question_id]])
            if question_id in notes:
                assert widget.justification.isVisibleTo(wizard)
                widget.justification.setFocus()
                qtbot.keyClicks(widget.justification, notes[question_id])
            elif check_justifications:
                assert not widget.needs_justification()
                assert not widget.justification.isVisibleTo(wizard)


def finish(qtbot, wizard: AppraisalWizard) -> list[object]:
    signed: list[object] = []
    wizard.signed_off.connect(signed.append)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    return signed


def test_low_risk_appraisal_end_to_end(qtbot, context, db, collaboration_id):
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert not wizard.read_only
    # Pre-filled from the register: the kind of collaboration and of partner.
    assert wizard.answers == {"form_kind": "exchange", "partner_kind": "university"}
    form_kind = wizard.question_pages[2].questions["form_kind"]
    assert form_kind.buttons["exchange"].isChecked()
    assert form_kind.findChild(type(form_kind.title), "prefillNote") is not None
    assert form_kind.toolTip() == MODEL.question("form_kind").help
    assert form_kind.whatsThis() == MODEL.question("form_kind").help

    answers = {**benign_answers(MODEL), "form_kind": "exchange", "research_publication": "delayed"}
    note = "Two-week review of the summer-school proceedings"
    answer_all(qtbot, wizard, answers, {"research_publication": note})
    wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    summary = wizard.summary_page.text.toPlainText()
    assert "Low" in summary
    assert "Justifications are still missing" not in summary
    wizard.next()
    page = wizard.decision_page
    assert page.decision_buttons["approve"].isChecked()
    page.signer.clear()
    qtbot.keyClicks(page.signer, "Robin Officer")
    # setText, not typing: the role completer's popup grabs the keyboard, which offscreen Qt
    # reports as a warning.
    page.role.setText("Research-security officer")
    assert workflow.add_months(dt.date.today(), 36).isoformat() in page.review_label.text()
    signed = finish(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(signed), timeout=10_000)

    with db.read() as session:
        (latest,) = workflow.history(session, collaboration_id)
        record = workflow.get_appraisal(session, latest.id)
        collaboration = session.get(Collaboration, collaboration_id)
        assert (collaboration.status.value, collaboration.risk_level.value) == ("approved", "low")
    assert record.status == "signed_off"
    assert record.answers == answers
    assert record.justifications == {"research_publication": note}
    assert (record.decision, record.signed_off_by, record.signed_off_role) == (
        "approve",
        "Robin Officer",
        "Research-security officer",
    )
    assert record.next_review_date == workflow.add_months(dt.date.today(), 36)


def test_very_high_risk_appraisal_end_to_end(qtbot, context, db, collaboration_id):
    with db.read() as session:
        owner_id = workflow.staff_choices(session)[0][0]
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    answers = {**benign_answers(MODEL), "form_kind": "exchange", "partner_listed": "listed"}
    answer_all(
        qtbot,
        wizard,
        answers,
        {"partner_listed": "Confirmed match on the office's list"},
    )
    wizard.next()
    summary = wizard.summary_page.text.toPlainText()
    assert "Very high" in summary
    assert "Severe factors" in summary
    assert "a severe factor lifts it" in summary
    wizard.next()
    page = wizard.decision_page
    assert page.decision_buttons["escalate"].isChecked()
    page.check_measure("committee_referral", owner_id, dt.date.today() + dt.timedelta(days=14))
    page.signer.clear()
    qtbot.keyClicks(page.signer, "Robin Officer")
    # setText, not typing: the role completer's popup grabs the keyboard, which offscreen Qt
    # reports as a warning.
    page.role.setText("Research-security committee")
    # Escalating needs a reason: the page says so and stays open.
    finish(qtbot, wizard)
    qtbot.waitUntil(lambda: page.error.isVisibleTo(wizard), timeout=10_000)
    assert "reason to escalate" in page.error.text()
    assert wizard.currentPage() is page
    qtbot.keyClicks(page.note, "Listed partner: the committee decides")
    signed = finish(qtbot, wizard)
    qtbot.waitUntil(lambda: bool(signed), timeout=10_000)

    with db.read() as session:
        (latest,) = workflow.history(session, collaboration_id)
        record = workflow.get_appraisal(session, latest.id)
        collaboration = session.get(Collaboration, collaboration_id)
        assert collaboration.risk_level.value == "very_high"
        assert collaboration.status.value == "under_appraisal"
    assert record.decision == "escalate"
    assert record.result.level == "very_high"
    assert [(m.code, m.owner_staff_id, m.due_date) for m in record.measures] == [
        ("committee_referral", owner_id, dt.date.today() + dt.timedelta(days=14))
    ]
    assert record.next_review_date == workflow.add_months(dt.date.today(), 6)


def test_draft_saves_and_resumes(qtbot, context, db, collaboration_id):
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    wizard.next()
    page = wizard.question_pages[0]
    click(qtbot, page.questions["research_dual_use"].buttons["possible"])
    justification = page.questions["research_dual_use"].justification
    qtbot.keyClicks(justification, "Laser parts; classification asked")
    saved: list[object] = []
    wizard.draft_saved.connect(saved.append)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CustomButton1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert not wizard.dirty
    draft_id = wizard.appraisal.id
    wizard.close()

    resumed = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert resumed.appraisal.id == draft_id
    assert resumed.answers["research_dual_use"] == "possible"
    widget = resumed.question_pages[0].questions["research_dual_use"]
    assert widget.buttons["possible"].isChecked()
    assert widget.justification.toPlainText() == "Laser parts; classification asked"
    with db.read() as session:
        assert len(workflow.history(session, collaboration_id)) == 1


def test_closing_with_unsaved_answers_offers_to_save(
    qtbot, context, db, collaboration_id, monkeypatch
):
    monkeypatch.setattr(
        wizard_module,
        "ask_save_changes",
        lambda _parent: wizard_module.QMessageBox.StandardButton.Save,
    )
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    wizard.next()
    widget = wizard.question_pages[0].questions["research_maturity"]
    click(qtbot, widget.buttons["applied"])
    saved: list[object] = []
    wizard.draft_saved.connect(saved.append)
    wizard.reject()
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    with db.read() as session:
        draft = workflow.current_draft(session, collaboration_id)
    assert draft is not None
    assert draft.answers["research_maturity"] == "applied"


def test_signed_off_appraisal_opens_read_only(qtbot, context, db, collaboration_id):
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        answers = {**benign_answers(MODEL), "form_kind": "exchange"}
        workflow.save_draft(session, draft.id, answers, {"form_kind": "Workshop"})
        workflow.sign_off(
            session,
            draft.id,
            workflow.SignOff("approve", "Robin Officer", "Research-security officer"),
        )
    wizard = open_wizard(qtbot, context, appraisal_id=draft.id)
    assert wizard.read_only
    assert len(wizard.pageIds()) == 1
    assert wizard.currentPage() is wizard.record_page
    editable = [
        w
        for kind in (QRadioButton, QLineEdit, QPlainTextEdit)
        for w in wizard.findChildren(kind)
        if not getattr(w, "isReadOnly", lambda: False)()
    ]
    assert editable == []
    assert not wizard.button(QWizard.WizardButton.CustomButton1).isVisible()
    text = wizard.record_page.text.toPlainText()
    assert "Robin Officer" in text
    assert "Workshop" in text
    assert MODEL.question("partner_listed").text in text
    # The service refuses any change, whatever the UI does.
    with pytest.raises(ReadOnlyError), db.unit_of_work() as session:
        workflow.save_draft(session, draft.id, {})
    # Opening the collaboration again starts a re-appraisal from a copy of the answers.
    second = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    assert not second.read_only
    assert second.appraisal.version == 2
    assert second.answers == answers


def test_start_from_a_picked_collaboration(qtbot, context, db, collaboration_id):
    with db.unit_of_work() as session:
        partner = make_partner(session, "Harbour Polytechnic")
        other = make_collaboration(session, "Marine robotics testbed", partners=[partner]).id
    opened: list[AppraisalWizard] = []
    picker = open_appraisal_wizard(context, on_open=opened.append)
    assert picker is not None
    qtbot.waitUntil(lambda: picker.results.count() == 2, timeout=10_000)
    qtbot.keyClicks(picker.search, "robotics")
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=10_000)
    assert "Marine robotics testbed" in picker.results.item(0).text()
    assert picker.selected_id() == other
    qtbot.mouseClick(
        picker.buttons.button(picker.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    _OPENED.append(opened[0])
    assert opened[0].appraisal.collaboration_id == other
    assert opened[0].appraisal.status == "draft"


def test_signed_off_record_saves_as_pdf(
    qtbot, context, db, collaboration_id, monkeypatch, tmp_path
):
    from pypdf import PdfReader

    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        answers = {**benign_answers(MODEL), "form_kind": "exchange"}
        workflow.save_draft(session, draft.id, answers)
        workflow.sign_off(
            session,
            draft.id,
            workflow.SignOff("approve", "Robin Officer", "Research-security officer"),
        )
        reference = draft.collaboration_reference
    target = tmp_path / "record.pdf"
    monkeypatch.setattr(wizard_module, "ask_pdf_path", lambda _parent, suggested: str(target))
    failures: list[BaseException] = []
    monkeypatch.setattr(wizard_module, "show_error", lambda _parent, exc, *_: failures.append(exc))
    wizard = open_wizard(qtbot, context, appraisal_id=draft.id)
    written: list[str] = []
    wizard.pdf_written.connect(written.append)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CustomButton2), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(written or failures), timeout=60_000)
    assert not failures
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert reference in text
    assert "Robin Officer" in text


def test_missing_justification_sends_the_officer_back_to_the_question(
    qtbot, context, db, collaboration_id
):
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    answers = {**benign_answers(MODEL), "form_kind": "exchange", "form_confidentiality": "unusual"}
    answer_all(qtbot, wizard, answers, {}, check_justifications=False)
    wizard.next()
    assert "Justifications are still missing" in wizard.summary_page.text.toPlainText()
    wizard.next()
    finish(qtbot, wizard)
    collaboration_page = wizard.question_pages[2]
    qtbot.waitUntil(lambda: wizard.currentPage() is collaboration_page, timeout=10_000)
    assert "Justify the answer" in collaboration_page.error.text()
    assert collaboration_page.error.isVisibleTo(wizard)
    widget = collaboration_page.questions["form_confidentiality"]
    assert widget.justification.isVisibleTo(wizard)
    # A refused sign-off writes nothing: the answers stay in the wizard, unsaved.
    assert wizard.dirty
    with db.read() as session:
        assert workflow.current_draft(session, collaboration_id) is None


def test_the_pages_name_the_signers_the_office_saved(qtbot, context, db, collaboration_id):
    from rsdesk.services import responsibilities

    with db.unit_of_work() as session:
        responsibilities.save_text(
            session,
            '[central_contact]\nrole = "Research-security officer"\n'
            '[sign_off.low]\nroles = ["Group leader"]\n'
            '[sign_off.very_high]\nroles = ["Board"]\n',
        )
    wizard = open_wizard(qtbot, context, collaboration_id=collaboration_id)
    answer_all(qtbot, wizard, benign_answers(MODEL), {}, check_justifications=False)
    wizard.next()
    assert "Sign-off by: Group leader; Board" in wizard.summary_page.text.toPlainText()
    wizard.next()
    label = wizard.decision_page.level_label.text()
    assert "Sign-off by: Group leader; Board." in label
    assert MODEL.level("low").sign_off not in label
