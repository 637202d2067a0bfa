"""The appraisal workflow on real databases: draft, pre-fill, sign-off, read-only, re-appraisal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from rsdesk.models import (
    Appraisal,
    Collaboration,
    CollaborationAsset,
    CollaborationTechnology,
    MitigationMeasure,
    ScreeningList,
    ScreeningResult,
    SensitiveAsset,
)
from rsdesk.models.enums import (
    AppraisalDecision,
    AssetKind,
    CollaborationKind,
    CollaborationStatus,
    PartnerKind,
    ScreeningVerdict,
)
from rsdesk.resources import resource_path
from rsdesk.services import registers
from rsdesk.services.appraisal import install_institution_model, load_model, workflow
from rsdesk.services.appraisal.workflow import MeasurePlan, SignOff
from rsdesk.services.errors import NotFoundError, ReadOnlyError, ValidationError
from tests.services.appraisal.helpers import (
    benign_answers,
    justify_all,
    make_collaboration,
    make_partner,
    make_staff,
)

MODEL = load_model()
TODAY = dt.date.today()


def approve(**values: object) -> SignOff:
    return SignOff(
        decision=values.pop("decision", AppraisalDecision.APPROVE),  # type: ignore[arg-type]
        signed_by=values.pop("signed_by", "Robin Officer"),  # type: ignore[arg-type]
        role=values.pop("role", "Dean"),  # type: ignore[arg-type]
        signed_on=values.pop("signed_on", TODAY),  # type: ignore[arg-type]
        **values,  # type: ignore[arg-type]
    )


def new_collaboration(db, **values) -> int:
    with db.unit_of_work() as session:
        partner = make_partner(session, "Institute of Catalysis")
        return make_collaboration(session, partners=[partner], **values).id


def test_draft_is_prefilled_from_the_register(any_db):
    with any_db.unit_of_work() as session:
        company = make_partner(session, "Helix Instruments", PartnerKind.COMPANY)
        university = make_partner(session, "Northern University", PartnerKind.UNIVERSITY)
        collaboration = make_collaboration(
            session,
            kind=CollaborationKind.FUNDING_RECEIVED,
            partners=[company, university],
            dual_use_code="3",
            funding_amount_eur=400_000,
            funding_source="Helix Instruments",
        )
        session.add(CollaborationTechnology(collaboration_id=collaboration.id, area_code="quantum"))
        lab = SensitiveAsset(
            name="Cleanroom B", kind=AssetKind.LAB, sensitivity_level="highly_sensitive"
        )
        session.add(lab)
        session.flush()
        session.add(
            CollaborationAsset(
                collaboration_id=collaboration.id, asset_id=lab.id, partner_access=True
            )
        )
        listed = ScreeningList(
            list_key="office",
            name="Office list",
            source_format="csv",
            file_name="l.csv",
            sha256="0" * 64,
        )
        session.add(listed)
        session.flush()
        session.add(
            ScreeningResult(
                partner_id=company.id,
                list_id=listed.id,
                entry_fingerprint="f" * 64,
                entry_name="HELIX INSTRUMENTS LTD",
                partner_name_matched="Helix Instruments",
                list_name_matched="HELIX INSTRUMENTS LTD",
                score=97.0,
                verdict=ScreeningVerdict.TRUE_MATCH,
            )
        )
        session.flush()
        draft = workflow.create_draft(session, collaboration.id)
        notes = workflow.prefill_answers(session, collaboration.id)
        status = session.get(Collaboration, collaboration.id).status
    assert draft.status == "draft"
    assert draft.version == 1
    assert status == CollaborationStatus.UNDER_APPRAISAL
    assert draft.answers == {
        "research_critical_technology": "most_sensitive",
        "research_dual_use": "listed",
        "form_kind": "funding",
        "form_funding": "substantial",
        "partner_kind": "company",
        "partner_listed": "listed",
        "form_access": "sensitive",
    }
    assert "Cleanroom B" in notes["form_access"].note
    assert "HELIX INSTRUMENTS LTD" in notes["partner_listed"].note
    # A confirmed screening match is a severe factor: the draft already shows Very high.
    assert draft.result is not None
    assert draft.result.level == "very_high"
    assert draft.model_version == MODEL.version


def test_prefill_counts_current_list_versions_once_and_names_pending_hits(db):
    """A list's new version carries a confirmed verdict over: the replaced version's result must
    not name the match a second time, and a pending hit beside a confirmed one is named too."""

    def result(partner_id: int, list_id: int, name: str, verdict: ScreeningVerdict):
        return ScreeningResult(
            partner_id=partner_id,
            list_id=list_id,
            entry_fingerprint=name[:1] * 64,
            entry_name=name,
            partner_name_matched=name.title(),
            list_name_matched=name,
            score=95.0,
            verdict=verdict,
        )

    with db.unit_of_work() as session:
        kazan = make_partner(session, "Kazan State Medical University", PartnerKind.UNIVERSITY)
        beihang = make_partner(session, "Beihang University", PartnerKind.UNIVERSITY)
        collaboration = make_collaboration(session, partners=[kazan, beihang])
        versions = [
            ScreeningList(
                list_key="office",
                name="Office watchlist",
                source_format="csv",
                file_name=f"watch-{number}.csv",
                sha256=str(number) * 64,
                version_no=number,
                active=number == 2,
            )
            for number in (1, 2)
        ]
        session.add_all(versions)
        session.flush()
        for version in versions:
            session.add(
                result(
                    kazan.id, version.id, "KAZAN STATE MEDICAL UNIV.", ScreeningVerdict.TRUE_MATCH
                )
            )
        session.add(result(beihang.id, versions[1].id, "BEIHANG UNIV.", ScreeningVerdict.PENDING))
        session.flush()
        note = workflow.prefill_answers(session, collaboration.id)["partner_listed"]
    assert note.option == "listed"
    assert note.note.count("KAZAN STATE MEDICAL UNIV.") == 1
    assert "awaiting a verdict: Beihang University ~ BEIHANG UNIV." in note.note


def test_pending_match_is_prefilled_as_a_gap_and_clean_screening_as_not_listed(db):
    with db.unit_of_work() as session:
        partner = make_partner(session, "Quiet Labs", PartnerKind.COMPANY)
        collaboration = make_collaboration(session, partners=[partner])
        assert "partner_listed" not in workflow.prefill_answers(session, collaboration.id)
        listed = ScreeningList(
            list_key="eu", name="EU list", source_format="xml", file_name="eu.xml", sha256="1" * 64
        )
        session.add(listed)
        session.flush()
        assert (
            workflow.prefill_answers(session, collaboration.id)["partner_listed"].option
            == "not_listed"
        )
        session.add(
            ScreeningResult(
                partner_id=partner.id,
                list_id=listed.id,
                entry_fingerprint="a" * 64,
                entry_name="QUIET LABORATORIES",
                partner_name_matched="Quiet Labs",
                list_name_matched="QUIET LABORATORIES",
                score=88.0,
            )
        )
        session.flush()
        assert (
            workflow.prefill_answers(session, collaboration.id)["partner_listed"].option
            == "possible_match"
        )


def test_country_never_changes_the_result(any_db):
    """Two collaborations identical except for their partners' countries: identical results."""
    results = []
    for country in ("NL", "CN"):
        with any_db.unit_of_work() as session:
            partner = make_partner(
                session, "Institute of Optics", PartnerKind.RESEARCH_INSTITUTE, country
            )
            collaboration = make_collaboration(
                session,
                partners=[partner],
                dual_use_code="6",
                kind=CollaborationKind.CONTRACT_RESEARCH,
            )
            session.add(CollaborationTechnology(collaboration_id=collaboration.id, area_code="ai"))
            session.flush()
            draft = workflow.create_draft(session, collaboration.id)
            answers = {**draft.answers, "legal_compelled_disclosure": "unknown"}
            saved = workflow.save_draft(session, draft.id, answers, justify_all(answers))
            signed = workflow.sign_off(
                session,
                saved.id,
                approve(
                    decision=AppraisalDecision.ESCALATE,
                    note="Committee",
                    role="Research-security committee",
                ),
            )
        results.append(
            (draft.answers, signed.result, signed.risk_level, signed.score, signed.next_review_date)
        )
    assert results[0] == results[1]
    assert results[0][1] is not None
    assert results[0][1].gaps


