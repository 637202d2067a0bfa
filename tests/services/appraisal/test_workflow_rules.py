"""Rules an internal audit found missing: what a decision does to a running collaboration, what
starting and discarding a draft write, stale saves, backdated and unconditional sign-offs, and
forms pointing at another collaboration. Real databases throughout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rsdesk.models import Appraisal, AuditEntry, Collaboration
from rsdesk.models.enums import AppraisalDecision, CollaborationStatus, PartnerKind
from rsdesk.services import dashboard, registers
from rsdesk.services.appraisal import load_model, workflow
from rsdesk.services.appraisal.form import FormError, import_form, write_form
from rsdesk.services.appraisal.workflow import MeasurePlan, SignOff
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.errors import ReadOnlyError, ValidationError
from rsdesk.services.registers import RegisterQuery
from tests.services.appraisal.helpers import (
    benign_answers,
    justify_all,
    make_collaboration,
    make_partner,
    make_staff,
)

MODEL = load_model()
TODAY = dt.date.today()
HIGH = {
    **benign_answers(MODEL, safeguards=False),
    "research_critical_technology": "most_sensitive",
    "partner_military_links": "direct",
}


def decide(decision: AppraisalDecision, **values: object) -> SignOff:
    return SignOff(
        decision=decision,
        signed_by="Robin Officer",
        role="Dean",
        signed_on=values.pop("signed_on", TODAY),  # type: ignore[arg-type]
        note=values.pop("note", "Discussed at the review meeting"),  # type: ignore[arg-type]
        **values,  # type: ignore[arg-type]
    )


def collaboration_with(db, status: CollaborationStatus, title: str = "Catalysis") -> int:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Institute of Catalysis", PartnerKind.UNIVERSITY)
        return make_collaboration(session, title, partners=[partner], status=status).id


def status_of(db, collaboration_id: int) -> CollaborationStatus:
    with db.read() as session:
        return session.get(Collaboration, collaboration_id).status


def sign(db, collaboration_id: int, decision: SignOff, answers=None) -> workflow.AppraisalView:
    answers = answers or benign_answers(MODEL)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(
            session, collaboration_id, answers=answers, justifications=justify_all(answers)
        )
        return workflow.sign_off(session, draft.id, decision)


# --- 1. a decision moves only a collaboration still being decided ---------------------------


@pytest.mark.parametrize(
    "decision",
    [AppraisalDecision.APPROVE, AppraisalDecision.ESCALATE, AppraisalDecision.REJECT],
)
def test_a_running_collaboration_keeps_its_status(any_db, decision):
    collaboration_id = collaboration_with(any_db, CollaborationStatus.ACTIVE)
    signed = sign(any_db, collaboration_id, decide(decision))
    assert status_of(any_db, collaboration_id) == CollaborationStatus.ACTIVE
    assert signed.decision == decision.value
    with any_db.read() as session:
        collaboration = session.get(Collaboration, collaboration_id)
        # Even rejected on review it stays scheduled for its next review.
        assert collaboration.next_review_date == workflow.add_months(TODAY, 36)
        assert collaboration.risk_level.value == "low"
    if decision == AppraisalDecision.REJECT:
        assert "stays active" in signed.notice
        assert "change its status" in signed.notice
    elif decision == AppraisalDecision.ESCALATE:
        assert "stays active" in signed.notice
    else:
        assert signed.notice == ""


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (AppraisalDecision.APPROVE, CollaborationStatus.APPROVED),
        (AppraisalDecision.REJECT, CollaborationStatus.REJECTED),
        (AppraisalDecision.ESCALATE, CollaborationStatus.UNDER_APPRAISAL),
    ],
)
def test_a_proposal_moves_with_the_decision(db, decision, expected):
    collaboration_id = collaboration_with(db, CollaborationStatus.PROPOSED)
    sign(db, collaboration_id, decide(decision))
    assert status_of(db, collaboration_id) == expected


# --- 2. opening writes nothing; discarding undoes ---------------------------------------------


def counts(db) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Appraisal)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def test_new_draft_writes_nothing(any_db):
    collaboration_id = collaboration_with(any_db, CollaborationStatus.PROPOSED)
    before = counts(any_db)
    with any_db.unit_of_work() as session:
        view = workflow.new_draft(session, collaboration_id)
    assert view.id is None
    assert not view.saved
    assert view.version == 1
    assert view.answers == {"partner_kind": "university", "form_kind": "joint_research"}
    assert counts(any_db) == before
    assert status_of(any_db, collaboration_id) == CollaborationStatus.PROPOSED


def test_discarding_a_draft_restores_the_proposal_and_is_audited(any_db):
    collaboration_id = collaboration_with(any_db, CollaborationStatus.PROPOSED)
    with any_db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
    assert status_of(any_db, collaboration_id) == CollaborationStatus.UNDER_APPRAISAL
    with any_db.unit_of_work() as session:
        message = workflow.discard_draft(session, draft.id, seen_version=draft.row_version)
    assert "proposed again" in message
    assert status_of(any_db, collaboration_id) == CollaborationStatus.PROPOSED
    with any_db.read() as session:
        assert workflow.current_draft(session, collaboration_id) is None
        trail = session.execute(
            select(AuditEntry.table_name, AuditEntry.action, AuditEntry.changes)
            .where(AuditEntry.id > 0)
            .order_by(AuditEntry.id.desc())
            .limit(2)
        ).all()
    assert {(table, action) for table, action, _ in trail} == {
        ("appraisal", "delete"),
        ("collaboration", "update"),
    }
    (status_change,) = [c for t, _, c in trail if t == "collaboration"]
    assert status_change["status"] == ["under_appraisal", "proposed"]


def test_discard_keeps_a_status_the_draft_did_not_set(db):
    # The officer moved the collaboration on after the draft was started: that stays.
    collaboration_id = collaboration_with(db, CollaborationStatus.PROPOSED)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
    with db.unit_of_work() as session:
        session.get(Collaboration, collaboration_id).status = CollaborationStatus.WITHDRAWN
    with db.unit_of_work() as session:
        message = workflow.discard_draft(session, draft.id)
    assert "proposed again" not in message
    assert status_of(db, collaboration_id) == CollaborationStatus.WITHDRAWN

    # An escalation left it under appraisal; discarding the committee's re-appraisal keeps that.
    escalated = collaboration_with(db, CollaborationStatus.PROPOSED, "Drones")
    sign(db, escalated, decide(AppraisalDecision.ESCALATE))
    with db.unit_of_work() as session:
        second = workflow.create_draft(session, escalated)
    with db.unit_of_work() as session:
        workflow.discard_draft(session, second.id)
    assert status_of(db, escalated) == CollaborationStatus.UNDER_APPRAISAL


def test_a_signed_off_appraisal_cannot_be_discarded(db):
    collaboration_id = collaboration_with(db, CollaborationStatus.PROPOSED)
    signed = sign(db, collaboration_id, decide(AppraisalDecision.APPROVE))
    with db.unit_of_work() as session, pytest.raises(ReadOnlyError, match="signed off"):
        workflow.discard_draft(session, signed.id)


def test_empty_drafts_do_not_await_a_decision(any_db):
    spec = registers.get("appraisals")

    def awaiting() -> int:
        with any_db.read() as session:
            figure = dashboard.compute(session, today=TODAY).figure("appraisals_draft")
            listed = registers.count(session, spec, RegisterQuery(filters=dict(figure.filters)))
        assert figure.value == listed  # the figure and its drill-down agree
        assert isinstance(figure.value, int)
        return figure.value

    empty = collaboration_with(any_db, CollaborationStatus.PROPOSED, "Left open")
    answered = collaboration_with(any_db, CollaborationStatus.PROPOSED, "Worked on")
    copied = collaboration_with(any_db, CollaborationStatus.ACTIVE, "Reviewed")
    sign(any_db, copied, decide(AppraisalDecision.APPROVE))
    start = awaiting()
    with any_db.unit_of_work() as session:
        # What opening the wizard used to leave behind: the register's facts only, and an
        # unchanged copy of the last version.
        workflow.create_draft(session, empty)
        workflow.create_draft(session, copied)
    assert awaiting() == start
    with any_db.unit_of_work() as session:
        workflow.create_draft(session, answered, answers={"research_maturity": "applied"})
    assert awaiting() == start + 1
    with any_db.unit_of_work() as session:
        draft = workflow.current_draft(session, copied)
        workflow.save_draft(session, draft.id, {**draft.answers, "research_maturity": "applied"})
    assert awaiting() == start + 2


# --- 3. a stale save is refused ---------------------------------------------------------------


def test_saving_a_draft_changed_since_it_was_loaded_is_refused(any_db):
    collaboration_id = collaboration_with(any_db, CollaborationStatus.PROPOSED)
    with any_db.unit_of_work() as session:
        loaded = workflow.create_draft(session, collaboration_id)
    # Window A saves first...
    with any_db.unit_of_work() as session:
        first = workflow.save_draft(
            session,
            loaded.id,
            {"research_dual_use": "listed"},
            {"research_dual_use": "3E001"},
            seen_version=loaded.row_version,
        )
    assert first.row_version == loaded.row_version + 1
    # ...window B, still holding the version it loaded, is refused and writes nothing.
    with any_db.unit_of_work() as session, pytest.raises(ConflictError, match="not saved"):
        workflow.save_draft(
            session, loaded.id, {"research_knowhow": "core"}, seen_version=loaded.row_version
        )
    with any_db.read() as session:
        kept = workflow.get_appraisal(session, loaded.id)
    assert kept.answers == {"research_dual_use": "listed"}
    assert kept.justifications == {"research_dual_use": "3E001"}
    with any_db.unit_of_work() as session, pytest.raises(ConflictError):
        workflow.discard_draft(session, loaded.id, seen_version=loaded.row_version)


# --- 4. no backdating before the draft -------------------------------------------------------


def test_sign_off_cannot_be_dated_before_the_draft_was_started(db):
    collaboration_id = collaboration_with(db, CollaborationStatus.PROPOSED)
    answers = benign_answers(MODEL)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id, answers=answers)
        with pytest.raises(ValidationError, match="draft was started") as refused:
            workflow.sign_off(
                session, draft.id, decide(AppraisalDecision.APPROVE, signed_on=dt.date(2019, 3, 1))
            )
        assert refused.value.field == "signed_on"
        assert workflow.earliest_sign_off(
            session.get(Appraisal, draft.id).created_at
        ) == workflow.local_date(session.get(Appraisal, draft.id).created_at)


# --- 5. no plain approval at High and above ---------------------------------------------------


def test_high_risk_cannot_be_approved_without_conditions(db):
    collaboration_id = collaboration_with(db, CollaborationStatus.PROPOSED)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(
            session, collaboration_id, answers=HIGH, justifications=justify_all(HIGH)
        )
        assert draft.risk_level == "high"
        with pytest.raises(ValidationError, match="cannot be approved without conditions"):
            workflow.sign_off(session, draft.id, decide(AppraisalDecision.APPROVE))
        # "Agreed measures with owners and due dates": a measure nobody owns is no condition.
        owner = make_staff(session)
        due = dt.date.today() + dt.timedelta(days=30)
        for unowned in (
            MeasurePlan(code="end_use_declaration", due_date=due),
            MeasurePlan(code="end_use_declaration", owner_staff_id=owner.id),
        ):
            with pytest.raises(
                ValidationError, match="^Measure 1: at High risk each agreed measure needs an owner"
            ):
                workflow.sign_off(
                    session,
                    draft.id,
                    decide(AppraisalDecision.APPROVE_WITH_CONDITIONS, measures=(unowned,)),
                )
        signed = workflow.sign_off(
            session,
            draft.id,
            decide(
                AppraisalDecision.APPROVE_WITH_CONDITIONS,
                measures=(
                    MeasurePlan(code="end_use_declaration", owner_staff_id=owner.id, due_date=due),
                ),
            ),
        )
    assert signed.decision == "approve_with_conditions"


# --- 6. a form's hidden id must agree with what it shows --------------------------------------


def test_a_form_whose_hidden_id_names_another_collaboration_is_refused(db, tmp_path: Path):
    target = collaboration_with(db, CollaborationStatus.PROPOSED, "Soil ecology")
    other = collaboration_with(db, CollaborationStatus.PROPOSED, "Underwater drones")
    path = tmp_path / "form.xlsx"
    with db.read() as session:
        write_form(session, target, path)

    def tampered(name: str, **cells: object) -> Path:
        book = load_workbook(path)
        for cell, value in cells.items():
            book["_rsdesk"][cell] = value
        out = tmp_path / f"{name}.xlsx"
        book.save(out)
        return out

    with db.read() as session:
        other_reference = session.get(Collaboration, other).reference
    before = counts(db)
    # The auditor's edit: only the hidden id. The hidden reference still names the target.
    with db.unit_of_work() as session, pytest.raises(FormError, match="but reference"):
        import_form(session, tampered("id", B4=other))
    # Id and reference both changed: the visible heading still names the target.
    changed = tampered("id-and-reference", B4=other, B5=other_reference)
    with db.unit_of_work() as session, pytest.raises(FormError, match="row 1 reads") as refused:
        import_form(session, changed)
    assert "Soil ecology" in str(refused.value)
    assert counts(db) == before
    # The untouched form goes where it says.
    with db.unit_of_work() as session:
        assert import_form(session, path).collaboration_id == target