def test_save_draft_validates_and_rescores(db):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        with pytest.raises(ValidationError, match="unknown question id 'no_such_question'"):
            workflow.save_draft(session, draft.id, {"no_such_question": "yes"})
        with pytest.raises(ValidationError, match="'maybe' is not an option of 'partner_listed'"):
            workflow.save_draft(session, draft.id, {"partner_listed": "maybe"})
        with pytest.raises(ValidationError, match="must be an option id"):
            workflow.save_draft(session, draft.id, {"partner_listed": 3})
        saved = workflow.save_draft(
            session, draft.id, benign_answers(MODEL), {"form_kind": "  Usual exchange  "}
        )
    assert saved.risk_level == "low"
    assert saved.score == 0
    assert saved.justifications == {"form_kind": "Usual exchange"}
    with db.read() as session:
        resumed = workflow.current_draft(session, collaboration_id)
    assert resumed is not None
    assert resumed.id == saved.id
    assert resumed.answers == benign_answers(MODEL)


def test_only_one_draft_at_a_time(db):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        workflow.create_draft(session, collaboration_id)
        with pytest.raises(ValidationError, match="already has a draft"):
            workflow.create_draft(session, collaboration_id)
        with pytest.raises(ValidationError, match="needs a signed-off appraisal"):
            workflow.reappraise(session, collaboration_id)


def test_sign_off_records_decision_measures_review_and_collaboration(any_db):
    with any_db.unit_of_work() as session:
        owner = make_staff(session)
        partner = make_partner(session, "Applied Robotics Co", PartnerKind.COMPANY)
        collaboration = make_collaboration(session, partners=[partner])
        draft = workflow.create_draft(session, collaboration.id)
        # Started three days ago, so that it may be signed off two days ago.
        started = dt.datetime.now() - dt.timedelta(days=3)
        session.get(Appraisal, draft.id).created_at = started
        collaboration.created_at = started
        answers = {
            **benign_answers(MODEL, safeguards=False),
            "research_critical_technology": "most_sensitive",
            "partner_military_links": "direct",
        }
        workflow.save_draft(session, draft.id, answers, justify_all(answers))
        signed = workflow.sign_off(
            session,
            draft.id,
            approve(
                decision=AppraisalDecision.APPROVE_WITH_CONDITIONS,
                signed_on=TODAY - dt.timedelta(days=2),
                measures=(
                    MeasurePlan(
                        code="end_use_declaration",
                        owner_staff_id=owner.id,
                        due_date=TODAY + dt.timedelta(days=30),
                    ),
                    MeasurePlan(
                        description="Only work package 2 is shared",
                        owner_staff_id=owner.id,
                        due_date=TODAY + dt.timedelta(days=60),
                    ),
                ),
            ),
        )
        collaboration_row = session.get(Collaboration, collaboration.id)
        status, level, review = (
            collaboration_row.status,
            collaboration_row.risk_level,
            collaboration_row.next_review_date,
        )
    assert signed.read_only
    assert signed.status == "signed_off"
    assert signed.risk_level == "high"  # a severe factor (direct military links) sets High
    assert signed.decision == "approve_with_conditions"
    assert signed.signed_off_by == "Robin Officer"
    assert signed.signed_off_at.date() == TODAY - dt.timedelta(days=2)
    expected_review = workflow.add_months(
        TODAY - dt.timedelta(days=2), MODEL.level("high").review_months
    )
    assert signed.next_review_date == expected_review
    assert (status, level.value, review) == ("approved_with_conditions", "high", expected_review)
    assert [(m.code, m.owner_name) for m in signed.measures] == [
        ("end_use_declaration", "Alex Owner"),
        (None, "Alex Owner"),
    ]
    assert signed.measures[0].description == MODEL.measure("end_use_declaration").text
    assert all(m.status == "planned" for m in signed.measures)
    with any_db.read() as session:
        rows = registers.fetch(
            session,
            registers.get("measures"),
            registers.RegisterQuery(filters={"collaboration": collaboration.id}),
        )
        appraisal_rows = registers.fetch(
            session, registers.get("appraisals"), registers.RegisterQuery()
        )
    assert len(rows) == 2
    assert [(row[0], row[5]) for row in appraisal_rows] == [(signed.id, "high")]


@pytest.mark.parametrize(
    ("sign_off", "message"),
    [
        (approve(signed_by="  "), "name of the person who signs off"),
        (approve(decision="maybe"), "Unknown decision 'maybe'"),
        (
            approve(decision=AppraisalDecision.APPROVE_WITH_CONDITIONS),
            "at least one mitigation measure",
        ),
        (approve(decision=AppraisalDecision.REJECT), "reason to reject"),
        (approve(signed_on=TODAY + dt.timedelta(days=1)), "cannot be in the future"),
        (
            approve(
                decision=AppraisalDecision.APPROVE_WITH_CONDITIONS,
                measures=(MeasurePlan(code="no_such_code"),),
            ),
            "'no_such_code' is not in the model's catalogue",
        ),
        (
            approve(
                decision=AppraisalDecision.APPROVE_WITH_CONDITIONS,
                measures=(MeasurePlan(description="x", due_date=TODAY - dt.timedelta(days=1)),),
            ),
            "due date is before the sign-off date",
        ),
    ],
)
def test_sign_off_refuses_incomplete_decisions(db, sign_off, message):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        workflow.save_draft(session, draft.id, benign_answers(MODEL))
        with pytest.raises(ValidationError, match=message):
            workflow.sign_off(session, draft.id, sign_off)
        assert workflow.get_appraisal(session, draft.id).status == "draft"


def test_sign_off_needs_justifications_for_risk_raising_answers(db):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        answers = {**benign_answers(MODEL), "form_confidentiality": "unusual"}
        workflow.save_draft(session, draft.id, answers)
        with pytest.raises(
            ValidationError, match="Justify the answer to .*confidentiality"
        ) as caught:
            workflow.sign_off(session, draft.id, approve())
        assert caught.value.field == "form_confidentiality"
        workflow.save_draft(
            session, draft.id, answers, {"form_confidentiality": "Usual for industry"}
        )
        assert workflow.sign_off(session, draft.id, approve()).read_only


def test_signed_off_appraisal_is_frozen(db):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        workflow.save_draft(session, draft.id, benign_answers(MODEL))
        workflow.sign_off(session, draft.id, approve())
    with db.unit_of_work() as session:
        with pytest.raises(ReadOnlyError, match="signed off and read-only"):
            workflow.save_draft(session, draft.id, {})
        with pytest.raises(ReadOnlyError):
            workflow.sign_off(session, draft.id, approve())
        with pytest.raises(ReadOnlyError):
            workflow.discard_draft(session, draft.id)
    # Even a direct ORM write is refused and leaves the record as it was.
    with pytest.raises(ReadOnlyError), db.unit_of_work() as session:
        row = session.get(Appraisal, draft.id)
        row.answers = {"partner_listed": "listed"}
    with pytest.raises(ReadOnlyError), db.unit_of_work() as session:
        session.delete(session.get(Appraisal, draft.id))
    with db.read() as session:
        assert workflow.get_appraisal(session, draft.id).answers == benign_answers(MODEL)


def test_reappraisal_copies_answers_and_reports_changes(db):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        first = workflow.create_draft(session, collaboration_id)
        answers = {**benign_answers(MODEL), "form_kind": "joint_research"}
        workflow.save_draft(session, first.id, answers, {"form_kind": "Workshop series"})
        workflow.sign_off(session, first.id, approve())
    with db.unit_of_work() as session:
        second = workflow.reappraise(session, collaboration_id)
        assert second.version == 2
        assert second.previous_appraisal_id == first.id
        assert second.answers == answers
        assert second.justifications == {"form_kind": "Workshop series"}
        assert workflow.changed_answers(session, second.id) == []
        changed = {**answers, "form_transfers": "data"}
        workflow.save_draft(session, second.id, changed, {"form_transfers": "Sensor data only"})
        changes = workflow.changed_answers(session, second.id)
        history = workflow.history(session, collaboration_id)
    assert [(c.question, c.before, c.after) for c in changes] == [
        ("form_transfers", "nothing", "data")
    ]
    assert changes[0].question_text == MODEL.question("form_transfers").text
    assert [(h.version, h.status) for h in history] == [(2, "draft"), (1, "signed_off")]
    with db.read() as session:
        assert workflow.changed_answers(session, first.id) == []


def test_old_appraisal_keeps_its_result_after_the_model_changes(db, tmp_path: Path):
    collaboration_id = new_collaboration(db)
    answers = {
        **benign_answers(MODEL, safeguards=False),
        "research_critical_technology": "most_sensitive",
    }
    with db.unit_of_work() as session:
        first = workflow.create_draft(session, collaboration_id)
        workflow.save_draft(session, first.id, answers, justify_all(answers))
        old = workflow.sign_off(session, first.id, approve())
    # The institution raises the weight of the most sensitive technologies.
    adjusted = tmp_path / "adjusted.toml"
    text = resource_path("questionbank", "default.toml").read_text("utf-8")
    adjusted.write_text(
        text.replace(
            '"Yes, semiconductors, AI, quantum or biotechnology", weight = 6',
            '"Yes, semiconductors, AI, quantum or biotechnology", weight = 14',
        ),
        "utf-8",
    )
    with db.unit_of_work() as session:
        new_model = install_institution_model(session, adjusted)
        second = workflow.reappraise(session, collaboration_id)
        second = workflow.save_draft(session, second.id, answers, justify_all(answers))
        new = workflow.sign_off(session, second.id, approve())
    assert new_model.version != old.model_version
    assert new.model_version == new_model.version
    assert new.score > old.score
    assert new.risk_level != old.risk_level
    with db.read() as session:
        again = workflow.get_appraisal(session, first.id)
        collaboration = session.get(Collaboration, collaboration_id)
        latest_level = collaboration.risk_level.value
    assert again.result == old.result
    assert (again.score, again.risk_level, again.model_version) == (
        old.score,
        old.risk_level,
        old.model_version,
    )
    assert latest_level == new.risk_level


def test_discard_draft_and_unknown_ids(db):
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        workflow.discard_draft(session, draft.id)
        assert workflow.current_draft(session, collaboration_id) is None
        with pytest.raises(NotFoundError):
            workflow.get_appraisal(session, draft.id)
        with pytest.raises(NotFoundError):
            workflow.create_draft(session, 999_999)
        assert session.scalars(select(MitigationMeasure)).all() == []


def test_add_months_clamps_to_month_end():
    assert workflow.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert workflow.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert workflow.add_months(dt.date(2026, 11, 15), 6) == dt.date(2027, 5, 15)


def test_reappraisal_brings_new_risk_facts_from_the_register(db):
    with db.unit_of_work() as session:
        partner = make_partner(session, "Vector Systems", PartnerKind.COMPANY)
        collaboration = make_collaboration(session, partners=[partner])
        listed = ScreeningList(
            list_key="eu", name="EU list", source_format="xml", file_name="eu.xml", sha256="2" * 64
        )
        session.add(listed)
        session.flush()
        first = workflow.create_draft(session, collaboration.id)
        assert first.answers["partner_listed"] == "not_listed"
        answers = {**benign_answers(MODEL), **first.answers}
        workflow.save_draft(session, first.id, answers, justify_all(answers))
        workflow.sign_off(session, first.id, approve())
        # Later the partner turns out to be on a list.
        session.add(
            ScreeningResult(
                partner_id=partner.id,
                list_id=listed.id,
                entry_fingerprint="b" * 64,
                entry_name="VECTOR SYSTEMS GROUP",
                partner_name_matched="Vector Systems",
                list_name_matched="VECTOR SYSTEMS GROUP",
                score=95.0,
                verdict=ScreeningVerdict.TRUE_MATCH,
            )
        )
        session.flush()
        second = workflow.reappraise(session, collaboration.id)
        changes = workflow.changed_answers(session, second.id)
    assert [(c.question, c.before, c.after) for c in changes] == [
        ("partner_listed", "not_listed", "listed")
    ]
    assert second.result is not None
    assert second.result.level == "very_high"


def test_an_officer_may_always_escalate(db):
    """Escalating hands the decision up, so it is never refused for the signer's role."""
    collaboration_id = new_collaboration(db)
    with db.unit_of_work() as session:
        draft = workflow.create_draft(session, collaboration_id)
        answers = {**benign_answers(MODEL), "partner_listed": "listed"}
        workflow.save_draft(session, draft.id, answers, justify_all(answers))
        signed = workflow.sign_off(
            session,
            draft.id,
            approve(
                decision=AppraisalDecision.ESCALATE,
                role="Research-security officer",
                note="Listed partner: for the committee",
            ),
        )
    assert signed.decision == "escalate"
    assert signed.risk_level == "very_high"
